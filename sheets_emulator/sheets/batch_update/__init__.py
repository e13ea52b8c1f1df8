"""``spreadsheets.batchUpdate``: validate and apply every subrequest on a copy, then commit.

The real API applies all subrequests or none. Each request here works on a
:class:`~.transaction.Transaction` (a copy whose sheets are cloned before their
first change); only when every request has succeeded does the caller store the copy. A failing
request raises and the original is untouched.

Request kinds are dispatched through :data:`HANDLERS` (from the modules of this package). A
name that is not a ``Request`` field of the real API gets the API's JSON payload error; a real
kind the emulator does not implement gets a 400 saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sheets_emulator.errors import (
    InvalidArgument,
    RequestFailed,
    bad_request_field,
    invalid_request,
)
from sheets_emulator.grid.model import Spreadsheet
from sheets_emulator.sheets.batch_update import cells, metadata, objects, sheets
from sheets_emulator.sheets.batch_update.transaction import Handler, Transaction
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

HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {**sheets.HANDLERS, **cells.HANDLERS, **objects.HANDLERS, **metadata.HANDLERS}
)

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
