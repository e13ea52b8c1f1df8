"""``spreadsheets.batchUpdate``: validate and apply every subrequest on a copy, then commit.

The real API applies all subrequests or none. Here each request works on a
:class:`Transaction`: a shallow copy of the spreadsheet whose sheets are cloned the first
time a request changes them. Only when every request has succeeded does the caller store the
copy; a failing request raises and the original is untouched.

Request kinds are dispatched through :data:`HANDLERS` (filled from the ``requests_*``
modules). A name that is not a ``Request`` field of the real API gets the API's JSON payload
error; a real kind the emulator does not implement gets a 400 saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sheets_emulator import fields
from sheets_emulator.errors import InvalidArgument, bad_request_field, invalid_request
from sheets_emulator.model import CELL_LIMIT, Sheet, Spreadsheet
from sheets_emulator.ranges import Window, grid_window
from sheets_emulator.state import EmulatorState

REAL_KINDS = frozenset(
    """
    updateSpreadsheetProperties updateSheetProperties updateDimensionProperties
    updateNamedRange repeatCell addNamedRange deleteNamedRange addSheet deleteSheet autoFill
    cutPaste copyPaste mergeCells unmergeCells updateBorders updateCells addFilterView
    appendCells clearBasicFilter deleteDimension deleteEmbeddedObject deleteFilterView
    duplicateFilterView duplicateSheet findReplace insertDimension insertRange moveDimension
    updateEmbeddedObjectPosition pasteData textToColumns updateFilterView deleteRange
    appendDimension addConditionalFormatRule updateConditionalFormatRule
    deleteConditionalFormatRule sortRange setDataValidation setBasicFilter addProtectedRange
    updateProtectedRange deleteProtectedRange autoResizeDimensions addChart updateChartSpec
    updateBanding addBanding deleteBanding createDeveloperMetadata updateDeveloperMetadata
    deleteDeveloperMetadata randomizeRange addDimensionGroup deleteDimensionGroup
    updateDimensionGroup trimWhitespace deleteDuplicates updateEmbeddedObjectBorder addSlicer
    updateSlicerSpec addDataSource updateDataSource deleteDataSource refreshDataSource
    cancelDataSourceRefresh addTable updateTable deleteTable
    """.split()  # noqa: SIM905 - the Request union of the real API
)


class RequestFailed(Exception):
    """Raised by a handler: the subrequest is invalid; the message is the API's reason."""


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
    except fields.MaskError:
        raise RequestFailed(f"Invalid field mask: {mask}") from None


def check_cell_limit(txn: Transaction, extra: int) -> None:
    """The API's 400 when a change would take the spreadsheet past 10 million cells."""
    if extra > 0 and txn.spreadsheet.cell_count() + extra > CELL_LIMIT:
        raise RequestFailed(
            "This action would increase the number of cells in the workbook above the limit "
            f"of {CELL_LIMIT} cells."
        )


Handler = Callable[[Transaction, dict[str, Any]], dict[str, Any] | None]
HANDLERS: dict[str, Handler] = {}


def register(table: Mapping[str, Handler]) -> None:
    HANDLERS.update(table)


def _load_handlers() -> None:
    if HANDLERS:
        return
    from sheets_emulator import requests_cells, requests_objects, requests_sheets

    register(requests_sheets.HANDLERS)
    register(requests_cells.HANDLERS)
    register(requests_objects.HANDLERS)


_TOP_LEVEL = {
    "requests",
    "includeSpreadsheetInResponse",
    "responseRanges",
    "responseIncludeGridData",
}


def run(
    spreadsheet: Spreadsheet, body: Mapping[str, Any], state: EmulatorState, caller: str
) -> tuple[Spreadsheet, list[dict[str, Any]]]:
    """Apply every request of the batch to a copy; returns (new spreadsheet, replies).

    Raises :class:`~sheets_emulator.errors.InvalidArgument` naming the first failing request;
    the original spreadsheet is then unchanged."""
    _load_handlers()
    for key in body:
        if key not in _TOP_LEVEL:
            raise bad_request_field(
                "", f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
            )
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise InvalidArgument("Must specify at least one request.")
    for index, request in enumerate(requests):
        if not isinstance(request, dict):
            raise bad_request_field(
                f"requests[{index}]",
                f"Invalid value at 'requests[{index}]' "
                "(type.googleapis.com/google.apps.sheets.v4.Request)",
            )
        for kind in request:
            if kind not in REAL_KINDS:
                raise bad_request_field(
                    f"requests[{index}]",
                    f'Invalid JSON payload received. Unknown name "{kind}" at '
                    f"'requests[{index}]': Cannot find field.",
                )
    txn = Transaction(spreadsheet, state, caller)
    replies: list[dict[str, Any]] = []
    for index, request in enumerate(requests):
        if len(request) != 1:
            if not request:
                raise InvalidArgument(f"Invalid requests[{index}]: No request set.")
            raise InvalidArgument(
                f"Invalid requests[{index}]: Only one kind of request may be set per request."
            )
        ((kind, payload),) = request.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            raise invalid_request(
                index, kind, f"{kind} is not supported by the Sheets API emulator."
            )
        if not isinstance(payload, dict):
            raise invalid_request(index, kind, "request body must be an object")
        try:
            reply = handler(txn, payload)
        except RequestFailed as failure:
            raise invalid_request(index, kind, str(failure)) from None
        replies.append({kind: reply} if reply is not None else {})
    txn.spreadsheet.reindex()
    return txn.spreadsheet, replies
