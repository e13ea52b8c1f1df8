"""Drive v3 files, the part gspread uses: create/get/list/update/delete/copy/export — for
spreadsheets only (permissions: :mod:`sheets_emulator.drive.permissions`).

Drive hides what a caller cannot see: a file without access is "File not found" (404), as the
real Drive answers. Only the owner deletes a file; writers may share (``writersCanShare``).
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sheets_emulator import fields
from sheets_emulator.errors import InvalidArgument, NotFound, PermissionDenied
from sheets_emulator.grid.model import ROLE_RANK, Spreadsheet, now
from sheets_emulator.grid.render import Renderer
from sheets_emulator.state import EmulatorState, permission_id

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
_DEFAULT_FILE_FIELDS = "kind,id,name,mimeType"
_DEFAULT_LIST_FIELDS = "kind,incompleteSearch,files(kind,id,name,mimeType)"
INSUFFICIENT = "The user does not have sufficient permissions for this file."


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def mask(params: Mapping[str, str | None], default: str) -> fields.Tree:
    text = params.get("fields") or default
    try:
        return fields.tree(text)
    except fields.MaskError:
        raise InvalidArgument(
            f"Invalid field selection {text}", location="fields", location_type="parameter"
        ) from None


def file_resource(spreadsheet: Spreadsheet, caller: str) -> dict[str, Any]:
    role = spreadsheet.role_of(caller) or "reader"
    owner = spreadsheet.owner
    return {
        "kind": "drive#file",
        "id": spreadsheet.spreadsheet_id,
        "name": spreadsheet.title,
        "mimeType": SHEETS_MIME,
        "starred": False,
        "trashed": False,
        "parents": ["root"],
        "webViewLink": f"https://docs.google.com/spreadsheets/d/{spreadsheet.spreadsheet_id}/edit",
        "createdTime": timestamp(spreadsheet.created),
        "modifiedTime": timestamp(spreadsheet.modified),
        "owners": [
            {
                "kind": "drive#user",
                "displayName": owner.split("@")[0],
                "emailAddress": owner,
                "me": owner.lower() == caller.lower(),
                "permissionId": permission_id(owner),
            }
        ],
        "ownedByMe": owner.lower() == caller.lower(),
        "capabilities": {
            "canEdit": ROLE_RANK[role] >= ROLE_RANK["writer"],
            "canComment": ROLE_RANK[role] >= ROLE_RANK["commenter"],
            "canShare": ROLE_RANK[role] >= ROLE_RANK["writer"],
            "canDelete": role == "owner",
        },
    }


def visible(state: EmulatorState, file_id: str, caller: str, need: str = "reader") -> Spreadsheet:
    """The file if the caller may see it (404 otherwise) and holds role ``need`` (403)."""
    spreadsheet = state.get(file_id)
    role = spreadsheet.role_of(caller) if spreadsheet else None
    if spreadsheet is None or role is None:
        raise NotFound(f"File not found: {file_id}.", location="fileId", location_type="parameter")
    if ROLE_RANK[role] < ROLE_RANK[need]:
        raise PermissionDenied(INSUFFICIENT)
    return spreadsheet


def create(
    state: EmulatorState, caller: str, body: Mapping[str, Any], params: Mapping[str, str | None]
) -> dict[str, Any]:
    mime = body.get("mimeType")
    if mime != SHEETS_MIME:
        raise InvalidArgument(
            f"The Sheets API emulator only creates Google Sheets files (mimeType {SHEETS_MIME}).",
            reason="badRequest",
        )
    spreadsheet = state.new_spreadsheet(caller, str(body.get("name") or "Untitled spreadsheet"))
    state.put(spreadsheet)
    return fields.select_object(
        file_resource(spreadsheet, caller), mask(params, _DEFAULT_FILE_FIELDS)
    )


def get(
    state: EmulatorState, caller: str, file_id: str, params: Mapping[str, str | None]
) -> dict[str, Any]:
    spreadsheet = visible(state, file_id, caller)
    return fields.select_object(
        file_resource(spreadsheet, caller), mask(params, _DEFAULT_FILE_FIELDS)
    )


def update(
    state: EmulatorState,
    caller: str,
    file_id: str,
    body: Mapping[str, Any],
    params: Mapping[str, str | None],
) -> dict[str, Any]:
    spreadsheet = visible(state, file_id, caller, need="writer")
    if body.get("name"):
        spreadsheet.properties["title"] = str(body["name"])
        spreadsheet.modified = now()
    return fields.select_object(
        file_resource(spreadsheet, caller), mask(params, _DEFAULT_FILE_FIELDS)
    )


def delete(state: EmulatorState, caller: str, file_id: str) -> None:
    visible(state, file_id, caller, need="owner")
    state.delete(file_id)


def copy_file(
    state: EmulatorState,
    caller: str,
    file_id: str,
    body: Mapping[str, Any],
    params: Mapping[str, str | None],
) -> dict[str, Any]:
    source = visible(state, file_id, caller)
    duplicate = state.new_spreadsheet(caller, str(body.get("name") or f"Copy of {source.title}"))
    title = duplicate.properties["title"]
    duplicate.properties = copy.deepcopy(source.properties)
    duplicate.properties["title"] = title
    duplicate.sheets = [sheet.clone() for sheet in source.sheets]
    duplicate.named_ranges = copy.deepcopy(source.named_ranges)
    duplicate.developer_metadata = copy.deepcopy(source.developer_metadata)
    duplicate.created = now()
    state.put(duplicate)
    return fields.select_object(
        file_resource(duplicate, caller), mask(params, _DEFAULT_FILE_FIELDS)
    )


def export(state: EmulatorState, caller: str, file_id: str, mime: str | None) -> tuple[str, str]:
    """(body, content type) of a CSV or TSV export of the first sheet."""
    spreadsheet = visible(state, file_id, caller)
    if mime not in ("text/csv", "text/tab-separated-values"):
        raise InvalidArgument(
            f"Export to {mime} is not supported by the emulator (text/csv and "
            "text/tab-separated-values are).",
            location="mimeType",
        )
    sheet = spreadsheet.sheets[0]
    renderer = Renderer(sheet, spreadsheet.formula_context(), "FORMATTED_VALUE", "SERIAL_NUMBER")
    rows = renderer.rows(0, sheet.row_count, 0, sheet.col_count)
    width = max((len(r) for r in rows), default=0)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if mime == "text/csv" else "\t", lineterminator="\r\n")
    for row in rows:
        writer.writerow([*row, *[""] * (width - len(row))])
    return out.getvalue().removesuffix("\r\n"), mime


# --- files.list -----------------------------------------------------------------------------

_CLAUSE = re.compile(
    r"""^\s*(?:(?P<field>\w+)\s*(?P<op>!=|=|contains)\s*(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|true|false)
    |(?P<lhs>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s+in\s+(?P<coll>parents|owners|writers|readers))\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


def _literal(text: str) -> str | bool:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _matches(spreadsheet: Spreadsheet, caller: str, clause: re.Match[str]) -> bool:
    if clause["coll"]:
        subject = str(_literal(clause["lhs"]))
        if clause["coll"].lower() == "parents":
            return subject == "root"
        role = spreadsheet.role_of(caller if subject == "me" else subject)
        wanted = {"owners": "owner", "writers": "writer", "readers": "reader"}[
            clause["coll"].lower()
        ]
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[wanted]
    name, op, value = clause["field"], clause["op"].lower(), _literal(clause["value"])
    actual: Any = {
        "mimeType": SHEETS_MIME,
        "name": spreadsheet.title,
        "trashed": False,
        "starred": False,
    }.get(name)
    if actual is None:
        raise InvalidArgument("Invalid Value", location="q", location_type="parameter")
    if op == "contains":
        return str(value).lower() in str(actual).lower()
    equal: bool = actual == value
    return equal == (op == "=")


def list_files(
    state: EmulatorState, caller: str, params: Mapping[str, str | None]
) -> dict[str, Any]:
    query = (params.get("q") or "").strip()
    clauses = []
    if query:
        for part in re.split(r"\s+and\s+", query, flags=re.IGNORECASE):
            match = _CLAUSE.match(part)
            if match is None:
                raise InvalidArgument("Invalid Value", location="q", location_type="parameter")
            clauses.append(match)
    with state.lock:
        found = [
            s
            for s in state.spreadsheets.values()
            if s.role_of(caller) is not None and all(_matches(s, caller, c) for c in clauses)
        ]
    found.sort(key=lambda s: s.modified, reverse=True)
    size = max(1, min(int(params.get("pageSize") or 100), 1000))
    start = int(params.get("pageToken") or 0)
    page = found[start : start + size]
    out: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False}
    if start + size < len(found):
        out["nextPageToken"] = str(start + size)
    out["files"] = [file_resource(s, caller) for s in page]
    return fields.select_object(out, mask(params, _DEFAULT_LIST_FIELDS))
