"""The service layer with in-memory ports: read → classify → write → record."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

from server import budget
from server.classification import ClassifyOptions, NoQuarters, UnknownQuarter
from server.cli.demo_data import demo_tabs, expected, in_progress, label, quarters
from server.service import (
    AccessDenied,
    Caller,
    ClassificationService,
    ClassifyRequest,
    RunManager,
)
from server.store.errors import LockTimeout
from server.store.memory import MemoryRunStore
from server.store.port import RunRecord
from sheets_adapter.errors import (
    PermissionDenied,
    SpreadsheetNotFound,
    TabNotFound,
    UpstreamUnavailable,
)
from sheets_adapter.port import ServiceAccountAuth, Share, UserToken
from tests.support.fakes import FakeSheets

NOW = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)  # the service's clock: asOf is its day
QUARTERS = quarters(NOW.date())  # the demo spreadsheet as it is on that day
EXPECTED = expected(NOW.date())
FIRST, LATEST = label(QUARTERS[0]), label(QUARTERS[-1])
ANA = Caller(UserToken("token-ana"))
BEN = Caller(UserToken("token-ben"))
SHEET = "sheet-1"


@pytest.fixture
def sheets() -> FakeSheets:
    fake = FakeSheets()
    fake.add(SHEET, demo_tabs(NOW.date()), "token-ana")
    return fake


@pytest.fixture
def service(sheets: FakeSheets) -> ClassificationService:
    return ClassificationService(sheets, MemoryRunStore(), clock=lambda: NOW)


def request(quarter: str | None = None, caller: Caller = ANA, **options: object) -> ClassifyRequest:
    return ClassifyRequest(SHEET, quarter, ClassifyOptions.from_mapping(options), caller)


def test_a_run_classifies_writes_the_summary_and_is_recorded(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    run = service.classify_quarter(request())
    assert run.quarter == LATEST  # the latest quarter with bookings that has ended
    current = {v.group: v.verdict.value for v in run.current()}
    assert current["AMER"] == EXPECTED[("AMER", LATEST)]
    assert current["EMEA"] == EXPECTED[("EMEA", LATEST)]
    assert next(iter(current)) is None  # company total first
    for (group, quarter), verdict in EXPECTED.items():
        found = [v for v in run.verdicts if v.group == group and v.quarter == quarter]
        assert [v.verdict.value for v in found] == [verdict], (group, quarter)
    assert sheets.writes == 1
    written = sheets.books[SHEET]["Summary"]
    assert written[0][0].startswith("This quarter so far")  # the demo has one in progress
    assert ["Group", "Quarter", "Label", "Plan"] in [row[:4] for row in written]
    assert service.store.latest(SHEET) == run


def test_asking_for_an_earlier_quarter_reports_verdicts_up_to_it(
    service: ClassificationService,
) -> None:
    year, q = QUARTERS[-2]
    run = service.classify_quarter(request(f"Q{q} {year}"))
    assert run.quarter == f"{year}-Q{q}"
    assert max(v.quarter for v in run.verdicts) == f"{year}-Q{q}"
    assert {v.quarter for v in run.current()} == {f"{year}-Q{q}"}


def test_a_quarter_without_bookings_is_refused_with_the_known_span(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    with pytest.raises(UnknownQuarter, match=rf"{FIRST} to {label(in_progress(NOW.date()))}"):
        service.classify_quarter(request("2031-Q1"))
    assert sheets.writes == 0
    assert service.store.latest(SHEET) is None


def test_a_sheet_with_no_readable_row_is_refused_naming_both_tabs(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    sheets.add(
        "empty",
        {
            "Plan": [["Region", "Quarter", "Plan"], ["AMER", "TBD", 100]],
            "Bookings": [["Region", "Quarter", "Bookings"], ["AMER", "Q1 2025", "#REF!"]],
        },
        "token-ana",
    )
    with pytest.raises(NoQuarters) as caught:
        service.classify_quarter(ClassifyRequest("empty", None, ClassifyOptions(), ANA))
    message = str(caught.value)
    assert "'Plan'" in message
    assert "'Bookings'" in message
    assert "2 rows were rejected" in message
    assert sheets.writes == 0


def test_a_missing_tab_names_the_tabs_that_exist(service: ClassificationService) -> None:
    with pytest.raises(TabNotFound) as caught:
        service.classify_quarter(request(planTab="Budget"))
    assert "Budget" in str(caught.value)
    assert "Plan" in str(caught.value)


def test_a_failed_write_records_nothing(service: ClassificationService, sheets: FakeSheets) -> None:
    sheets.fail_write = UpstreamUnavailable(SHEET, "Google did not answer")
    with pytest.raises(UpstreamUnavailable):
        service.classify_quarter(request())
    assert service.store.latest(SHEET) is None


def test_concurrent_identical_requests_share_one_read_and_one_write(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    gate = threading.Event()
    sheets.read_gate = gate

    async def burst() -> list[str]:
        runs = RunManager(service)
        calls = [asyncio.create_task(runs.classify(request(), None)) for _ in range(25)]
        await asyncio.sleep(0.05)
        gate.set()
        return [run.id for run in await asyncio.gather(*calls)]

    ids = asyncio.run(burst())
    assert len(set(ids)) == 1
    assert (sheets.reads, sheets.writes) == (1, 1)


def test_different_callers_do_not_share_a_flight(
    service: ClassificationService, sheets: FakeSheets
) -> None:
    sheets.access["token-ben"] = {SHEET}

    async def both() -> tuple[str, str]:
        runs = RunManager(service)
        a, b = await asyncio.gather(
            runs.classify(request(), None),
            runs.classify(request(caller=BEN), None),
        )
        return a.id, b.id

    first, second = asyncio.run(both())
    assert first != second
    assert sheets.reads == 2


def test_a_user_only_sees_runs_of_spreadsheets_they_can_open(
    service: ClassificationService,
) -> None:
    service.classify_quarter(request())
    assert service.latest_run(SHEET, ANA) is not None
    with pytest.raises(AccessDenied):
        service.latest_run(SHEET, BEN)
    with pytest.raises(AccessDenied):
        service.runs(SHEET, 10, BEN)


def test_the_classification_itself_is_refused_without_access(
    service: ClassificationService,
) -> None:
    with pytest.raises(PermissionDenied):
        service.classify_quarter(request(caller=BEN))


def test_service_account_callers_need_their_own_access_to_the_sheet(sheets: FakeSheets) -> None:
    service = ClassificationService(sheets, MemoryRunStore())
    ana = Caller(ServiceAccountAuth("ana@example.com"), "ana@example.com")
    ben = Caller(ServiceAccountAuth("ben@example.com"), "ben@example.com")
    cy = Caller(ServiceAccountAuth("cy@example.com"), "cy@example.com")
    sheets.shares[SHEET] = [
        Share("user", "writer", email="Ana@Example.com"),
        Share("user", "reader", email="ben@example.com"),
    ]
    mine = service.classify_quarter(request(caller=ana))
    assert service.latest_run(SHEET, ana) == mine
    assert service.latest_run(SHEET, ben) == mine, "a reader reads the sheet's runs"
    with pytest.raises(AccessDenied, match="not edit it"):
        service.classify_quarter(request(caller=ben))
    with pytest.raises(AccessDenied, match="cannot open"):
        service.runs(SHEET, 5, cy)
    with pytest.raises(AccessDenied, match="cannot open"):
        service.classify_quarter(request(caller=cy))
    assert sheets.writes == 1


def test_a_kept_yes_is_asked_again_for_a_run_newer_than_it(sheets: FakeSheets) -> None:
    moments = iter(datetime(2026, 1, 5, 9, m, tzinfo=UTC) for m in range(60))
    service = ClassificationService(sheets, MemoryRunStore(), clock=lambda: next(moments))
    ana = Caller(ServiceAccountAuth("ana@example.com"), "ana@example.com")
    ben = Caller(ServiceAccountAuth("ben@example.com"), "ben@example.com")
    sheets.shares[SHEET] = [
        Share("user", "owner", email="ana@example.com"),
        Share("domain", "reader", domain="example.com"),
    ]
    service.classify_quarter(request(caller=ana))
    assert service.latest_run(SHEET, ben) is not None  # Ben's "yes" is kept now
    sheets.shares[SHEET] = sheets.shares[SHEET][:1]  # the domain share is removed
    assert service.latest_run(SHEET, ben) is not None, "nothing new: the kept yes stands"
    service.classify_quarter(request(caller=ana, fiscalYearStartMonth=2))
    with pytest.raises(AccessDenied):
        service.latest_run(SHEET, ben)  # a run after the kept answer: asked again
    with pytest.raises(AccessDenied):
        service.runs(SHEET, 5, ben)


def test_a_junk_token_never_reaches_the_lock(sheets: FakeSheets) -> None:
    store = CountingLocks()
    service = ClassificationService(sheets, store)
    for sheet in ("sheet-1", "no-such-sheet"):
        junk = ClassifyRequest(sheet, None, ClassifyOptions(), Caller(UserToken("junk")))
        with pytest.raises((PermissionDenied, SpreadsheetNotFound)):
            service.classify_quarter(junk)
    assert store.locked == []


def test_a_request_just_after_an_identical_flight_landed_shares_its_run(
    sheets: FakeSheets,
) -> None:
    async def twice(service: ClassificationService) -> tuple[str, str]:
        runs = RunManager(service)
        first = await runs.classify(request(), None)
        second = await runs.classify(request(), None)
        return first.id, second.id

    coalescing = ClassificationService(sheets, MemoryRunStore(), coalesce_window=60)
    first, second = asyncio.run(twice(coalescing))
    assert first == second
    assert sheets.reads == 1
    eager = ClassificationService(sheets, MemoryRunStore(), coalesce_window=0)
    first, second = asyncio.run(twice(eager))
    assert first != second
    assert sheets.reads == 3


class BudgetSeen(FakeSheets):
    """Notes how much of the request's budget is left when the tabs are read."""

    def __init__(self) -> None:
        super().__init__()
        self.left: list[float | None] = []

    def read(self, *args: Any, **kwargs: Any) -> Any:
        self.left.append(budget.remaining())
        return super().read(*args, **kwargs)


