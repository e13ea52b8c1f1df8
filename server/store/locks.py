"""Locks that keep two writers off one spreadsheet's Summary at the same time.

- :class:`KeyedLocks` — one ``threading.Lock`` per key, created on demand and
  dropped when nobody holds or waits for it (no lock per spreadsheet ever seen).
- :func:`file_lock` — an exclusive ``flock`` on a small file, for SQLite: it
  serialises holders across processes (and across store instances in one process,
  as ``flock`` belongs to the open file); the holder removes the file when done, so
  files never pile up. POSIX only; elsewhere it is a no-op.
- :func:`advisory_key` — a stable signed 64-bit key for ``pg_advisory_lock``; the
  PostgreSQL side lives in :mod:`server.store.sql`, next to its connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from server.store.errors import LockTimeout, StoreUnavailable

_NAMESPACE = b"sales-verdicts:summary:"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key (the same in every process and Python version)."""
    digest = hashlib.blake2b(_NAMESPACE + name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_file_name(name: str) -> str:
    """A file name for ``name`` that is safe whatever characters the id holds."""
    return hashlib.sha256(_NAMESPACE + name.encode("utf-8")).hexdigest()[:40] + ".lock"


class KeyedLocks:
    """One lock per key within this object; keys nobody uses cost nothing."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def _enter(self, key: str) -> threading.Lock:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
            return lock

    def _leave(self, key: str) -> None:
        with self._guard:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)

    def try_take(self, key: str) -> Callable[[], None] | None:
        """The key's lock if it is free right now: the function that releases it (from
        any thread); else None."""
        lock = self._enter(key)
        if not lock.acquire(blocking=False):
            self._leave(key)
            return None

        def release() -> None:
            lock.release()
            self._leave(key)

        return release

    @contextmanager
    def hold(self, key: str, timeout: float | None = None) -> Iterator[None]:
        lock = self._enter(key)
        try:
            if not lock.acquire(timeout=-1 if timeout is None else timeout):
                raise LockTimeout(key, timeout or 0.0)
            try:
                yield
            finally:
                lock.release()
        finally:
            self._leave(key)


if sys.platform == "win32":  # pragma: no cover - the product runs on Linux

    @contextmanager
    def file_lock(
        path: Path,  # noqa: ARG001 - the POSIX lock's signature; a no-op here
        name: str,  # noqa: ARG001
        timeout: float | None = None,  # noqa: ARG001
        *,
        since: float | None = None,  # noqa: ARG001
    ) -> Iterator[None]:
        yield

else:
    import fcntl

    @contextmanager
    def file_lock(
        path: Path, name: str, timeout: float | None = None, *, since: float | None = None
    ) -> Iterator[None]:
        """Hold an exclusive ``flock`` on ``path`` (created if missing) until exit.

        ``name`` is what the lock protects, for the :class:`LockTimeout` message;
        ``timeout`` counts from ``since`` (a ``time.monotonic()``; default: now).
        The kernel releases the lock if the process dies, so a crash never leaves a
        spreadsheet locked. The holder removes the file when it is done, so no file
        outlives its use (one per spreadsheet ever classified would pile up): a waiter
        that then gets the lock of a removed file sees that the path no longer names
        it, and takes the lock again on the path's new file.
        """
        start = time.monotonic() if since is None else since
        deadline = None if timeout is None else start + timeout
        while True:
            fd = _open_lock_file(path)
            try:
                _flock(fd, name, timeout, deadline)
            except BaseException:
                os.close(fd)
                raise
            if _names(path, fd):
                break
            fcntl.flock(fd, fcntl.LOCK_UN)  # the file was removed while we waited
            os.close(fd)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                path.unlink()  # still holding the lock: nobody can hold this file now
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _open_lock_file(path: Path) -> int:
        try:
            path.parent.mkdir(exist_ok=True)  # next to the database; its folder must exist
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise StoreUnavailable(f"cannot open the lock file {path}: {err}") from err

    def _flock(fd: int, name: str, timeout: float | None, deadline: float | None) -> None:
        pause = 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockTimeout(name, timeout or 0.0) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.05)

    def _names(path: Path, fd: int) -> bool:
        """Whether ``path`` still names the open file ``fd`` (it was not removed)."""
        try:
            current = os.stat(path)
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (current.st_ino, current.st_dev) == (held.st_ino, held.st_dev)
