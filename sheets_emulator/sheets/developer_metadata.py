"""Developer metadata: key/value pairs attached to the spreadsheet or to one of its sheets.

Stored as the API's ``DeveloperMetadata`` JSON — ``{"metadataId", "metadataKey",
"metadataValue"?, "location", "visibility"}`` — on the :class:`Spreadsheet` (location
``{"locationType": "SPREADSHEET", "spreadsheet": true}``) or on the :class:`Sheet`
(``{"locationType": "SHEET", "sheetId": N}``), so deleting a sheet deletes its metadata and
duplicating it copies them (with new ids), as the real API does. Row and column locations
(``dimensionRange``) are refused with a 400 saying so; visibility is stored and read back
(every caller is the same project here).

A ``DataFilter`` selects metadata (:func:`select`): a ``developerMetadataLookup`` selects what
matches every field it names (``metadataId``, ``metadataKey``, ``metadataValue``,
``visibility``, ``locationType``, ``metadataLocation`` with ``locationMatchingStrategy``
``EXACT_LOCATION`` or ``INTERSECTING_LOCATION``, the default); an ``a1Range`` or a
``gridRange`` selects the metadata of the sheet it lies on.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from sheets_emulator.errors import A1Error, InputError, RequestFailed
from sheets_emulator.grid import a1
from sheets_emulator.grid.model import Sheet, Spreadsheet

VISIBILITIES = ("DOCUMENT", "PROJECT")
LOCATION_TYPES = ("ROW", "COLUMN", "SHEET", "SPREADSHEET")
STRATEGIES = ("EXACT_LOCATION", "INTERSECTING_LOCATION")
_LOOKUP_FIELDS = frozenset(
    {
        "locationType",
        "metadataLocation",
        "locationMatchingStrategy",
        "metadataId",
        "metadataKey",
        "metadataValue",
        "visibility",
    }
)


def spreadsheet_location() -> dict[str, Any]:
    return {"locationType": "SPREADSHEET", "spreadsheet": True}


def sheet_location(sheet_id: int) -> dict[str, Any]:
    return {"locationType": "SHEET", "sheetId": sheet_id}


def everything(spreadsheet: Spreadsheet) -> Iterator[tuple[Sheet | None, dict[str, Any]]]:
    """Every metadata with its owner (``None``: the spreadsheet), spreadsheet-level first."""
    for item in spreadsheet.developer_metadata:
        yield None, item
    for sheet in spreadsheet.sheets:
        for item in sheet.developer_metadata:
            yield sheet, item


def find(spreadsheet: Spreadsheet, metadata_id: int) -> dict[str, Any] | None:
    return next((m for _, m in everything(spreadsheet) if m["metadataId"] == metadata_id), None)


def taken_ids(spreadsheet: Spreadsheet) -> set[int]:
    return {int(m["metadataId"]) for _, m in everything(spreadsheet)}


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise RequestFailed(f"Invalid {what}: {value}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RequestFailed(f"Invalid {what}: {value}") from None


def parse_location(spreadsheet: Spreadsheet, location: Any) -> dict[str, Any]:
    """A ``DeveloperMetadataLocation`` as stored; raises :class:`RequestFailed`."""
    if not isinstance(location, dict):
        raise RequestFailed("Developer metadata must specify a location.")
    chosen = [key for key in ("spreadsheet", "sheetId", "dimensionRange") if key in location]
    if len(chosen) != 1:
        raise RequestFailed(
            "A developer metadata location must specify exactly one of spreadsheet, sheetId "
            "or dimensionRange."
        )
    kind = location.get("locationType")
    if kind is not None and kind not in (
        *LOCATION_TYPES,
        "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED",
    ):
        raise RequestFailed(f"Invalid locationType: {kind}")
    if chosen[0] == "spreadsheet":
        if location["spreadsheet"] is not True:
            raise RequestFailed("location.spreadsheet must be true when set.")
        return spreadsheet_location()
    if chosen[0] == "sheetId":
        sheet_id = _int(location["sheetId"], "sheetId")
        if spreadsheet.sheet_by_id(sheet_id) is None:
            raise RequestFailed(f"No grid with id: {sheet_id}")
        return sheet_location(sheet_id)
    raise RequestFailed(
        "Developer metadata on rows or columns (dimensionRange) is not supported by the "
        "Sheets API emulator; use a sheet or the spreadsheet."
    )


# --- data filters ---------------------------------------------------------------------------


def _lookup_matches(
    spreadsheet: Spreadsheet,
    owner: Sheet | None,
    item: dict[str, Any],
    lookup: dict[str, Any],
) -> bool:
    if "metadataId" in lookup and item["metadataId"] != _int(lookup["metadataId"], "metadataId"):
        return False
    if "metadataKey" in lookup and item["metadataKey"] != lookup["metadataKey"]:
        return False
    if "metadataValue" in lookup and item.get("metadataValue", "") != lookup["metadataValue"]:
        return False
    if "visibility" in lookup and item["visibility"] != lookup["visibility"]:
        return False
    if "locationType" in lookup and item["location"]["locationType"] != lookup["locationType"]:
        return False
    if "metadataLocation" in lookup:
        wanted = parse_location(spreadsheet, lookup["metadataLocation"])
        exact = lookup.get("locationMatchingStrategy") == "EXACT_LOCATION"
        if wanted["locationType"] == "SPREADSHEET":
            return owner is None or not exact
        return owner is not None and owner.sheet_id == wanted["sheetId"]
    return True


def _check_lookup(lookup: Any) -> dict[str, Any]:
    if not isinstance(lookup, dict) or not lookup:
        raise RequestFailed("A developer metadata lookup must specify at least one field.")
    unknown = set(lookup) - _LOOKUP_FIELDS
    if unknown:
        raise RequestFailed(f"Unknown developer metadata lookup field: {sorted(unknown)[0]}")
    strategy = lookup.get("locationMatchingStrategy")
    if strategy is not None:
        if strategy not in STRATEGIES:
            raise RequestFailed(f"Invalid locationMatchingStrategy: {strategy}")
        if "metadataLocation" not in lookup:
            raise RequestFailed(
                "locationMatchingStrategy may only be specified with a metadataLocation."
            )
    if "visibility" in lookup and lookup["visibility"] not in VISIBILITIES:
        raise RequestFailed(f"Invalid visibility: {lookup['visibility']}")
    if "locationType" in lookup and lookup["locationType"] not in LOCATION_TYPES:
        raise RequestFailed(f"Invalid locationType: {lookup['locationType']}")
    return lookup


def _range_sheet(spreadsheet: Spreadsheet, data_filter: dict[str, Any]) -> Sheet:
    if "a1Range" in data_filter:
        text = str(data_filter["a1Range"])
        try:
            parsed = a1.parse(text)
        except A1Error:
            raise RequestFailed(f"Unable to parse range: {text}") from None
        title = parsed.sheet if parsed.sheet is not None or parsed.bounds else parsed.name
        sheet = spreadsheet.sheets[0] if title is None else spreadsheet.sheet_by_title(title)
        if sheet is None:
            raise RequestFailed(f"Unable to parse range: {text}")
        return sheet
    grid = data_filter["gridRange"]
    sheet_id = _int((grid or {}).get("sheetId", 0) or 0, "sheetId")
    found = spreadsheet.sheet_by_id(sheet_id)
    if found is None:
        raise RequestFailed(f"No grid with id: {sheet_id}")
    return found


def select(spreadsheet: Spreadsheet, data_filter: Any) -> list[tuple[Sheet | None, dict[str, Any]]]:
    """The metadata one ``DataFilter`` selects; raises :class:`RequestFailed`."""
    if not isinstance(data_filter, dict) or len(data_filter) != 1:
        raise RequestFailed(
            "A data filter must specify exactly one of developerMetadataLookup, a1Range or "
            "gridRange."
        )
    if "developerMetadataLookup" in data_filter:
        lookup = _check_lookup(data_filter["developerMetadataLookup"])
        return [
            (owner, item)
            for owner, item in everything(spreadsheet)
            if _lookup_matches(spreadsheet, owner, item, lookup)
        ]
    if "a1Range" in data_filter or "gridRange" in data_filter:
        sheet = _range_sheet(spreadsheet, data_filter)
        return [(owner, item) for owner, item in everything(spreadsheet) if owner is sheet]
    raise RequestFailed(f"Unknown data filter: {next(iter(data_filter))}")


def search(spreadsheet: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """``spreadsheets.developerMetadata.search``: each match with the filters it matched."""
    filters = body.get("dataFilters")
    if not isinstance(filters, list) or not filters:
        raise InputError("At least one data filter must be specified.")
    matched: dict[int, dict[str, Any]] = {}
    for data_filter in filters:
        for _, item in select(spreadsheet, data_filter):
            entry = matched.setdefault(
                item["metadataId"], {"developerMetadata": copy.deepcopy(item), "dataFilters": []}
            )
            entry["dataFilters"].append(data_filter)
    order = [m["metadataId"] for _, m in everything(spreadsheet)]
    found = [matched[i] for i in order if i in matched]
    return {"matchedDeveloperMetadata": found} if found else {}
