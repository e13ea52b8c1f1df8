"""The run store's port: what the service layer needs to remember runs.

Implementations: ``server.store.sql.SqlRunStore`` (SQLAlchemy 2; SQLite file or
PostgreSQL) and ``server.store.memory.MemoryRunStore`` (unit tests).

A run's life in the store::

    begin ──▶ RUNNING ──record_result──▶ RUNNING (result pending) ──finish──▶ SUCCEEDED
                 │                             │                     └────▶ FAILED
                 ├──finish──▶ FAILED            └──finish──▶ FAILED
                 ├──discard──▶ (gone: refused while its caller waited)
                 └──interrupt_stale──▶ FAILED "INTERRUPTED: …" (its worker stopped beating)

A RUNNING run is held by one worker (``owner``), which beats its heartbeat
(:meth:`RunStore.heartbeat`) while it lives; any worker ends the runs whose heartbeat is
older than the lease. Every change of state is conditional on the run being RUNNING, so
a finished run (SUCCEEDED or FAILED) never changes again.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime

from server.classification.model import (
    ClassifyOptions,
    DataIssue,
    Pace,
    QuarterVerdict,
    TabReading,
    VerdictChange,
)


class RunStatus(enum.Enum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class RunRecord:
    """One classification run, as stored and as the API shows it.

    Everything the run showed is kept, so it is shown again exactly: the verdicts (with
    their gap, fiscal label, drivers and whether their quarter was in progress), the
    issues, the reporting currency, the day it looked from, the pace of the quarter in
    progress and how each tab was read. Runs stored before a field existed read back
    with its default.
    """

    id: str
    spreadsheet_id: str
    quarter: str  # the quarter asked for (or the latest that had ended by as_of)
    classified_at: datetime  # timezone-aware, UTC
    summary_tab: str
    options: ClassifyOptions
    # every group and quarter: company total first, then by group, then by quarter
    verdicts: tuple[QuarterVerdict, ...]
    issues: tuple[DataIssue, ...]
    caller: str | None = None  # e-mail of who asked, when known
    as_of: date | None = None  # the day the run looked from (asOf, or that day)
    currency: str | None = None  # the reporting currency (ISO code)
    in_quarter: bool = False  # the quarter classified had not ended at as_of
    pace: tuple[Pace, ...] = ()  # the quarter in progress at as_of: total first
    inputs: tuple[TabReading, ...] = ()  # how each tab was read
    labels: Mapping[str, str] = field(default_factory=dict)  # "2026-Q4" -> "FY26 Q4"
    status: RunStatus = RunStatus.SUCCEEDED
    error: str | None = None  # "CODE: message" when FAILED
    started_at: datetime | None = None  # None: runs stored before it was kept
    finished_at: datetime | None = None  # None while RUNNING
    trigger: str = "API"  # what the caller said started it: MENU, SCHEDULE, CLI, API
    changes: tuple[VerdictChange, ...] = ()  # vs the previous SUCCEEDED run of the quarter

    def current(self) -> list[QuarterVerdict]:
        return [v for v in self.verdicts if v.quarter == self.quarter]

    @property
    def quarter_label(self) -> str:
        """The run's quarter as the sheet writes it (``FY26 Q4``), else canonical."""
        return self.labels.get(self.quarter) or self.quarter

    @property
    def began(self) -> datetime:
        """When the run started (``classified_at`` for runs stored before that was kept)."""
        return self.started_at or self.classified_at

    @property
    def running(self) -> bool:
        return self.status is RunStatus.RUNNING


@dataclass(frozen=True)
class StoredAlerts:
    """A spreadsheet's alert settings as the store keeps them: the webhook URL sealed
    (``server.alerts.Sealer``; the store never sees it in clear when keys are set) and
    the events by name."""

    spreadsheet_id: str
    webhook: str | None  # sealed; None: no webhook
    on: tuple[str, ...]
    updated_at: datetime
    updated_by: str | None = None


