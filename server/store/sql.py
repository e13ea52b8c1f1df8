"""``SqlRunStore``: the run store on SQLAlchemy 2 — an SQLite file or PostgreSQL.

Reads are Core statements on the tables of :mod:`server.store.tables`:

- ``get(id)`` — a finished run never changes, so it is served from an in-process
  LRU cache after its first load (a run row, its verdicts, its issues: three
  indexed queries, by primary key); a RUNNING run is read afresh every time, so any
  worker answers for any other's run.
- ``latest(sheet)`` — one index-only query for the newest SUCCEEDED run's id (so runs
  written by another process are always seen), then the cached run.
- ``list(sheet, n)`` — one query for the run rows, then one for the verdicts and
  one for the issues of every run not yet cached.

Writes (``add``, ``begin``, ``record_result``, ``finish``, …) are one transaction each,
every change of a run's state conditional on its being RUNNING (see
:mod:`server.store.port`). A write that fails is logged with its cause (the statement,
never its parameters: engines hide them) and remembered for :meth:`SqlRunStore.check`
(``/healthz``) until a write goes through or a minute passes.

``spreadsheet_lock`` is a session-level ``pg_advisory_lock`` on PostgreSQL (held on its
own connection, so it serialises server processes: :mod:`server.store.pglocks`), and a
``threading.Lock`` plus an exclusive lock file (``<db>.locks/``) on SQLite (serialising
threads, store instances and processes on one machine); ``try_spreadsheet_lock`` takes
the same locks without waiting. Database errors leave as :mod:`server.store.errors`.
"""

from __future__ import annotations

import builtins
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from server import budget
from server.cache import TtlCache
from server.classification.model import DataIssue, QuarterVerdict
from server.store import DEFAULT_SQLITE_FILE
from server.store.codec import normalise
from server.store.engines import lock_dir, make_engine
from server.store.errors import DuplicateRun, LockTimeout, StoreUnavailable
from server.store.locks import KeyedLocks, file_lock, lock_file_name
from server.store.migrate import upgrade_engine
from server.store.pglocks import advisory_lock, try_advisory_lock
from server.store.port import HeldLock, RunRecord, RunStatus, RunStore, StoredAlerts
from server.store.rows import (
    alerts_row,
    issue,
    issue_rows,
    result_values,
    run_record,
    run_row,
    stored_alerts,
    verdict,
    verdict_rows,
)
from server.store.tables import AlertRow, IssueRow, RunRow, VerdictRow
from server.store.urls import parse_database_url

log = logging.getLogger(__name__)
T = TypeVar("T")

RUNNING = RunStatus.RUNNING.value
SUCCEEDED = RunStatus.SUCCEEDED.value
#: How long a failed write keeps ``check`` (``/healthz``) failing, unless one succeeds.
FAILURE_REMEMBERED = 60.0

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
    RunRow.status,
    RunRow.error,
    RunRow.started_at,
    RunRow.finished_at,
    RunRow.trigger,
    RunRow.changes,
)
_NEWEST_FIRST = (RunRow.classified_at.desc(), RunRow.id.desc())

