"""A run's life in the store (begin → result → SUCCEEDED or FAILED; forgotten; ended by a
sweep), the lock taken without waiting, alert settings, and check() for /healthz: the
same contract on MemoryRunStore, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from server.classification.model import Verdict, VerdictChange
from server.store.errors import StoreUnavailable
from server.store.port import RunRecord, RunStatus, StoredAlerts
from server.store.sql import SqlRunStore
from tests.store.conftest import MakeStore
from tests.store.runs import T0, issue, minutes, run, verdict

DISK_FULL = {
    "sqlite": "database or disk is full",
    "postgresql": 'could not extend file "base/16384/16399": No space left on device',
}
CHANGE = VerdictChange("EMEA", "2025-Q4", Verdict.SOFT_MISS, Verdict.HARD_MISS)


def running(run_id: str, at: Any = T0, **fields: Any) -> RunRecord:
    base = run(run_id, at=at, verdicts=(), quarter="")
    return dataclasses.replace(
        base, status=RunStatus.RUNNING, started_at=at, trigger="MENU", **fields
    )


def result_of(started: RunRecord, quarter: str = "2025-Q4") -> RunRecord:
    return dataclasses.replace(
        started,
        quarter=quarter,
        classified_at=started.began + timedelta(seconds=2),
        verdicts=(verdict(), verdict("EMEA", verdict=Verdict.HARD_MISS)),
        issues=(issue(9),),
        changes=(CHANGE,),
    )


def test_a_run_is_seen_running_by_every_store_then_succeeded(make_store: MakeStore) -> None:
    store, other = make_store(), make_store()
    started = running("run-1")
    store.begin(started, "worker-a")
    seen = other.get("run-1")
    assert seen is not None
    assert seen.status is RunStatus.RUNNING
    assert seen.trigger == "MENU"
    assert store.latest("sheet-1") is None  # latest is the newest SUCCEEDED run
    assert store.record_result(result_of(started))
    still = other.get("run-1")
    assert still is not None
    assert still.status is RunStatus.RUNNING
    done = dataclasses.replace(
        result_of(started), status=RunStatus.SUCCEEDED, finished_at=minutes(1)
    )
    assert store.finish(done)
    ended = other.get("run-1")
    assert ended == done
    assert ended.changes == (CHANGE,)
    assert ended.began == T0
    assert other.latest("sheet-1") == done
    assert not store.finish(dataclasses.replace(done, status=RunStatus.FAILED, error="X: late"))
    assert other.get("run-1") == done, "a finished run never changes"


def test_a_failed_run_keeps_its_error_and_issues_and_no_verdicts(make_store: MakeStore) -> None:
    store = make_store()
    started = running("run-1")
    store.begin(started, "worker-a")
    store.record_result(result_of(started))
    failed = dataclasses.replace(
        started,
        status=RunStatus.FAILED,
        error="BAD_INPUT: no quarter",
        issues=(issue(3), issue(4)),
        finished_at=minutes(1),
    )
    assert store.finish(failed)
    got = make_store().get("run-1")
    assert got is not None
    assert got.status is RunStatus.FAILED
    assert got.error == "BAD_INPUT: no quarter"
    assert got.verdicts == ()
    assert [i.row for i in got.issues] == [3, 4]
    assert [r.id for r in store.list("sheet-1", 5)] == ["run-1"]  # the history shows it
    assert store.latest("sheet-1") is None
    assert not store.record_result(result_of(started)), "an ended run takes no result"


def test_a_refused_run_is_forgotten_but_a_finished_one_is_not(make_store: MakeStore) -> None:
    store = make_store()
    store.begin(running("run-1"), "worker-a")
    store.discard("run-1")
    assert store.get("run-1") is None
    store.add(run("run-2"))
    store.discard("run-2")
    assert store.get("run-2") is not None


def test_a_sweep_ends_only_runs_whose_worker_stopped_beating(make_store: MakeStore) -> None:
    store = make_store()
    store.begin(running("dead", at=T0), "worker-dead")
    store.begin(running("alive", at=T0), "worker-alive")
    store.add(run("done", at=T0))
    assert store.heartbeat("worker-alive", minutes(5)) == 1
    assert store.heartbeat("nobody", minutes(5)) == 0
    ended = make_store().interrupt_stale(minutes(4), "INTERRUPTED: gone", minutes(6))
    assert [r.id for r in ended] == ["dead"]
    assert ended[0].status is RunStatus.FAILED
    assert ended[0].error == "INTERRUPTED: gone"
    assert ended[0].finished_at == minutes(6)
    assert store.interrupt_stale(minutes(4), "INTERRUPTED: again", minutes(7)) == []
    alive = store.get("alive")
    assert alive is not None
    assert alive.status is RunStatus.RUNNING
    assert store.get("done") == run("done")


def test_the_previous_success_is_the_newest_succeeded_run_of_the_quarter(
    make_store: MakeStore,
) -> None:
    store = make_store()
    store.add(run("q4-old", at=minutes(1)))
    store.add(run("q4-new", at=minutes(2)))
    store.add(run("q3", at=minutes(3), quarter="2025-Q3"))
    failed = dataclasses.replace(run("q4-failed", at=minutes(4)), status=RunStatus.FAILED)
    store.add(failed)
    store.begin(running("q4-running", at=minutes(5)), "worker-a")
    found = make_store().previous_success("sheet-1", "2025-Q4")
    assert found is not None
    assert found.id == "q4-new"
    assert store.previous_success("sheet-1", "2024-Q1") is None


def test_the_lock_is_taken_without_waiting_by_one_store_at_a_time(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    held = first.try_spreadsheet_lock("sheet-1")
    assert held is not None
    assert second.try_spreadsheet_lock("sheet-1") is None
    other = second.try_spreadsheet_lock("sheet-2")
    assert other is not None
    held.release()
    again = second.try_spreadsheet_lock("sheet-1")
    assert again is not None
    again.release()
    again.release()  # releasing twice is harmless
    other.release()


def test_alert_settings_are_kept_per_spreadsheet(make_store: MakeStore) -> None:
    store = make_store()
    assert store.alert_settings("sheet-1") is None
    first = StoredAlerts("sheet-1", "fernet:abc", ("NEW_HARD_MISS", "RUN_FAILED"), T0, "ana@x.com")
    store.save_alert_settings(first)
    removed = dataclasses.replace(first, webhook=None, on=("EVERY_RUN",), updated_at=minutes(1))
    store.save_alert_settings(removed)
    assert make_store().alert_settings("sheet-1") == removed
    assert store.alert_settings("sheet-2") is None


def test_a_write_that_fails_is_logged_with_its_cause_and_reported_by_check(
    make_sql_store: MakeStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A full disk, simulated: every INSERT into verdicts fails as the database driver
    fails then (SQLite: "database or disk is full"; PostgreSQL: "could not extend file")."""
    store = make_sql_store()
    assert isinstance(store, SqlRunStore)
    assert store.check() is None
    full = {"on": True}
    driver_error = store.engine.dialect.loaded_dbapi.OperationalError
    cause = DISK_FULL[store.dialect]

    @event.listens_for(store.engine, "before_cursor_execute")
    def disk_full(*args: Any) -> None:
        statement = args[2]
        if full["on"] and statement.startswith("INSERT INTO verdicts"):
            raise driver_error(cause)

    started = running("run-1")
    store.begin(started, "worker-a")
    with (
        caplog.at_level(logging.ERROR, logger="server.store.sql"),
        pytest.raises(StoreUnavailable),
    ):
        store.record_result(result_of(started))
    assert cause in caplog.text
    assert "ana@example.com" not in caplog.text  # the statement, never its parameters
    problem = store.check()
    assert problem is not None
    assert cause in problem
    kept = store.get("run-1")
    assert kept is not None
    assert kept.running
    assert kept.verdicts == (), "nothing half-written"
    full["on"] = False
    store.heartbeat("worker-a", minutes(1))  # a write that goes through
    assert store.check() is None


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.postgres
def test_postgres_keeps_the_largest_amount_the_service_lets_through(database_url: str) -> None:
    """The service refuses a sum past 9,999,999,999,999,999.99 (service/amounts.py):
    that is exactly where NUMERIC(18, 2) ends."""
    store = SqlRunStore(database_url)
    try:
        biggest = 9_999_999_999_999_999.99  # as a float: 1e16, one cent past the limit
        assert biggest == 1e16
        kept = run("fits", verdicts=(verdict(plan=9_999_999_999_999_998.0),))
        store.add(kept)
        with pytest.raises(StoreUnavailable, match="numeric field overflow"):
            store.add(run("too-big", verdicts=(verdict(plan=1e16),)))
    finally:
        store.close()
