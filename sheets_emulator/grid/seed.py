"""Python values as stored cells: how seeded tabs are kept, fast and compact.

Seeding stores values as given: text stays text (even ``=...``), numbers stay numbers,
``date``/``datetime`` become date serials with a date format, ``""`` and ``None`` are empty.
A whole number is stored as an ``int`` (below 2**53, where a float is exact), so that a
seeded row holds only what an unformatted read answers and is served as it is
(:mod:`sheets_emulator.grid.render`). Each row is a tuple (smaller than a list, and out of
the garbage collector's way once it holds only text and numbers); equal numbers and short
strings are stored once and shared by every cell holding them (a 10-million-cell tab of
regions, stages, dates and amounts repeats few distinct values).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat, zip_longest
from typing import Any

from sheets_emulator.grid.cells import CellValue, Row, serial

Formats = dict[tuple[int, int], dict[str, Any]]

#: How many distinct values one seeding shares at most (beyond that, values are kept as is).
SHARED_LIMIT = 1 << 17
#: Strings longer than this are never shared (ids and notes are rarely repeated).
SHARED_LENGTH = 40
EXACT = 2**53

_DATE = {"type": "DATE", "pattern": "yyyy-mm-dd"}
_DATE_TIME = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd H:mm:ss"}
_MISSING: Any = object()
_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of containers are built (it would walk
    them again and again); the collector runs as before once the last pause ends."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def number(value: float | int) -> float | int:
    """A number as stored: whole numbers below 2**53 as ``int``, others as ``float``."""
    if type(value) is int:
        return value if -EXACT < value < EXACT else float(value)
    value = float(value)
    if value.is_integer() and -EXACT < value < EXACT:
        return int(value)
    return value


def seed_value(item: Any) -> tuple[CellValue, dict[str, str] | None]:
    """One value as a cell and the number format it brings (dates only)."""
    if item is None or item == "":
        return None, None
    if isinstance(item, bool):
        return item, None
    if isinstance(item, int | float | Decimal):
        return number(float(item) if isinstance(item, Decimal) else item), None
    if isinstance(item, datetime):
        return number(serial(item.replace(tzinfo=None))), dict(_DATE_TIME)
    if isinstance(item, date):
        return number(serial(datetime(item.year, item.month, item.day))), dict(_DATE)
    return str(item), None


def seed_rows(rows: Iterable[Sequence[Any]], *, consume: bool = False) -> tuple[list[Row], Formats]:
    """``rows`` as stored rows, and the number formats their dates bring by ``(row, col)``.

    Blocks of rows holding only text, numbers and empties are converted column by column
    (one conversion per distinct value, the rest at C speed); other blocks cell by cell.
    With ``consume``, ``rows`` (a list the caller gives up) is emptied block by block as it
    is converted, so a big seed never holds its input and its result whole at once."""
    shared: dict[Any, Any] = {}
    formats: Formats = {}
    out: list[Row] = []
    given = rows if isinstance(rows, list) else list(rows)
    with gc_paused():
        for start in range(0, len(given), BLOCK):
            block = given[start : start + BLOCK]
            converted = _by_columns(block, shared)
            if converted is None:
                converted = _by_cells(block, start, shared, formats)
            out.extend(converted)
            if consume and given is rows:
                del block
                given[start : start + BLOCK] = repeat(None, min(BLOCK, len(given) - start))
    if consume and given is rows:
        given.clear()
    return out, formats


#: Rows converted together, column by column.
BLOCK = 1 << 14
_PLAIN = frozenset({str, int, float, type(None)})
_TEXT = frozenset({str, type(None)})
_EMPTY: dict[Any, Any] = {"": None}


def _canonical(value: Any, shared: dict[Any, Any]) -> Any:
    """One text, number or empty as stored, shared with equal values seen before."""
    if value is None or value == "":
        return None
    key: Any
    if type(value) is str:
        if len(value) > SHARED_LENGTH:
            return value
        key = value
    else:
        key = number(value)
    found = shared.get(key, _MISSING)
    if found is _MISSING:
        found = key
        if len(shared) < SHARED_LIMIT:
            shared[key] = key
    return found


def _by_columns(block: list[Sequence[Any]], shared: dict[Any, Any]) -> list[Row] | None:
    """A block of plain rows (text, numbers, empties) converted column by column; ``None``
    when a cell is of another kind (booleans, dates...)."""
    columns = list(zip_longest(*block))
    converted: list[Sequence[Any]] = []
    for column in columns:
        kinds = set(map(type, column))
        if not _PLAIN.issuperset(kinds):
            return None
        distinct = set(column)
        if len(distinct) * 2 > len(column) and kinds <= _TEXT:
            # mostly unique text (ids): nothing is shared, only empties change
            converted.append(list(map(_EMPTY.get, column, column)) if "" in distinct else column)
            continue
        canon = {value: _canonical(value, shared) for value in distinct}
        converted.append(list(map(canon.__getitem__, column)))
    return list(zip(*converted, strict=True)) if converted else [() for _ in block]


def _by_cells(
    block: list[Sequence[Any]], start: int, shared: dict[Any, Any], formats: Formats
) -> list[Row]:
    out: list[Row] = []
    for r, row in enumerate(block, start):
        cells: list[CellValue] = []
        for item in row:
            if item is None or type(item) in (str, int, float):
                cells.append(_canonical(item, shared))
                continue
            value, fmt = seed_value(item)
            if fmt is not None:
                formats[(r, len(cells))] = {"userEnteredFormat": {"numberFormat": fmt}}
            cells.append(value)
        out.append(tuple(cells))
    return out
