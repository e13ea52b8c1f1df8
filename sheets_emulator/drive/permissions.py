"""Drive v3 permissions of a spreadsheet's file: create, list, get, update, delete.

Four kinds of grantee, as Drive has them: ``user`` and ``group`` (``emailAddress``),
``domain`` (``domain``: everyone whose address is at that domain) and ``anyone``. A
permission reads back with ``kind``, ``id``, ``type`` and ``role`` by default, as Drive v3
answers; ``fields`` selects more (``permissions(type,role,emailAddress,domain)``).
``permissions.list`` pages with ``pageSize`` (1–100) and ``pageToken``; without
``pageSize`` it answers the whole list. ``supportsAllDrives`` is accepted (there are no
shared drives here). Only writers may list or change permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheets_emulator import fields
from sheets_emulator.drive.files import INSUFFICIENT, mask, visible
from sheets_emulator.errors import InvalidArgument, NotFound, PermissionDenied
from sheets_emulator.grid.model import PERMISSION_TYPES, ROLES, Permission, Spreadsheet, now
from sheets_emulator.state import EmulatorState

_DEFAULT_FIELDS = "kind,id,type,role,allowFileDiscovery"
_DEFAULT_LIST_FIELDS = "kind,nextPageToken,permissions(kind,id,type,role)"
MAX_PAGE = 100


def _invalid(field: str, message: str, reason: str = "invalid") -> InvalidArgument:
    return InvalidArgument(message, reason=reason, location=field, location_type="other")


def _discoverable(body: Mapping[str, Any]) -> bool:
    """``allowFileDiscovery``, or the ``withLink`` flag gspread sends (Drive v2's name)."""
    if body.get("allowFileDiscovery") is not None:
        return bool(body["allowFileDiscovery"])
    return not body.get("withLink", False)


def create_permission(
    state: EmulatorState,
    caller: str,
    file_id: str,
    body: Mapping[str, Any],
    params: Mapping[str, str | None],
) -> dict[str, Any]:
    spreadsheet = visible(state, file_id, caller, need="writer")
    kind, role = body.get("type"), body.get("role")
    if kind not in PERMISSION_TYPES:
        raise _invalid("permission.type", "The permission type field is required.", "required")
    if role not in ROLES:
        raise _invalid("permission.role", "The provided value for the role field is not valid.")
    if role == "owner" and str(params.get("transferOwnership")).lower() != "true":
        raise PermissionDenied(
            "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
            reason="forbidden",
        )
    if role == "owner" and spreadsheet.owner.lower() != caller.lower():
        raise PermissionDenied(INSUFFICIENT)
    target = body.get("emailAddress") if kind in ("user", "group") else body.get("domain")
    if kind != "anyone" and (not isinstance(target, str) or not target):
        field = "emailAddress" if kind in ("user", "group") else "domain"
        raise _invalid(
            f"permission.{field}", f"The permission {field} field is required.", "required"
        )
    try:
        with state.lock:
            if role == "owner":
                for perm in spreadsheet.permissions:
                    if perm.role == "owner":
                        perm.role = "writer"
            perm = state.share(
                file_id,
                str(target or ""),
                str(role),
                type=str(kind),
                discoverable=_discoverable(body) if kind in ("domain", "anyone") else None,
            )
            spreadsheet.modified = now()
    except ValueError as err:
        field = "permission.emailAddress" if kind in ("user", "group") else "permission.domain"
        raise _invalid(field, f"Invalid value: {err}.") from None
    return fields.select_object(perm.resource(), mask(params, _DEFAULT_FIELDS))


def _page_size(params: Mapping[str, str | None]) -> int | None:
    text = params.get("pageSize")
    if text is None or text == "":
        return None
    try:
        size = int(text)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE:
        raise InvalidArgument(
            f"Invalid value '{text}'. Values must be within the range: [1, {MAX_PAGE}]",
            reason="invalid",
            location="pageSize",
        )
    return size


def list_permissions(
    state: EmulatorState, caller: str, file_id: str, params: Mapping[str, str | None]
) -> dict[str, Any]:
    spreadsheet = visible(state, file_id, caller, need="writer")
    everything = [p.resource() for p in spreadsheet.permissions]
    size = _page_size(params)
    token = params.get("pageToken") or ""
    start = 0
    if token:
        if not token.isdigit() or int(token) > len(everything):
            raise InvalidArgument(
                f"Invalid Value: pageToken {token!r}", reason="invalid", location="pageToken"
            )
        start = int(token)
    end = len(everything) if size is None else start + size
    out: dict[str, Any] = {"kind": "drive#permissionList"}
    if end < len(everything):
        out["nextPageToken"] = str(end)
    out["permissions"] = everything[start:end]
    return fields.select_object(out, mask(params, _DEFAULT_LIST_FIELDS))


def _permission(spreadsheet: Spreadsheet, permission: str) -> Permission:
    for perm in spreadsheet.permissions:
        if perm.id == permission:
            return perm
    raise NotFound(f"Permission not found: {permission}.", location="permissionId")


def get_permission(
    state: EmulatorState,
    caller: str,
    file_id: str,
    permission: str,
    params: Mapping[str, str | None],
) -> dict[str, Any]:
    spreadsheet = visible(state, file_id, caller)
    resource = _permission(spreadsheet, permission).resource()
    return fields.select_object(resource, mask(params, _DEFAULT_FIELDS))


def update_permission(
    state: EmulatorState,
    caller: str,
    file_id: str,
    permission: str,
    body: Mapping[str, Any],
    params: Mapping[str, str | None],
) -> dict[str, Any]:
    spreadsheet = visible(state, file_id, caller, need="writer")
    with state.lock:
        perm = _permission(spreadsheet, permission)
        role = body.get("role")
        if role is not None:
            if role not in ROLES or role == "owner" or perm.role == "owner":
                raise PermissionDenied(INSUFFICIENT)
            perm.role = str(role)
    return fields.select_object(perm.resource(), mask(params, _DEFAULT_FIELDS))


def delete_permission(state: EmulatorState, caller: str, file_id: str, permission: str) -> None:
    spreadsheet = visible(state, file_id, caller, need="writer")
    with state.lock:
        perm = _permission(spreadsheet, permission)
        if perm.role == "owner":
            raise PermissionDenied(
                "The owner of a file cannot be removed.", reason="cannotRemoveOwner"
            )
        spreadsheet.permissions = [p for p in spreadsheet.permissions if p is not perm]
