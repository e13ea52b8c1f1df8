"""The run store's port: what the service layer needs to remember runs.

Implementations: ``server.store.sql.SqlRunStore`` (SQLAlchemy 2; SQLite file or
PostgreSQL) and ``server.store.memory.MemoryRunStore`` (unit tests).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime

from server.classification.model import (
    ClassifyOptions,
    DataIssue,
    Pace,
    QuarterVerdict,
    TabReading,
)


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

    def current(self) -> list[QuarterVerdict]:
        return [v for v in self.verdicts if v.quarter == self.quarter]

    @property
    def quarter_label(self) -> str:
        """The run's quarter as the sheet writes it (``FY26 Q4``), else canonical."""
        return self.labels.get(self.quarter) or self.quarter


class RunStore(abc.ABC):
    @abc.abstractmethod
    def add(self, run: RunRecord) -> None:
        """Store a run with its verdicts and issues, in one transaction."""

    @abc.abstractmethod
    def latest(self, spreadsheet_id: str, *, caller: str | None = None) -> RunRecord | None:
        """The newest run of a spreadsheet (by ``classified_at``); only ``caller``'s when given."""

    @abc.abstractmethod
    def list(
        self, spreadsheet_id: str, limit: int, *, caller: str | None = None
    ) -> Sequence[RunRecord]:
        """The newest runs first, at most ``limit``; only ``caller``'s when given."""

    @abc.abstractmethod
    def get(self, run_id: str) -> RunRecord | None: ...

    @abc.abstractmethod
    def prune(self, spreadsheet_id: str, keep: int) -> int:
        """Delete the spreadsheet's runs but the newest ``keep`` (with their verdicts and
        issues); returns how many were deleted."""

    @abc.abstractmethod
    def spreadsheet_lock(self, spreadsheet_id: str) -> AbstractContextManager[None]:
        """Held while a spreadsheet's Summary is written: across processes on PostgreSQL
        (``pg_advisory_lock``); within the process elsewhere."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
