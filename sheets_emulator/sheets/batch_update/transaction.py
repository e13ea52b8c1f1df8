"""The working copy a ``spreadsheets.batchUpdate`` changes, and helpers for its handlers.

A :class:`Transaction` is a shallow copy of the spreadsheet whose sheets are cloned the first
time a request changes them; the original stays untouched until the caller stores the copy.
Handlers raise :class:`~sheets_emulator.errors.RequestFailed` with the API's reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sheets_emulator import fields
from sheets_emulator.errors import MaskError, RequestFailed
from sheets_emulator.grid.model import CELL_LIMIT, Sheet, Spreadsheet
from sheets_emulator.grid.ranges import Window, grid_window
from sheets_emulator.state import EmulatorState

__all__ = ["Handler", "RequestFailed", "Transaction", "check_cell_limit", "field_paths"]


class Transaction:
    """The spreadsheet as the batch sees it so far; sheets are cloned before their first change."""

    def __init__(self, spreadsheet: Spreadsheet, state: EmulatorState, caller: str) -> None:
        self.spreadsheet = spreadsheet.copy_for_update()
        self.state = state
        self.caller = caller
        self._cloned: set[int] = set()

    def writable(self, sheet: Sheet) -> Sheet:
        """The transaction's own copy of ``sheet``, safe to change."""
        if id(sheet) in self._cloned:
            return sheet
        clone = sheet.clone()
        self.spreadsheet.sheets = [clone if s is sheet else s for s in self.spreadsheet.sheets]
        self._cloned.add(id(clone))
        return clone

    def adopt(self, sheet: Sheet) -> None:
        """Mark a sheet created by this transaction as already writable."""
        self._cloned.add(id(sheet))

    def sheet(self, sheet_id: Any, *, write: bool = True) -> Sheet:
        try:
            number = int(sheet_id or 0)
        except (TypeError, ValueError):
            raise RequestFailed(f"No grid with id: {sheet_id}") from None
        found = self.spreadsheet.sheet_by_id(number)
        if found is None:
            raise RequestFailed(f"No grid with id: {number}")
        return self.writable(found) if write else found

    def window(self, grid: Any, *, write: bool = True) -> Window:
        if not isinstance(grid, dict):
            raise RequestFailed("range is required")
        found = grid_window(self.spreadsheet, grid)
        if isinstance(found, str):
            raise RequestFailed(found)
        if not write:
            return found
        sheet = self.writable(found.sheet)
        return Window(sheet, found.r0, found.r1, found.c0, found.c1)

    def new_id(self, taken: Any = ()) -> int:
        return self.state.new_number(taken)


def field_paths(body: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The request's ``fields`` mask as paths; a request must name at least one field."""
    mask = body.get("fields")
    if not mask:
        raise RequestFailed("At least one field must be updated, but none were specified.")
    try:
        return fields.parse_paths(str(mask))
    except MaskError:
        raise RequestFailed(f"Invalid field mask: {mask}") from None


def check_cell_limit(txn: Transaction, extra: int) -> None:
    """The API's 400 when a change would take the spreadsheet past 10 million cells."""
    if extra > 0 and txn.spreadsheet.cell_count() + extra > CELL_LIMIT:
        raise RequestFailed(
            "This action would increase the number of cells in the workbook above the limit "
            f"of {CELL_LIMIT} cells."
        )


Handler = Callable[[Transaction, dict[str, Any]], dict[str, Any] | None]
