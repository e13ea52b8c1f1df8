"""A :class:`~sheets_adapter.port.SummarySheet` as the requests of one ``spreadsheets.batchUpdate``.

Pure: builds JSON-able dicts, sends nothing. The batch, applied atomically by the API:

1. the tab: ``addSheet`` with a chosen free ``sheetId`` (size and frozen header row set
   at once) when it is missing; otherwise ``deleteEmbeddedObject`` for each chart on it
   (so charts never pile up), ``updateCells`` with ``fields: "*"`` over the whole grid
   (values and formats cleared), ``updateSheetProperties`` for the frozen header row and
   ``appendDimension`` when the grid is too small;
2. ``updateCells`` with every row: strings as ``stringValue`` (never a formula, whatever
   they start with), numbers as ``numberValue``, formats by :class:`CellKind`;
3. ``updateDimensionProperties`` for column widths;
4. ``addChart`` of the total's plan vs bookings, right of the table, when there are at
   least two points and the first table rows are those points (as ``build_summary``
   writes them: company total first, columns ``Quarter``, ``Plan``, ``Bookings``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sheets_adapter.port import CellKind, SummaryCell, SummarySheet

Json = dict[str, Any]

HEADER_BACKGROUND = {"red": 0.851, "green": 0.851, "blue": 0.851}

#: verdict (normalised text) -> (background, text colour); dark text on light fills
#: keeps a contrast ratio above 7:1 for each.
VERDICT_COLOURS: dict[str, tuple[Json, Json]] = {
    "beat": (
        {"red": 0.718, "green": 0.882, "blue": 0.804},
        {"red": 0.051, "green": 0.325, "blue": 0.133},
    ),
    "softmiss": (
        {"red": 0.988, "green": 0.910, "blue": 0.698},
        {"red": 0.416, "green": 0.259, "blue": 0.0},
    ),
    "hardmiss": (
        {"red": 0.957, "green": 0.780, "blue": 0.765},
        {"red": 0.537, "green": 0.047, "blue": 0.047},
    ),
}
OTHER_VERDICT = (
    {"red": 0.910, "green": 0.918, "blue": 0.929},
    {"red": 0.235, "green": 0.251, "blue": 0.263},
)

NUMBER_FORMATS: dict[CellKind, Json] = {
    # no pattern: the spreadsheet's locale picks the currency symbol
    CellKind.CURRENCY: {"type": "CURRENCY"},
    CellKind.PERCENT: {"type": "PERCENT", "pattern": "0.0%"},
    CellKind.DATETIME: {"type": "DATE_TIME", "pattern": 'yyyy-mm-dd hh:mm "UTC"'},
}

CHART_WIDTH = 640
CHART_HEIGHT = 360
MIN_WIDTH, MAX_WIDTH, FOOTER_MAX_WIDTH, PX_PER_CHAR = 64, 480, 240, 7
WIDE_COLUMNS = {"notes": 260, "recommended action": 360, "flags": 200}


@dataclass(frozen=True)
class Target:
    """Where the Summary goes: an existing tab (with its size and charts) or a new one."""

    sheet_id: int
    title: str
    exists: bool
    row_count: int = 0
    column_count: int = 0
    chart_ids: tuple[int, ...] = ()
    index: int | None = None  # position for a new tab (None: last)


def verdict_colours(value: object) -> tuple[Json, Json]:
    key = "".join(ch for ch in str(value or "").casefold() if ch.isalpha())
    return VERDICT_COLOURS.get(key, OTHER_VERDICT)


def cell_data(cell: SummaryCell, *, header: bool = False) -> Json:
    """One ``CellData``: typed value plus format."""
    data: Json = {}
    value = cell.value
    if isinstance(value, int | float):
        if math.isfinite(value):
            data["userEnteredValue"] = {"numberValue": float(value)}
        else:
            data["userEnteredValue"] = {"stringValue": "n/a"}
    elif isinstance(value, str) and value != "":
        data["userEnteredValue"] = {"stringValue": value}
    fmt: Json = {}
    if cell.kind in NUMBER_FORMATS and isinstance(value, int | float):
        fmt["numberFormat"] = dict(NUMBER_FORMATS[cell.kind])
    text: Json = {}
    if cell.bold or header:
        text["bold"] = True
    if header:
        fmt["backgroundColor"] = dict(HEADER_BACKGROUND)
    if cell.kind is CellKind.VERDICT and value not in (None, ""):
        background, foreground = verdict_colours(value)
        fmt["backgroundColor"] = dict(background)
        text["foregroundColor"] = dict(foreground)
        fmt["horizontalAlignment"] = "CENTER"
    if text:
        fmt["textFormat"] = text
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def grid_rows(summary: SummarySheet) -> list[list[Json]]:
    """Header, table, one blank row, footer: the cells of every row from A1."""
    rows = [[cell_data(SummaryCell(h), header=True) for h in summary.header]]
    rows += [[cell_data(c) for c in row] for row in summary.table]
    if summary.footer:
        rows.append([])
        rows += [[cell_data(c) for c in row] for row in summary.footer]
    return rows


def shown(cell: SummaryCell) -> str:
    """Roughly the text Sheets shows for a cell, to size its column."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if cell.kind is CellKind.CURRENCY:
        return f"$ {value:,.2f}"
    if cell.kind is CellKind.PERCENT:
        return f"{value * 100:.1f}%"
    if cell.kind is CellKind.DATETIME:
        return "2000-01-01 00:00 UTC"
    return f"{value:g}"


def _pixels(text: str) -> int:
    longest = max((len(line) for line in text.splitlines()), default=0)
    return PX_PER_CHAR * longest + 24


