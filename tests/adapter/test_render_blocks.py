"""The Summary's new blocks as batchUpdate requests (pure): currency formats, frozen rows,
the chart under the pace block, and the History tab appended in the same batch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from server.classification.model import ClassifyOptions, DataIssue
from server.service.summary import build_summary
from sheets_adapter.port import CellKind, SummaryCell, SummarySheet
from sheets_adapter.render import (
    BLOCK_TEXT_WIDTH,
    HISTORY_SPARE_ROWS,
    MAX_FROZEN_ROWS,
    Target,
    cell_data,
    column_widths,
    currency_format,
    frozen_rows,
    grid_rows,
    plan_write,
)
from tests.adapter.factories import result, rich_result
from tests.adapter.test_summary_layout import RUN_AT

LONG = "a very long value that a user pasted into the Amount column by mistake"


def issue(row: int) -> DataIssue:
    return DataIssue("Bookings", row, "Amount", LONG, f"Bookings!G{row}: not an amount")


def summary(res: Any = None, **kwargs: Any) -> SummarySheet:
    return build_summary(
        res or rich_result(),
        quarter="2025-Q3",
        run_at=RUN_AT,
        existing=None,
        summary_tab="Summary",
        **kwargs,
    )


def kinds(requests: list[dict[str, Any]]) -> list[str]:
    return [next(iter(r)) for r in requests]


@pytest.mark.parametrize(
    ("currency", "pattern"),
    [
        ("EUR", '"€"#,##0.00'),
        ("GBP", '"£"#,##0.00'),
        ("USD", '"$"#,##0.00'),
        ("CAD", '"CA$"#,##0.00'),
        ("CHF", '"CHF "#,##0.00'),
    ],
)
def test_amounts_carry_the_reporting_currencys_symbol(currency: str, pattern: str) -> None:
    assert currency_format(currency) == {"type": "CURRENCY", "pattern": pattern}
    cell = cell_data(SummaryCell(1234.5, CellKind.CURRENCY), currency)
    assert cell["userEnteredFormat"]["numberFormat"] == {"type": "CURRENCY", "pattern": pattern}


def test_an_unknown_currency_leaves_the_symbol_to_the_locale() -> None:
    assert currency_format(None) == {"type": "CURRENCY"}


def test_headings_and_titles_are_formatted() -> None:
    heading = cell_data(SummaryCell("Tab", CellKind.HEADER))
    assert heading["userEnteredFormat"]["textFormat"] == {"bold": True}
    assert "backgroundColor" in heading["userEnteredFormat"]
    title = cell_data(SummaryCell("How this was read", CellKind.TITLE))
    assert title["userEnteredFormat"]["textFormat"] == {"bold": True, "fontSize": 12}


def test_the_header_and_the_pace_block_are_frozen_while_short() -> None:
    with_pace = summary()
    assert frozen_rows(with_pace) == with_pace.header_row + 1 == 8
    assert frozen_rows(summary(result())) == 1
    many = rich_result()
    many = replace(many, pace=many.pace * 5)  # 15 pace rows: too many to keep on screen
    long = summary(many)
    assert long.header_row + 1 > MAX_FROZEN_ROWS
    assert frozen_rows(long) == 0
    plan = plan_write(with_pace, Target(3, "Summary", exists=False))
    grid = plan.requests[0]["addSheet"]["properties"]["gridProperties"]
    assert grid["frozenRowCount"] == 8
    existing = plan_write(long, Target(3, "Summary", exists=True, row_count=500, column_count=30))
    props = next(r for r in existing.requests if "updateSheetProperties" in r)
    assert props["updateSheetProperties"]["properties"]["gridProperties"] == {"frozenRowCount": 0}


def test_the_chart_reads_the_table_below_the_pace_block() -> None:
    sheet = summary()
    plan = plan_write(sheet, Target(3, "Summary", exists=False))
    chart = next(r["addChart"]["chart"] for r in plan.requests if "addChart" in r)
    basic = chart["spec"]["basicChart"]
    domain = basic["domains"][0]["domain"]["sourceRange"]["sources"][0]
    series = [s["series"]["sourceRange"]["sources"][0] for s in basic["series"]]
    top = sheet.header_row
    names = list(sheet.header)
    assert (domain["startRowIndex"], domain["endRowIndex"]) == (top, top + 3 + 1)
    assert domain["startColumnIndex"] == names.index("Quarter")
    assert [s["startColumnIndex"] for s in series] == [names.index("Plan"), names.index("Bookings")]
    assert all((s["startRowIndex"], s["endRowIndex"]) == (top, top + 4) for s in series)
    anchor = chart["position"]["overlayPosition"]["anchorCell"]
    assert anchor == {"sheetId": 3, "rowIndex": top, "columnIndex": len(names) + 1}
    cells = next(r for r in plan.requests if "updateCells" in r and "rows" in r["updateCells"])
    rows = cells["updateCells"]["rows"]
    header = [v["userEnteredValue"]["stringValue"] for v in rows[top]["values"] if v]
    assert header == names
    assert rows[top + 1]["values"][names.index("Quarter")]["userEnteredValue"] == {
        "stringValue": "2025-Q1"
    }


def test_history_is_a_new_tab_with_its_header_in_the_same_batch() -> None:
    res = replace(rich_result(), options=ClassifyOptions(history_tab="History"))
    sheet = summary(res, run_id="r1", caller="ana@example.com")
    plan = plan_write(sheet, Target(3, "Summary", exists=False), Target(8, "History", exists=False))
    names = kinds(plan.requests)
    assert names[0] == "addSheet"
    assert names.count("addSheet") == 2
    added = [r["addSheet"]["properties"] for r in plan.requests if "addSheet" in r]
    assert [(p["sheetId"], p["title"]) for p in added] == [(3, "Summary"), (8, "History")]
    assert added[1]["gridProperties"]["frozenRowCount"] == 1
    (append,) = [r["appendCells"] for r in plan.requests if "appendCells" in r]
    assert append["sheetId"] == 8
    assert append["fields"] == "userEnteredValue,userEnteredFormat"
    rows = append["rows"]
    assert len(rows) == 1 + 3  # header, then the total and two groups
    assert rows[0]["values"][0]["userEnteredValue"] == {"stringValue": "Classified at (UTC)"}
    plan_cell = rows[1]["values"][3]
    assert plan_cell["userEnteredFormat"]["numberFormat"]["pattern"] == '"€"#,##0.00'
    assert plan.history_size == (4 + HISTORY_SPARE_ROWS, 26)
    # the widths of the new tab's columns are set too
    widths = [
        r["updateDimensionProperties"]["range"]["sheetId"]
        for r in plan.requests
        if "updateDimensionProperties" in r
    ]
    assert 8 in widths


def test_history_rows_are_appended_to_an_existing_tab_without_a_header() -> None:
    res = replace(result(), options=ClassifyOptions(history_tab="History"))
    sheet = summary(res)
    target = Target(8, "History", exists=True, row_count=40, column_count=5)
    plan = plan_write(
        sheet, Target(3, "Summary", exists=True, row_count=100, column_count=26), target
    )
    history = [r for r in plan.requests if r.get(next(iter(r)), {}).get("sheetId") == 8]
    assert kinds(history) == ["appendDimension", "appendDimension", "appendCells"]
    assert history[0]["appendDimension"] == {"sheetId": 8, "dimension": "ROWS", "length": 3}
    assert history[1]["appendDimension"] == {"sheetId": 8, "dimension": "COLUMNS", "length": 5}
    rows = history[2]["appendCells"]["rows"]
    assert [r["values"][2]["userEnteredValue"]["stringValue"] for r in rows] == [
        "Total",
        "AMER",
        "EMEA",
    ]
    assert plan.history_size == (43, 10)
    assert "addSheet" not in kinds(plan.requests)
    assert not any(
        "updateCells" in r and r["updateCells"].get("range", {}).get("sheetId") == 8
        for r in plan.requests
    )


def test_history_rows_need_the_history_tab() -> None:
    res = replace(result(), options=ClassifyOptions(history_tab="History"))
    with pytest.raises(ValueError, match="History"):
        plan_write(summary(res), Target(3, "Summary", exists=False))
    assert plan_write(summary(result()), Target(3, "Summary", exists=False)).history_size is None


def test_text_beside_text_outside_the_table_wraps_instead_of_widening_the_table() -> None:
    sheet = summary(replace(rich_result(), issues=(issue(7),)))
    names = list(sheet.header)
    widths = dict(zip(names, column_widths(sheet), strict=True))
    # the data issue's value "a very long value…" sits under Label
    assert widths["Label"] <= BLOCK_TEXT_WIDTH
    rows = grid_rows(sheet)
    values = [[c.get("userEnteredValue", {}).get("stringValue") for c in row] for row in rows]
    at = next(i for i, r in enumerate(values) if r[:2] == ["Error", "Bookings"])
    value = rows[at][4]
    assert value["userEnteredValue"] == {"stringValue": LONG}
    assert value["userEnteredFormat"]["wrapStrategy"] == "WRAP"
    message = rows[at][5]  # the last cell of its row overflows to the right instead
    assert "wrapStrategy" not in message.get("userEnteredFormat", {})
    table = rows[sheet.header_row : sheet.header_row + 1 + len(sheet.table)]
    assert not any("wrapStrategy" in c.get("userEnteredFormat", {}) for r in table for c in r)