class HeldLock:
    """A spreadsheet's lock, taken; :meth:`release` gives it back (once, from any thread)."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


class RunStore(abc.ABC):
    @abc.abstractmethod
    def add(self, run: RunRecord) -> None:
        """Store a run with its verdicts and issues, in one transaction."""

    # -- a run's life (see the module docstring) --------------------------------------

    @abc.abstractmethod
    def begin(self, run: RunRecord, owner: str) -> None:
        """Record ``run`` (RUNNING, without verdicts) as held by worker ``owner``."""

    @abc.abstractmethod
    def record_result(self, run: RunRecord) -> bool:
        """Keep a RUNNING run's result (verdicts, issues, quarter, changes, …), still
        RUNNING until :meth:`finish`; an earlier result of the run is replaced. False
        (nothing kept) when the run is no longer RUNNING."""

    @abc.abstractmethod
    def finish(self, run: RunRecord) -> bool:
        """End a RUNNING run as ``run.status`` says, at ``run.finished_at``: SUCCEEDED
        keeps the recorded result; FAILED keeps ``run.error`` and ``run.issues``, and no
        verdicts. False (nothing changed) when the run is no longer RUNNING."""

    @abc.abstractmethod
    def discard(self, run_id: str) -> None:
        """Forget a RUNNING run that never became one (refused while its caller waited)."""

    @abc.abstractmethod
    def heartbeat(self, owner: str, at: datetime) -> int:
        """Mark every RUNNING run ``owner`` holds as alive at ``at``; how many there are."""

    @abc.abstractmethod
    def interrupt_stale(self, beaten_before: datetime, error: str, at: datetime) -> list[RunRecord]:
        """End as FAILED with ``error`` every RUNNING run whose last heartbeat is older
        than ``beaten_before``; the runs so ended."""

    @abc.abstractmethod
    def previous_success(self, spreadsheet_id: str, quarter: str) -> RunRecord | None:
        """The newest SUCCEEDED run of the spreadsheet and quarter."""

    # -- reading ----------------------------------------------------------------------

    @abc.abstractmethod
    def latest(self, spreadsheet_id: str) -> RunRecord | None:
        """The newest SUCCEEDED run of a spreadsheet (by ``classified_at``)."""

    @abc.abstractmethod
    def list(self, spreadsheet_id: str, limit: int) -> Sequence[RunRecord]:
        """The newest runs first, at most ``limit``."""

    @abc.abstractmethod
    def get(self, run_id: str) -> RunRecord | None:
        """The run, in whatever state it is (always read afresh while RUNNING)."""

    @abc.abstractmethod
    def prune(self, spreadsheet_id: str, keep: int) -> int:
        """Delete the spreadsheet's runs but the newest ``keep`` (with their verdicts and
        issues); returns how many were deleted."""

    @abc.abstractmethod
    def spreadsheet_lock(self, spreadsheet_id: str) -> AbstractContextManager[None]:
        """Held while a spreadsheet's Summary is written: across processes on PostgreSQL
        (``pg_advisory_lock``); within the process elsewhere."""

    @abc.abstractmethod
    def try_spreadsheet_lock(self, spreadsheet_id: str) -> HeldLock | None:
        """The spreadsheet's lock (as :meth:`spreadsheet_lock`) if it is free right now,
        else None: never waits, so a caller on an event loop polls it."""

    # -- alerts ------------------------------------------------------------------------

    @abc.abstractmethod
    def alert_settings(self, spreadsheet_id: str) -> StoredAlerts | None: ...

    @abc.abstractmethod
    def save_alert_settings(self, alerts: StoredAlerts) -> None:
        """Replace the spreadsheet's alert settings."""

    # -- health ------------------------------------------------------------------------

    def check(self) -> str | None:
        """None when the store answers and its last write went through; else why not (a
        sentence without secrets, for ``/healthz``)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
