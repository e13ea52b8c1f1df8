"""``spreadsheets.values``: get, batchGet, update, batchUpdate, append, clear, batchClear.

Functions take the spreadsheet (already checked for access) and the request's parameters and
body, and return the API's response object. Writes validate everything before changing
anything, so a failing ``values.batchUpdate`` leaves the spreadsheet unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sheets_emulator.errors import InvalidArgument, bad_request_field
from sheets_emulator.grid import a1
from sheets_emulator.grid.cells import CellValue, NumberFormat, raw_value, user_entered_value
from sheets_emulator.grid.model import CELL_LIMIT, Sheet, Spreadsheet
from sheets_emulator.grid.ranges import Window, exceeds, read_window, resolve
from sheets_emulator.grid.render import DATE_RENDER, VALUE_RENDER, Renderer, check_option, transpose

DIMENSIONS = ("ROWS", "COLUMNS")
INPUT_OPTIONS = ("RAW", "USER_ENTERED")
_VALUE_RANGE_KEYS = {"range", "majorDimension", "values"}


def _dimension(value: Any, field_name: str = "major_dimension") -> str:
    if value is None:
        return "ROWS"
    return check_option(field_name, str(value), (*DIMENSIONS, "DIMENSION_UNSPECIFIED")).replace(
        "DIMENSION_UNSPECIFIED", "ROWS"
    )


def _read(
    spreadsheet: Spreadsheet,
    text: str,
    major: str,
    value_option: str,
    date_option: str,
    context_cache: dict[str, Any],
) -> dict[str, Any]:
    window = read_window(spreadsheet, text)
    context = context_cache.setdefault("ctx", spreadsheet.formula_context())
    renderer = Renderer(window.sheet, context, value_option, date_option)
    rows: Sequence[Sequence[Any]] = renderer.rows(window.r0, window.r1, window.c0, window.c1)
    if major == "COLUMNS":
        rows = transpose(rows, window.c1 - window.c0)
    out: dict[str, Any] = {"range": window.a1, "majorDimension": major}
    if rows:
        out["values"] = rows
    return out


def _render_options(params: Mapping[str, str | None]) -> tuple[str, str, str]:
    major = _dimension(params.get("majorDimension"))
    value_option = check_option(
        "value_render_option", params.get("valueRenderOption"), VALUE_RENDER
    )
    date_option = check_option(
        "date_time_render_option", params.get("dateTimeRenderOption"), DATE_RENDER
    )
    return major, value_option, date_option


def get(spreadsheet: Spreadsheet, text: str, params: Mapping[str, str | None]) -> dict[str, Any]:
    major, value_option, date_option = _render_options(params)
    return _read(spreadsheet, text, major, value_option, date_option, {})


def batch_get(
    spreadsheet: Spreadsheet, ranges: Sequence[str], params: Mapping[str, str | None]
) -> dict[str, Any]:
    major, value_option, date_option = _render_options(params)
    cache: dict[str, Any] = {}
    value_ranges = [_read(spreadsheet, r, major, value_option, date_option, cache) for r in ranges]
    out: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
    if value_ranges:
        out["valueRanges"] = value_ranges
    return out


# --- writes ---------------------------------------------------------------------------------


@dataclass
class Write:
    """A validated write: where it goes and what each cell becomes (``None`` skips a cell)."""

    sheet: Sheet
    r0: int
    c0: int
    grid: list[list[tuple[CellValue, NumberFormat | None] | None]]
    width: int
    requested: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return len(self.grid)

    def summary(self, spreadsheet_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if self.height and self.width:
            out["updatedRange"] = a1.format_range(
                self.sheet.title, self.r0, self.r0 + self.height, self.c0, self.c0 + self.width
            )
        rows = sum(1 for row in self.grid if any(cell is not None for cell in row))
        cols = {c for row in self.grid for c, cell in enumerate(row) if cell is not None}
        cells = sum(1 for row in self.grid for cell in row if cell is not None)
        if rows:
            out.update(updatedRows=rows, updatedColumns=len(cols), updatedCells=cells)
        return out

    def cells(self) -> set[tuple[int, int]]:
        return {
            (self.r0 + r, self.c0 + c)
            for r, row in enumerate(self.grid)
            for c, cell in enumerate(row)
            if cell is not None
        }

    def apply(self) -> None:
        sheet = self.sheet
        for r, row in enumerate(self.grid):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                value, fmt = cell
                sheet.set(self.r0 + r, self.c0 + c, value)
                if fmt is not None:
                    data = sheet.cell_data.setdefault((self.r0 + r, self.c0 + c), {})
                    user_format = data.setdefault("userEnteredFormat", {})
                    user_format.setdefault("numberFormat", fmt)


def _parse_values(
    values: Any, where: str, input_option: str, major: str
) -> list[list[tuple[CellValue, NumberFormat | None] | None]]:
    """Check the ``values`` JSON (a list of lists of scalars) and parse each cell."""
    if values is None:
        return []
    if not isinstance(values, list):
        message = (
            f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.ListValue), "
            f"{json.dumps(values, ensure_ascii=False)}"
        )
        raise bad_request_field(where, message)
    parse = user_entered_value if input_option == "USER_ENTERED" else None
    grid: list[list[tuple[CellValue, NumberFormat | None] | None]] = []
    for i, row in enumerate(values):
        if not isinstance(row, list):
            message = (
                f"Invalid value at '{where}[{i}]' (type.googleapis.com/google.protobuf.ListValue), "
                f"{json.dumps(row, ensure_ascii=False)}"
            )
            raise bad_request_field(f"{where}[{i}]", message)
        parsed: list[tuple[CellValue, NumberFormat | None] | None] = []
        for j, item in enumerate(row):
            if item is None:
                parsed.append(None)
            elif isinstance(item, bool | int | float | str):
                parsed.append(parse(item) if parse else (raw_value(item), None))
            else:
                kind = "struct_value" if isinstance(item, dict) else "list_value"
                raise InvalidArgument(f"Invalid values[{i}][{j}]: {kind} {json.dumps(item)}")
        grid.append(parsed)
    if major == "COLUMNS":
        height = max((len(col) for col in grid), default=0)
        grid = [[col[r] if r < len(col) else None for col in grid] for r in range(height)]
    return grid


def _input_option(value: str | None) -> str:
    if not value:
        raise InvalidArgument("'valueInputOption' is required but not specified")
    return check_option("value_input_option", value, INPUT_OPTIONS)


def plan_write(
    spreadsheet: Spreadsheet,
    text: str,
    body: Mapping[str, Any],
    input_option: str,
    where: str = "data.values",
    *,
    within_range: bool = True,
) -> Write:
    """Validate a ``ValueRange`` write to range ``text``; with ``within_range`` the data must
    fit the range's explicit bounds (appends only use the range to find the table)."""
    unknown = set(body) - _VALUE_RANGE_KEYS
    if unknown:
        name = sorted(unknown)[0]
        raise bad_request_field(
            where.rpartition(".")[0] or "data",
            f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.',
        )
    major = _dimension(body.get("majorDimension"))
    grid = _parse_values(body.get("values"), where, input_option, major)
    sheet, given = resolve(spreadsheet, text)
    requested = a1.format_requested(sheet.title, given)
    bounds = given or a1.Bounds(0, None, 0, None)
    width = max((len(row) for row in grid), default=0)
    single_cell = bounds.end_row == bounds.start_row + 1 and bounds.end_col == bounds.start_col + 1
    if not within_range or single_cell:  # a single cell only anchors the data
        return Write(sheet, bounds.start_row, bounds.start_col, grid, width, requested)
    if bounds.end_row is not None and len(grid) > bounds.end_row - bounds.start_row:
        raise InvalidArgument(
            f"Requested writing within range [{requested}], but tried writing to row "
            f"[{bounds.start_row + len(grid)}]"
        )
    if bounds.end_col is not None and width > bounds.end_col - bounds.start_col:
        column = a1.column_letters(bounds.start_col + width - 1)
        raise InvalidArgument(
            f"Requested writing within range [{requested}], but tried writing to column [{column}]"
        )
    return Write(sheet, bounds.start_row, bounds.start_col, grid, width, requested)


