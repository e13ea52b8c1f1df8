"""Runs of one spreadsheet, one at a time, waiting without holding a thread.

Within a process, runs of a sheet queue on an ``asyncio.Lock`` (first come, first
served; a waiting run is a suspended coroutine, nothing more). The one at the head then
takes the store's lock of the sheet, which other processes see too (a PostgreSQL
advisory lock, an SQLite lock file): it asks without waiting
(:meth:`~server.store.port.RunStore.try_spreadsheet_lock`, a moment in a worker thread)
and, while another process holds it, asks again after a pause that doubles from
``first_pause`` up to ``max_pause``, sleeping on the event loop in between. So 80 runs
queued on one sheet hold no worker thread, and another user's request is served as
quickly as ever.

A run that cannot get the sheet within ``timeout`` seconds gets
:class:`~server.store.errors.LockTimeout`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread

from server.store.errors import LockTimeout
from server.store.port import HeldLock, RunStore


class SheetQueue:
    def __init__(
        self, store: RunStore, *, first_pause: float = 0.02, max_pause: float = 0.5
    ) -> None:
        self._store = store
        self._first_pause = first_pause
        self._max_pause = max_pause
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # sheet -> (lock, users)

    def waiting(self, spreadsheet_id: str) -> int:
        """Runs of the sheet in this process, queued or holding it."""
        return self._locks.get(spreadsheet_id, (None, 0))[1]

    def _enter(self, key: str) -> asyncio.Lock:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        return lock

    def _leave(self, key: str) -> None:
        lock, users = self._locks[key]
        if users <= 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)

    @asynccontextmanager
    async def hold(self, spreadsheet_id: str, timeout: float) -> AsyncIterator[None]:
        """The sheet, to this run alone, until the block ends."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        lock = self._enter(spreadsheet_id)
        try:
            try:
                async with asyncio.timeout(timeout):
                    await lock.acquire()
            except TimeoutError:
                raise LockTimeout(spreadsheet_id, timeout) from None
            try:
                held = await self._take(spreadsheet_id, deadline, timeout)
                try:
                    yield
                finally:
                    await anyio.to_thread.run_sync(held.release)
            finally:
                lock.release()
        finally:
            self._leave(spreadsheet_id)

    async def _take(self, spreadsheet_id: str, deadline: float, timeout: float) -> HeldLock:
        loop = asyncio.get_running_loop()
        pause = self._first_pause
        while True:
            held = await anyio.to_thread.run_sync(self._store.try_spreadsheet_lock, spreadsheet_id)
            if held is not None:
                return held
            left = deadline - loop.time()
            if left <= 0:
                raise LockTimeout(spreadsheet_id, timeout)
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, self._max_pause)