def test_one_budget_bounds_the_google_calls_and_the_lock_wait() -> None:
    sheets = BudgetSeen()
    sheets.add(SHEET, demo_tabs(), "token-ana")
    store = MemoryRunStore(lock_timeout=120)
    service = ClassificationService(sheets, store, budget=0.5)
    service.classify_quarter(request())
    left = sheets.left[0]
    assert left is not None, "the tabs were read without a budget"
    assert 0 < left <= 0.5
    assert budget.remaining() is None, "the budget ends with the request"
    with store.spreadsheet_lock(SHEET):  # another run of the sheet holds the lock
        started = time.monotonic()
        with pytest.raises(LockTimeout):
            service.classify_quarter(request(fiscalYearStartMonth=2))
        assert time.monotonic() - started < 3, "the lock was waited for past the budget"


class CountingLocks(MemoryRunStore):
    def __init__(self) -> None:
        super().__init__()
        self.locked: list[str] = []

    def spreadsheet_lock(self, spreadsheet_id: str) -> AbstractContextManager[None]:
        self.locked.append(spreadsheet_id)
        return super().spreadsheet_lock(spreadsheet_id)


class CountingStore(MemoryRunStore):
    def __init__(self) -> None:
        super().__init__()
        self.latest_calls = 0

    def latest(self, spreadsheet_id: str) -> RunRecord | None:
        self.latest_calls += 1
        return super().latest(spreadsheet_id)


def test_latest_run_is_answered_from_memory_until_a_new_run_lands(sheets: FakeSheets) -> None:
    store = CountingStore()
    service = ClassificationService(sheets, store, recent_ttl=60, coalesce_window=0)

    async def scenario() -> None:
        assert await service.latest_run_async(SHEET, ANA) is None
        assert await service.latest_run_async(SHEET, ANA) is None
        assert store.latest_calls == 1
        run = await RunManager(service).classify(request(), None)
        assert await service.latest_run_async(SHEET, ANA) == run  # a new run is seen at once
        assert store.latest_calls == 2
        with pytest.raises(AccessDenied):  # another caller is checked, not served from memory
            await service.latest_run_async(SHEET, BEN)

    asyncio.run(scenario())