def _check_grid(write: Write) -> None:
    sheet = write.sheet
    if write.height and (
        write.r0 + write.height > sheet.row_count or write.c0 + write.width > sheet.col_count
    ):
        raise exceeds(sheet, write.requested)
    if write.r0 >= sheet.row_count or write.c0 >= sheet.col_count:
        raise exceeds(sheet, write.requested)


def update(
    spreadsheet: Spreadsheet, text: str, body: Mapping[str, Any], params: Mapping[str, str | None]
) -> dict[str, Any]:
    input_option = _input_option(params.get("valueInputOption"))
    write = plan_write(spreadsheet, text, body, input_option)
    _check_grid(write)
    write.apply()
    out = write.summary(spreadsheet.spreadsheet_id)
    if params.get("includeValuesInResponse") in ("true", "True", "1"):
        out["updatedData"] = _updated_data(spreadsheet, write, params)
    return out


def _updated_data(
    spreadsheet: Spreadsheet, write: Write, params: Mapping[str, str | None]
) -> dict[str, Any]:
    window = Window(
        write.sheet, write.r0, write.r0 + write.height, write.c0, write.c0 + write.width
    )
    renderer = Renderer(
        window.sheet,
        spreadsheet.formula_context(),
        check_option(
            "response_value_render_option", params.get("responseValueRenderOption"), VALUE_RENDER
        ),
        check_option(
            "response_date_time_render_option",
            params.get("responseDateTimeRenderOption"),
            DATE_RENDER,
        ),
    )
    out: dict[str, Any] = {"range": window.a1, "majorDimension": "ROWS"}
    rows = renderer.rows(window.r0, window.r1, window.c0, window.c1)
    if rows:
        out["values"] = rows
    return out


