"""The run store's port: what the service layer needs to remember runs.

Implementations: ``server.store.sql.SqlRunStore`` (SQLAlchemy 2; SQLite file or
PostgreSQL) and ``server.store.memory.MemoryRunStore`` (unit tests).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from server.classification.model import ClassifyOptions, DataIssue, QuarterVerdict


@dataclass(frozen=True)
class RunRecord:
    """One classification run, as stored and as the API shows it."""

    id: str
    spreadsheet_id: str
    quarter: str  # the quarter asked for (or the latest classified one)
    classified_at: datetime  # timezone-aware, UTC
    summary_tab: str
    options: ClassifyOptions
    # every group and quarter: company total first, then by group, then by quarter
    verdicts: tuple[QuarterVerdict, ...]
    issues: tuple[DataIssue, ...]
    caller: str | None = None  # e-mail of who asked, when known

    def current(self) -> list[QuarterVerdict]:
        return [v for v in self.verdicts if v.quarter == self.quarter]


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
    def spreadsheet_lock(self, spreadsheet_id: str) -> AbstractContextManager[None]:
        """Held while a spreadsheet's Summary is written: across processes on PostgreSQL
        (``pg_advisory_lock``); within the process elsewhere."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
