"""HTTP sessions for gspread: google-auth credentials, the emulator redirect, a session pool.

* :class:`GoogleSession` is an ``AuthorizedSession`` that, when an emulator address is
  set, rewrites ``https://sheets.googleapis.com``, ``https://www.googleapis.com`` and
  ``https://oauth2.googleapis.com`` to it (token exchanges go through a
  :class:`RedirectingSession` too), and counts every request it sends.
* User mode: ``google.oauth2.credentials.Credentials(token)``; a 401 is reported, not
  "refreshed" (there is nothing to refresh with). Service-account mode: one
  ``service_account.Credentials`` built from the key file (its ``token_uri`` may point at
  the emulator), refreshed by google-auth under a lock shared by every session.
* :class:`SessionPool` lends a ``gspread.Client`` to one thread at a time, keyed by the
  credentials, so sessions are never shared between threads.
* Wall clock: ``requests``' read timeout bounds each wait for a byte, not the answer, so
  an upstream that trickles its headers or body a byte at a time would hold a call for
  ever. Both sessions send through a :class:`WatchedAdapter`: a request sent while a
  :mod:`server.budget` is set has a timer that, when the budget ends, shuts the socket
  the request is using down; the call then fails as ``ReadTimeout`` (and the retrier
  gives up, its deadline being that budget).
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import google.auth.exceptions
import google.oauth2.credentials
import gspread
import requests
from google.auth import transport
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from server import budget
from sheets_adapter.config import GOOGLE_HOSTS, SCOPES
from sheets_adapter.errors import SheetsConfigError
from sheets_adapter.retry import RequestCounter


def redirect(url: str, emulator_host: str | None) -> str:
    """``url`` with a Google API host replaced by the emulator's address, if one is set."""
    if emulator_host is None:
        return url
    for host in GOOGLE_HOSTS:
        if url == host or url.startswith((host + "/", host + "?")):
            return emulator_host + url[len(host) :]
    return url


def request_kind(url: str) -> str:
    path = urlsplit(url).path
    if path.endswith("/values:batchGet"):
        return "values.batchGet"
    if path.endswith(":batchUpdate"):
        return "batchUpdate"
    if "/v4/spreadsheets/" in path and "/values" not in path and ":" not in path.rsplit("/", 1)[-1]:
        return "get"
    if path.endswith("/token"):
        return "token"
    return "other"


# -- the wall-clock bound ---------------------------------------------------------------------

_sending = threading.local()  # the Watch of the request this thread is sending, if any


class Watch:
    """The connection one request is using, and the cut-off that ends it at a deadline."""

    def __init__(self) -> None:
        self.connection: HTTPConnection | None = None
        self.fired = False
        self._lock = threading.Lock()

    def cut(self) -> None:
        """Shut the connection's socket down: a read blocked on it returns at once."""
        with self._lock:
            self.fired = True
            sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        watch: Watch | None = getattr(_sending, "watch", None)
        if watch is not None:
            watch.connection = self
        super().request(*args, **kwargs)


class _WatchedTlsConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        watch: Watch | None = getattr(_sending, "watch", None)
        if watch is not None:
            watch.connection = self
        super().request(*args, **kwargs)


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedTlsPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTlsConnection


class WatchedAdapter(requests.adapters.HTTPAdapter):
    """``requests``' adapter whose connections tell the sending thread's :class:`Watch`
    which of them a request uses."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedTlsPool}


def mount_watched(session: requests.Session) -> None:
    for prefix in ("https://", "http://"):
        session.mount(prefix, WatchedAdapter())


@contextmanager
def wall_clock() -> Iterator[Watch | None]:
    """Within the block, this thread's requests end when the current budget does."""
    end = budget.deadline()
    if end is None or getattr(_sending, "watch", None) is not None:
        yield None  # no budget, or an outer request (a token exchange) is watched already
        return
    watch = Watch()
    timer = threading.Timer(max(0.0, end - time.monotonic()), watch.cut)
    timer.daemon = True
    _sending.watch = watch
    timer.start()
    try:
        yield watch
    finally:
        timer.cancel()
        _sending.watch = None


def _cut_off(watch: Watch | None, err: Exception) -> Exception:
    """The error to raise for ``err``: a timeout when the wall clock cut the request."""
    if watch is not None and watch.fired and not isinstance(err, requests.Timeout):
        return requests.exceptions.ReadTimeout(
            "no complete answer before the request's time budget ended"
        )
    return err