def batch_update(spreadsheet: Spreadsheet, body: Mapping[str, Any]) -> dict[str, Any]:
    input_option = _input_option(body.get("valueInputOption"))
    data = body.get("data") or []
    if not isinstance(data, list):
        raise bad_request_field(
            "data", "Invalid value at 'data' (type.googleapis.com/google.apps.sheets.v4.ValueRange)"
        )
    writes = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or "range" not in item:
            raise InvalidArgument(f"Invalid data[{i}]: range is required")
        write = plan_write(
            spreadsheet,
            str(item["range"]),
            {k: v for k, v in item.items() if k != "range"},
            input_option,
            where=f"data[{i}].values",
        )
        _check_grid(write)
        writes.append(write)
    responses = []
    for write in writes:
        write.apply()
        responses.append(write.summary(spreadsheet.spreadsheet_id))
    out: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
    if writes:
        cells = [(w.sheet.sheet_id, cell) for w in writes for cell in w.cells()]
        out["totalUpdatedRows"] = len({(s, r) for s, (r, _) in cells})
        out["totalUpdatedColumns"] = len({(s, c) for s, (_, c) in cells})
        out["totalUpdatedCells"] = len(set(cells))
        out["totalUpdatedSheets"] = len({s for s, _ in cells})
        out["responses"] = responses
    return out


# --- append ---------------------------------------------------------------------------------


def _nonempty(sheet: Sheet, r: int, c0: int, c1: int) -> bool:
    if r < 0 or r >= len(sheet.rows):
        return False
    cells = sheet.rows[r]
    return any(cells[c] is not None for c in range(max(c0, 0), min(c1, len(cells))))


def _column_nonempty(sheet: Sheet, c: int, r0: int, r1: int) -> bool:
    if c < 0:
        return False
    return any(sheet.get(r, c) is not None for r in range(max(r0, 0), min(r1, len(sheet.rows))))


