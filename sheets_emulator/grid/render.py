"""Reading cells back: ``valueRenderOption`` × ``dateTimeRenderOption``, as the values API does.

``FORMATTED_VALUE`` (default): every value as the text a user sees (numbers through their
number format, booleans ``TRUE``/``FALSE``, formulas as their computed value).
``UNFORMATTED_VALUE``: numbers and booleans as JSON numbers and booleans; dates as serial
numbers unless ``dateTimeRenderOption=FORMATTED_STRING``. ``FORMULA``: formulas as their text,
everything else unformatted. Errors read as their code (``#DIV/0!``). Trailing empty cells and
rows are trimmed, as the API trims them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import contains, getitem
from typing import Any

from sheets_emulator.errors import InvalidArgument
from sheets_emulator.grid.cells import CellValue, Formula, json_number
from sheets_emulator.grid.formats import format_number, is_date_format
from sheets_emulator.grid.formulas import Context
from sheets_emulator.grid.model import Sheet

VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")


def check_option(field: str, value: str | None, allowed: tuple[str, ...]) -> str:
    """An enum query parameter; ``field`` is its snake_case name (``value_render_option``)."""
    if value is None or value == "":
        return allowed[0]
    if value not in allowed:
        type_name = "".join(part.title() for part in field.split("_"))
        raise InvalidArgument(
            f"Invalid value at '{field}' (type.googleapis.com/google.apps.sheets.v4."
            f'{type_name}), "{value}"'
        )
    return value


class Renderer:
    """Renders cells of one sheet for one read (formulas share one evaluation cache)."""

    def __init__(self, sheet: Sheet, context: Context, value_option: str, date_option: str) -> None:
        self.sheet = sheet
        self.context = context
        self.value_option = value_option
        self.date_option = date_option
        self.formatted = value_option == "FORMATTED_VALUE"
        self.dates_as_text = value_option != "FORMATTED_VALUE" and date_option == "FORMATTED_STRING"

    def result(self, row: int, col: int, value: CellValue) -> Any:
        """The value a formula cell evaluates to (other cells: the value itself)."""
        if isinstance(value, Formula):
            return self.context.value(self.sheet.title, row, col)
        return value

    def cell(self, row: int, col: int, value: CellValue) -> Any:
        if value is None:
            return ""
        if isinstance(value, Formula):
            if self.value_option == "FORMULA":
                return value.text
            value = self.context.value(self.sheet.title, row, col)
            if value is None:
                return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            if self.formatted:
                return "TRUE" if value else "FALSE"
            return value
        if isinstance(value, float | int):
            if self.formatted:
                return format_number(float(value), self.sheet.format_of(row, col))
            if self.dates_as_text:
                fmt = self.sheet.format_of(row, col)
                if is_date_format(fmt):
                    return format_number(float(value), fmt)
            return value if type(value) is int else json_number(value)
        return value.code

    def rows(self, r0: int, r1: int, c0: int, c1: int) -> list[Sequence[Any]]:
        """Rendered values of ``[r0, r1) × [c0, c1)``, trailing empties trimmed."""
        block = self.sheet.rows[r0:r1]
        out: list[Sequence[Any]]
        if self._reads_as_stored() and block and _TUPLE.issuperset(map(type, block)):
            out = _stored_block(block, c0, c1)
        else:
            out = [self._row(r, cells, c0, c1) for r, cells in enumerate(block, r0)]
        end = len(out)
        while end and not out[end - 1]:
            end -= 1
        del out[end:]
        return out

    def _reads_as_stored(self) -> bool:
        """Whether seeded (tuple) rows read as they are stored: unformatted values, and no
        dates to print as text."""
        return not self.formatted and not (self.dates_as_text and self.sheet.cell_data)

    def _row(self, r: int, cells: Sequence[CellValue], c0: int, c1: int) -> list[Any]:
        formatted_plain = self.formatted and not self.sheet.cell_data
        rendered: list[Any] = []
        for c in range(c0, min(c1, len(cells))):
            value = cells[c]
            if value is None:
                rendered.append("")
            elif type(value) is str:
                rendered.append(value)
            elif formatted_plain and type(value) is float:
                rendered.append(format_number(value, None))
            else:
                rendered.append(self.cell(r, c, value))
        while rendered and rendered[-1] == "":
            rendered.pop()
        return rendered


_TUPLE = frozenset({tuple})
_EMPTY: dict[Any, Any] = {None: ""}


def _stored_block(block: Sequence[Sequence[Any]], c0: int, c1: int) -> list[Sequence[Any]]:
    """Seeded rows as an unformatted read answers them, with no per-cell Python work.

    A seeded row is a tuple of text, ints, non-integral floats, booleans and ``None``
    (:mod:`sheets_emulator.grid.seed`), so it reads as it is, but for its empties: ``None``
    reads as ``""`` and trailing ones are left out."""
    width = max(map(len, block))
    rows: list[Sequence[Any]] = (
        list(map(getitem, block, repeat(slice(c0, c1), len(block))))
        if c0 > 0 or c1 < width
        else list(block)
    )
    holes = list(map(contains, rows, repeat(None, len(rows))))
    if any(holes):
        for i in compress(range(len(rows)), holes):
            part = rows[i]
            end = len(part)
            while end and part[end - 1] is None:
                end -= 1
            rows[i] = list(map(_EMPTY.get, part[:end], part[:end]))
    return rows


def transpose(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Row-major values as columns (``majorDimension=COLUMNS``), trimmed like rows."""
    columns = [[row[c] if c < len(row) else "" for row in rows] for c in range(width)]
    out: list[list[Any]] = []
    last = 0
    for column in columns:
        while column and column[-1] == "":
            column.pop()
        out.append(column)
        if column:
            last = len(out)
    return out[:last]
