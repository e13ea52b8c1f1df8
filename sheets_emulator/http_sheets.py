"""The Sheets v4 endpoints under ``/v4/spreadsheets``.

Paths are matched on the raw (still percent-encoded) path, as Google's frontends do, so a
``:`` inside an encoded range (``%3A``) is never mistaken for a custom verb
(``/values/{range}:append``), and a ``/`` in an unencoded sheet name stays part of the range.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator import batch_update, fields, values_api
from sheets_emulator.errors import (
    ENTITY_NOT_FOUND,
    NO_PERMISSION,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RequestFailed,
)
from sheets_emulator.http_common import caller, locked, query, read_json
from sheets_emulator.metadata import sheet_properties, spreadsheet_resource
from sheets_emulator.model import ROLE_RANK, Spreadsheet
from sheets_emulator.requests_sheets import copy_sheet, copy_title
from sheets_emulator.state import EmulatorState
from sheets_emulator.transaction import Transaction

_PREFIX = "/v4/spreadsheets"
_ID = re.compile(r"^([^/:]+)(.*)$")
_SPREADSHEET_VERBS = {"batchUpdate", "getByDataFilter"}
_VALUES_VERBS = {"batchGet", "batchUpdate", "batchClear"}


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


def _raw_rest(request: Request) -> str:
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    return path[len(_PREFIX) :] if path.startswith(_PREFIX) else path


def _bool(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


async def create(request: Request) -> Response:
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


async def dispatch(request: Request) -> Response:
    """Every ``/v4/spreadsheets/{id}...`` request."""
    email = caller(request)
    rest = _raw_rest(request).lstrip("/")
    match = _ID.match(rest)
    if not match:
        raise NotFound(ENTITY_NOT_FOUND)
    spreadsheet_id, tail = unquote(match.group(1)), match.group(2)
    method = request.method
    params = query(request)
    if tail == "" and method == "GET":
        return await _get(request, spreadsheet_id, email, params)
    if tail.startswith(":"):
        verb = tail[1:]
        if verb == "batchUpdate" and method == "POST":
            return await _batch_update(request, spreadsheet_id, email)
        raise _unsupported(method, tail)
    if tail.startswith("/sheets/") and tail.endswith(":copyTo") and method == "POST":
        return await _copy_to(request, spreadsheet_id, email, tail[len("/sheets/") : -7])
    if tail.startswith("/values:"):
        verb = tail[len("/values:") :]
        if verb in _VALUES_VERBS:
            return await _values_batch(request, spreadsheet_id, email, verb, params)
        raise _unsupported(method, tail)
    if tail.startswith("/values/"):
        encoded = tail[len("/values/") :]
        head, sep, verb = encoded.rpartition(":")
        if sep and verb in ("append", "clear"):
            encoded = head
        else:
            verb = ""
        return await _values(request, spreadsheet_id, email, unquote(encoded), verb, params)
    raise _unsupported(method, tail)


def _unsupported(method: str, tail: str) -> NotFound:
    return NotFound(f"The Sheets API emulator has no {method} {_PREFIX}/{{id}}{tail}")


async def _get(
    request: Request, spreadsheet_id: str, email: str, params: dict[str, str | None]
) -> Response:
    ranges = request.query_params.getlist("ranges")
    selection = params.get("fields")
    try:
        mask = fields.tree(selection) if selection else None
    except fields.MaskError:
        raise InvalidArgument(f"Invalid field selection {selection}") from None

    def work(state: EmulatorState) -> dict[str, Any]:
        spreadsheet = _spreadsheet(state, spreadsheet_id, email, write=False)
        return spreadsheet_resource(
            spreadsheet,
            include_grid_data=_bool(params.get("includeGridData")),
            ranges=ranges,
            mask=mask,
        )

    return await locked(request, work)


async def _batch_update(request: Request, spreadsheet_id: str, email: str) -> Response:
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


async def _copy_to(request: Request, spreadsheet_id: str, email: str, sheet_text: str) -> Response:
    """``spreadsheets.sheets.copyTo``: a copy of one sheet into another spreadsheet."""
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


async def _values_batch(
    request: Request, spreadsheet_id: str, email: str, verb: str, params: dict[str, str | None]
) -> Response:
    if verb == "batchGet":
        if request.method != "GET":
            raise _unsupported(request.method, ":batchGet")
        ranges = request.query_params.getlist("ranges")

        def read(state: EmulatorState) -> dict[str, Any]:
            spreadsheet = _spreadsheet(state, spreadsheet_id, email, write=False)
            return values_api.batch_get(spreadsheet, ranges, params)

        return await locked(request, read)
    if request.method != "POST":
        raise _unsupported(request.method, f"/values:{verb}")
    body = await read_json(request)
    operation: Callable[[Spreadsheet, dict[str, Any]], dict[str, Any]] = (
        values_api.batch_update if verb == "batchUpdate" else values_api.batch_clear
    )

    def write(state: EmulatorState) -> dict[str, Any]:
        spreadsheet = _spreadsheet(state, spreadsheet_id, email, write=True)
        result = operation(spreadsheet, body)
        state.put(spreadsheet)
        return result

    return await locked(request, write)


async def _values(
    request: Request,
    spreadsheet_id: str,
    email: str,
    range_text: str,
    verb: str,
    params: dict[str, str | None],
) -> Response:
    method = request.method
    if verb == "" and method == "GET":

        def read(state: EmulatorState) -> dict[str, Any]:
            spreadsheet = _spreadsheet(state, spreadsheet_id, email, write=False)
            return values_api.get(spreadsheet, range_text, params)

        return await locked(request, read)
    if (verb, method) not in (("", "PUT"), ("append", "POST"), ("clear", "POST")):
        raise _unsupported(method, f"/values/{{range}}{':' + verb if verb else ''}")
    body = await read_json(request)

    def write(state: EmulatorState) -> dict[str, Any]:
        spreadsheet = _spreadsheet(state, spreadsheet_id, email, write=True)
        if verb == "append":
            result = values_api.append(spreadsheet, range_text, body, params)
        elif verb == "clear":
            result = values_api.clear(spreadsheet, range_text)
        else:
            result = values_api.update(spreadsheet, range_text, body, params)
        state.put(spreadsheet)
        return result

    return await locked(request, write)
