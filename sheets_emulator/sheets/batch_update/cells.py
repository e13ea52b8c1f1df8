"""batchUpdate requests on cells: updateCells, repeatCell, appendCells, merges, sorting,
copy/cut-paste, data validation and borders."""

from __future__ import annotations

import copy
from typing import Any

from sheets_emulator import fields
from sheets_emulator.grid import a1, defaults
from sheets_emulator.grid.cells import CellError, CellValue, Formula
from sheets_emulator.grid.model import Sheet
from sheets_emulator.sheets.batch_update.transaction import (
    Handler,
    RequestFailed,
    Transaction,
    check_cell_limit,
    field_paths,
)

Paths = list[tuple[str, ...]]
_READ_ONLY = ("effectiveValue", "formattedValue", "effectiveFormat", "textFormatRuns")
_ERROR_CODES = {
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "NULL_VALUE": "#NULL!",
    "ERROR": "#ERROR!",
}


def cell_value(data: dict[str, Any]) -> CellValue:
    """The value a ``CellData.userEnteredValue`` stands for (strings are never parsed)."""
    entered = data.get("userEnteredValue")
    if not isinstance(entered, dict) or not entered:
        return None
    if "stringValue" in entered:
        text = str(entered["stringValue"])
        return text if text != "" else None
    if "numberValue" in entered:
        try:
            return float(entered["numberValue"])
        except (TypeError, ValueError):
            raise RequestFailed(f"Invalid numberValue: {entered['numberValue']!r}") from None
    if "boolValue" in entered:
        return bool(entered["boolValue"])
    if "formulaValue" in entered:
        text = str(entered["formulaValue"])
        return Formula(text) if text.startswith("=") else (text or None)
    if "errorValue" in entered:
        kind = str((entered["errorValue"] or {}).get("type", "ERROR"))
        return CellError(_ERROR_CODES.get(kind, "#ERROR!"))
    return None


