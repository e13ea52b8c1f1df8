"""Runs that outlive a request (service/runs.py) with in-memory ports: RUNNING answers,
how refusals and failures end, what changed, the sums checked, the per-caller cap, and
queueing that holds no worker thread."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import anyio.to_thread
import pytest

from server.api.errors import describe_failure
from server.classification import ClassifyOptions, Verdict, VerdictChange
from server.cli.demo_data import demo_tabs, won_row
from server.service import (
    Caller,
    ClassificationService,
    ClassifyRequest,
    RunFailed,
    RunManager,
    SumTooLarge,
    TooManyRuns,
)
from server.store.errors import StoreUnavailable
from server.store.memory import MemoryRunStore
from server.store.port import RunRecord, RunStatus
from sheets_adapter.errors import Unauthenticated, UpstreamUnavailable
from sheets_adapter.port import UserToken
from tests.support.fakes import FakeSheets

T = TypeVar("T")
ANA = Caller(UserToken("token-ana"))
SHEET = "sheet-1"
OTHER_SHEET = "sheet-2"
NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def sheets() -> FakeSheets:
    fake = FakeSheets()
    fake.add(SHEET, demo_tabs(NOW.date()), "token-ana")  # its latest quarter: 2025-Q4
    fake.add(OTHER_SHEET, demo_tabs(NOW.date()), "token-ana")
    fake.emails["token-ana"] = "ana@example.com"
    return fake


@pytest.fixture
def service(sheets: FakeSheets) -> ClassificationService:
    return ClassificationService(sheets, MemoryRunStore(), clock=lambda: NOW, coalesce_window=0)


def request(sheet: str = SHEET, quarter: str | None = None, **options: Any) -> ClassifyRequest:
    return ClassifyRequest(sheet, quarter, ClassifyOptions.from_mapping(options), ANA, "MENU")


def run_async(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(scenario())


def test_a_run_answered_running_carries_on_and_is_then_succeeded(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    sheets.read_gate = threading.Event()

    async def scenario() -> tuple[RunRecord, RunRecord | None, RunRecord | None]:
        runs = RunManager(service)
        first = await runs.classify(request(quarter="2025-Q3"), 0.05)
        seen = await runs.run(first.id, ANA)
        sheets.read_gate.set()  # type: ignore[union-attr]
        while (await runs.run(first.id, ANA)).running:  # type: ignore[union-attr]
            await asyncio.sleep(0.01)
        return first, seen, await runs.run(first.id, ANA)

    first, seen, done = run_async(scenario)
    assert first.status is RunStatus.RUNNING
    assert first.quarter == "2025-Q3"  # the quarter asked for, while RUNNING
    assert first.verdicts == ()
    assert first.finished_at is None
    assert first.caller == "ana@example.com"
    assert first.trigger == "MENU"
    assert seen is not None
    assert seen.status is RunStatus.RUNNING
    assert done is not None
    assert done.status is RunStatus.SUCCEEDED
    assert done.id == first.id
    assert done.verdicts
    assert done.finished_at is not None
    assert sheets.writes == 1


def test_a_refusal_while_the_caller_waits_is_an_error_and_leaves_no_run(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    with pytest.raises(Exception, match="2031-Q1"):
        run_async(lambda: RunManager(service).classify(request(quarter="2031-Q1"), 5))
    assert service.store.list(SHEET, 10) == []
    assert sheets.writes == 0


def test_a_refusal_after_a_running_answer_ends_failed_with_its_issues(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    sheets.read_gate = threading.Event()

    async def scenario() -> RunRecord | None:
        runs = RunManager(service)
        answered = await runs.classify(request(quarter="2031-Q1"), 0)
        sheets.read_gate.set()  # type: ignore[union-attr]
        while (found := await runs.run(answered.id, ANA)) is not None and found.running:
            await asyncio.sleep(0.01)
        return found

    failed = run_async(scenario)
    assert failed is not None
    assert failed.status is RunStatus.FAILED
    assert failed.error is not None
    assert failed.error.startswith("BAD_INPUT: ")
    assert "2031-Q1" in failed.error
    assert failed.issues, "the data issues of the tabs read are kept"
    assert failed.verdicts == ()
    assert sheets.writes == 0


def test_a_failed_write_ends_the_run_failed_and_says_which_run(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    sheets.fail_write = UpstreamUnavailable(SHEET, "Google Sheets did not answer in time.")
    with pytest.raises(RunFailed) as failed:
        run_async(lambda: RunManager(service, describe=describe_failure).classify(request(), 5))
    run = service.store.get(failed.value.run.id)
    assert run is not None
    assert run.status is RunStatus.FAILED
    assert run.error == "UPSTREAM_UNAVAILABLE: Google Sheets did not answer in time."
    assert run.verdicts == ()
    assert service.store.latest(SHEET) is None  # never shown as the sheet's latest result


class FailingResults(MemoryRunStore):
    """A store that is down when a run's result is to be recorded."""

    def record_result(self, run: RunRecord) -> bool:  # noqa: ARG002 - the store is down
        raise StoreUnavailable("run store memory://: disk I/O error (database or disk is full)")


