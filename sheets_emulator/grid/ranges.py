"""Resolving ranges against a spreadsheet: A1 text and ``GridRange`` objects to sheet windows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sheets_emulator.errors import InvalidArgument
from sheets_emulator.grid import a1
from sheets_emulator.grid.model import Sheet, Spreadsheet


@dataclass(frozen=True)
class Window:
    """A rectangle of one sheet, zero-based, end-exclusive, within the grid."""

    sheet: Sheet
    r0: int
    r1: int
    c0: int
    c1: int

    @property
    def a1(self) -> str:
        return a1.format_range(self.sheet.title, self.r0, self.r1, self.c0, self.c1)


def unparsable(text: str) -> InvalidArgument:
    return InvalidArgument(f"Unable to parse range: {text}")


def exceeds(sheet: Sheet, requested: str) -> InvalidArgument:
    return InvalidArgument(
        f"Range ({requested}) exceeds grid limits. Max rows: {sheet.row_count}, "
        f"max columns: {sheet.col_count}"
    )


def _named(spreadsheet: Spreadsheet, name: str) -> tuple[Sheet, a1.Bounds] | None:
    for named in spreadsheet.named_ranges:
        if named.get("name", "").casefold() == name.casefold():
            grid = named.get("range", {})
            sheet = spreadsheet.sheet_by_id(int(grid.get("sheetId", 0)))
            if sheet is None:
                return None
            return sheet, a1.Bounds(
                int(grid.get("startRowIndex", 0)),
                grid.get("endRowIndex"),
                int(grid.get("startColumnIndex", 0)),
                grid.get("endColumnIndex"),
            )
    return None


def resolve(spreadsheet: Spreadsheet, text: str) -> tuple[Sheet, a1.Bounds | None]:
    """The sheet and bounds an A1 range names (``None`` bounds: the whole sheet)."""
    try:
        parsed = a1.parse(text)
    except a1.A1Error:
        raise unparsable(text) from None
    if parsed.name is not None:
        if parsed.sheet is None:
            sheet = spreadsheet.sheet_by_title(parsed.name)
            if sheet is not None:
                return sheet, None
        named = _named(spreadsheet, parsed.name)
        if named is None:
            raise unparsable(text)
        if parsed.sheet is not None and spreadsheet.sheet_by_title(parsed.sheet) is not named[0]:
            raise unparsable(text)
        return named
    if parsed.sheet is None:
        return spreadsheet.sheets[0], parsed.bounds
    sheet = spreadsheet.sheet_by_title(parsed.sheet)
    if sheet is None:
        raise unparsable(text)
    return sheet, parsed.bounds


def read_window(spreadsheet: Spreadsheet, text: str) -> Window:
    """The window a read covers: open ends run to the grid's edge; a range that starts
    outside the grid is the API's 400, one that ends outside it is clipped."""
    sheet, bounds = resolve(spreadsheet, text)
    if bounds is None:
        return Window(sheet, 0, sheet.row_count, 0, sheet.col_count)
    if bounds.start_row >= sheet.row_count or bounds.start_col >= sheet.col_count:
        raise exceeds(sheet, a1.format_requested(sheet.title, bounds))
    r1 = sheet.row_count if bounds.end_row is None else min(bounds.end_row, sheet.row_count)
    c1 = sheet.col_count if bounds.end_col is None else min(bounds.end_col, sheet.col_count)
    return Window(sheet, bounds.start_row, r1, bounds.start_col, c1)


def grid_window(
    spreadsheet: Spreadsheet, grid: dict[str, Any], *, what: str = "sheet"
) -> Window | str:
    """A ``GridRange`` object as a window, or the error text when its sheet is unknown or it
    leaves the grid."""
    sheet_id = int(grid.get("sheetId", 0) or 0)
    sheet = spreadsheet.sheet_by_id(sheet_id)
    if sheet is None:
        return f"No grid with id: {sheet_id}"
    r0 = int(grid.get("startRowIndex", 0) or 0)
    c0 = int(grid.get("startColumnIndex", 0) or 0)
    r1 = grid.get("endRowIndex")
    c1 = grid.get("endColumnIndex")
    r1 = sheet.row_count if r1 is None else int(r1)
    c1 = sheet.col_count if c1 is None else int(c1)
    if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0:
        return f"Invalid range: start index must be less than end index ({what})"
    if r1 > sheet.row_count or c1 > sheet.col_count:
        return (
            f"Range ({a1.format_range(sheet.title, r0, max(r1, r0 + 1), c0, max(c1, c0 + 1))}) "
            f"exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
        )
    return Window(sheet, r0, r1, c0, c1)


def grid_range_json(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    """A ``GridRange`` as the API prints it: ``sheetId`` 0 is omitted (proto3 default)."""
    out: dict[str, int] = {}
    if sheet_id:
        out["sheetId"] = sheet_id
    out.update(
        {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
    )
    return out
