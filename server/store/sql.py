"""``SqlRunStore``: the run store on SQLAlchemy 2 — an SQLite file or PostgreSQL.

Reads are Core statements on the tables of :mod:`server.store.tables`:

- ``get(id)`` — a finished run never changes, so it is served from an in-process
  LRU cache after its first load (a run row, its verdicts, its issues: three
  indexed queries, by primary key).
- ``latest(sheet)`` — one index-only query for the newest run's id (so runs written
  by another process are always seen), then the cached run.
- ``list(sheet, n)`` — one query for the run rows, then one for the verdicts and
  one for the issues of every run not yet cached.

``add`` writes a run and its rows in one transaction. ``spreadsheet_lock`` is a
session-level ``pg_advisory_lock`` on PostgreSQL (held on its own connection, so it
serialises server processes), and a ``threading.Lock`` plus an exclusive lock file
(``<db>.locks/``) on SQLite (serialising threads, store instances and processes on
one machine). Database errors leave as :mod:`server.store.errors`.
"""

from __future__ import annotations

import builtins
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from server import budget
from server.cache import TtlCache
from server.classification.model import DataIssue, QuarterVerdict, Severity, Verdict
from server.store import DEFAULT_SQLITE_FILE
from server.store.codec import (
    drivers_from_json,
    drivers_to_json,
    flags_from_text,
    flags_to_text,
    inputs_from_json,
    inputs_to_json,
    normalise,
    options_from_json,
    options_to_json,
    pace_from_json,
    pace_to_json,
)
from server.store.engines import lock_dir, make_engine
from server.store.errors import DuplicateRun, LockTimeout, StoreUnavailable
from server.store.locks import KeyedLocks, advisory_key, file_lock, lock_file_name
from server.store.migrate import upgrade_engine
from server.store.port import RunRecord, RunStore
from server.store.tables import IssueRow, RunRow, VerdictRow
from server.store.urls import parse_database_url

log = logging.getLogger(__name__)

_RUN_COLUMNS = (
    RunRow.id,
    RunRow.spreadsheet_id,
    RunRow.quarter,
    RunRow.classified_at,
    RunRow.summary_tab,
    RunRow.options,
    RunRow.caller,
    RunRow.as_of,
    RunRow.currency,
    RunRow.in_quarter,
    RunRow.pace,
    RunRow.inputs,
    RunRow.labels,
)
_NEWEST_FIRST = (RunRow.classified_at.desc(), RunRow.id.desc())

# Statements are built once (building one costs more than SQLite running it).
_LATEST_ID = (
    select(RunRow.id)
    .where(RunRow.spreadsheet_id == bindparam("sheet"))
    .order_by(*_NEWEST_FIRST)
    .limit(1)
)
_LATEST_ID_OF_CALLER = _LATEST_ID.where(RunRow.caller == bindparam("caller"))
_RUN_BY_ID = select(*_RUN_COLUMNS).where(RunRow.id == bindparam("run_id"))
_RUNS_OF_SHEET = (
    select(*_RUN_COLUMNS)
    .where(RunRow.spreadsheet_id == bindparam("sheet"))
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
)
_RUNS_OF_CALLER = _RUNS_OF_SHEET.where(RunRow.caller == bindparam("caller"))
_OLD_IDS = (
    select(RunRow.id)
    .where(RunRow.spreadsheet_id == bindparam("sheet"))
    .order_by(*_NEWEST_FIRST)
    .offset(bindparam("keep"))
)
_VERDICTS_OF = (
    select(VerdictRow.__table__)
    .where(VerdictRow.run_id.in_(bindparam("ids", expanding=True)))
    .order_by(VerdictRow.run_id, VerdictRow.position)
)
_ISSUES_OF = (
    select(IssueRow.__table__)
    .where(IssueRow.run_id.in_(bindparam("ids", expanding=True)))
    .order_by(IssueRow.run_id, IssueRow.position)
)
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout expired


