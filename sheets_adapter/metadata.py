"""A spreadsheet's tab list, A1 ranges over it, and how a big tab is split into chunks.

Pure functions over the JSON of ``spreadsheets.get``: no I/O. The metadata request asks
only for the fields in :data:`METADATA_FIELDS`, among them each tab's developer metadata:
a Summary this product wrote carries the mark :data:`SUMMARY_MARK` with its own
``sheetId`` as the value (``duplicateSheet`` copies metadata, so a copy carries the
original's id and is not taken for a Summary of ours).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from gspread.utils import rowcol_to_a1

METADATA_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "charts(chartId),developerMetadata(metadataId,metadataKey,metadataValue))"
)
#: The developer-metadata key that marks a tab as a Summary written by this product.
SUMMARY_MARK = "sales-verdicts:summary"
#: The key that marks a History tab this product created (it appends only to such a tab).
HISTORY_MARK = "sales-verdicts:history"


@dataclass(frozen=True)
class SheetInfo:
    sheet_id: int
    title: str
    index: int = 0
    row_count: int = 1000
    column_count: int = 26
    chart_ids: tuple[int, ...] = ()
    # (metadataId, metadataValue) of each SUMMARY_MARK on the tab
    marks: tuple[tuple[int, str], ...] = ()
    # the same, of each HISTORY_MARK
    history_marks: tuple[tuple[int, str], ...] = ()

    @property
    def cells(self) -> int:
        return self.row_count * self.column_count

    @property
    def is_our_summary(self) -> bool:
        """The tab carries our mark with its own id (a copy's mark names its original)."""
        return any(value == str(self.sheet_id) for _, value in self.marks)

    @property
    def is_our_history(self) -> bool:
        """The tab carries our History mark with its own id."""
        return any(value == str(self.sheet_id) for _, value in self.history_marks)

    @property
    def stale_marks(self) -> tuple[int, ...]:
        """Ids of marks copied here from another tab (by ``duplicateSheet``)."""
        return tuple(mid for mid, value in self.marks if value != str(self.sheet_id))


@dataclass(frozen=True)
class SpreadsheetMeta:
    spreadsheet_id: str
    title: str
    sheets: tuple[SheetInfo, ...]
    locale: str | None = None  # properties.locale, e.g. "en_GB": how text dates are read
    time_zone: str | None = None  # properties.timeZone, e.g. "Europe/London": what "today" is

    @property
    def titles(self) -> list[str]:
        return [s.title for s in self.sheets]

    @property
    def sheet_ids(self) -> dict[str, int]:
        return {s.title: s.sheet_id for s in self.sheets}

    def find(self, title: str) -> SheetInfo | None:
        """The tab named ``title``: exactly, else the one tab equal to it ignoring case and
        surrounding spaces (Sheets keeps tab names unique regardless of case)."""
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        key = title.strip().casefold()
        found = [s for s in self.sheets if s.title.strip().casefold() == key]
        return found[0] if len(found) == 1 else None

    def with_sheet(self, info: SheetInfo) -> SpreadsheetMeta:
        """A copy where ``info`` replaces the tab with its id (or is added)."""
        others = tuple(s for s in self.sheets if s.sheet_id != info.sheet_id)
        return replace(self, sheets=(*others, info))


def parse_metadata(spreadsheet_id: str, data: Mapping[str, Any]) -> SpreadsheetMeta:
    sheets = []
    for position, sheet in enumerate(data.get("sheets") or ()):
        props = sheet.get("properties") or {}
        grid = props.get("gridProperties") or {}
        sheets.append(
            SheetInfo(
                sheet_id=int(props.get("sheetId", 0)),
                title=str(props.get("title", "")),
                index=int(props.get("index", position)),
                row_count=int(grid.get("rowCount", 1000)),
                column_count=int(grid.get("columnCount", 26)),
                chart_ids=tuple(
                    int(chart["chartId"])
                    for chart in sheet.get("charts") or ()
                    if "chartId" in chart
                ),
                marks=_marks(sheet.get("developerMetadata") or ()),
                history_marks=_marks(sheet.get("developerMetadata") or (), HISTORY_MARK),
            )
        )
    properties = data.get("properties") or {}
    return SpreadsheetMeta(
        str(data.get("spreadsheetId", spreadsheet_id)),
        str(properties.get("title", "")),
        tuple(sheets),
        locale=_text_or_none(properties.get("locale")),
        time_zone=_text_or_none(properties.get("timeZone")),
    )


def _text_or_none(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _marks(
    metadata: Iterable[Mapping[str, Any]], key: str = SUMMARY_MARK
) -> tuple[tuple[int, str], ...]:
    return tuple(
        (int(item["metadataId"]), str(item.get("metadataValue", "")))
        for item in metadata
        if item.get("metadataKey") == key and "metadataId" in item
    )


def quote_sheet(title: str) -> str:
    """A sheet name for A1 notation: always quoted, quotes doubled (``'It''s'``)."""
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class RangeChunk:
    """One range of a ``values.batchGet``: a whole tab, or a block of its rows."""

    title: str
    a1: str
    cells: int
    first_row: int = 1  # 1-based
    rows: int | None = None  # None: the whole tab


def plan_chunks(sheet: SheetInfo, chunk_cells: int) -> list[RangeChunk]:
    """The ranges that read ``sheet``: the whole tab when it has at most ``chunk_cells``
    cells, else blocks of rows of at most that many cells each."""
    name = quote_sheet(sheet.title)
    if sheet.cells <= chunk_cells:
        return [RangeChunk(sheet.title, name, sheet.cells)]
    width = max(1, sheet.column_count)
    per_chunk = max(1, chunk_cells // width)
    chunks = []
    for first in range(1, sheet.row_count + 1, per_chunk):
        last = min(sheet.row_count, first + per_chunk - 1)
        chunks.append(
            RangeChunk(
                sheet.title,
                f"{name}!A{first}:{rowcol_to_a1(last, width)}",
                (last - first + 1) * width,
                first_row=first,
                rows=last - first + 1,
            )
        )
    return chunks


def pack_batches(chunks: Iterable[RangeChunk], chunk_cells: int) -> list[list[RangeChunk]]:
    """Group ranges into batchGets of about ``chunk_cells`` cells each, in order.

    A whole tab of under a tenth of that rides along with the batch before it, so a
    small Plan tab next to a big Bookings tab costs no request of its own."""
    batches: list[list[RangeChunk]] = []
    size = 0
    for chunk in chunks:
        rider = chunk.rows is None and chunk.cells * 10 <= chunk_cells
        if batches and (rider or size + chunk.cells <= chunk_cells):
            batches[-1].append(chunk)
            size += chunk.cells
        else:
            batches.append([chunk])
            size = chunk.cells
    return batches


def assemble(chunks: Sequence[RangeChunk], values: Sequence[list[list[Any]]]) -> list[list[Any]]:
    """One tab's rows from its chunks' values (the API leaves out trailing empty rows of
    each chunk, so a chunk is padded to its full height when a later chunk has rows).
    The rows are the parsed ones, not copies: a tab at the cell limit has millions."""
    rows: list[list[Any]] = []
    for chunk, block in zip(chunks, values, strict=True):
        if block and chunk.rows is not None:
            expected = chunk.first_row - 1
            rows.extend([] for _ in range(expected - len(rows)))
        rows.extend(block)
    while rows and not rows[-1]:
        rows.pop()
    return rows