def column_widths(summary: SummarySheet) -> list[int]:
    """Pixel widths that fit the header and table, and the footer cells that cannot
    overflow into the next column (numbers, and text followed by a filled cell)."""
    widths = []
    for col, header in enumerate(summary.header):
        pixels = max(_pixels(header), WIDE_COLUMNS.get(header.strip().casefold(), 0))
        for row in summary.table:
            if col < len(row):
                pixels = max(pixels, _pixels(shown(row[col])))
        for row in summary.footer:
            if col >= len(row) or row[col].value is None:
                continue
            blocked = col + 1 < len(row) and row[col + 1].value not in (None, "")
            if not isinstance(row[col].value, str) or blocked:
                pixels = max(pixels, min(FOOTER_MAX_WIDTH, _pixels(shown(row[col]))))
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, pixels)))
    return widths


def chart_rows(summary: SummarySheet) -> tuple[int, int, int, int] | None:
    """(rows, quarter col, plan col, bookings col) when the chart's points are the first
    table rows, else None (then no chart is drawn)."""
    if len(summary.chart) < 2:
        return None
    names = [h.strip().casefold() for h in summary.header]
    try:
        cols = names.index("quarter"), names.index("plan"), names.index("bookings")
    except ValueError:
        return None
    if len(summary.table) < len(summary.chart):
        return None
    for row, (quarter, plan, bookings) in zip(summary.table, summary.chart, strict=False):
        if max(cols) >= len(row) or row[cols[0]].value != quarter:
            return None
        if row[cols[1]].value != plan or row[cols[2]].value != bookings:
            return None
    return (len(summary.chart), *cols)


def chart_request(summary: SummarySheet, sheet_id: int) -> Json | None:
    found = chart_rows(summary)
    if found is None:
        return None
    points, q_col, plan_col, book_col = found

    def source(col: int) -> Json:
        return {
            "sourceRange": {
                "sources": [
                    {
                        "sheetId": sheet_id,
                        "startRowIndex": 0,
                        "endRowIndex": points + 1,
                        "startColumnIndex": col,
                        "endColumnIndex": col + 1,
                    }
                ]
            }
        }

    return {
        "addChart": {
            "chart": {
                "spec": {
                    "title": "Total: plan vs bookings",
                    "basicChart": {
                        "chartType": "LINE",
                        "legendPosition": "BOTTOM_LEGEND",
                        "headerCount": 1,
                        "axis": [
                            {"position": "BOTTOM_AXIS", "title": "Quarter"},
                            {"position": "LEFT_AXIS", "title": "Amount"},
                        ],
                        "domains": [{"domain": source(q_col)}],
                        "series": [
                            {"series": source(plan_col), "targetAxis": "LEFT_AXIS"},
                            {"series": source(book_col), "targetAxis": "LEFT_AXIS"},
                        ],
                    },
                },
                "position": {
                    "overlayPosition": {
                        "anchorCell": {
                            "sheetId": sheet_id,
                            "rowIndex": 0,
                            "columnIndex": len(summary.header) + 1,
                        },
                        "widthPixels": CHART_WIDTH,
                        "heightPixels": CHART_HEIGHT,
                    }
                },
            }
        }
    }


@dataclass(frozen=True)
class WritePlan:
    """The batchUpdate's requests and the tab's grid size once they are applied."""

    requests: list[Json]
    row_count: int
    column_count: int
    has_chart: bool = False


def plan_write(summary: SummarySheet, target: Target) -> WritePlan:
    rows = grid_rows(summary)
    chart = chart_request(summary, target.sheet_id)
    need_rows = max(len(rows) + 1, 2)
    widest = max([len(summary.header)] + [len(r) for r in rows])
    need_cols = max(widest, len(summary.header) + 2 if chart else 0)
    sid = target.sheet_id
    requests: list[Json] = []
    size = (max(target.row_count, need_rows), max(target.column_count, need_cols))
    if not target.exists:
        size = (max(need_rows, 100), max(need_cols, 26))
        props: Json = {
            "sheetId": sid,
            "title": target.title,
            "gridProperties": {
                "rowCount": size[0],
                "columnCount": size[1],
                "frozenRowCount": 1,
            },
        }
        if target.index is not None:
            props["index"] = target.index
        requests.append({"addSheet": {"properties": props}})
    else:
        requests += [{"deleteEmbeddedObject": {"objectId": cid}} for cid in target.chart_ids]
        requests.append({"updateCells": {"range": {"sheetId": sid}, "fields": "*"}})
        if target.row_count < need_rows:
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": sid,
                        "dimension": "ROWS",
                        "length": need_rows - target.row_count,
                    }
                }
            )
        if target.column_count < need_cols:
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": sid,
                        "dimension": "COLUMNS",
                        "length": need_cols - target.column_count,
                    }
                }
            )
        requests.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": sid, "gridProperties": {"frozenRowCount": 1}},
                    "fields": "gridProperties.frozenRowCount",
                }
            }
        )
    requests.append(
        {
            "updateCells": {
                "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": row} if row else {} for row in rows],
                "fields": "userEnteredValue,userEnteredFormat",
            }
        }
    )
    for col, pixels in enumerate(column_widths(summary)):
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sid,
                        "dimension": "COLUMNS",
                        "startIndex": col,
                        "endIndex": col + 1,
                    },
                    "properties": {"pixelSize": pixels},
                    "fields": "pixelSize",
                }
            }
        )
    if chart is not None:
        requests.append(chart)
    return WritePlan(requests, *size, has_chart=chart is not None)