def test_a_store_that_fails_to_record_stops_the_run_before_the_summary_is_written(
    sheets: FakeSheets,
) -> None:
    service = ClassificationService(sheets, FailingResults(), clock=lambda: NOW)
    with pytest.raises(RunFailed):
        run_async(lambda: RunManager(service).classify(request(), 5))
    assert sheets.writes == 0, "nothing is written that is not recorded"
    [run] = service.store.list(SHEET, 10)
    assert run.status is RunStatus.FAILED


def test_a_sum_too_large_for_the_store_is_refused_before_any_write(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    bookings = sheets.books[SHEET]["Bookings"]
    big = 9.9e14  # each cell is under the 1e15 cap; eleven of them are not
    bookings += [won_row(f"D-{i}", "EMEA", date(2025, 11, 3), big) for i in range(11)]
    with pytest.raises(SumTooLarge, match=r"group 'EMEA' in 2025-Q4"):
        service.classify_quarter(request())
    assert sheets.writes == 0
    assert service.store.list(SHEET, 10) == []


def test_changes_are_against_the_previous_successful_run_of_the_quarter(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    first = service.classify_quarter(request())
    # With no earlier run, the run's own quarter is news: every verdict, `before` null.
    assert first.changes == (
        VerdictChange(None, "2025-Q4", None, Verdict.SOFT_MISS),
        VerdictChange("AMER", "2025-Q4", None, Verdict.BEAT),
        VerdictChange("EMEA", "2025-Q4", None, Verdict.HARD_MISS),
    )
    # A 70k EMEA deal lands in 2025-Q4: EMEA books 405k of a 400k plan (Beat, was Hard
    # Miss) and the company 1,005k of 980k (Beat, was Soft Miss: 935k > 910k in Q3).
    sheets.books[SHEET]["Bookings"].append(won_row("D-7777", "EMEA", date(2025, 11, 14), 70000))
    failing = dataclasses.replace(request(), options=ClassifyOptions(hard_miss_window=6))
    sheets.fail_write = UpstreamUnavailable(SHEET)
    with pytest.raises(UpstreamUnavailable):  # a FAILED run in between is not compared with
        service.classify_quarter(failing)
    sheets.fail_write = None
    second = service.classify_quarter(request())
    assert second.changes == (
        VerdictChange(None, "2025-Q4", Verdict.SOFT_MISS, Verdict.BEAT),
        VerdictChange("EMEA", "2025-Q4", Verdict.HARD_MISS, Verdict.BEAT),
    )
    assert service.classify_quarter(request(quarter="2025-Q3")).changes[0].before is None


def test_a_caller_with_too_many_runs_under_way_is_refused(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    sheets.read_gate = threading.Event()

    async def scenario() -> list[RunRecord]:
        runs = RunManager(service, per_caller=2)
        started = [await runs.classify(request(as_of=f"2026-01-0{day}"), 0) for day in (1, 2)]
        with pytest.raises(TooManyRuns, match="2 classifications"):
            await runs.classify(request(as_of="2026-01-03"), 0)
        sheets.read_gate.set()  # type: ignore[union-attr]
        await runs.stop(grace=10)
        return started

    started = run_async(scenario)
    assert {run.status for run in started} == {RunStatus.RUNNING}
    assert len(service.store.list(SHEET, 10)) == 2  # the refused one was never recorded


def test_a_junk_token_is_refused_before_anything_is_recorded(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    sheets.rejected.add("junk")
    junk = dataclasses.replace(request(), caller=Caller(UserToken("junk")))
    with pytest.raises(Unauthenticated):
        run_async(lambda: RunManager(service).classify(junk, 5))
    assert service.store.list(SHEET, 10) == []
    assert sheets.reads == 0


def test_the_caller_email_is_asked_of_google_once_per_token(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    for quarter in ("2025-Q2", "2025-Q3", "2025-Q4"):
        assert service.classify_quarter(request(quarter=quarter)).caller == "ana@example.com"
    assert sheets.userinfo_calls == 1


def test_runs_queued_on_one_sheet_hold_no_worker_thread(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    """With three worker threads in all, twenty runs queued behind a slow one on one sheet
    leave the others free: another user's history is answered at once. (Waiting on the
    sheet's lock in a thread, as before, took every thread and this timed out.)"""
    sheets.read_gate = threading.Event()

    async def scenario() -> tuple[int, RunRecord | None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 3
        runs = RunManager(service, per_caller=100)
        queued = [await runs.classify(request(as_of=f"2026-01-{d:02d}"), 0) for d in range(1, 21)]
        await asyncio.sleep(0.2)
        async with asyncio.timeout(3):
            latest = await service.latest_run_async(OTHER_SHEET, ANA)
        waiting = runs.queue.waiting(SHEET)
        sheets.read_gate.set()  # type: ignore[union-attr]
        async with asyncio.timeout(30):
            while runs.under_way:
                await asyncio.sleep(0.02)
        assert all(run.running for run in queued)
        return waiting, latest

    waiting, latest = run_async(scenario)
    assert waiting == 20
    assert latest is None
    statuses = {run.status for run in service.store.list(SHEET, 50)}
    assert statuses == {RunStatus.SUCCEEDED}
    assert sheets.writes == 20


def test_runs_of_one_sheet_never_overlap(service: ClassificationService) -> None:
    inside = 0
    most = 0
    lock = threading.Lock()
    execute = service.execute

    def counted(*args: Any) -> Any:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        try:
            return execute(*args)
        finally:
            with lock:
                inside -= 1

    service.execute = counted  # type: ignore[method-assign,assignment]

    async def scenario() -> None:
        runs = RunManager(service, per_caller=100)
        await asyncio.gather(
            *(runs.classify(request(as_of=f"2026-01-{d:02d}"), None) for d in range(1, 9))
        )

    run_async(scenario)
    assert most == 1


def test_runs_of_many_sheets_leave_threads_for_other_requests(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    """Twelve sheets classified at once, each run stuck reading: runs work in threads of
    their own (``run_threads``), so the shared pool of three still answers another user's
    history at once. (With runs in the shared pool, every thread was taken and this timed
    out.)"""
    for i in range(12):
        sheets.add(f"busy-{i}", demo_tabs(), "token-ana")
    sheets.read_gate = threading.Event()

    async def scenario() -> RunRecord | None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 3
        runs = RunManager(service, per_caller=100, run_threads=4)
        for i in range(12):
            await runs.classify(request(f"busy-{i}"), 0)
        await asyncio.sleep(0.2)
        try:
            async with asyncio.timeout(3):
                return await service.latest_run_async(OTHER_SHEET, ANA)
        finally:
            sheets.read_gate.set()  # type: ignore[union-attr]
            async with asyncio.timeout(30):
                while runs.under_way:
                    await asyncio.sleep(0.02)

    assert run_async(scenario) is None
    assert sheets.writes == 12


class FlakyFinish(MemoryRunStore):
    """A store that fails the first ``failures`` tries to end a run."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.tries = 0

    def finish(self, run: RunRecord) -> bool:
        self.tries += 1
        if self.tries <= self.failures:
            raise StoreUnavailable("run store memory://: server closed the connection")
        return super().finish(run)


def test_a_written_run_is_marked_through_a_store_that_fails_for_a_moment(
    sheets: FakeSheets,
) -> None:
    pauses: list[float] = []
    store = FlakyFinish(failures=2)
    service = ClassificationService(sheets, store, clock=lambda: NOW, sleep=pauses.append)
    done = service.classify_quarter(request())
    assert sheets.writes == 1
    assert done.status is RunStatus.SUCCEEDED
    stored = store.get(done.id)
    assert stored is not None
    assert stored.status is RunStatus.SUCCEEDED
    assert stored.verdicts == done.verdicts
    assert store.tries == 3
    assert len(pauses) == 2


def test_a_store_down_after_the_write_raises_and_keeps_the_recorded_result(
    sheets: FakeSheets,
) -> None:
    store = FlakyFinish(failures=99)
    service = ClassificationService(sheets, store, clock=lambda: NOW, sleep=lambda _: None)
    with pytest.raises(StoreUnavailable):
        service.classify_quarter(request())
    assert sheets.writes == 1
    [run] = store.list(SHEET, 10)
    assert run.status is RunStatus.RUNNING  # the lease sweep ends it
    assert run.verdicts  # the result was recorded before the write
