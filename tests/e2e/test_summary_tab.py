"""Nothing a caller sends can overwrite a tab that is not a Summary this product wrote
(issue 13, SPEC 4.5), end to end: the emulator and the server as processes, real gspread.

* ``summaryTab`` naming an input tab in another case or spacing is refused;
* an existing tab that is not ours (no mark, not our header) is refused with
  ``BAD_INPUT`` naming it, and left exactly as it was;
* a Summary written here carries a sheet-located developer-metadata mark with its
  ``sheetId``; a Summary of the previous version (its first row is our header) is adopted
  and marked; a copy of a Summary (``duplicateSheet`` copies the mark, with the original's
  id in it) is not taken for ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from server.api import documents
from tests.support.backend import (
    OWNER,
    Stack,
    backend,
    demo_tabs,
    error_code,
    gspread_client,
    seed,
)

pytestmark = pytest.mark.e2e

MARK = "sales-verdicts:summary"
LEGACY_HEADER = [
    "Group",
    "Quarter",
    "Plan",
    "Bookings",
    "Attainment",
    "Growth",
    "Verdict",
    "Flags",
    "Recommended action",
    "Notes",
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {"SALES_VERDICTS_COALESCE_SECONDS": "0"}  # every classification runs
    with backend(tmp_path_factory.mktemp("summary-tab"), env=env) as running:
        yield running


def classify(stack: Stack, sheet: str, **options: Any) -> dict[str, Any]:
    variables: dict[str, Any] = {"spreadsheetId": sheet}
    if options:
        variables["options"] = options
    return stack.answer(documents.CLASSIFY, variables)


def marks(stack: Stack, sheet: str) -> dict[str, list[tuple[str, str]]]:
    """Each tab's developer metadata as (key, value)."""
    found = stack.stored(sheet)["spreadsheet"]["sheets"]
    return {
        s["properties"]["title"]: [
            (m["metadataKey"], m.get("metadataValue", "")) for m in s.get("developerMetadata", [])
        ]
        for s in found
    }


def sheet_id(stack: Stack, sheet: str, title: str) -> int:
    for s in stack.stored(sheet)["spreadsheet"]["sheets"]:
        if s["properties"]["title"] == title:
            return int(s["properties"]["sheetId"])
    raise AssertionError(f"no tab {title}")


@pytest.mark.parametrize("name", ["plan", " Plan", "PLAN", "Plan ", "bookings", "BOOKINGS "])
def test_a_summary_tab_naming_an_input_tab_is_refused(stack: Stack, name: str) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    before = stack.stored(sheet)["values"]
    answer = classify(stack, sheet, summaryTab=name)
    assert error_code(answer) == "BAD_INPUT", answer.get("errors")
    assert "summaryTab" in answer["errors"][0]["message"]
    assert stack.stored(sheet)["values"] == before, "no tab was touched"


def test_an_existing_tab_that_is_not_ours_is_refused_and_left_alone(stack: Stack) -> None:
    forecast: list[list[Any]] = [["Region", "FY26"], ["EMEA", 1200], ["AMER", 900]]
    tabs = {**demo_tabs(), "Forecast": forecast}
    sheet = seed(stack.emulator.url, tabs)
    before = stack.stored(sheet)["values"]["Forecast"]
    for name in ("Forecast", "forecast", " FORECAST"):
        answer = classify(stack, sheet, summaryTab=name)
        assert error_code(answer) == "BAD_INPUT", answer.get("errors")
        message = answer["errors"][0]["message"]
        assert "Forecast" in message, message
        assert "summaryTab" in message, message
        assert stack.stored(sheet)["values"]["Forecast"] == before


def test_a_summary_written_here_is_marked_and_written_again(stack: Stack) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    stack.clear_google_requests()
    first = classify(stack, sheet)
    assert "errors" not in first, first["errors"]
    assert len(stack.google_requests(sheet)) <= 3, "the mark costs no request of its own"
    summary_id = sheet_id(stack, sheet, "Summary")
    assert marks(stack, sheet)["Summary"] == [(MARK, str(summary_id))]
    stack.clear_google_requests()
    again = classify(stack, sheet)
    assert "errors" not in again, again["errors"]
    assert len(stack.google_requests(sheet)) <= 3
    assert marks(stack, sheet)["Summary"] == [(MARK, str(summary_id))], "marked once"


def test_a_summary_of_the_previous_version_is_adopted(stack: Stack) -> None:
    legacy: list[list[Any]] = [
        list(LEGACY_HEADER),
        ["Total", "2025-Q1", 100, 90, 0.9, 0.1, "Soft Miss", "", "", "ok"],
    ]
    sheet = seed(stack.emulator.url, {**demo_tabs(), "Summary": legacy})
    answer = classify(stack, sheet)
    assert "errors" not in answer, answer["errors"]
    summary_id = sheet_id(stack, sheet, "Summary")
    assert marks(stack, sheet)["Summary"] == [(MARK, str(summary_id))]
    rows = stack.stored(sheet)["values"]["Summary"]
    assert any(row[:2] == ["Group", "Quarter"] for row in rows), "the new Summary's table"
    assert ["Total", "2025-Q1", 100, 90] not in [row[:4] for row in rows], "the old one's"


def test_a_copy_of_a_summary_is_not_taken_for_ours(stack: Stack) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    assert "errors" not in classify(stack, sheet)
    book = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet)
    original = book.worksheet("Summary")
    copy = book.duplicate_sheet(original.id, new_sheet_name="My numbers")
    copy.update([["Region", "Target"], ["EMEA", 5]], "A1")  # now the user's own table
    before = stack.stored(sheet)["values"]["My numbers"]
    answer = classify(stack, sheet, summaryTab="My numbers")
    assert error_code(answer) == "BAD_INPUT", answer.get("errors")
    assert "My numbers" in answer["errors"][0]["message"]
    assert stack.stored(sheet)["values"]["My numbers"] == before


def test_a_copy_that_still_holds_a_summary_is_adopted_and_its_copied_mark_replaced(
    stack: Stack,
) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    assert "errors" not in classify(stack, sheet)
    book = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet)
    original = book.worksheet("Summary")
    copy = book.duplicate_sheet(original.id, new_sheet_name="Summary copy")
    book.del_worksheet(original)
    copy.update_title("Summary")
    assert marks(stack, sheet)["Summary"] == [(MARK, str(original.id))], "the copied mark"
    answer = classify(stack, sheet)
    if answer.get("errors"):  # the tab list cached by the first run still had the original
        assert "Run it again" in answer["errors"][0]["message"], answer["errors"]
        answer = classify(stack, sheet)
    assert "errors" not in answer, answer["errors"]
    assert marks(stack, sheet)["Summary"] == [(MARK, str(copy.id))]