def find_table(sheet: Sheet, window: Window) -> tuple[int, int, int, int] | None:
    """The "table" an append continues: grown from the last non-empty cell of the window
    while a neighbouring row or column (diagonals included) holds data."""
    seed = None
    for r in range(min(window.r1, len(sheet.rows)) - 1, window.r0 - 1, -1):
        cells = sheet.rows[r]
        for c in range(min(window.c1, len(cells)) - 1, window.c0 - 1, -1):
            if cells[c] is not None:
                seed = (r, c)
                break
        if seed:
            break
    if seed is None:
        return None
    r0, r1, c0, c1 = seed[0], seed[0] + 1, seed[1], seed[1] + 1
    grown = True
    while grown:
        grown = False
        if _nonempty(sheet, r1, c0 - 1, c1 + 1):
            r1, grown = r1 + 1, True
        if r0 > 0 and _nonempty(sheet, r0 - 1, c0 - 1, c1 + 1):
            r0, grown = r0 - 1, True
        if _column_nonempty(sheet, c1, r0 - 1, r1 + 1):
            c1, grown = c1 + 1, True
        if c0 > 0 and _column_nonempty(sheet, c0 - 1, r0 - 1, r1 + 1):
            c0, grown = c0 - 1, True
    return r0, r1, c0, c1


def append(
    spreadsheet: Spreadsheet, text: str, body: Mapping[str, Any], params: Mapping[str, str | None]
) -> dict[str, Any]:
    input_option = _input_option(params.get("valueInputOption"))
    insert = check_option(
        "insert_data_option", params.get("insertDataOption"), ("OVERWRITE", "INSERT_ROWS")
    )
    write = plan_write(
        spreadsheet,
        text,
        {k: v for k, v in body.items() if k != "range"},
        input_option,
        within_range=False,
    )
    window = read_window(spreadsheet, text)
    sheet = window.sheet
    table = find_table(sheet, window)
    out: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
    if table is not None:
        out["tableRange"] = a1.format_range(sheet.title, *table)
        write.r0, write.c0 = table[1], table[2]
    else:
        write.r0, write.c0 = window.r0, window.c0
    extra_rows = max(0, write.r0 + write.height - sheet.row_count)
    if insert == "INSERT_ROWS" and write.r0 < sheet.row_count:
        extra_rows = write.height
    extra_cols = max(0, write.c0 + write.width - sheet.col_count)
    added = extra_rows * (sheet.col_count + extra_cols) + extra_cols * sheet.row_count
    if added and spreadsheet.cell_count() + added > CELL_LIMIT:
        raise InvalidArgument(
            "This action would increase the number of cells in the workbook above the limit "
            f"of {CELL_LIMIT} cells."
        )
    if insert == "INSERT_ROWS" and write.height and write.r0 < sheet.row_count:
        sheet.insert_rows(write.r0, write.height)
    elif extra_rows:
        sheet.grid["rowCount"] = sheet.row_count + extra_rows
    if extra_cols:
        sheet.grid["columnCount"] = sheet.col_count + extra_cols
    write.apply()
    out["updates"] = write.summary(spreadsheet.spreadsheet_id)
    if params.get("includeValuesInResponse") in ("true", "True", "1"):
        out["updates"]["updatedData"] = _updated_data(spreadsheet, write, params)
    return out


# --- clear ----------------------------------------------------------------------------------


def clear(spreadsheet: Spreadsheet, text: str) -> dict[str, Any]:
    window = read_window(spreadsheet, text)
    window.sheet.clear_values(window.r0, window.r1, window.c0, window.c1)
    return {"spreadsheetId": spreadsheet.spreadsheet_id, "clearedRange": window.a1}


def batch_clear(spreadsheet: Spreadsheet, body: Mapping[str, Any]) -> dict[str, Any]:
    ranges = body.get("ranges") or []
    if not isinstance(ranges, list):
        raise bad_request_field("ranges", "Invalid value at 'ranges'")
    windows = [read_window(spreadsheet, str(r)) for r in ranges]
    for window in windows:
        window.sheet.clear_values(window.r0, window.r1, window.c0, window.c1)
    out: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
    if windows:
        out["clearedRanges"] = [w.a1 for w in windows]
    return out
