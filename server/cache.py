"""The one cache helper: small, typed, thread-safe, entries expire and the least recently
used go first.

Used for spreadsheet metadata and access answers (the Sheets adapter), Google's ID-token
certificates (the API), runs by id (the SQL run store), the latest run per caller and
the runs that just succeeded, for identical requests (the service). Knows nothing of the project, so
every layer may use it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """At most ``size`` entries, each trusted for ``ttl`` seconds (``math.inf``: until
    evicted). A ``ttl`` or ``size`` of 0 or less keeps nothing."""

    def __init__(
        self,
        ttl: float = math.inf,
        size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The live value, or None. To cache "nothing" (None) itself, store 1-tuples."""
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

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._store(key, value, self._clock() + self._ttl)

    def update(self, key: K, value: V) -> None:
        """Replace a value but keep its expiry (a fresh one when the key is new)."""
        with self._lock:
            entry = self._entries.get(key)
            expires = entry[0] if entry is not None else self._clock() + self._ttl
            self._store(key, value, expires)

    def _store(self, key: K, value: V, expires: float) -> None:
        if self._ttl <= 0 or self._size <= 0:
            return
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def update_where(self, predicate: Callable[[K], bool], value: V) -> None:
        """Replace the value of every entry whose key matches, each keeping its expiry
        (a scan: for small caches)."""
        with self._lock:
            for key in [k for k in self._entries if predicate(k)]:
                self._entries[key] = (self._entries[key][0], value)

    def discard(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def discard_where(self, predicate: Callable[[K], bool]) -> None:
        """Drop every entry whose key matches (a scan: for small caches)."""
        with self._lock:
            for key in [k for k in self._entries if predicate(k)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
