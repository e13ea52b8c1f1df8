"""The Sheets v4 endpoints: one handler per API method, routed by
:mod:`sheets_emulator.http.routes` (path parameters arrive decoded in ``path_params``).

Every handler authenticates first, then works on the state under its lock in a worker
thread: reads need reader access, writes writer access (403 ``PERMISSION_DENIED``); an
unknown spreadsheet is 404 ``NOT_FOUND``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator import fields
from sheets_emulator.errors import (
    ENTITY_NOT_FOUND,
    NO_PERMISSION,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RequestFailed,
)
from sheets_emulator.grid.model import ROLE_RANK, Spreadsheet
from sheets_emulator.http.common import caller, locked, query, read_json
from sheets_emulator.sheets import batch_update, developer_metadata, values
from sheets_emulator.sheets.batch_update.sheets import copy_sheet, copy_title
from sheets_emulator.sheets.batch_update.transaction import Transaction
from sheets_emulator.sheets.get import sheet_properties, spreadsheet_resource
from sheets_emulator.state import EmulatorState

Work = Callable[[EmulatorState], dict[str, Any] | None]


def _spreadsheet(
    state: EmulatorState, spreadsheet_id: str, email: str, *, write: bool
) -> Spreadsheet:
    spreadsheet = state.get(spreadsheet_id)
    if spreadsheet is None:
        raise NotFound(ENTITY_NOT_FOUND)
    role = spreadsheet.role_of(email)
    if role is None or (write and ROLE_RANK[role] < ROLE_RANK["writer"]):
        raise PermissionDenied(NO_PERMISSION)
    return spreadsheet


def _bool(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def _id(request: Request) -> str:
    return str(request.path_params["spreadsheetId"])


async def _read(request: Request, answer: Callable[[Spreadsheet], dict[str, Any]]) -> Response:
    """Authenticate, then ``answer(spreadsheet)`` with reader access."""
    email, spreadsheet_id = caller(request), _id(request)
    return await locked(
        request, lambda state: answer(_spreadsheet(state, spreadsheet_id, email, write=False))
    )


async def _write(
    request: Request, change: Callable[[Spreadsheet, dict[str, Any]], dict[str, Any]]
) -> Response:
    """Authenticate, read the body, then ``change(spreadsheet, body)`` with writer access
    (``change`` validates before it changes anything)."""
    email, spreadsheet_id = caller(request), _id(request)
    body = await read_json(request)

    def work(state: EmulatorState) -> dict[str, Any]:
        spreadsheet = _spreadsheet(state, spreadsheet_id, email, write=True)
        result = change(spreadsheet, body)
        state.put(spreadsheet)
        return result

    return await locked(request, work)


# --- spreadsheets ---------------------------------------------------------------------------


async def create(request: Request) -> Response:
    """``spreadsheets.create``: properties (title, locale, timeZone, autoRecalc) and sheets."""
    email = caller(request)
    body = await read_json(request)

    def work(state: EmulatorState) -> dict[str, Any]:
        props = body.get("properties") or {}
        sheets = [s.get("properties") or {} for s in body.get("sheets") or []]
        spreadsheet = state.new_spreadsheet(
            email, str(props.get("title") or "Untitled spreadsheet"), sheets or None
        )
        for key in ("locale", "timeZone", "autoRecalc"):
            if props.get(key):
                spreadsheet.properties[key] = props[key]
        state.put(spreadsheet)
        return spreadsheet_resource(spreadsheet)

    return await locked(request, work)


async def get(request: Request) -> Response:
    """``spreadsheets.get``: ``includeGridData``, ``ranges`` and ``fields``."""
    params = query(request)
    ranges = request.query_params.getlist("ranges")
    selection = params.get("fields")
    try:
        mask = fields.tree(selection) if selection else None
    except fields.MaskError:
        raise InvalidArgument(f"Invalid field selection {selection}") from None
    return await _read(
        request,
        lambda spreadsheet: spreadsheet_resource(
            spreadsheet,
            include_grid_data=_bool(params.get("includeGridData")),
            ranges=ranges,
            mask=mask,
        ),
    )


async def batch_update_spreadsheet(request: Request) -> Response:
    """``spreadsheets.batchUpdate``: every request applied, or none."""
    email, spreadsheet_id = caller(request), _id(request)
    body = await read_json(request)

    def work(state: EmulatorState) -> dict[str, Any]:
        spreadsheet = _spreadsheet(state, spreadsheet_id, email, write=True)
        updated, replies = batch_update.run(spreadsheet, body, state, email)
        state.put(updated)
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = spreadsheet_resource(
                updated,
                include_grid_data=bool(body.get("responseIncludeGridData")),
                ranges=list(body.get("responseRanges") or []),
            )
        return out

    return await locked(request, work)


async def copy_to(request: Request) -> Response:
    """``spreadsheets.sheets.copyTo``: a copy of one sheet into another spreadsheet."""
    email, spreadsheet_id = caller(request), _id(request)
    sheet_text = str(request.path_params["sheetId"])
    body = await read_json(request)

    def work(state: EmulatorState) -> dict[str, Any]:
        source = _spreadsheet(state, spreadsheet_id, email, write=False)
        sheet = source.sheet_by_id(int(sheet_text)) if sheet_text.isdigit() else None
        if sheet is None:
            raise NotFound(ENTITY_NOT_FOUND)
        target_id = body.get("destinationSpreadsheetId")
        if not isinstance(target_id, str) or not target_id:
            raise InvalidArgument("destinationSpreadsheetId is required")
        target = _spreadsheet(state, target_id, email, write=True)
        txn = Transaction(target, state, email)
        try:
            copied = copy_sheet(
                txn,
                sheet,
                txn.new_id(s.sheet_id for s in target.sheets),
                copy_title(txn, sheet.title),
                len(target.sheets),
            )
        except RequestFailed as failure:
            raise InvalidArgument(str(failure)) from None
        state.put(txn.spreadsheet)
        return sheet_properties(copied)

    return await locked(request, work)


# --- developer metadata ---------------------------------------------------------------------


async def developer_metadata_get(request: Request) -> Response:
    """``spreadsheets.developerMetadata.get``: one metadata by id."""
    text = str(request.path_params["metadataId"])
    try:
        metadata_id = int(text)
    except ValueError:
        caller(request)
        raise InvalidArgument(f"Invalid value at 'metadata_id' (TYPE_INT32), \"{text}\"") from None

    def answer(spreadsheet: Spreadsheet) -> dict[str, Any]:
        found = developer_metadata.find(spreadsheet, metadata_id)
        if found is None:
            raise NotFound(f"No developer metadata with ID: {metadata_id}")
        return dict(found)

    return await _read(request, answer)


async def developer_metadata_search(request: Request) -> Response:
    """``spreadsheets.developerMetadata.search``: what any of ``dataFilters`` selects."""
    email, spreadsheet_id = caller(request), _id(request)
    body = await read_json(request)
    return await locked(
        request,
        lambda state: developer_metadata.search(
            _spreadsheet(state, spreadsheet_id, email, write=False), body
        ),
    )


# --- values ---------------------------------------------------------------------------------


def _range(request: Request) -> str:
    return str(request.path_params["range"])


async def values_get(request: Request) -> Response:
    params, text = query(request), _range(request)
    return await _read(request, lambda spreadsheet: values.get(spreadsheet, text, params))


async def values_batch_get(request: Request) -> Response:
    params = query(request)
    ranges = request.query_params.getlist("ranges")
    return await _read(request, lambda spreadsheet: values.batch_get(spreadsheet, ranges, params))


async def values_update(request: Request) -> Response:
    params, text = query(request), _range(request)
    return await _write(
        request, lambda spreadsheet, body: values.update(spreadsheet, text, body, params)
    )


async def values_append(request: Request) -> Response:
    params, text = query(request), _range(request)
    return await _write(
        request, lambda spreadsheet, body: values.append(spreadsheet, text, body, params)
    )


async def values_clear(request: Request) -> Response:
    text = _range(request)
    return await _write(request, lambda spreadsheet, _: values.clear(spreadsheet, text))


async def values_batch_update(request: Request) -> Response:
    return await _write(request, values.batch_update)


async def values_batch_clear(request: Request) -> Response:
    return await _write(request, values.batch_clear)


async def unsupported(request: Request) -> Response:
    """Anything else under ``/v4/spreadsheets/``: authenticated, then the emulator's 404."""
    caller(request)
    raise NotFound(f"The Sheets API emulator has no {request.method} {request.url.path}")
