"""``MemoryRunStore``: the run store in a dict, for unit tests and local one-off runs.

Behaves like :class:`~server.store.sql.SqlRunStore`: runs are normalised the same
way (UTC timestamps, amounts at cents), ``latest`` and ``list`` order newest first
by ``classified_at`` (ties: the larger id first), a duplicate id is
:class:`~server.store.errors.DuplicateRun`, a run's state changes only while it is
RUNNING, and ``spreadsheet_lock`` serialises the holders of one spreadsheet (within
this store: there is no other process to share memory with).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from server import budget
from server.store.codec import normalise
from server.store.errors import DuplicateRun
from server.store.locks import KeyedLocks
from server.store.port import HeldLock, RunRecord, RunStatus, RunStore, StoredAlerts


def _newest_first(run: RunRecord) -> tuple[datetime, str]:
    return run.classified_at, run.id


class MemoryRunStore(RunStore):
    def __init__(self, *, lock_timeout: float | None = 300.0) -> None:
        self._runs: dict[str, RunRecord] = {}
        self._owners: dict[str, tuple[str, datetime]] = {}  # RUNNING run -> (owner, beat)
        self._alerts: dict[str, StoredAlerts] = {}
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

    # -- a run's life ----------------------------------------------------------------

    def begin(self, run: RunRecord, owner: str) -> None:
        self.add(run)
        with self._guard:
            self._owners[run.id] = (owner, normalise(run).began)

    def _replace_running(self, run: RunRecord) -> bool:
        with self._guard:
            old = self._runs.get(run.id)
            if old is None or not old.running:
                return False
            self._runs[run.id] = run
            if not run.running:
                self._owners.pop(run.id, None)
            return True

    def record_result(self, run: RunRecord) -> bool:
        return self._replace_running(
            dataclasses.replace(normalise(run), status=RunStatus.RUNNING, finished_at=None)
        )

    def finish(self, run: RunRecord) -> bool:
        run = normalise(run)
        with self._guard:
            old = self._runs.get(run.id)
        if old is None:
            return False
        if run.status is RunStatus.SUCCEEDED:  # the recorded result, now final
            ended = dataclasses.replace(
                old,
                status=run.status,
                error=run.error,
                finished_at=run.finished_at,
                quarter=run.quarter,
                changes=run.changes,
            )
        else:
            ended = dataclasses.replace(run, verdicts=())
        return self._replace_running(ended)

    def discard(self, run_id: str) -> None:
        with self._guard:
            run = self._runs.get(run_id)
            if run is not None and run.running:
                del self._runs[run_id]
                self._owners.pop(run_id, None)

    def heartbeat(self, owner: str, at: datetime) -> int:
        with self._guard:
            mine = [run_id for run_id, (who, _) in self._owners.items() if who == owner]
            for run_id in mine:
                self._owners[run_id] = (owner, at)
            return len(mine)

    def interrupt_stale(self, beaten_before: datetime, error: str, at: datetime) -> list[RunRecord]:
        with self._guard:
            stale = [run_id for run_id, (_, beat) in self._owners.items() if beat < beaten_before]
            ended = []
            for run_id in stale:
                del self._owners[run_id]
                run = dataclasses.replace(
                    self._runs[run_id],
                    status=RunStatus.FAILED,
                    error=error,
                    finished_at=at,
                    verdicts=(),
                )
                self._runs[run_id] = run
                ended.append(run)
            return ended

    def previous_success(self, spreadsheet_id: str, quarter: str) -> RunRecord | None:
        runs = [r for r in self._of(spreadsheet_id) if r.quarter == quarter]
        succeeded = [r for r in runs if r.status is RunStatus.SUCCEEDED]
        return succeeded[0] if succeeded else None

    # -- reading ------------------------------------------------------------------------

    def _of(self, spreadsheet_id: str) -> list[RunRecord]:
        with self._guard:
            runs = [r for r in self._runs.values() if r.spreadsheet_id == spreadsheet_id]
        return sorted(runs, key=_newest_first, reverse=True)

    def latest(self, spreadsheet_id: str) -> RunRecord | None:
        runs = [r for r in self._of(spreadsheet_id) if r.status is RunStatus.SUCCEEDED]
        return runs[0] if runs else None

    def list(self, spreadsheet_id: str, limit: int) -> Sequence[RunRecord]:
        if limit < 1:
            return []
        return self._of(spreadsheet_id)[:limit]

    def get(self, run_id: str) -> RunRecord | None:
        with self._guard:
            return self._runs.get(run_id)

    # -- locking, alerts -------------------------------------------------------------------

    def prune(self, spreadsheet_id: str, keep: int) -> int:
        """Finished runs past the newest ``keep`` finished ones; a run under way is never
        pruned."""
        old = [r.id for r in self._of(spreadsheet_id) if not r.running][max(keep, 0) :]
        with self._guard:
            for run_id in old:
                self._runs.pop(run_id, None)
        return len(old)

    def spreadsheet_lock(self, spreadsheet_id: str) -> AbstractContextManager[None]:
        return self._locks.hold(spreadsheet_id, budget.capped(self._lock_timeout))

    def try_spreadsheet_lock(self, spreadsheet_id: str) -> HeldLock | None:
        release = self._locks.try_take(spreadsheet_id)
        return None if release is None else HeldLock(release)

    def alert_settings(self, spreadsheet_id: str) -> StoredAlerts | None:
        with self._guard:
            return self._alerts.get(spreadsheet_id)

    def save_alert_settings(self, alerts: StoredAlerts) -> None:
        with self._guard:
            self._alerts[alerts.spreadsheet_id] = alerts
