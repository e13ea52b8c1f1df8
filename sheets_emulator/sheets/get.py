"""``spreadsheets.get``: the Spreadsheet resource, its sheets (with their developer metadata)
and, on request, their grid data; filtered by the ``fields`` mask.

Grid data is built when ``includeGridData=true`` or when the ``fields`` mask asks for
``sheets.data``; with ``ranges`` only the sheets those ranges touch are listed, each with one
``GridData`` per range. Cells are masked before trailing empties are trimmed, so
``fields=sheets.data.rowData.values.note`` answers as the API does (``{}`` for cells without
a note, trailing ones dropped).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from sheets_emulator.fields import Tree, mentions, select, sub_tree
from sheets_emulator.grid.cells import CellError, CellValue, Formula, json_number
from sheets_emulator.grid.defaults import DEFAULT_FORMAT
from sheets_emulator.grid.formulas import Context
from sheets_emulator.grid.model import Sheet, Spreadsheet
from sheets_emulator.grid.ranges import Window, read_window
from sheets_emulator.grid.render import Renderer

_FALSY_GRID = ("frozenRowCount", "frozenColumnCount", "hideGridlines")
_ERROR_TYPES = {
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#REF!": "REF",
    "#NAME?": "NAME",
    "#NUM!": "NUM",
    "#N/A": "N_A",
    "#NULL!": "NULL_VALUE",
    "#ERROR!": "ERROR",
}


_ALIGN = {float: "RIGHT", int: "RIGHT", bool: "CENTER", str: "LEFT"}


def spreadsheet_url(spreadsheet_id: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"


def sheet_properties(sheet: Sheet) -> dict[str, Any]:
    """Sheet properties as printed: proto3 defaults (0, false) left out."""
    props = copy.deepcopy(sheet.properties)
    grid = props.get("gridProperties", {})
    for key in _FALSY_GRID:
        if not grid.get(key):
            grid.pop(key, None)
    for key in ("hidden", "rightToLeft"):
        if not props.get(key):
            props.pop(key, None)
    return props


def _sheet_resource(sheet: Sheet) -> dict[str, Any]:
    out: dict[str, Any] = {"properties": sheet_properties(sheet)}
    if sheet.merges:
        out["merges"] = copy.deepcopy(sheet.merges)
    if sheet.conditional_formats:
        out["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
    if sheet.protected_ranges:
        out["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
    if sheet.basic_filter:
        out["basicFilter"] = copy.deepcopy(sheet.basic_filter)
    if sheet.charts:
        out["charts"] = copy.deepcopy(sheet.charts)
    if sheet.developer_metadata:
        out["developerMetadata"] = copy.deepcopy(sheet.developer_metadata)
    if sheet.row_groups:
        out["rowGroups"] = copy.deepcopy(sheet.row_groups)
    if sheet.column_groups:
        out["columnGroups"] = copy.deepcopy(sheet.column_groups)
    return out


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, float | int):
        return {"numberValue": json_number(float(value))}
    if isinstance(value, CellError):
        return {
            "errorValue": {
                "type": _ERROR_TYPES.get(value.code, "ERROR"),
                "message": f"Formula evaluation error: {value.code}",
            }
        }
    if isinstance(value, str):
        return {"stringValue": value}
    return {}


def _merge_format(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in user.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_format(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class _Cells:
    """Builds ``CellData`` for one sheet."""

    def __init__(self, sheet: Sheet, context: Context, mask: Tree | None) -> None:
        self.sheet = sheet
        self.mask = mask
        self.formatted = Renderer(sheet, context, "FORMATTED_VALUE", "SERIAL_NUMBER")
        self.want_values = any(
            mentions(mask, key) for key in ("userEnteredValue", "effectiveValue", "formattedValue")
        )

    def cell(self, r: int, c: int, value: CellValue) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if value is not None and self.want_values:
            if isinstance(value, Formula):
                out["userEnteredValue"] = {"formulaValue": value.text}
            else:
                out["userEnteredValue"] = _typed(value)
            result = self.formatted.result(r, c, value)
            if result is not None:
                out["effectiveValue"] = _typed(result)
                out["formattedValue"] = self.formatted.cell(r, c, value)
        extra = self.sheet.cell_data.get((r, c)) or {}
        for key, item in extra.items():
            if key != "userEnteredFormat":
                out[key] = copy.deepcopy(item)
        user_format = extra.get("userEnteredFormat")
        if user_format:
            out["userEnteredFormat"] = copy.deepcopy(user_format)
        if value is not None or user_format:
            effective = _merge_format(DEFAULT_FORMAT, {"hyperlinkDisplayType": "PLAIN_TEXT"})
            result = self.formatted.result(r, c, value)
            if result is not None:
                effective["horizontalAlignment"] = _ALIGN.get(type(result), "LEFT")
            out["effectiveFormat"] = _merge_format(effective, user_format or {})
        result_cell: dict[str, Any] = select(out, self.mask) if self.mask is not None else out
        return result_cell


def grid_data(
    sheet: Sheet, window: Window, context: Context, mask: Tree | None, ranged: bool
) -> dict[str, Any]:
    """One ``GridData``: rows of cells, trailing empties trimmed after masking."""
    cells = _Cells(sheet, context, sub_tree(mask, "rowData", "values"))
    data_cols = {c for (r, c) in sheet.cell_data if window.r0 <= r < window.r1}
    data_rows = max((r + 1 for r, _ in sheet.cell_data), default=0)
    last_row = min(window.r1, max(len(sheet.rows), data_rows))
    rows: list[dict[str, Any]] = []
    last_nonempty = 0
    for r in range(window.r0, last_row):
        stored = sheet.rows[r] if r < len(sheet.rows) else []
        width = max(len(stored), max((c + 1 for c in data_cols), default=0))
        values = [
            cells.cell(r, c, stored[c] if c < len(stored) else None)
            for c in range(window.c0, min(window.c1, width))
        ]
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
        if values:
            last_nonempty = len(rows)
    del rows[last_nonempty:]
    out: dict[str, Any] = {}
    if ranged and window.r0:
        out["startRow"] = window.r0
    if ranged and window.c0:
        out["startColumn"] = window.c0
    if rows:
        out["rowData"] = rows
    if mentions(mask, "rowMetadata"):
        out["rowMetadata"] = [
            {"pixelSize": 21, **sheet.row_meta.get(r, {})} for r in range(window.r0, window.r1)
        ]
    if mentions(mask, "columnMetadata"):
        out["columnMetadata"] = [
            {"pixelSize": 100, **sheet.col_meta.get(c, {})} for c in range(window.c0, window.c1)
        ]
    return out


def spreadsheet_resource(
    spreadsheet: Spreadsheet,
    *,
    include_grid_data: bool = False,
    ranges: Sequence[str] = (),
    mask: Tree | None = None,
) -> dict[str, Any]:
    """The ``Spreadsheet`` resource, filtered by ``mask`` (the ``fields`` parameter)."""
    sheets_mask = mask.get("sheets") if mask is not None else None
    with_data = include_grid_data or (isinstance(sheets_mask, dict) and "data" in sheets_mask)
    data_mask = sub_tree(mask, "sheets", "data")
    windows: list[Window] = [read_window(spreadsheet, text) for text in ranges]
    sheets = []
    context = spreadsheet.formula_context() if with_data else None
    for sheet in spreadsheet.sheets:
        own = [w for w in windows if w.sheet is sheet]
        if ranges and not own:
            continue
        resource = _sheet_resource(sheet)
        if with_data and context is not None:
            if not ranges:
                own = [Window(sheet, 0, sheet.row_count, 0, sheet.col_count)]
            resource["data"] = [grid_data(sheet, w, context, data_mask, bool(ranges)) for w in own]
        sheets.append(resource)
    out: dict[str, Any] = {
        "spreadsheetId": spreadsheet.spreadsheet_id,
        "properties": copy.deepcopy(spreadsheet.properties),
        "sheets": sheets,
    }
    if spreadsheet.named_ranges:
        out["namedRanges"] = copy.deepcopy(spreadsheet.named_ranges)
    out["spreadsheetUrl"] = spreadsheet_url(spreadsheet.spreadsheet_id)
    if spreadsheet.developer_metadata:
        out["developerMetadata"] = copy.deepcopy(spreadsheet.developer_metadata)
    return select(out, mask) if mask is not None else out