def _normalise(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    out = dict(data)
    if isinstance(out.get("userEnteredFormat"), dict):
        out["userEnteredFormat"] = defaults.normalise_colors(out["userEnteredFormat"])
    return out


def _with_twins(paths: Paths) -> Paths:
    out = list(paths)
    for path in paths:
        last = path[-1]
        if last.endswith("ColorStyle"):
            out.append((*path[:-1], last[: -len("Style")]))
        elif last.endswith("Color"):
            out.append((*path[:-1], last + "Style"))
    return out


class CellWriter:
    """Applies one ``CellData`` under a field mask to cells of a sheet."""

    def __init__(self, paths: Paths) -> None:
        self.everything = ("*",) in paths
        self.value = self.everything or any(p[0] == "userEnteredValue" for p in paths)
        self.record_paths = _with_twins(
            [p for p in paths if p[0] not in ("*", "userEnteredValue", *_READ_ONLY)]
        )

    def write(self, sheet: Sheet, r: int, c: int, data: dict[str, Any]) -> None:
        if self.value:
            sheet.set(r, c, cell_value(data))
        if self.everything:
            record = {
                k: copy.deepcopy(v)
                for k, v in data.items()
                if k not in ("userEnteredValue", *_READ_ONLY)
            }
        elif self.record_paths:
            record = copy.deepcopy(sheet.cell_data.get((r, c), {}))
            fields.apply(record, data, self.record_paths)
        else:
            return
        if record.get("note") == "":
            del record["note"]
        if not record.get("userEnteredFormat"):
            record.pop("userEnteredFormat", None)
        if record:
            sheet.cell_data[(r, c)] = record
        else:
            sheet.cell_data.pop((r, c), None)


def _inside(key: tuple[int, int], r0: int, r1: int, c0: int, c1: int) -> bool:
    return r0 <= key[0] < r1 and c0 <= key[1] < c1


def _rows(body: dict[str, Any]) -> list[list[dict[str, Any]]]:
    rows = body.get("rows") or []
    if not isinstance(rows, list):
        raise RequestFailed("rows must be a list of RowData")
    return [[_normalise(v) for v in (row or {}).get("values") or []] for row in rows]


def update_cells(txn: Transaction, body: dict[str, Any]) -> None:
    writer = CellWriter(field_paths(body))
    rows = _rows(body)
    if body.get("range") is not None:
        window = txn.window(body["range"])
        sheet = window.sheet
        if not rows and writer.everything:  # clear the range (fast for big tabs)
            sheet.clear_values(window.r0, window.r1, window.c0, window.c1)
            for key in [
                k for k in sheet.cell_data if _inside(k, window.r0, window.r1, window.c0, window.c1)
            ]:
                del sheet.cell_data[key]
            return
        if len(rows) > window.r1 - window.r0:
            raise RequestFailed(
                f"Attempting to write row: {window.r0 + len(rows) - 1}, beyond the last "
                f"requested row of: {window.r1 - 1}"
            )
        for row in rows:
            if len(row) > window.c1 - window.c0:
                raise RequestFailed(
                    f"Attempting to write column: {window.c0 + len(row) - 1}, beyond the last "
                    f"requested column of: {window.c1 - 1}"
                )
        for r in range(window.r0, window.r1):
            row = rows[r - window.r0] if r - window.r0 < len(rows) else []
            for c in range(window.c0, window.c1):
                offset = c - window.c0
                writer.write(sheet, r, c, row[offset] if offset < len(row) else {})
        return
    start = body.get("start")
    if not isinstance(start, dict):
        raise RequestFailed("Either a start or a range must be specified.")
    sheet = txn.sheet(start.get("sheetId"))
    r0, c0 = int(start.get("rowIndex") or 0), int(start.get("columnIndex") or 0)
    height = len(rows)
    width = max((len(row) for row in rows), default=0)
    if r0 + height > sheet.row_count or c0 + width > sheet.col_count:
        end = a1.format_range(sheet.title, r0, r0 + max(height, 1), c0, c0 + max(width, 1))
        raise RequestFailed(
            f"Range ({end}) exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.col_count}"
        )
    for i, row in enumerate(rows):
        for j, data in enumerate(row):
            writer.write(sheet, r0 + i, c0 + j, data)


def repeat_cell(txn: Transaction, body: dict[str, Any]) -> None:
    window = txn.window(body.get("range"))
    writer = CellWriter(field_paths(body))
    data = _normalise(body.get("cell"))
    for r in range(window.r0, window.r1):
        for c in range(window.c0, window.c1):
            writer.write(window.sheet, r, c, data)


def append_cells(txn: Transaction, body: dict[str, Any]) -> None:
    sheet = txn.sheet(body.get("sheetId"))
    writer = CellWriter(field_paths(body))
    rows = _rows(body)
    r0 = sheet.used_extent()[0]
    width = max((len(row) for row in rows), default=0)
    extra_rows = max(0, r0 + len(rows) - sheet.row_count)
    extra_cols = max(0, width - sheet.col_count)
    check_cell_limit(
        txn, extra_rows * sheet.col_count + extra_cols * (sheet.row_count + extra_rows)
    )
    sheet.grid["rowCount"] = sheet.row_count + extra_rows
    sheet.grid["columnCount"] = sheet.col_count + extra_cols
    for i, row in enumerate(rows):
        for j, data in enumerate(row):
            writer.write(sheet, r0 + i, j, data)


def _merge_json(r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}


def _intersects(merge: dict[str, int], r0: int, r1: int, c0: int, c1: int) -> bool:
    return (
        merge["startRowIndex"] < r1
        and r0 < merge["endRowIndex"]
        and merge["startColumnIndex"] < c1
        and c0 < merge["endColumnIndex"]
    )


def merge_cells(txn: Transaction, body: dict[str, Any]) -> None:
    window = txn.window(body.get("range"))
    sheet = window.sheet
    kind = body.get("mergeType") or "MERGE_ALL"
    if kind not in ("MERGE_ALL", "MERGE_COLUMNS", "MERGE_ROWS"):
        raise RequestFailed(f"Invalid mergeType: {kind}")
    r0, r1, c0, c1 = window.r0, window.r1, window.c0, window.c1
    sheet.merges = [m for m in sheet.merges if not _intersects(m, r0, r1, c0, c1)]
    if kind == "MERGE_ALL":
        pieces = [(r0, r1, c0, c1)]
    elif kind == "MERGE_COLUMNS":
        pieces = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    else:
        pieces = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    for pr0, pr1, pc0, pc1 in pieces:
        if (pr1 - pr0) * (pc1 - pc0) < 2:
            continue
        sheet.merges.append(_merge_json(pr0, pr1, pc0, pc1))
        for r in range(pr0, pr1):
            for c in range(pc0, pc1):
                if (r, c) != (pr0, pc0):
                    sheet.set(r, c, None)


def unmerge_cells(txn: Transaction, body: dict[str, Any]) -> None:
    window = txn.window(body.get("range"))
    w = window
    window.sheet.merges = [
        m for m in window.sheet.merges if not _intersects(m, w.r0, w.r1, w.c0, w.c1)
    ]


def _sort_key(value: CellValue) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, float | int):
        return (0, value)
    if isinstance(value, Formula):
        return (1, value.text.casefold())
    if isinstance(value, CellError):
        return (3, value.code)
    return (1, str(value).casefold())


def sort_range(txn: Transaction, body: dict[str, Any]) -> None:
    window = txn.window(body.get("range"))
    sheet = window.sheet
    specs = body.get("sortSpecs") or [{"dimensionIndex": window.c0, "sortOrder": "ASCENDING"}]
    order = list(range(window.r0, window.r1))
    for spec in reversed(specs):
        col = int(spec.get("dimensionIndex") or 0)
        filled = [r for r in order if sheet.get(r, col) is not None]
        empty = [r for r in order if sheet.get(r, col) is None]
        filled.sort(
            key=lambda r, col=col: _sort_key(sheet.get(r, col)),  # type: ignore[misc]
            reverse=spec.get("sortOrder") == "DESCENDING",
        )
        order = filled + empty
    values = {r: [sheet.get(r, c) for c in range(window.c0, window.c1)] for r in order}
    records = {r: [sheet.cell_data.get((r, c)) for c in range(window.c0, window.c1)] for r in order}
    for target, source in zip(range(window.r0, window.r1), order, strict=True):
        for offset, c in enumerate(range(window.c0, window.c1)):
            sheet.set(target, c, values[source][offset])
            record = records[source][offset]
            if record:
                sheet.cell_data[(target, c)] = record
            else:
                sheet.cell_data.pop((target, c), None)


