"""Single flight: identical concurrent requests share one piece of work.

At quarter end, clicks of the same second are one burst: every request with the same
key that arrives while a flight is under way waits for that flight, and one that arrives
within ``window`` seconds after it landed gets its result too (nobody edits a sheet and
clicks again that fast). A failed flight is not kept: the next request tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from server.cache import TtlCache

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class SingleFlight(Generic[K, T]):
    def __init__(self, window: float, size: int = 1024) -> None:
        self._inflight: dict[K, asyncio.Future[T]] = {}
        self._landed: TtlCache[K, tuple[T]] = TtlCache(window, size)  # 1-tuples: T may be None

    async def run(self, key: K, work: Callable[[], Awaitable[T]]) -> T:
        """The result of ``work()``, or of the identical flight under way or just landed."""
        landed = self._landed.get(key)
        if landed is not None:
            return landed[0]
        flight = self._inflight.get(key)
        if flight is None:
            flight = asyncio.ensure_future(work())
            self._inflight[key] = flight
            flight.add_done_callback(lambda done: self._land(key, done))
        return await asyncio.shield(flight)

    def _land(self, key: K, done: asyncio.Future[T]) -> None:
        if self._inflight.get(key) is done:
            del self._inflight[key]
        if not done.cancelled() and done.exception() is None:
            self._landed.put(key, (done.result(),))
