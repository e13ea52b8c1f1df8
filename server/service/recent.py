"""The latest run per (spreadsheet, caller), kept for a moment.

A burst of ``latestRun`` queries is answered from memory, without a worker thread or a
database round trip. A run recorded in this process replaces the entry at once
(:meth:`RecentRuns.forget`); runs recorded by other processes are seen within ``ttl``
seconds.
"""

from __future__ import annotations

from server.cache import TtlCache
from server.store.port import RunRecord


class RecentRuns:
    def __init__(self, ttl: float, size: int = 16_384) -> None:
        # 1-tuples: "no run yet" (None) is an answer worth keeping too
        self._cache: TtlCache[tuple[str, str], tuple[RunRecord | None]] = TtlCache(ttl, size)

    def get(self, spreadsheet_id: str, identity: str) -> tuple[bool, RunRecord | None]:
        """``(True, run)`` when known (``run`` may be None: no run yet), else ``(False, None)``."""
        hit = self._cache.get((spreadsheet_id, identity))
        return (False, None) if hit is None else (True, hit[0])

    def put(self, spreadsheet_id: str, identity: str, run: RunRecord | None) -> None:
        self._cache.put((spreadsheet_id, identity), (run,))

    def forget(self, spreadsheet_id: str) -> None:
        self._cache.discard_where(lambda key: key[0] == spreadsheet_id)