class RedirectingSession(requests.Session):
    """A plain session (for token exchanges) that follows the emulator redirect."""

    def __init__(self, emulator_host: str | None, counter: RequestCounter) -> None:
        super().__init__()
        mount_watched(self)
        self._emulator_host = emulator_host
        self._counter = counter

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        target = redirect(url.decode() if isinstance(url, bytes) else url, self._emulator_host)
        self._counter.add("token")
        with wall_clock() as watch:
            try:
                return super().request(method, target, *args, **kwargs)
            except requests.RequestException as err:
                raise _cut_off(watch, err) from err


class GoogleSession(AuthorizedSession):
    """An ``AuthorizedSession`` that sends Google's URLs to the emulator when one is set."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        emulator_host: str | None,
        counter: RequestCounter,
        refresh_lock: threading.Lock | None,
    ) -> None:
        self._token_session = RedirectingSession(emulator_host, counter)
        super().__init__(  # type: ignore[no-untyped-call]
            credentials,
            # User tokens cannot be refreshed: a 401 goes back to the caller as it is.
            refresh_status_codes=(
                () if refresh_lock is None else transport.DEFAULT_REFRESH_STATUS_CODES
            ),
            auth_request=Request(self._token_session),
        )
        mount_watched(self)
        self._emulator_host = emulator_host
        self._counter = counter
        self._refresh_lock = refresh_lock

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        with wall_clock() as watch:
            try:
                return self._send(method, url, *args, **kwargs)
            except requests.RequestException as err:
                raise _cut_off(watch, err) from err

    def _send(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        target = redirect(url, self._emulator_host)
        if self._refresh_lock is not None:
            # One token exchange at a time for credentials shared by several sessions.
            with self._refresh_lock:
                if not self.credentials.valid:
                    timeout = kwargs.get("timeout")
                    auth_request: Callable[..., Any] = (
                        functools.partial(self._auth_request, timeout=timeout)
                        if timeout is not None
                        else self._auth_request
                    )
                    self.credentials.refresh(auth_request)
        self._counter.add(request_kind(target))
        response: requests.Response = super().request(  # type: ignore[no-untyped-call]
            method, target, *args, **kwargs
        )
        return response

    def close(self) -> None:
        self._token_session.close()
        super().close()  # type: ignore[no-untyped-call]


def load_service_account(path: Path) -> service_account.Credentials:
    """The service account's credentials from its key file (scopes: spreadsheets, drive.file)."""
    try:
        credentials: service_account.Credentials = (
            service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                str(path), scopes=SCOPES
            )
        )
    except FileNotFoundError:
        raise SheetsConfigError(
            f"GOOGLE_APPLICATION_CREDENTIALS={str(path)!r}: no such file"
        ) from None
    except (OSError, ValueError, KeyError) as err:
        # Never echo the file's content: it holds a private key.
        raise SheetsConfigError(
            f"GOOGLE_APPLICATION_CREDENTIALS={str(path)!r} is not a usable service-account "
            f"key file ({type(err).__name__}). Download a JSON key for the service account."
        ) from None
    return credentials


def user_credentials(access_token: str) -> Credentials:
    return google.oauth2.credentials.Credentials(token=access_token)  # type: ignore[no-untyped-call]


class SessionPool:
    """Idle sessions by credential key, lent to one thread at a time.

    At most ``max_keys`` keys keep idle sessions (least recently used are closed), and
    at most ``per_key`` idle sessions per key.
    """

    def __init__(self, max_keys: int = 64, per_key: int = 4) -> None:
        self._lock = threading.Lock()
        self._idle: OrderedDict[str, list[gspread.Client]] = OrderedDict()
        self._max_keys = max_keys
        self._per_key = per_key
        self._closed = False

    @contextmanager
    def lease(self, key: str, make: Callable[[], gspread.Client]) -> Iterator[gspread.Client]:
        with self._lock:
            idle = self._idle.get(key)
            client = idle.pop() if idle else None
        if client is None:
            client = make()
        broken = False
        try:
            yield client
        except (requests.RequestException, google.auth.exceptions.TransportError):
            broken = True  # the connection may be half-open: do not reuse it
            raise
        finally:
            self._give_back(key, client, broken)

    def _give_back(self, key: str, client: gspread.Client, broken: bool) -> None:
        evicted: list[gspread.Client] = []
        with self._lock:
            idle = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if broken or self._closed or len(idle) >= self._per_key:
                evicted.append(client)
            else:
                idle.append(client)
            while len(self._idle) > self._max_keys:
                _, old = self._idle.popitem(last=False)
                evicted.extend(old)
        for old_client in evicted:
            old_client.http_client.session.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            clients = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for client in clients:
            client.http_client.session.close()
