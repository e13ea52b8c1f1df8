"""The Summary goes only to a tab this product wrote (issue 13), in the service layer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from server.classification import ClassifyOptions
from server.cli.demo_data import demo_tabs
from server.service import Caller, ClassificationService, ClassifyRequest
from server.service.summary import HEADER
from server.service.summary_tab import LEGACY_HEADER, is_legacy_summary
from server.store.memory import MemoryRunStore
from sheets_adapter.errors import SummaryTabTaken
from sheets_adapter.port import UserToken
from tests.support.fakes import FakeSheets

ANA = Caller(UserToken("token-ana"))
SHEET = "sheet-1"


def service_with(tabs: dict[str, list[list[Any]]]) -> tuple[ClassificationService, FakeSheets]:
    sheets = FakeSheets()
    sheets.add(SHEET, {**demo_tabs(), **tabs}, "token-ana")
    clock = lambda: datetime(2026, 1, 5, tzinfo=UTC)  # noqa: E731
    return ClassificationService(sheets, MemoryRunStore(), clock=clock), sheets


def request(**options: object) -> ClassifyRequest:
    return ClassifyRequest(SHEET, None, ClassifyOptions.from_mapping(options), ANA)


@pytest.mark.parametrize(
    "first_rows",
    [
        [["Region", "Forecast"], ["EMEA", 1]],
        [["Group", "Quarter", "Plan"]],  # a Summary header cut short is not ours
        [],  # an empty tab may still hold charts or formats
        [["Notes"], ["Group | Quarter | Plan | Bookings"]],
    ],
)
def test_an_existing_tab_that_is_not_ours_is_refused_and_kept(first_rows: list[list[Any]]) -> None:
    service, sheets = service_with({"Summary": [list(r) for r in first_rows]})
    with pytest.raises(SummaryTabTaken, match="'Summary' already exists"):
        service.classify_quarter(request())
    assert sheets.books[SHEET]["Summary"] == first_rows
    assert sheets.writes == 0
    assert service.store.latest(SHEET) is None


def test_a_summary_of_the_previous_version_is_adopted_then_marked() -> None:
    legacy = [[*LEGACY_HEADER, "", ""], ["Total", "2025-Q1"]]
    service, sheets = service_with({"Summary": legacy})
    service.classify_quarter(request())
    assert (SHEET, "Summary") in sheets.marked
    sheets.books[SHEET]["Summary"][0][0] = "Edited by hand"  # a marked tab stays ours
    service.classify_quarter(request(fiscalYearStartMonth=2))
    assert sheets.writes == 2


def test_a_new_summary_tab_is_written_and_marked() -> None:
    service, sheets = service_with({})
    service.classify_quarter(request(summaryTab="Verdicts"))
    assert (SHEET, "Verdicts") in sheets.marked


@pytest.mark.parametrize(
    ("row", "legacy"),
    [
        (list(LEGACY_HEADER), True),
        ([*LEGACY_HEADER, None, ""], True),
        ([h.upper() for h in LEGACY_HEADER], False),
        (list(LEGACY_HEADER[:-1]), False),
        ([*LEGACY_HEADER, "Extra"], False),
    ],
)
def test_only_our_exact_header_is_a_legacy_summary(row: list[Any], legacy: bool) -> None:
    assert is_legacy_summary([row, ["Total"]]) is legacy


def test_a_summary_that_starts_with_the_pace_block_is_one_of_ours() -> None:
    pace = ["This quarter so far: 2026-Q4, as of 2026-12-01: 67% of the quarter gone"]
    assert is_legacy_summary([pace, ["Plan", 100], [], list(HEADER), ["Total"]])
    assert not is_legacy_summary([["Region", "Target"], [], list(HEADER), ["Total"]])
    assert not is_legacy_summary([pace, ["Plan", 100], ["Region", "Target"]])
