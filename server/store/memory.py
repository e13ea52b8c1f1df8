"""``MemoryRunStore``: the run store in a dict, for unit tests and local one-off runs.

Behaves like :class:`~server.store.sql.SqlRunStore`: runs are normalised the same
way (UTC timestamps, amounts at cents), ``latest`` and ``list`` order newest first
by ``classified_at`` (ties: the larger id first), a duplicate id is
:class:`~server.store.errors.DuplicateRun`, and ``spreadsheet_lock`` serialises the
holders of one spreadsheet (within this store: there is no other process to share
memory with).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from server import budget
from server.store.codec import normalise
from server.store.errors import DuplicateRun
from server.store.locks import KeyedLocks
from server.store.port import RunRecord, RunStore


def _newest_first(run: RunRecord) -> tuple[datetime, str]:
    return run.classified_at, run.id


class MemoryRunStore(RunStore):
    def __init__(self, *, lock_timeout: float | None = 300.0) -> None:
        self._runs: dict[str, RunRecord] = {}
        self._by_sheet: dict[str, list[RunRecord]] = {}
        self._guard = threading.Lock()
        self._locks = KeyedLocks()
        self._lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"MemoryRunStore({len(self._runs)} runs)"

    def add(self, run: RunRecord) -> None:
        run = normalise(run)
        with self._guard:
            if run.id in self._runs:
                raise DuplicateRun(run.id)
            self._runs[run.id] = run
            runs = self._by_sheet.setdefault(run.spreadsheet_id, [])
            runs.append(run)
            runs.sort(key=_newest_first, reverse=True)

    def latest(self, spreadsheet_id: str, *, caller: str | None = None) -> RunRecord | None:
        runs = self.list(spreadsheet_id, 1, caller=caller)
        return runs[0] if runs else None

    def list(
        self, spreadsheet_id: str, limit: int, *, caller: str | None = None
    ) -> Sequence[RunRecord]:
        if limit < 1:
            return []
        with self._guard:
            runs = self._by_sheet.get(spreadsheet_id, ())
            if caller is not None:
                runs = [r for r in runs if r.caller == caller]
            return list(runs[:limit])

    def get(self, run_id: str) -> RunRecord | None:
        with self._guard:
            return self._runs.get(run_id)

    def prune(self, spreadsheet_id: str, keep: int) -> int:
        with self._guard:
            runs = self._by_sheet.get(spreadsheet_id, [])
            old = runs[max(keep, 0) :]
            del runs[max(keep, 0) :]
            for gone in old:
                self._runs.pop(gone.id, None)
            return len(old)

    def spreadsheet_lock(self, spreadsheet_id: str) -> AbstractContextManager[None]:
        return self._locks.hold(spreadsheet_id, budget.capped(self._lock_timeout))
