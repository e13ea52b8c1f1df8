"""batchUpdate requests on developer metadata: create, update and delete.

Replies as the real API sends them: ``createDeveloperMetadata`` →
``{"developerMetadata": {...}}`` (with the ``metadataId`` assigned when none was asked for);
``updateDeveloperMetadata`` → ``{"developerMetadata": [...]}``; ``deleteDeveloperMetadata``
→ ``{"deletedDeveloperMetadata": [...]}``. See :mod:`sheets_emulator.sheets.developer_metadata`
for where metadata lives and how data filters select it.
"""

from __future__ import annotations

import copy
from typing import Any

from sheets_emulator import fields
from sheets_emulator.sheets import developer_metadata as dm
from sheets_emulator.sheets.batch_update.transaction import (
    Handler,
    RequestFailed,
    Transaction,
    field_paths,
)

_FIELDS = ("metadataId", "metadataKey", "metadataValue", "location", "visibility")
MAX_ID = 2**31 - 1


def _owned_list(txn: Transaction, location: dict[str, Any]) -> list[dict[str, Any]]:
    """The metadata list a stored location names, in the transaction's own copy (safe to
    change; sheets are looked up by id, so a sheet already copied is not copied again)."""
    if location.get("locationType") == "SHEET":
        return txn.sheet(location["sheetId"]).developer_metadata
    return txn.spreadsheet.developer_metadata


def _check(txn: Transaction, given: dict[str, Any]) -> dict[str, Any]:
    """A ``DeveloperMetadata`` as stored (ids not checked here)."""
    unknown = set(given) - set(_FIELDS)
    if unknown:
        raise RequestFailed(f"Unknown developer metadata field: {sorted(unknown)[0]}")
    key = given.get("metadataKey")
    if not isinstance(key, str) or not key:
        raise RequestFailed("Developer metadata must have a metadataKey.")
    visibility = given.get("visibility")
    if visibility not in dm.VISIBILITIES:
        raise RequestFailed("Developer metadata must specify a visibility (DOCUMENT or PROJECT).")
    value = given.get("metadataValue")
    if value is not None and not isinstance(value, str):
        raise RequestFailed("metadataValue must be a string.")
    stored: dict[str, Any] = {"metadataId": given.get("metadataId"), "metadataKey": key}
    if value:
        stored["metadataValue"] = value
    stored["location"] = dm.parse_location(txn.spreadsheet, given.get("location"))
    stored["visibility"] = visibility
    return stored


def _new_id(txn: Transaction, asked: Any) -> int:
    taken = dm.taken_ids(txn.spreadsheet)
    if asked is None:
        return txn.new_id(taken)
    if isinstance(asked, bool) or not isinstance(asked, int | str):
        raise RequestFailed(f"Invalid metadataId: {asked}")
    try:
        number = int(asked)
    except ValueError:
        raise RequestFailed(f"Invalid metadataId: {asked}") from None
    if not 0 < number <= MAX_ID:
        raise RequestFailed(f"Invalid metadataId: {number}. IDs must be positive.")
    if number in taken:
        raise RequestFailed(f"Developer metadata with ID {number} already exists.")
    return number


def create_developer_metadata(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("developerMetadata")
    if not isinstance(given, dict):
        raise RequestFailed("developerMetadata is required.")
    stored = _check(txn, given)
    stored["metadataId"] = _new_id(txn, given.get("metadataId"))
    _owned_list(txn, stored["location"]).append(stored)
    return {"developerMetadata": copy.deepcopy(stored)}


def _selected(txn: Transaction, filters: Any) -> list[dict[str, Any]]:
    """The metadata any of ``filters`` selects, each once, in storage order (copies)."""
    found: dict[int, dict[str, Any]] = {}
    for data_filter in filters:
        for _, item in dm.select(txn.spreadsheet, data_filter):
            found.setdefault(item["metadataId"], item)
    order = [m["metadataId"] for _, m in dm.everything(txn.spreadsheet)]
    return [copy.deepcopy(found[i]) for i in order if i in found]


def update_developer_metadata(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    filters = body.get("dataFilters")
    if not isinstance(filters, list) or not filters:
        raise RequestFailed("At least one data filter must be specified.")
    given = body.get("developerMetadata")
    if not isinstance(given, dict):
        raise RequestFailed("developerMetadata is required.")
    paths = field_paths(body)
    if any(p[0] == "metadataId" for p in paths):
        raise RequestFailed("metadataId cannot be updated.")
    updated_all = []
    for item in _selected(txn, filters):
        if ("*",) in paths:
            updated = copy.deepcopy(given)
        else:
            updated = copy.deepcopy(item)
            fields.apply(updated, given, paths)
        updated.pop("metadataId", None)
        stored = _check(txn, updated)
        stored["metadataId"] = item["metadataId"]
        old = _owned_list(txn, item["location"])
        index = next(i for i, m in enumerate(old) if m["metadataId"] == item["metadataId"])
        if stored["location"] == item["location"]:
            old[index] = stored
        else:
            del old[index]
            _owned_list(txn, stored["location"]).append(stored)
        updated_all.append(copy.deepcopy(stored))
    return {"developerMetadata": updated_all} if updated_all else {}


def delete_developer_metadata(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    if "dataFilter" not in body:
        raise RequestFailed("dataFilter is required.")
    deleted = _selected(txn, [body["dataFilter"]])
    for item in deleted:
        items = _owned_list(txn, item["location"])
        items[:] = [m for m in items if m["metadataId"] != item["metadataId"]]
    return {"deletedDeveloperMetadata": deleted} if deleted else {}


HANDLERS: dict[str, Handler] = {
    "createDeveloperMetadata": create_developer_metadata,
    "updateDeveloperMetadata": update_developer_metadata,
    "deleteDeveloperMetadata": delete_developer_metadata,
}