# Statements are built once (building one costs more than SQLite running it).
_LATEST_ID = (
    select(RunRow.id)
    .where(RunRow.spreadsheet_id == bindparam("sheet"), RunRow.status == SUCCEEDED)
    .order_by(*_NEWEST_FIRST)
    .limit(1)
)
_PREVIOUS_SUCCESS_ID = _LATEST_ID.where(RunRow.quarter == bindparam("quarter"))
_RUN_BY_ID = select(*_RUN_COLUMNS).where(RunRow.id == bindparam("run_id"))
_RUNS_BY_IDS = select(*_RUN_COLUMNS).where(RunRow.id.in_(bindparam("ids", expanding=True)))
_RUNS_OF_SHEET = (
    select(*_RUN_COLUMNS)
    .where(RunRow.spreadsheet_id == bindparam("sheet"))
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
)
_OLD_IDS = (  # a run under way is never pruned
    select(RunRow.id)
    .where(RunRow.spreadsheet_id == bindparam("sheet"), RunRow.status != "RUNNING")
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
_ALERTS_OF = select(AlertRow.__table__).where(AlertRow.spreadsheet_id == bindparam("sheet"))


def _still_running(run_id: str) -> Any:
    return update(RunRow).where(RunRow.id == run_id, RunRow.status == RUNNING)


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
        self._cache: TtlCache[str, RunRecord] = TtlCache(size=cache_size)  # finished runs
        self._local_locks = KeyedLocks()
        self._locks_dir = lock_dir(self.database)
        self._failure: tuple[float, str] | None = None  # (when, why) of the last failed write
        self._failure_lock = threading.Lock()
        self.engine = make_engine(self.database, busy_timeout=busy_timeout, pool_size=pool_size)
        # Reads need no transaction (each run is written in one): on PostgreSQL autocommit
        # saves the BEGIN and ROLLBACK round trips of every read.
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

    def _write(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one transaction; a failure is logged, remembered and translated."""
        try:
            with self.engine.begin() as connection:
                done = work(connection)
        except SQLAlchemyError as err:
            cause = str(getattr(err, "orig", None) or err).strip()
            log.error("run store %s: a write failed: %.500r", self.database, cause)
            with self._failure_lock:
                self._failure = (time.monotonic(), cause)
            if isinstance(err, IntegrityError):
                raise
            raise StoreUnavailable(f"run store {self.database}: {err}") from err
        with self._failure_lock:
            self._failure = None
        return done

    # -- writing ----------------------------------------------------------------------

    def add(self, run: RunRecord) -> None:
        run = normalise(run)

        def work(connection: Connection) -> None:
            connection.execute(insert(RunRow), [run_row(run)])
            self._insert_rows(connection, run)

        self._insert(run, work)

    def begin(self, run: RunRecord, owner: str) -> None:
        run = normalise(run)
        row = {**run_row(run), "owner": owner, "heartbeat_at": run.began}
        self._insert(run, lambda connection: connection.execute(insert(RunRow), [row]))

    def _insert(self, run: RunRecord, work: Callable[[Connection], object]) -> None:
        try:
            self._write(work)
        except IntegrityError as err:
            if self.get(run.id) is not None:
                raise DuplicateRun(run.id) from err
            raise StoreUnavailable(f"run store {self.database}: {err}") from err

    @staticmethod
    def _insert_rows(connection: Connection, run: RunRecord, *, verdicts: bool = True) -> None:
        rows = verdict_rows(run) if verdicts else []
        if rows:
            connection.execute(insert(VerdictRow), rows)
        if issues := issue_rows(run):
            connection.execute(insert(IssueRow), issues)

    @staticmethod
    def _clear_rows(connection: Connection, run_ids: Sequence[str]) -> None:
        connection.execute(delete(IssueRow).where(IssueRow.run_id.in_(run_ids)))
        connection.execute(delete(VerdictRow).where(VerdictRow.run_id.in_(run_ids)))

    def record_result(self, run: RunRecord) -> bool:
        run = normalise(run)

        def work(connection: Connection) -> bool:
            done = connection.execute(_still_running(run.id).values(**result_values(run)))
            if done.rowcount != 1:
                return False
            self._clear_rows(connection, [run.id])
            self._insert_rows(connection, run)
            return True

        return self._safe_write(work)

    def finish(self, run: RunRecord) -> bool:
        run = normalise(run)
        values = {
            "status": run.status.value,
            "error": run.error,
            "finished_at": run.finished_at,
            "quarter": run.quarter,
            "changes": result_values(run)["changes"],
        }

        def work(connection: Connection) -> bool:
            done = connection.execute(_still_running(run.id).values(**values))
            if done.rowcount != 1:
                return False
            if run.status is not RunStatus.SUCCEEDED:  # a failed run shows its issues only
                self._clear_rows(connection, [run.id])
                self._insert_rows(connection, run, verdicts=False)
            return True

        return self._safe_write(work)

    def discard(self, run_id: str) -> None:
        def work(connection: Connection) -> None:
            gone = connection.execute(
                delete(RunRow).where(RunRow.id == run_id, RunRow.status == RUNNING)
            )
            if gone.rowcount:
                self._clear_rows(connection, [run_id])

        self._safe_write(work)

    def heartbeat(self, owner: str, at: datetime) -> int:
        statement = (
            update(RunRow)
            .where(RunRow.owner == owner, RunRow.status == RUNNING)
            .values(heartbeat_at=at)
        )
        return int(self._safe_write(lambda connection: connection.execute(statement).rowcount))

    def interrupt_stale(self, beaten_before: datetime, error: str, at: datetime) -> list[RunRecord]:
        statement = (
            update(RunRow)
            .where(RunRow.status == RUNNING, RunRow.heartbeat_at < beaten_before)
            .values(status=RunStatus.FAILED.value, error=error, finished_at=at)
            .returning(RunRow.id)
        )

        def work(connection: Connection) -> builtins.list[str]:
            ended = list(connection.execute(statement).scalars())
            if ended:
                connection.execute(delete(VerdictRow).where(VerdictRow.run_id.in_(ended)))
            return ended

        ended = self._safe_write(work)
        if not ended:
            return []
        with self._connect() as connection:
            return self._complete(
                connection, connection.execute(_RUNS_BY_IDS, {"ids": ended}).all()
            )

    def _safe_write(self, work: Callable[[Connection], T]) -> T:
        try:
            return self._write(work)
        except IntegrityError as err:
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

    def latest(self, spreadsheet_id: str) -> RunRecord | None:
        return self._newest(_LATEST_ID, {"sheet": spreadsheet_id})

    def previous_success(self, spreadsheet_id: str, quarter: str) -> RunRecord | None:
        return self._newest(_PREVIOUS_SUCCESS_ID, {"sheet": spreadsheet_id, "quarter": quarter})

    def _newest(self, statement: Any, params: dict[str, str]) -> RunRecord | None:
        with self._connect() as connection:
            run_id = connection.execute(statement, params).scalar()
            if run_id is None:
                return None
            cached = self._cache.get(run_id)
            if cached is not None:
                return cached
            rows = connection.execute(_RUN_BY_ID, {"run_id": run_id}).all()
            runs = self._complete(connection, rows)
        return runs[0] if runs else None

    def list(self, spreadsheet_id: str, limit: int) -> Sequence[RunRecord]:
        if limit < 1:
            return []
        with self._connect() as connection:
            rows = connection.execute(_RUNS_OF_SHEET, {"sheet": spreadsheet_id, "limit": limit})
            return self._complete(connection, rows.all())

    def _complete(self, connection: Connection, rows: Sequence[Any]) -> builtins.list[RunRecord]:
        """Runs for these ``runs`` rows, in order: cached ones as they are, others loaded
        (and cached once finished: a finished run never changes)."""
        found = {row.id: run for row in rows if (run := self._cache.get(row.id)) is not None}
        missing = [row.id for row in rows if row.id not in found]
        if missing:
            verdicts: dict[str, builtins.list[QuarterVerdict]] = {run_id: [] for run_id in missing}
            issues: dict[str, builtins.list[DataIssue]] = {run_id: [] for run_id in missing}
            for v in connection.execute(_VERDICTS_OF, {"ids": missing}).mappings():
                verdicts[v["run_id"]].append(verdict(v))
            for i in connection.execute(_ISSUES_OF, {"ids": missing}).mappings():
                issues[i["run_id"]].append(issue(i))
            for row in rows:
                if row.id in found:
                    continue
                run = run_record(row, verdicts[row.id], issues[row.id])
                if not run.running:
                    self._cache.put(run.id, run)
                found[row.id] = run
        return [found[row.id] for row in rows]

    # -- alerts -----------------------------------------------------------------------

    def alert_settings(self, spreadsheet_id: str) -> StoredAlerts | None:
        with self._connect() as connection:
            row = connection.execute(_ALERTS_OF, {"sheet": spreadsheet_id}).first()
        return None if row is None else stored_alerts(row)

    def save_alert_settings(self, alerts: StoredAlerts) -> None:
        def work(connection: Connection) -> None:
            connection.execute(
                delete(AlertRow).where(AlertRow.spreadsheet_id == alerts.spreadsheet_id)
            )
            connection.execute(insert(AlertRow), [alerts_row(alerts)])

        self._safe_write(work)

    # -- health -----------------------------------------------------------------------

    def check(self) -> str | None:
        with self._failure_lock:
            failure = self._failure
        if failure is not None and time.monotonic() - failure[0] < FAILURE_REMEMBERED:
            return f"the run store's last write failed: {failure[1][:300]}"
        try:
            with self._connect() as connection:
                connection.execute(text("SELECT 1"))
        except StoreUnavailable as err:
            cause = str(err.__cause__ or err)
            return f"the run store does not answer: {cause[:300]}"
        return None

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
            if self._lock_engine is not None:
                where = str(self.database)
                with advisory_lock(self._lock_engine, spreadsheet_id, timeout, since, where):
                    yield
            elif self._locks_dir is not None:
                path = self._locks_dir / lock_file_name(spreadsheet_id)
                with file_lock(path, spreadsheet_id, timeout, since=since):
                    yield
            else:  # in-memory SQLite: one process, one store
                yield

    def try_spreadsheet_lock(self, spreadsheet_id: str) -> HeldLock | None:
        local = self._local_locks.try_take(spreadsheet_id)
        if local is None:
            return None
        try:
            shared = self._try_shared_lock(spreadsheet_id)
        except BaseException:
            local()
            raise
        if shared is None:
            local()
            return None

        def release() -> None:
            try:
                shared()
            finally:
                local()

        return HeldLock(release)

    def _try_shared_lock(self, spreadsheet_id: str) -> Callable[[], None] | None:
        """The lock other processes see, if free now: its release; else None."""
        if self._lock_engine is not None:
            return try_advisory_lock(self._lock_engine, spreadsheet_id, str(self.database))
        if self._locks_dir is None:  # in-memory SQLite: one process, one store
            return lambda: None
        stack = ExitStack()
        path = self._locks_dir / lock_file_name(spreadsheet_id)
        try:
            stack.enter_context(file_lock(path, spreadsheet_id, 0.0))
        except LockTimeout:
            return None
        return stack.close

    def close(self) -> None:
        self.engine.dispose()
        if self._lock_engine is not None:
            self._lock_engine.dispose()