def _paste(
    sheet: Sheet,
    block: list[list[tuple[CellValue, dict[str, Any] | None]]],
    r0: int,
    c0: int,
    paste_type: str,
) -> None:
    values = paste_type in ("PASTE_NORMAL", "PASTE_VALUES", "PASTE_FORMULA", "PASTE_NO_BORDERS")
    formats = paste_type in ("PASTE_NORMAL", "PASTE_FORMAT", "PASTE_NO_BORDERS")
    for i, row in enumerate(block):
        for j, (value, record) in enumerate(row):
            if values:
                sheet.set(r0 + i, c0 + j, value)
            if formats:
                if record:
                    sheet.cell_data[(r0 + i, c0 + j)] = copy.deepcopy(record)
                else:
                    sheet.cell_data.pop((r0 + i, c0 + j), None)


def _block(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> list[list[tuple[CellValue, Any]]]:
    return [
        [(sheet.get(r, c), sheet.cell_data.get((r, c))) for c in range(c0, c1)]
        for r in range(r0, r1)
    ]


def copy_paste(txn: Transaction, body: dict[str, Any]) -> None:
    source = txn.window(body.get("source"), write=False)
    target = txn.window(body.get("destination"))
    block = _block(source.sheet, source.r0, source.r1, source.c0, source.c1)
    if body.get("pasteOrientation") == "TRANSPOSE":
        block = [list(col) for col in zip(*block, strict=True)]
    height, width = len(block), len(block[0]) if block else 0
    if not height or not width:
        return
    rows = max(height, (target.r1 - target.r0) // height * height)
    cols = max(width, (target.c1 - target.c0) // width * width)
    if target.r0 + rows > target.sheet.row_count or target.c0 + cols > target.sheet.col_count:
        raise RequestFailed("The paste would go beyond the grid.")
    tiled = [[block[i % height][j % width] for j in range(cols)] for i in range(rows)]
    _paste(target.sheet, tiled, target.r0, target.c0, body.get("pasteType") or "PASTE_NORMAL")


def cut_paste(txn: Transaction, body: dict[str, Any]) -> None:
    source = txn.window(body.get("source"))
    coordinate = body.get("destination") or {}
    target = txn.sheet(coordinate.get("sheetId"))
    source_sheet = txn.sheet(source.sheet.sheet_id)
    block = _block(source_sheet, source.r0, source.r1, source.c0, source.c1)
    r0, c0 = int(coordinate.get("rowIndex") or 0), int(coordinate.get("columnIndex") or 0)
    if r0 + len(block) > target.row_count or c0 + (source.c1 - source.c0) > target.col_count:
        raise RequestFailed("The paste would go beyond the grid.")
    for r in range(source.r0, source.r1):
        for c in range(source.c0, source.c1):
            source_sheet.set(r, c, None)
            source_sheet.cell_data.pop((r, c), None)
    _paste(target, block, r0, c0, body.get("pasteType") or "PASTE_NORMAL")


def set_data_validation(txn: Transaction, body: dict[str, Any]) -> None:
    window = txn.window(body.get("range"))
    rule = body.get("rule")
    for r in range(window.r0, window.r1):
        for c in range(window.c0, window.c1):
            record = window.sheet.cell_data.setdefault((r, c), {})
            if rule:
                record["dataValidation"] = copy.deepcopy(rule)
            else:
                record.pop("dataValidation", None)
                if not record:
                    del window.sheet.cell_data[(r, c)]


def update_borders(txn: Transaction, body: dict[str, Any]) -> None:
    window = txn.window(body.get("range"))
    w = window
    for r in range(w.r0, w.r1):
        for c in range(w.c0, w.c1):
            sides = {
                "top": body.get("top") if r == w.r0 else body.get("innerHorizontal"),
                "bottom": body.get("bottom") if r == w.r1 - 1 else body.get("innerHorizontal"),
                "left": body.get("left") if c == w.c0 else body.get("innerVertical"),
                "right": body.get("right") if c == w.c1 - 1 else body.get("innerVertical"),
            }
            given = {k: defaults.normalise_colors(v) for k, v in sides.items() if v}
            if not given:
                continue
            record = w.sheet.cell_data.setdefault((r, c), {})
            borders = record.setdefault("userEnteredFormat", {}).setdefault("borders", {})
            borders.update(given)


HANDLERS: dict[str, Handler] = {
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "appendCells": append_cells,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "sortRange": sort_range,
    "copyPaste": copy_paste,
    "cutPaste": cut_paste,
    "setDataValidation": set_data_validation,
    "updateBorders": update_borders,
}
