"""A :class:`~sheets_adapter.port.SummarySheet` as the requests of one ``spreadsheets.batchUpdate``.

Pure: builds JSON-able dicts, sends nothing. The batch, applied atomically by the API:

1. the tab: ``addSheet`` with a chosen free ``sheetId`` (size and frozen rows set at
   once) when it is missing; otherwise ``deleteEmbeddedObject`` for each chart on it
   (so charts never pile up), ``updateCells`` with ``fields: "*"`` over the whole grid
   (values and formats cleared), ``updateSheetProperties`` for the frozen rows and
   ``appendDimension`` when the grid is too small;
2. ``updateCells`` with every row: strings as ``stringValue`` (never a formula, whatever
   they start with), numbers as ``numberValue``, formats by :class:`CellKind` (amounts
   with the reporting currency's symbol);
3. ``updateDimensionProperties`` for column widths;
4. ``addChart`` of the total's plan vs bookings, right of the table, when there are at
   least two points and the first table rows are those points (as ``build_summary``
   writes them: company total first, columns ``Quarter``, ``Plan``, ``Bookings``);
5. with ``summary.history``, the History tab: ``addSheet`` (header row frozen) when it
   is missing (with :data:`HISTORY_SPARE_ROWS` blank rows under the log), else
   ``appendDimension`` of as many rows as are appended (so the tab's size stays known
   without reading it), then ``appendCells``, which Google writes after the tab's last
   row with data: nothing already there is overwritten.

Frozen rows: the table's header and everything above it (the "This quarter so far"
block) when that is at most :data:`MAX_FROZEN_ROWS` rows; a longer block is not frozen
(it would fill the screen), and then nothing is.

Callers add their own requests to :attr:`WritePlan.requests` (a list) before sending.

After the Summary tab's own requests (1), the mark of a Summary of ours when the tab lacks
it: ``createDeveloperMetadata`` on the sheet, key
:data:`~sheets_adapter.metadata.SUMMARY_MARK`, the ``sheetId`` as the value (and
``deleteDeveloperMetadata`` of marks a ``duplicateSheet`` copied there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.classification.money import symbol
from sheets_adapter.metadata import HISTORY_MARK, SUMMARY_MARK
from sheets_adapter.port import CellKind, HistoryRows, Row, SummaryCell, SummarySheet

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
TITLE_FONT_SIZE = 12

CHART_WIDTH = 640
CHART_HEIGHT = 360
MAX_FROZEN_ROWS = 12
HISTORY_SPARE_ROWS = 100  # blank rows under a new History tab's log, as a new tab has
MIN_WIDTH, MAX_WIDTH, FOOTER_MAX_WIDTH, PX_PER_CHAR = 64, 480, 240, 7
#: text outside the table that cannot overflow widens its column at most this far, and
#: wraps beyond it (a long header name in "How this was read" must not widen the table)
BLOCK_TEXT_WIDTH = 160
WIDE_COLUMNS = {"notes": 260, "recommended action": 360, "flags": 200, "why": 300}


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
    marked: bool = False  # it carries our mark already
    stale_marks: tuple[int, ...] = ()  # metadataIds of marks copied from another tab


def verdict_colours(value: object) -> tuple[Json, Json]:
    key = "".join(ch for ch in str(value or "").casefold() if ch.isalpha())
    return VERDICT_COLOURS.get(key, OTHER_VERDICT)


def currency_format(currency: str | None) -> Json:
    """The number format of an amount in ``currency`` (an ISO code): its symbol as a
    quoted literal (``"€"#,##0.00``, ``"CHF "#,##0.00``), which Sheets shows the same in
    every locale. Unknown (None): no pattern, so the spreadsheet's locale picks it."""
    if not currency:
        return dict(NUMBER_FORMATS[CellKind.CURRENCY])
    sign = symbol(currency).replace('"', "")
    return {"type": "CURRENCY", "pattern": f'"{sign}"#,##0.00'}


def number_format(kind: CellKind, currency: str | None = None) -> Json | None:
    if kind is CellKind.CURRENCY:
        return currency_format(currency)
    found = NUMBER_FORMATS.get(kind)
    return dict(found) if found is not None else None


def cell_data(cell: SummaryCell, currency: str | None = None, *, wrap: bool = False) -> Json:
    """One ``CellData``: typed value plus format (``wrap``: text wraps in its cell)."""
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
    pattern = number_format(cell.kind, currency)
    if pattern is not None and isinstance(value, int | float):
        fmt["numberFormat"] = pattern
    text: Json = {}
    if cell.bold or cell.kind in (CellKind.HEADER, CellKind.TITLE):
        text["bold"] = True
    if cell.kind is CellKind.TITLE:
        text["fontSize"] = TITLE_FONT_SIZE
    if cell.kind is CellKind.HEADER:
        fmt["backgroundColor"] = dict(HEADER_BACKGROUND)
    if cell.kind is CellKind.VERDICT and value not in (None, ""):
        background, foreground = verdict_colours(value)
        fmt["backgroundColor"] = dict(background)
        text["foregroundColor"] = dict(foreground)
        fmt["horizontalAlignment"] = "CENTER"
    if text:
        fmt["textFormat"] = text
    if wrap:
        fmt["wrapStrategy"] = "WRAP"
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def _blocked(row: Row, col: int) -> bool:
    """Text that cannot overflow: the next cell of its row is filled."""
    cell = row[col]
    if not isinstance(cell.value, str) or cell.kind is CellKind.TITLE:
        return False
    return col + 1 < len(row) and row[col + 1].value not in (None, "")


def grid_rows(summary: SummarySheet) -> list[list[Json]]:
    """Every row from A1 (:meth:`SummarySheet.rows`) as ``CellData``; outside the table,
    text that cannot overflow wraps."""
    top, bottom = summary.header_row, summary.header_row + len(summary.table)
    out = []
    for r, row in enumerate(summary.rows()):
        inside = top <= r <= bottom
        out.append(
            [
                cell_data(c, summary.currency, wrap=not inside and _blocked(row, i))
                for i, c in enumerate(row)
            ]
        )
    return out


def frozen_rows(summary: SummarySheet) -> int:
    """The table's header and what is above it, when that is short enough to freeze."""
    rows = summary.header_row + 1
    return rows if rows <= MAX_FROZEN_ROWS else 0


def shown(cell: SummaryCell, currency: str | None = None) -> str:
    """Roughly the text Sheets shows for a cell, to size its column."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if cell.kind is CellKind.CURRENCY:
        return f"{symbol(currency)}{value:,.2f}"
    if cell.kind is CellKind.PERCENT:
        return f"{value * 100:.1f}%"
    if cell.kind is CellKind.DATETIME:
        return "2000-01-01 00:00 UTC"
    return f"{value:g}"


def _pixels(text: str) -> int:
    longest = max((len(line) for line in text.splitlines()), default=0)
    return PX_PER_CHAR * longest + 24


def _fits(pixels: int, row: Row, col: int, currency: str | None) -> int:
    """``pixels`` widened for a cell outside the table that cannot overflow into the next
    column: a number up to a cap, text (which wraps) up to a smaller one."""
    if col >= len(row) or row[col].value is None or row[col].kind is CellKind.TITLE:
        return pixels
    if not isinstance(row[col].value, str):
        return max(pixels, min(FOOTER_MAX_WIDTH, _pixels(shown(row[col], currency))))
    if _blocked(row, col):
        return max(pixels, min(BLOCK_TEXT_WIDTH, _pixels(shown(row[col], currency))))
    return pixels


def column_widths(summary: SummarySheet) -> list[int]:
    """Pixel widths that fit the header and the table, and the cells of the blocks above
    and below it that cannot overflow into the next column."""
    others = [*summary.above, *summary.footer]
    return widths_for(summary.header, summary.table, others, summary.currency)


def widths_for(
    header: Sequence[str], table: Sequence[Row], others: Sequence[Row], currency: str | None
) -> list[int]:
    """Widths for ``header`` and ``table`` rows, and ``others`` as :func:`_fits` says."""
    widths = []
    for col, name in enumerate(header):
        pixels = max(_pixels(name), WIDE_COLUMNS.get(name.strip().casefold(), 0))
        for row in table:
            if col < len(row):
                pixels = max(pixels, _pixels(shown(row[col], currency)))
        for row in others:
            pixels = _fits(pixels, row, col, currency)
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
    top = summary.header_row

    def source(col: int) -> Json:
        return {
            "sourceRange": {
                "sources": [
                    {
                        "sheetId": sheet_id,
                        "startRowIndex": top,
                        "endRowIndex": top + points + 1,
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
                            "rowIndex": top,
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
    """The batchUpdate's requests and the tabs' grid sizes once they are applied.

    ``history_size`` is the History tab's (rows, columns) after the write, when one is
    written."""

    requests: list[Json]
    row_count: int
    column_count: int
    has_chart: bool = False
    history_size: tuple[int, int] | None = None


def _add_sheet(target: Target, rows: int, columns: int, frozen: int) -> Json:
    props: Json = {
        "sheetId": target.sheet_id,
        "title": target.title,
        "gridProperties": {"rowCount": rows, "columnCount": columns, "frozenRowCount": frozen},
    }
    if target.index is not None:
        props["index"] = target.index
    return {"addSheet": {"properties": props}}


def _append_dimension(sheet_id: int, dimension: str, length: int) -> Json:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": length}}


def _widths(sheet_id: int, widths: Sequence[int]) -> list[Json]:
    return [
        {
            "updateDimensionProperties": {
                "range": {
                    "sheetId": sheet_id,
                    "dimension": "COLUMNS",
                    "startIndex": col,
                    "endIndex": col + 1,
                },
                "properties": {"pixelSize": pixels},
                "fields": "pixelSize",
            }
        }
        for col, pixels in enumerate(widths)
    ]


def _summary_tab(target: Target, size: tuple[int, int], frozen: int) -> list[Json]:
    """Make the tab ready: created, or emptied (charts, values, formats) and grown."""
    sid = target.sheet_id
    if not target.exists:
        return [_add_sheet(target, *size, frozen)]
    requests: list[Json] = [{"deleteEmbeddedObject": {"objectId": c}} for c in target.chart_ids]
    requests.append({"updateCells": {"range": {"sheetId": sid}, "fields": "*"}})
    if target.row_count < size[0]:
        requests.append(_append_dimension(sid, "ROWS", size[0] - target.row_count))
    if target.column_count < size[1]:
        requests.append(_append_dimension(sid, "COLUMNS", size[1] - target.column_count))
    requests.append(
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sid, "gridProperties": {"frozenRowCount": frozen}},
                "fields": "gridProperties.frozenRowCount",
            }
        }
    )
    return requests


def history_requests(
    history: HistoryRows, target: Target, currency: str | None
) -> tuple[list[Json], tuple[int, int]]:
    """The History tab's requests, and its (rows, columns) after them."""
    rows = list(history.rows)
    if not target.exists:
        rows.insert(0, tuple(SummaryCell(h, CellKind.HEADER) for h in history.header))
    width = max([len(history.header), *(len(r) for r in rows)])
    requests: list[Json] = []
    if not target.exists:
        size = (len(rows) + HISTORY_SPARE_ROWS, max(width, 26))
        requests.append(_add_sheet(target, *size, frozen=1))
        requests.append(_mark(target.sheet_id, HISTORY_MARK))  # ours: later runs append
        widths = widths_for(history.header, history.rows, [], currency)
        requests += _widths(target.sheet_id, widths)
    else:
        size = (target.row_count + len(rows), max(target.column_count, width))
        requests.append(_append_dimension(target.sheet_id, "ROWS", len(rows)))
        if target.column_count < width:
            requests.append(
                _append_dimension(target.sheet_id, "COLUMNS", width - target.column_count)
            )
    requests.append(
        {
            "appendCells": {
                "sheetId": target.sheet_id,
                "rows": [{"values": [cell_data(c, currency) for c in row]} for row in rows],
                "fields": "userEnteredValue,userEnteredFormat",
            }
        }
    )
    return requests, size


def plan_write(summary: SummarySheet, target: Target, history: Target | None = None) -> WritePlan:
    """The requests of the one batchUpdate that writes ``summary`` into ``target`` (and
    appends ``summary.history`` to ``history``, the History tab)."""
    if summary.history is not None and history is None:
        raise ValueError("the Summary has History rows: the History tab's target is needed")
    rows = grid_rows(summary)
    chart = chart_request(summary, target.sheet_id)
    need_rows = max(len(rows) + 1, summary.header_row + 2)
    widest = max([len(summary.header)] + [len(r) for r in rows])
    need_cols = max(widest, len(summary.header) + 2 if chart else 0)
    size = (max(target.row_count, need_rows), max(target.column_count, need_cols))
    if not target.exists:
        size = (max(need_rows, 100), max(need_cols, 26))
    requests = _summary_tab(target, size, frozen_rows(summary))
    requests += mark_requests(target)
    requests.append(
        {
            "updateCells": {
                "start": {"sheetId": target.sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": row} if row else {} for row in rows],
                "fields": "userEnteredValue,userEnteredFormat",
            }
        }
    )
    requests += _widths(target.sheet_id, column_widths(summary))
    if chart is not None:
        requests.append(chart)
    history_size = None
    if summary.history is not None and history is not None:
        more, history_size = history_requests(summary.history, history, summary.currency)
        requests += more
    return WritePlan(requests, *size, has_chart=chart is not None, history_size=history_size)


def mark_requests(target: Target) -> list[Json]:
    """Mark the tab as a Summary of ours (unless it is), dropping marks copied there."""
    requests: list[Json] = [
        {
            "deleteDeveloperMetadata": {
                "dataFilter": {"developerMetadataLookup": {"metadataId": metadata_id}}
            }
        }
        for metadata_id in target.stale_marks
    ]
    if not target.marked:
        requests.append(_mark(target.sheet_id, SUMMARY_MARK))
    return requests


def _mark(sheet_id: int, key: str) -> Json:
    """The developer metadata that says the tab is ours (its own id as the value)."""
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": key,
                "metadataValue": str(sheet_id),
                "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT",
            }
        }
    }
