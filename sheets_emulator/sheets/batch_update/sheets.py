"""batchUpdate requests on sheets and dimensions: add/delete/update sheets, spreadsheet
properties, append/insert/delete rows and columns, dimension properties and groups."""

from __future__ import annotations

import copy
from typing import Any

from sheets_emulator import fields
from sheets_emulator.grid import defaults
from sheets_emulator.grid.model import Sheet
from sheets_emulator.sheets import developer_metadata as dm
from sheets_emulator.sheets.batch_update.transaction import (
    Handler,
    RequestFailed,
    Transaction,
    check_cell_limit,
    field_paths,
)
from sheets_emulator.sheets.get import sheet_properties


def _title_taken(txn: Transaction, title: str, other_than: Sheet | None = None) -> bool:
    folded = title.casefold()
    return any(s.title.casefold() == folded and s is not other_than for s in txn.spreadsheet.sheets)


def add_sheet(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties") or {}
    sheets = txn.spreadsheet.sheets
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = txn.new_id(s.sheet_id for s in sheets)
    else:
        sheet_id = int(sheet_id)
        if sheet_id < 0:
            raise RequestFailed(f"Invalid sheetId: {sheet_id}")
        if any(s.sheet_id == sheet_id for s in sheets):
            raise RequestFailed(f"Sheet with ID {sheet_id} already exists.")
    title = props.get("title")
    if not title:
        n = len(sheets) + 1
        while _title_taken(txn, f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    if _title_taken(txn, str(title)):
        raise RequestFailed(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    grid = props.get("gridProperties") or {}
    rows = int(grid.get("rowCount", defaults.DEFAULT_ROWS))
    cols = int(grid.get("columnCount", defaults.DEFAULT_COLUMNS))
    if rows < 1 or cols < 1:
        raise RequestFailed("The grid must have at least one row and one column.")
    check_cell_limit(txn, rows * cols)
    properties = defaults.sheet_properties(sheet_id, str(title), 0, rows, cols)
    if props.get("sheetType") not in (None, "GRID"):
        raise RequestFailed(f"sheetType {props['sheetType']} is not supported by the emulator.")
    for key in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
        if key in grid:
            properties["gridProperties"][key] = grid[key]
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if props.get(key) is not None:
            properties[key] = props[key]
    sheet = Sheet(properties=defaults.normalise_colors(properties))
    index = props.get("index")
    position = len(sheets) if index is None else max(0, min(int(index), len(sheets)))
    sheets.insert(position, sheet)
    txn.adopt(sheet)
    txn.spreadsheet.reindex()
    return {"properties": sheet_properties(sheet)}


def copy_sheet(txn: Transaction, source: Sheet, sheet_id: int, title: str, index: int) -> Sheet:
    """Insert a copy of ``source`` (values, formats, merges, objects, developer metadata)
    into the transaction."""
    check_cell_limit(txn, source.row_count * source.col_count)
    sheet = source.clone()
    sheet.properties["sheetId"] = sheet_id
    sheet.properties["title"] = title
    taken: set[int] = set()
    for chart in sheet.charts:
        chart["chartId"] = txn.new_id(taken)
        taken.add(chart["chartId"])
    for protected in sheet.protected_ranges:
        protected["protectedRangeId"] = txn.new_id(taken)
        taken.add(protected["protectedRangeId"])
        if sheet_id:
            protected["range"]["sheetId"] = sheet_id
    metadata_ids = dm.taken_ids(txn.spreadsheet)
    for item in sheet.developer_metadata:  # copied with the sheet, under new ids
        item["metadataId"] = txn.new_id(metadata_ids)
        item["location"] = dm.sheet_location(sheet_id)
        metadata_ids.add(item["metadataId"])
    sheets = txn.spreadsheet.sheets
    sheets.insert(max(0, min(index, len(sheets))), sheet)
    txn.adopt(sheet)
    txn.spreadsheet.reindex()
    return sheet


def copy_title(txn: Transaction, title: str) -> str:
    """``Copy of Plan``, then ``Copy of Plan 2``... as Sheets names copies."""
    candidate, n = f"Copy of {title}", 1
    while _title_taken(txn, candidate):
        n += 1
        candidate = f"Copy of {title} {n}"
    return candidate


def duplicate_sheet(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    source = txn.sheet(body.get("sourceSheetId"), write=False)
    sheets = txn.spreadsheet.sheets
    sheet_id = body.get("newSheetId")
    if sheet_id is None:
        sheet_id = txn.new_id(s.sheet_id for s in sheets)
    elif any(s.sheet_id == int(sheet_id) for s in sheets):
        raise RequestFailed(f"Sheet with ID {sheet_id} already exists.")
    title = body.get("newSheetName") or copy_title(txn, source.title)
    if _title_taken(txn, str(title)):
        raise RequestFailed(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    index = body.get("insertSheetIndex")
    position = sheets.index(source) + 1 if index is None else int(index)
    sheet = copy_sheet(txn, source, int(sheet_id), str(title), position)
    return {"properties": sheet_properties(sheet)}


def delete_sheet(txn: Transaction, body: dict[str, Any]) -> None:
    sheet_id = int(body.get("sheetId") or 0)
    sheet = txn.spreadsheet.sheet_by_id(sheet_id)
    if sheet is None:
        raise RequestFailed(f"No sheet with id: {sheet_id}")
    if len(txn.spreadsheet.sheets) == 1:
        raise RequestFailed("You can't remove all the sheets in a document.")
    txn.spreadsheet.sheets = [s for s in txn.spreadsheet.sheets if s is not sheet]
    txn.spreadsheet.named_ranges = [
        n
        for n in txn.spreadsheet.named_ranges
        if int(n.get("range", {}).get("sheetId", 0)) != sheet_id
    ]
    txn.spreadsheet.reindex()


def _resize(txn: Transaction, sheet: Sheet, rows: int, cols: int) -> None:
    if rows < 1 or cols < 1:
        raise RequestFailed("The grid must have at least one row and one column.")
    check_cell_limit(txn, rows * cols - sheet.row_count * sheet.col_count)
    if rows < sheet.row_count:
        sheet.delete_rows(rows, sheet.row_count)
    if cols < sheet.col_count:
        sheet.delete_cols(cols, sheet.col_count)
    sheet.grid["rowCount"], sheet.grid["columnCount"] = rows, cols


def update_sheet_properties(txn: Transaction, body: dict[str, Any]) -> None:
    given = body.get("properties") or {}
    paths = field_paths(body)
    sheet = txn.sheet(given.get("sheetId"))
    updated = copy.deepcopy(sheet.properties)
    fields.apply(updated, given, paths)
    if any(p[0] in ("tabColor", "tabColorStyle") for p in paths) or ("*",) in paths:
        for key in ("tabColor", "tabColorStyle"):
            if not any(p[0] == key for p in paths) and ("*",) not in paths:
                updated.pop(key, None)
    updated["sheetId"] = sheet.sheet_id
    title = updated.get("title")
    if not title:
        raise RequestFailed("The sheet title must not be empty.")
    if _title_taken(txn, str(title), other_than=sheet):
        raise RequestFailed(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    if updated.get("hidden") and all(
        s.properties.get("hidden") for s in txn.spreadsheet.sheets if s is not sheet
    ):
        raise RequestFailed("You can't hide all the sheets in a document.")
    grid = updated.setdefault("gridProperties", {})
    rows = int(grid.get("rowCount", sheet.row_count))
    cols = int(grid.get("columnCount", sheet.col_count))
    new_index = updated.get("index", sheet.properties.get("index"))
    updated["index"] = sheet.properties.get("index", 0)
    updated["gridProperties"]["rowCount"] = sheet.row_count
    updated["gridProperties"]["columnCount"] = sheet.col_count
    sheet.properties = defaults.normalise_colors(updated)
    if (rows, cols) != (sheet.row_count, sheet.col_count):
        _resize(txn, sheet, rows, cols)
    if any(p[0] == "index" for p in paths) and new_index is not None:
        sheets = txn.spreadsheet.sheets
        old = sheets.index(sheet)
        target = int(new_index)
        sheets.remove(sheet)
        if target > old:
            target -= 1
        sheets.insert(max(0, min(target, len(sheets))), sheet)
        txn.spreadsheet.reindex()


def update_spreadsheet_properties(txn: Transaction, body: dict[str, Any]) -> None:
    paths = field_paths(body)
    given = body.get("properties") or {}
    updated = copy.deepcopy(txn.spreadsheet.properties)
    fields.apply(updated, given, paths)
    if not updated.get("title"):
        raise RequestFailed("The spreadsheet title must not be empty.")
    txn.spreadsheet.properties = updated


def _dimension_range(txn: Transaction, body: Any) -> tuple[Sheet, str, int, int]:
    if not isinstance(body, dict):
        raise RequestFailed("range is required")
    sheet = txn.sheet(body.get("sheetId"))
    dimension = body.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise RequestFailed("range.dimension must be ROWS or COLUMNS")
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    start = int(body.get("startIndex") or 0)
    end = int(body["endIndex"]) if body.get("endIndex") is not None else size
    if start < 0 or end < start:
        raise RequestFailed("Invalid dimension range: start must not be after end.")
    return sheet, dimension, start, end


def append_dimension(txn: Transaction, body: dict[str, Any]) -> None:
    sheet = txn.sheet(body.get("sheetId"))
    length = int(body.get("length") or 0)
    if length < 1:
        raise RequestFailed("length must be greater than 0")
    if body.get("dimension") == "ROWS":
        check_cell_limit(txn, length * sheet.col_count)
        sheet.grid["rowCount"] = sheet.row_count + length
    elif body.get("dimension") == "COLUMNS":
        check_cell_limit(txn, length * sheet.row_count)
        sheet.grid["columnCount"] = sheet.col_count + length
    else:
        raise RequestFailed("dimension must be ROWS or COLUMNS")


def insert_dimension(txn: Transaction, body: dict[str, Any]) -> None:
    sheet, dimension, start, end = _dimension_range(txn, body.get("range"))
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if start > size:
        raise RequestFailed(f"range.startIndex ({start}) is beyond the grid size ({size}).")
    if body.get("inheritFromBefore") and start == 0:
        raise RequestFailed("Cannot inherit properties from before the first row or column.")
    count = end - start
    if dimension == "ROWS":
        check_cell_limit(txn, count * sheet.col_count)
        sheet.insert_rows(start, count)
    else:
        check_cell_limit(txn, count * sheet.row_count)
        sheet.insert_cols(start, count)


def delete_dimension(txn: Transaction, body: dict[str, Any]) -> None:
    sheet, dimension, start, end = _dimension_range(txn, body.get("range"))
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if end > size:
        raise RequestFailed(f"Invalid dimension range: endIndex ({end}) beyond the grid ({size}).")
    if start == 0 and end >= size:
        what = "rows" if dimension == "ROWS" else "columns"
        raise RequestFailed(f"You can't delete all the {what} on the sheet.")
    if dimension == "ROWS":
        sheet.delete_rows(start, end)
    else:
        sheet.delete_cols(start, end)


def update_dimension_properties(txn: Transaction, body: dict[str, Any]) -> None:
    sheet, dimension, start, end = _dimension_range(txn, body.get("range"))
    paths = field_paths(body)
    given = body.get("properties") or {}
    meta = sheet.row_meta if dimension == "ROWS" else sheet.col_meta
    for index in range(start, end):
        entry = meta.setdefault(index, {})
        fields.apply(entry, given, paths)
        if not entry.get("hiddenByUser"):
            entry.pop("hiddenByUser", None)
        if not entry:
            del meta[index]


def auto_resize_dimensions(txn: Transaction, body: dict[str, Any]) -> None:
    """Accepted and checked, but sizes stay as they are (no font metrics here)."""
    _dimension_range(txn, body.get("dimensions"))


def _groups(sheet: Sheet, dimension: str) -> list[dict[str, Any]]:
    return sheet.row_groups if dimension == "ROWS" else sheet.column_groups


def _group_range(sheet: Sheet, dimension: str, start: int, end: int) -> dict[str, Any]:
    out: dict[str, Any] = {"sheetId": sheet.sheet_id} if sheet.sheet_id else {}
    out.update({"dimension": dimension, "startIndex": start, "endIndex": end})
    return out


def add_dimension_group(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension_range(txn, body.get("range"))
    groups = _groups(sheet, dimension)
    depth = 1 + sum(
        1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]
    )
    groups.append({"range": _group_range(sheet, dimension, start, end), "depth": depth})
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
    control = "rowGroupControlAfter" if dimension == "ROWS" else "columnGroupControlAfter"
    sheet.grid[control] = True
    return {"dimensionGroups": copy.deepcopy(groups)}


def delete_dimension_group(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension_range(txn, body.get("range"))
    groups = _groups(sheet, dimension)
    match = [
        g for g in groups if (g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end)
    ]
    if not match:
        raise RequestFailed("No dimension group matches the given range.")
    deepest = max(match, key=lambda g: g["depth"])
    groups.remove(deepest)
    return {"dimensionGroups": copy.deepcopy(groups)} if groups else {}


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "duplicateSheet": duplicate_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    "addDimensionGroup": add_dimension_group,
    "deleteDimensionGroup": delete_dimension_group,
}
