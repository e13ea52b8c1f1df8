"""A small thread-safe cache whose entries expire, for spreadsheet metadata and access checks."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):
    """At most ``size`` entries, each trusted for ``ttl`` seconds (least recently used go first)."""

    def __init__(
        self, ttl: float, size: int = 1024, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._size = max(1, size)
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if self._clock() >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._store(key, value, self._clock() + self._ttl)

    def update(self, key: Hashable, value: V) -> None:
        """Replace a value but keep its expiry (a fresh one when the key is new)."""
        with self._lock:
            entry = self._entries.get(key)
            expires = entry[0] if entry is not None else self._clock() + self._ttl
            self._store(key, value, expires)

    def _store(self, key: Hashable, value: V, expires: float) -> None:
        if self._ttl <= 0:
            return
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
