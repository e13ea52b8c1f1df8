"""The RunStore contract, run against MemoryRunStore, SQLite and PostgreSQL alike."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from server.classification.model import (
    ClassifyOptions,
    Comparison,
    DataIssue,
    Flag,
    Severity,
    Verdict,
)
from server.store.errors import DuplicateRun
from server.store.port import RunStore
from tests.store.conftest import MakeStore
from tests.store.runs import T0, issue, minutes, run, verdict


def test_a_run_reads_back_equal_with_its_verdicts_and_issues(make_store: MakeStore) -> None:
    store = make_store()
    verdicts = (
        verdict(None, "2025-Q3", flags=(Flag.REPEATED_HARD_MISS, Flag.CONSECUTIVE_HARD_MISS)),
        verdict(None, "2025-Q4", plan=12_345_678_901.23, bookings=0.0, baseline=-1200.0),
        verdict("AMER", "2025-Q4", plan=None, baseline=None, verdict=Verdict.NO_PLAN),
        verdict("Ünïcode — 東京", "2025-Q4", bookings=None, flags=tuple(Flag)),
        dataclasses.replace(verdict("EMEA"), attainment=0.8765432101234567, growth=-1e-12),
    )
    issues = (
        issue(14),
        DataIssue("Plan", 2, None, None, "Plan!A2: a Total row, skipped", Severity.INFO),
        DataIssue("Bookings", 9, "Close Date", "31/02/2025", "not a date", cell=None),
    )
    options = ClassifyOptions(
        plan_tab="Quota",
        fiscal_year_start_month=2,
        comparison=Comparison.SAME_QUARTER_LAST_YEAR,
        hard_miss_window=6,
        group_by=("Region", "Segment"),
    )
    stored = run("run-1", verdicts=verdicts, issues=issues, options=options, caller=None)
    store.add(stored)

    assert store.get("run-1") == stored
    assert store.latest("sheet-1") == stored
    assert store.list("sheet-1", 10) == [stored]
    assert make_store().get("run-1") == stored  # another instance: read from the database
    got = make_store().latest("sheet-1")
    assert got is not None
    assert [v.group for v in got.verdicts] == [None, None, "AMER", "Ünïcode — 東京", "EMEA"]
    assert got.verdicts[0].flags == (Flag.REPEATED_HARD_MISS, Flag.CONSECUTIVE_HARD_MISS)
    assert got.verdicts[3].flags == tuple(Flag)
    assert got.verdicts[1].plan == 12_345_678_901.23
    assert got.issues[1].column is None
    assert got.issues[1].severity is Severity.INFO
    assert got.current() == [v for v in verdicts if v.quarter == "2025-Q4"]


def test_amounts_are_kept_at_cents_half_even(make_store: MakeStore) -> None:
    store = make_store()
    noisy = verdict(plan=0.1 + 0.2, bookings=1234.565, baseline=2.675 * 3)
    store.add(run("run-1", verdicts=(noisy,)))
    got = make_store().get("run-1")
    assert got is not None
    assert (got.verdicts[0].plan, got.verdicts[0].bookings) == (0.3, 1234.56)
    assert got.verdicts[0].baseline == 8.02  # 8.024999999999999 -> 8.02
    assert got.verdicts[0].attainment == noisy.attainment  # ratios are not rounded


def test_a_run_without_verdicts_or_issues(store: RunStore) -> None:
    empty = run("run-1", verdicts=(), issues=())
    store.add(empty)
    assert store.get("run-1") == empty


def test_times_are_kept_in_utc_to_the_microsecond(make_store: MakeStore) -> None:
    store = make_store()
    paris = timezone(timedelta(hours=1))
    store.add(run("run-1", at=datetime(2026, 1, 5, 10, 30, 0, 123456, tzinfo=paris)))
    got = make_store().get("run-1")
    assert got is not None
    assert got.classified_at == T0
    assert got.classified_at.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused(store: RunStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add(run("run-1", at=datetime(2026, 1, 5, 9, 30)))
    assert store.get("run-1") is None


def test_a_run_id_is_stored_once(store: RunStore) -> None:
    store.add(run("run-1"))
    with pytest.raises(DuplicateRun) as caught:
        store.add(run("run-1", at=minutes(5)))
    assert caught.value.run_id == "run-1"
    assert store.list("sheet-1", 10) == [run("run-1")]


def test_latest_and_list_are_newest_first(store: RunStore) -> None:
    for run_id, at in [("b", minutes(2)), ("a", minutes(1)), ("d", minutes(4)), ("c", minutes(3))]:
        store.add(run(run_id, at=at))
    assert [r.id for r in store.list("sheet-1", 10)] == ["d", "c", "b", "a"]
    assert [r.id for r in store.list("sheet-1", 2)] == ["d", "c"]
    assert store.list("sheet-1", 0) == []
    latest = store.latest("sheet-1")
    assert latest is not None
    assert latest.id == "d"


def test_runs_at_the_same_moment_have_a_stable_order(store: RunStore) -> None:
    for run_id in ("x1", "x3", "x2"):
        store.add(run(run_id))
    assert [r.id for r in store.list("sheet-1", 10)] == ["x3", "x2", "x1"]


def test_spreadsheets_are_kept_apart(store: RunStore) -> None:
    store.add(run("one", "sheet-1", minutes(1)))
    store.add(run("two", "sheet-2", minutes(2)))
    assert [r.id for r in store.list("sheet-1", 10)] == ["one"]
    latest = store.latest("sheet-1")
    assert latest is not None
    assert latest.id == "one"
    assert store.latest("sheet-3") is None
    assert store.list("sheet-3", 10) == []
    assert store.get("nope") is None


def test_another_store_sees_new_runs_despite_its_cache(make_store: MakeStore) -> None:
    writer, reader = make_store(), make_store()
    writer.add(run("first", at=minutes(1)))
    first = reader.latest("sheet-1")
    assert first is not None
    assert first.id == "first"
    assert [r.id for r in reader.list("sheet-1", 5)] == ["first"]
    writer.add(run("second", at=minutes(2)))
    second = reader.latest("sheet-1")
    assert second is not None
    assert second.id == "second"
    assert [r.id for r in reader.list("sheet-1", 5)] == ["second", "first"]


def test_threads_write_and_read_at_once(make_store: MakeStore) -> None:
    store = make_store()
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(10):
                store.add(run(f"w{worker}-{i}", f"sheet-{worker % 3}", minutes(worker * 10 + i)))
                assert store.latest(f"sheet-{worker % 3}") is not None
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(len(store.list(f"sheet-{n}", 100)) for n in range(3)) == 60
    assert make_store().list("sheet-2", 1)[0].id == "w5-9"


def test_a_large_run_reads_back_whole(make_store: MakeStore) -> None:
    groups = [f"Rep {n:04d}" for n in range(400)]
    verdicts = tuple(
        verdict(group, f"2025-Q{q}", bookings=1000.0 + n + q / 100)
        for n, group in enumerate([None, *groups])
        for q in (1, 2, 3, 4)
    )
    big = run("big", verdicts=verdicts, issues=tuple(issue(row) for row in range(2, 302)))
    make_store().add(big)
    got = make_store().get("big")
    assert got == big
    assert len(got.verdicts) == 1604
    assert len(got.issues) == 300


def test_stored_times_are_utc_datetimes(store: RunStore) -> None:
    store.add(run("run-1"))
    got = store.get("run-1")
    assert got is not None
    assert got.classified_at.tzinfo == UTC


def test_old_runs_of_a_spreadsheet_are_pruned_to_the_newest(make_store: MakeStore) -> None:
    store = make_store()
    for i in range(7):
        store.add(run(f"r{i}", at=minutes(i), verdicts=(verdict(),), issues=(issue(i + 2),)))
    store.add(run("elsewhere", "sheet-2", minutes(1)))
    assert store.prune("sheet-1", keep=3) == 4
    assert [r.id for r in store.list("sheet-1", 10)] == ["r6", "r5", "r4"]
    assert store.get("r0") is None, "a pruned run is gone, from the cache too"
    assert [r.id for r in store.list("sheet-2", 10)] == ["elsewhere"]
    assert store.prune("sheet-1", keep=3) == 0
    again = make_store()  # another store on the same database sees the same
    assert [r.id for r in again.list("sheet-1", 10)] == ["r6", "r5", "r4"]
