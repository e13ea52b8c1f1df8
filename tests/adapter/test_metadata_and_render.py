"""Pure request building: A1 ranges, chunk plans, and the Summary's batchUpdate body."""

from __future__ import annotations

import json
from typing import Any

from sheets_adapter.metadata import (
    SheetInfo,
    assemble,
    pack_batches,
    parse_metadata,
    plan_chunks,
    quote_sheet,
)
from sheets_adapter.port import CellKind, SummaryCell, SummarySheet
from sheets_adapter.render import Target, cell_data, column_widths, plan_write, verdict_colours
from sheets_adapter.transport import redirect, request_kind

EMU = "http://127.0.0.1:8765"


def test_sheet_names_are_quoted_for_a1() -> None:
    assert quote_sheet("Plan") == "'Plan'"
    assert quote_sheet("It's") == "'It''s'"
    assert quote_sheet("Q1 'FY25'!") == "'Q1 ''FY25''!'"


def test_row_chunks_name_the_last_column_in_letters() -> None:
    def last_column(columns: int) -> str:
        chunk = plan_chunks(SheetInfo(5, "W", row_count=2, column_count=columns), columns)[0]
        return chunk.a1.removeprefix("'W'!A1:").removesuffix("1")

    assert [last_column(n) for n in (1, 26, 27, 52, 53, 702, 703)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_small_tabs_are_read_whole_big_ones_in_row_chunks() -> None:
    small = SheetInfo(1, "Plan", row_count=1000, column_count=26)
    assert [c.a1 for c in plan_chunks(small, 400_000)] == ["'Plan'"]
    big = SheetInfo(2, "Book's", row_count=250, column_count=4)
    chunks = plan_chunks(big, 400)  # 100 rows of 4 columns per chunk
    assert [c.a1 for c in chunks] == [
        "'Book''s'!A1:D100",
        "'Book''s'!A101:D200",
        "'Book''s'!A201:D250",
    ]
    batches = pack_batches(
        [*plan_chunks(SheetInfo(3, "S", row_count=10, column_count=4), 400), *chunks], 400
    )
    assert [[c.a1 for c in b] for b in batches] == [
        ["'S'"],
        ["'Book''s'!A1:D100"],
        ["'Book''s'!A101:D200"],
        ["'Book''s'!A201:D250"],
    ]
    tiny = list(plan_chunks(SheetInfo(4, "T", row_count=5, column_count=2), 400))
    assert len(pack_batches(tiny * 3, 400)) == 1
    # a small whole tab rides along with the last block of a big one
    assert [[c.a1 for c in b] for b in pack_batches([*chunks, *tiny], 400)][-1] == [
        "'Book''s'!A201:D250",
        "'T'",
    ]


def test_chunks_reassemble_with_empty_rows_at_chunk_ends() -> None:
    chunks = plan_chunks(SheetInfo(2, "B", row_count=6, column_count=2), 4)  # 2 rows per chunk
    values: list[list[list[Any]]] = [[["h1", "h2"]], [], [["x", 1]]]
    assert assemble(chunks, values) == [["h1", "h2"], [], [], [], ["x", 1]]
    assert assemble(chunks, [[["h"]], [], []]) == [["h"]]


def test_metadata_parsing_and_case_insensitive_lookup() -> None:
    meta = parse_metadata(
        "abc",
        {
            "spreadsheetId": "abc",
            "properties": {"title": "Book"},
            "sheets": [
                {
                    "properties": {
                        "sheetId": 0,
                        "title": "Plan",
                        "index": 0,
                        "gridProperties": {"rowCount": 10, "columnCount": 3},
                    }
                },
                {
                    "properties": {"sheetId": 9, "title": "Summary", "index": 1},
                    "charts": [{"chartId": 5}, {"chartId": 6}],
                },
            ],
        },
    )
    assert meta.titles == ["Plan", "Summary"]
    assert meta.find("plan ").sheet_id == 0  # type: ignore[union-attr]
    summary = meta.find("Summary")
    assert summary is not None
    assert summary.chart_ids == (5, 6)
    assert meta.find("Bookings") is None


def summary_sheet(chart: bool = True) -> SummarySheet:
    header = ("Group", "Quarter", "Plan", "Bookings", "Verdict", "Notes")
    table: list[tuple[SummaryCell, ...]] = [
        (
            SummaryCell("Total"),
            SummaryCell("2025-Q1"),
            SummaryCell(100.0, CellKind.CURRENCY),
            SummaryCell(90.0, CellKind.CURRENCY),
            SummaryCell("Soft Miss", CellKind.VERDICT),
            SummaryCell(None),
        ),
        (
            SummaryCell("Total"),
            SummaryCell("2025-Q2"),
            SummaryCell(100.0, CellKind.CURRENCY),
            SummaryCell(120.0, CellKind.CURRENCY),
            SummaryCell("Beat", CellKind.VERDICT),
            SummaryCell("ok"),
        ),
        (
            SummaryCell('=IMPORTXML("http://x","//a")'),
            SummaryCell("2025-Q1"),
            SummaryCell(None, CellKind.CURRENCY),
            SummaryCell(5.0, CellKind.CURRENCY),
            SummaryCell("No Plan", CellKind.VERDICT),
            SummaryCell(None),
        ),
    ]
    footer: list[tuple[SummaryCell, ...]] = [
        (SummaryCell("Classified at (UTC)", bold=True), SummaryCell(46000.5, CellKind.DATETIME))
    ]
    points: list[tuple[str, float | None, float | None]] = (
        [("2025-Q1", 100.0, 90.0), ("2025-Q2", 100.0, 120.0)] if chart else []
    )
    return SummarySheet("Summary", header, table, footer, points)


def test_strings_are_string_values_never_formulas() -> None:
    for text in ('=IMPORTXML("http://x","//a")', "+1", "-1", "@SUM(A1)"):
        assert cell_data(SummaryCell(text)) == {"userEnteredValue": {"stringValue": text}}
    body = json.dumps(plan_write(summary_sheet(), Target(7, "Summary", exists=False)).requests)
    assert "formulaValue" not in body


def test_numbers_and_formats() -> None:
    cur = cell_data(SummaryCell(1234.5, CellKind.CURRENCY))
    assert cur["userEnteredValue"] == {"numberValue": 1234.5}
    assert cur["userEnteredFormat"]["numberFormat"]["type"] == "CURRENCY"
    pct = cell_data(SummaryCell(0.25, CellKind.PERCENT))
    assert pct["userEnteredFormat"]["numberFormat"] == {"type": "PERCENT", "pattern": "0.0%"}
    when = cell_data(SummaryCell(46000.5, CellKind.DATETIME))
    assert when["userEnteredFormat"]["numberFormat"]["type"] == "DATE_TIME"
    assert cell_data(SummaryCell(None, CellKind.CURRENCY)) == {}
    assert cell_data(SummaryCell(float("inf"))) == {"userEnteredValue": {"stringValue": "n/a"}}


def luminance(colour: dict[str, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour.get(k, 0.0)) for k in ("red", "green", "blue"))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_verdict_colours_are_distinct_and_readable() -> None:
    fills = {}
    for text in ("Beat", "Soft Miss", "Hard Miss", "No Plan", "NO_BASELINE", "HARD_MISS"):
        background, foreground = verdict_colours(text)
        light, dark = sorted((luminance(background), luminance(foreground)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, text  # WCAG AA for normal text
        fills[text] = background
    assert fills["Hard Miss"] == fills["HARD_MISS"]
    assert fills["No Plan"] == fills["NO_BASELINE"]
    assert len({json.dumps(fills[t]) for t in ("Beat", "Soft Miss", "Hard Miss", "No Plan")}) == 4
    assert fills["Hard Miss"]["red"] > fills["Hard Miss"]["green"]
    assert fills["Beat"]["green"] > fills["Beat"]["red"]


def test_a_new_tab_is_added_with_its_id_size_and_frozen_header() -> None:
    plan = plan_write(summary_sheet(), Target(4242, "Summary", exists=False, index=2))
    kinds = [next(iter(r)) for r in plan.requests]
    assert kinds[0] == "addSheet"
    props = plan.requests[0]["addSheet"]["properties"]
    assert props["sheetId"] == 4242
    assert props["title"] == "Summary"
    assert props["index"] == 2
    assert props["gridProperties"]["frozenRowCount"] == 1
    assert "updateCells" in kinds
    assert "updateDimensionProperties" in kinds
    assert kinds[-1] == "addChart"
    anchor = plan.requests[-1]["addChart"]["chart"]["position"]["overlayPosition"]["anchorCell"]
    assert anchor == {"sheetId": 4242, "rowIndex": 0, "columnIndex": 7}
    assert plan.has_chart
    assert plan.column_count >= 8
    cells = next(r for r in plan.requests if "updateCells" in r and "rows" in r["updateCells"])
    rows = cells["updateCells"]["rows"]
    assert rows[0]["values"][0]["userEnteredFormat"]["textFormat"]["bold"] is True
    assert rows[4] == {}  # the blank row between table and footer


def test_an_existing_tab_is_cleared_and_its_old_charts_deleted() -> None:
    target = Target(9, "Summary", exists=True, row_count=3, column_count=5, chart_ids=(11, 12))
    plan = plan_write(summary_sheet(), target)
    kinds = [next(iter(r)) for r in plan.requests]
    assert kinds[:3] == ["deleteEmbeddedObject", "deleteEmbeddedObject", "updateCells"]
    assert plan.requests[2]["updateCells"] == {"range": {"sheetId": 9}, "fields": "*"}
    appends = [r["appendDimension"] for r in plan.requests if "appendDimension" in r]
    assert {(a["dimension"], a["length"]) for a in appends} == {("ROWS", 4), ("COLUMNS", 3)}
    assert (plan.row_count, plan.column_count) == (7, 8)
    assert "addSheet" not in kinds
    assert "deleteSheet" not in kinds


def test_no_chart_without_two_points_or_when_rows_do_not_match() -> None:
    plan = plan_write(summary_sheet(chart=False), Target(1, "Summary", exists=False))
    assert not plan.has_chart
    sheet = summary_sheet()
    sheet.chart[1] = ("2025-Q2", 100.0, 999.0)  # not what the table holds
    assert not plan_write(sheet, Target(1, "Summary", exists=False)).has_chart


def test_column_widths_fit_numbers_and_bounded() -> None:
    widths = column_widths(summary_sheet())
    assert all(64 <= w <= 480 for w in widths)
    assert widths[1] >= 7 * len("2000-01-01 00:00 UTC")  # the run time in column B shows whole


def test_redirect_sends_google_hosts_to_the_emulator_only() -> None:
    assert (
        redirect("https://sheets.googleapis.com/v4/spreadsheets/x", EMU)
        == f"{EMU}/v4/spreadsheets/x"
    )
    assert redirect("https://www.googleapis.com/drive/v3/files", EMU) == f"{EMU}/drive/v3/files"
    assert redirect("https://oauth2.googleapis.com/token", EMU) == f"{EMU}/token"
    assert redirect("https://sheets.googleapis.com.evil.test/x", EMU).startswith("https://sheets")
    assert (
        redirect("https://sheets.googleapis.com/v4/x", None) == "https://sheets.googleapis.com/v4/x"
    )


def test_request_kinds() -> None:
    base = "https://sheets.googleapis.com/v4/spreadsheets/abc"
    assert request_kind(base + "?includeGridData=false") == "get"
    assert request_kind(base + "/values:batchGet?ranges=x") == "values.batchGet"
    assert request_kind(base + ":batchUpdate") == "batchUpdate"
    assert request_kind("http://127.0.0.1/token") == "token"