class SqlRunStore(RunStore):
    """Runs in SQLite or PostgreSQL; the schema is migrated when the store opens."""

    def __init__(  # noqa: PLR0913 - keyword-only options with defaults
        self,
        url: str | None = None,
        *,
        default_path: str | Path = DEFAULT_SQLITE_FILE,
        migrate: bool = True,
        cache_size: int = 256,
        lock_timeout: float | None = 300.0,
        busy_timeout: float = 30.0,
        pool_size: int = 5,
    ) -> None:
        self.database = parse_database_url(url, default_path)
        if self.database.kind == "memory":
            raise ValueError("memory:// is served by MemoryRunStore, not SqlRunStore")
        self._lock_timeout = lock_timeout
        self._cache: TtlCache[str, RunRecord] = TtlCache(size=cache_size)  # runs never change
        self._local_locks = KeyedLocks()
        self._locks_dir = lock_dir(self.database)
        self.engine = make_engine(self.database, busy_timeout=busy_timeout, pool_size=pool_size)
        # Reads need no transaction (runs are immutable, written in one): on PostgreSQL
        # autocommit saves the BEGIN and ROLLBACK round trips of every read.
        self._reader = self.engine
        self._lock_engine: Engine | None = None
        if self.database.kind == "postgresql":
            self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._lock_engine = make_engine(self.database, dedicated=True)
        if migrate:
            try:
                upgrade_engine(self.engine, self.database)
            except (SQLAlchemyError, OSError) as err:
                self.close()
                raise StoreUnavailable(
                    f"cannot open or migrate the run store at {self.database}: {err}"
                ) from err

    def __repr__(self) -> str:
        return f"SqlRunStore({str(self.database)!r})"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        try:
            with self._reader.connect() as connection:
                yield connection
        except SQLAlchemyError as err:
            raise StoreUnavailable(f"run store {self.database}: {err}") from err

    # -- writing ----------------------------------------------------------------------

    def add(self, run: RunRecord) -> None:
        run = normalise(run)
        verdicts = [_verdict_row(run.id, i, v) for i, v in enumerate(run.verdicts)]
        issues = [_issue_row(run.id, i, issue) for i, issue in enumerate(run.issues)]
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(RunRow), [_run_row(run)])
                if verdicts:
                    connection.execute(insert(VerdictRow), verdicts)
                if issues:
                    connection.execute(insert(IssueRow), issues)
        except IntegrityError as err:
            if self.get(run.id) is not None:
                raise DuplicateRun(run.id) from err
            raise StoreUnavailable(f"run store {self.database}: {err}") from err
        except SQLAlchemyError as err:
            raise StoreUnavailable(f"run store {self.database}: {err}") from err

    def prune(self, spreadsheet_id: str, keep: int) -> int:
        """One query for the ids past the newest ``keep``, then their rows (children
        first, so no foreign-key setting is relied on), in one transaction."""
        try:
            with self.engine.begin() as connection:
                old = list(
                    connection.execute(
                        _OLD_IDS, {"sheet": spreadsheet_id, "keep": max(keep, 0)}
                    ).scalars()
                )
                for start in range(0, len(old), 500):
                    ids = old[start : start + 500]
                    connection.execute(delete(IssueRow).where(IssueRow.run_id.in_(ids)))
                    connection.execute(delete(VerdictRow).where(VerdictRow.run_id.in_(ids)))
                    connection.execute(delete(RunRow).where(RunRow.id.in_(ids)))
        except SQLAlchemyError as err:
            raise StoreUnavailable(f"run store {self.database}: {err}") from err
        for run_id in old:
            self._cache.discard(run_id)
        return len(old)

    # -- reading ----------------------------------------------------------------------

    def get(self, run_id: str) -> RunRecord | None:
        cached = self._cache.get(run_id)
        if cached is not None:
            return cached
        with self._connect() as connection:
            rows = connection.execute(_RUN_BY_ID, {"run_id": run_id}).all()
            runs = self._complete(connection, rows)
        return runs[0] if runs else None

    def latest(self, spreadsheet_id: str, *, caller: str | None = None) -> RunRecord | None:
        with self._connect() as connection:
            if caller is None:
                found = connection.execute(_LATEST_ID, {"sheet": spreadsheet_id})
            else:
                found = connection.execute(
                    _LATEST_ID_OF_CALLER, {"sheet": spreadsheet_id, "caller": caller}
                )
            run_id = found.scalar()
            if run_id is None:
                return None
            cached = self._cache.get(run_id)
            if cached is not None:
                return cached
            rows = connection.execute(_RUN_BY_ID, {"run_id": run_id}).all()
            runs = self._complete(connection, rows)
        return runs[0] if runs else None

    def list(
        self, spreadsheet_id: str, limit: int, *, caller: str | None = None
    ) -> Sequence[RunRecord]:
        if limit < 1:
            return []
        with self._connect() as connection:
            if caller is None:
                rows = connection.execute(_RUNS_OF_SHEET, {"sheet": spreadsheet_id, "limit": limit})
            else:
                rows = connection.execute(
                    _RUNS_OF_CALLER, {"sheet": spreadsheet_id, "limit": limit, "caller": caller}
                )
            return self._complete(connection, rows.all())

    def _complete(self, connection: Connection, rows: Sequence[Any]) -> builtins.list[RunRecord]:
        """Runs for these ``runs`` rows, in order: cached ones as they are, others loaded."""
        found = {row.id: run for row in rows if (run := self._cache.get(row.id)) is not None}
        missing = [row.id for row in rows if row.id not in found]
        if missing:
            verdicts: dict[str, builtins.list[QuarterVerdict]] = {run_id: [] for run_id in missing}
            issues: dict[str, builtins.list[DataIssue]] = {run_id: [] for run_id in missing}
            for v in connection.execute(_VERDICTS_OF, {"ids": missing}).mappings():
                verdicts[v["run_id"]].append(_verdict(v))
            for i in connection.execute(_ISSUES_OF, {"ids": missing}).mappings():
                issues[i["run_id"]].append(_issue(i))
            for row in rows:
                if row.id in found:
                    continue
                run = RunRecord(
                    id=row.id,
                    spreadsheet_id=row.spreadsheet_id,
                    quarter=row.quarter,
                    classified_at=row.classified_at,
                    summary_tab=row.summary_tab,
                    options=options_from_json(row.options),
                    verdicts=tuple(verdicts[row.id]),
                    issues=tuple(issues[row.id]),
                    caller=row.caller,
                    as_of=row.as_of,
                    currency=row.currency,
                    in_quarter=bool(row.in_quarter),
                    pace=pace_from_json(row.pace),
                    inputs=inputs_from_json(row.inputs),
                    labels=dict(row.labels or {}),
                )
                self._cache.put(run.id, run)
                found[row.id] = run
        return [found[row.id] for row in rows]

    # -- locking ----------------------------------------------------------------------

    def spreadsheet_lock(self, spreadsheet_id: str) -> AbstractContextManager[None]:
        return self._hold(spreadsheet_id)

    @contextmanager
    def _hold(self, spreadsheet_id: str) -> Iterator[None]:
        # Threads of this store queue here first: one waiting database lock per store.
        # The lock timeout covers both waits, and ends with the caller's budget if sooner.
        since = time.monotonic()
        timeout = budget.capped(self._lock_timeout)
        with self._local_locks.hold(spreadsheet_id, timeout):
            if self.dialect == "postgresql":
                with self._advisory_lock(spreadsheet_id, since, timeout):
                    yield
            elif self._locks_dir is not None:
                path = self._locks_dir / lock_file_name(spreadsheet_id)
                with file_lock(path, spreadsheet_id, timeout, since=since):
                    yield
            else:  # in-memory SQLite: one process, one store
                yield

    @contextmanager
    def _advisory_lock(
        self, spreadsheet_id: str, since: float, timeout: float | None
    ) -> Iterator[None]:
        """A session-level advisory lock on a connection of its own, held until exit."""
        assert self._lock_engine is not None
        key = advisory_key(spreadsheet_id)
        try:
            connection = self._lock_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as err:
            raise StoreUnavailable(f"run store {self.database}: {err}") from err
        try:
            try:
                if timeout is not None:
                    left = timeout - (time.monotonic() - since)
                    millis = max(1, int(left * 1000))
                    connection.execute(text(f"SET lock_timeout = {millis}"))
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            except OperationalError as err:
                if getattr(err.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                    raise LockTimeout(spreadsheet_id, timeout or 0.0) from err
                raise StoreUnavailable(f"run store {self.database}: {err}") from err
            except SQLAlchemyError as err:
                raise StoreUnavailable(f"run store {self.database}: {err}") from err
            try:
                yield
            finally:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                except DBAPIError:
                    # The session is gone, and its locks with it.
                    log.warning("advisory unlock failed for %s; connection dropped", spreadsheet_id)
                    connection.invalidate()
        finally:
            connection.close()

    def close(self) -> None:
        self.engine.dispose()
        if self._lock_engine is not None:
            self._lock_engine.dispose()


# -- rows <-> records ------------------------------------------------------------------


def _run_row(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "spreadsheet_id": run.spreadsheet_id,
        "quarter": run.quarter,
        "classified_at": run.classified_at,
        "summary_tab": run.summary_tab,
        "options": options_to_json(run.options),
        "caller": run.caller,
        "as_of": run.as_of,
        "currency": run.currency,
        "in_quarter": run.in_quarter,
        "pace": pace_to_json(run.pace),
        "inputs": inputs_to_json(run.inputs),
        "labels": dict(run.labels),
    }


def _verdict_row(run_id: str, position: int, v: QuarterVerdict) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "position": position,
        "group_name": v.group,
        "quarter": v.quarter,
        "plan": v.plan,
        "bookings": v.bookings,
        "baseline": v.baseline,
        "attainment": v.attainment,
        "growth": v.growth,
        "verdict": v.verdict.value,
        "flags": flags_to_text(v.flags),
        "action": v.action,
        "gap": v.gap,
        "label": v.label,
        "in_progress": v.in_progress,
        "drivers": drivers_to_json(v.drivers),
    }


def _issue_row(run_id: str, position: int, issue: DataIssue) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "position": position,
        "tab": issue.tab,
        "row": issue.row,
        "column_name": issue.column,
        "value": issue.value,
        "message": issue.message,
        "severity": issue.severity.value,
        "cell": issue.cell,
    }


def _verdict(row: Any) -> QuarterVerdict:
    return QuarterVerdict(
        group=row["group_name"],
        quarter=row["quarter"],
        plan=row["plan"],
        bookings=row["bookings"],
        baseline=row["baseline"],
        attainment=row["attainment"],
        growth=row["growth"],
        verdict=Verdict(row["verdict"]),
        flags=flags_from_text(row["flags"]),
        action=row["action"],
        gap=row["gap"],
        label=row["label"] or "",
        in_progress=bool(row["in_progress"]),
        drivers=drivers_from_json(row["drivers"]),
    )


def _issue(row: Any) -> DataIssue:
    return DataIssue(
        tab=row["tab"],
        row=row["row"],
        column=row["column_name"],
        value=row["value"],
        message=row["message"],
        severity=Severity(row["severity"]),
        cell=row["cell"],
    )
