"""Python values as stored cells: how seeded tabs are kept, fast and compact.

Seeding stores values as given: text stays text (even ``=...``), numbers become floats,
``date``/``datetime`` become date serials with a date format, ``""`` and ``None`` are empty.
Equal numbers and short strings are stored once and shared by every cell holding them (a
10-million-cell tab of regions, stages, dates and amounts repeats few distinct values), so a
big tab costs about one pointer per cell plus one list per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sheets_emulator.grid.cells import CellValue, serial

Formats = dict[tuple[int, int], dict[str, Any]]

#: How many distinct values one seeding shares at most (beyond that, values are kept as is).
SHARED_LIMIT = 1 << 17
#: Strings longer than this are never shared (ids and notes are rarely repeated).
SHARED_LENGTH = 40

_DATE = {"type": "DATE", "pattern": "yyyy-mm-dd"}
_DATE_TIME = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd H:mm:ss"}


def seed_value(item: Any) -> tuple[CellValue, dict[str, str] | None]:
    """One value as a cell and the number format it brings (dates only)."""
    if item is None or item == "":
        return None, None
    if isinstance(item, bool):
        return item, None
    if isinstance(item, int | float | Decimal):
        return float(item), None
    if isinstance(item, datetime):
        return serial(item.replace(tzinfo=None)), dict(_DATE_TIME)
    if isinstance(item, date):
        return serial(datetime(item.year, item.month, item.day)), dict(_DATE)
    return str(item), None


def seed_rows(rows: Iterable[Sequence[Any]]) -> tuple[list[list[CellValue]], Formats]:
    """``rows`` as stored rows, and the number formats their dates bring by ``(row, col)``."""
    texts: dict[str, str] = {}
    numbers: dict[float, float] = {}
    formats: Formats = {}
    out: list[list[CellValue]] = []
    append_row = out.append
    for r, row in enumerate(rows):
        cells: list[CellValue] = []
        append = cells.append
        for item in row:
            kind = type(item)
            if kind is str:
                if not item:
                    append(None)
                elif len(item) > SHARED_LENGTH:
                    append(item)
                else:
                    shared = texts.get(item)
                    if shared is None:
                        shared = item
                        if len(texts) < SHARED_LIMIT:
                            texts[item] = item
                    append(shared)
            elif kind is float or kind is int:
                number = float(item)
                same = numbers.get(number)
                if same is None:
                    same = number
                    if len(numbers) < SHARED_LIMIT:
                        numbers[number] = number
                append(same)
            else:
                value, fmt = seed_value(item)
                if fmt is not None:
                    formats[(r, len(cells))] = {"userEnteredFormat": {"numberFormat": fmt}}
                append(value)
        append_row(cells)
    return out, formats
