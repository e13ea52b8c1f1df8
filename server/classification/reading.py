"""Reading a tab's rows into amounts per group and fiscal quarter, with data issues.

Long tables and deal rows can hold a million rows, so they are read column-wise in C:
each distinct raw group value and date is read once (dict caches whose ``__missing__``
does the careful parsing), rows are bucketed by an integer key ``group << 20 | quarter``
with ``map``/``deque`` so no Python code runs per row, and each bucket is summed with
``math.fsum`` (exact, so the result never depends on row order). Only rows the fast
path cannot vouch for (a blank, total, error or unreadable cell) are read again, one
by one, by :class:`RowReader`, which is also the whole reader when the fast path meets
values it cannot handle (unhashable cells, ints beyond float range).
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, count, islice
from operator import add, itemgetter
from typing import Any

from server.classification import issues, values
from server.classification.model import DataIssue
from server.classification.tables import Column, Kind, Layout, as_row, is_identifier
from server.classification.values import Problem

GroupKey = tuple[str, ...]  # folded group values; () when there are no group columns

_SHIFT = 20  # quarter indexes stay below 2**20 (years up to 2999)
_MASK = (1 << _SHIFT) - 1
_SPECIAL = -(1 << 62)  # a cell the fast path cannot vouch for: the row is read again
_DISCARD = -1
_NUMBERS = frozenset({int, float})
_TOTAL_SPELLINGS = values.total_spellings()
_Rejected = tuple[Column, Any, Problem]


@dataclass
class TabReading:
    """What one tab holds: accepted amounts per (group, quarter), and its issues."""

    tab: str
    kind: Kind
    sums: dict[tuple[GroupKey, int], float] = field(default_factory=dict)
    spelling: dict[GroupKey, str] = field(default_factory=dict)
    issues: list[DataIssue] = field(default_factory=list)
    # (group, quarter) that a rejected cell would have fed; group None when unreadable
    touched: set[tuple[GroupKey | None, int]] = field(default_factory=set)


class RowReader:
    """The careful path: one row at a time, every cell parsed and every problem reported."""

    def __init__(self, layout: Layout, groups: Sequence[Column], start: int) -> None:
        self.layout = layout
        self.groups = tuple(groups)
        self.start = start
        self.reading = TabReading(layout.tab, layout.kind)
        self.extra: defaultdict[tuple[GroupKey, int], list[float]] = defaultdict(list)
        grouped = {c.index for c in self.groups}
        self.others = tuple(c for c in layout.named if c.index not in grouped)
        # Dimensions that are not group columns (a Region when the other tab has none):
        # a Total there must be skipped even when the rest of the row reads well. Id-like
        # columns (Deal, Account…) are left out: they hold a million distinct values.
        self.scanned = tuple(
            c for c in layout.dimensions if c.index not in grouped and not is_identifier(c.header)
        )

    def _cell(self, row: Sequence[Any], column: Column) -> Any:
        return row[column.index] if column.index < len(row) else None

    def _group(self, row: Sequence[Any]) -> tuple[GroupKey | None, list[_Rejected]]:
        """The row's group key (spelling recorded), or None and the problems."""
        names: list[str] = []
        problems: list[_Rejected] = []
        for column in self.groups:
            raw = self._cell(row, column)
            name = values.group_name(raw)
            if isinstance(name, Problem):
                problems.append((column, raw, name))
            else:
                names.append(name)
        if problems:
            return None, problems
        key = tuple(values.fold(n) for n in names)
        self.reading.spelling.setdefault(key, " / ".join(names))
        return key, problems

    def _total(self, row: Sequence[Any], sheet_row: int, *, rejected: bool) -> bool:
        """Report and skip a Total / Grand Total / Subtotal row.

        A total is named in a group or quarter cell, or by an exact spelling in an
        ungrouped dimension; in a row that cannot be read anyway, in any named cell.
        """
        period = self.layout.period
        found: Column | None = None
        for column in (*self.groups, *_some(period)):
            raw = self._cell(row, column)
            if values.is_total_marker(raw) or (column is period and _names_a_total(raw)):
                found = column
                break
        else:
            found = next((c for c in self.scanned if _is_total_spelling(self._cell(row, c))), None)
        if found is None and rejected:
            found = next(
                (c for c in self.others if values.is_total_marker(self._cell(row, c))), None
            )
        if found is None:
            return False
        raw = self._cell(row, found)
        self.reading.issues.append(
            issues.total_row(self.layout.tab, sheet_row, found.index, found.header, raw)
        )
        return True

    def reject(
        self, sheet_row: int, column: Column, raw: Any, problem: Problem, what: str = "row"
    ) -> None:
        self.reading.issues.append(
            issues.rejected(
                self.layout.tab,
                sheet_row,
                column.index,
                column.header,
                raw,
                problem,
                what=what,
                date_column=self.layout.kind is Kind.DEALS,
            )
        )

    def read_row(self, row: Sequence[Any], sheet_row: int) -> None:
        """A row of a long table or of deal rows."""
        period, amount = self.layout.period, self.layout.amount
        assert period is not None
        assert amount is not None
        when, raw = self._cell(row, period), self._cell(row, amount)
        if values.is_blank(when) and values.is_blank(raw):
            return  # an empty row, a heading or a note: nothing to count
        if self._total(row, sheet_row, rejected=False):
            return
        key, problems = self._group(row)
        quarter = values.period_index(when, self.start)
        if isinstance(quarter, Problem):
            problems.append((period, when, quarter))
        number = values.parse_amount(raw)
        if isinstance(number, Problem):
            problems.append((amount, raw, number))
        if problems:
            if self._total(row, sheet_row, rejected=True):
                return
            for column, cell, problem in problems:
                self.reject(sheet_row, column, cell, problem)
            if isinstance(quarter, int):
                self.reading.touched.add((key, quarter))
            return
        assert key is not None
        assert isinstance(quarter, int)
        assert isinstance(number, float)
        self.extra[key, quarter].append(number)

    def read_wide_row(self, row: Sequence[Any], sheet_row: int) -> None:
        """A row of a wide table: a group, then one amount per quarter column."""
        present = [
            (column, quarter, row[column.index])
            for column, quarter in self.layout.quarter_columns
            if column.index < len(row) and not values.is_blank(row[column.index])
        ]
        if not present or self._total(row, sheet_row, rejected=True):
            return  # a wide table is small: every named cell may mark a total
        key, problems = self._group(row)
        for column, cell, problem in problems:
            self.reject(sheet_row, column, cell, problem)
        for column, quarter, raw in present:
            if key is None:
                self.reading.touched.add((None, quarter))
                continue
            number = values.parse_amount(raw)
            if isinstance(number, Problem):
                self.reject(sheet_row, column, raw, number, "cell")
                self.reading.touched.add((key, quarter))
            else:
                self.extra[key, quarter].append(number)

    def finish(self, sums: dict[tuple[GroupKey, int], float] | None = None) -> TabReading:
        """Fold the careful path's amounts into the fast path's sums."""
        out = dict(sums or {})
        for key, amounts in self.extra.items():
            out[key] = math.fsum([out[key], *amounts]) if key in out else math.fsum(amounts)
        self.reading.sums = out
        return self.reading


def _doubles() -> array[float]:
    return array("d")


def _some(column: Column | None) -> tuple[Column, ...]:
    return () if column is None else (column,)


def _names_a_total(raw: Any) -> bool:
    return isinstance(raw, str) and "total" in raw.casefold()


def _bool_like(raw: Any) -> bool:
    # True == 1 == 1.0 as dict keys: such cells never share a cache entry, they go slow.
    return type(raw) in (bool, int, float) and raw in (0, 1)


class _GroupCodes(dict[Any, int]):
    """Raw group cell (a tuple of cells for several group columns) -> group code."""

    def __init__(self, reading: TabReading, several: bool) -> None:
        super().__init__()
        self.reading = reading
        self.several = several
        self.known: list[GroupKey] = []
        self.index: dict[GroupKey, int] = {}

    def __missing__(self, raw: Any) -> int:
        cells = raw if self.several else (raw,)
        names = [values.group_name(cell) for cell in cells]
        if any(isinstance(n, Problem) or values.is_total_marker(n) for n in names) or any(
            _bool_like(cell) for cell in cells
        ):
            code = _SPECIAL
        else:
            spelled = [n for n in names if isinstance(n, str)]
            key = tuple(values.fold(n) for n in spelled)
            position = self.index.get(key)
            if position is None:
                position = self.index[key] = len(self.known)
                self.known.append(key)
                self.reading.spelling.setdefault(key, " / ".join(spelled))
            code = position << _SHIFT
        self[raw] = code
        return code


class _PeriodCodes(dict[Any, int]):
    """Raw quarter or date cell -> fiscal quarter index."""

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start

    def __missing__(self, raw: Any) -> int:
        found = values.period_index(raw, self.start)
        code = _SPECIAL if isinstance(found, Problem) or _names_a_total(raw) else found
        self[raw] = code
        return code


class _Body(Sequence[Any]):
    """The rows under the header, without copying a million-row list."""

    def __init__(self, rows: Sequence[Any], offset: int) -> None:
        self.rows, self.offset = rows, offset

    def __iter__(self) -> Iterator[Any]:
        return islice(self.rows, self.offset, None)

    def __len__(self) -> int:
        return max(0, len(self.rows) - self.offset)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return list(self)[i]
        return self.rows[self.offset + i]


def _padded(body: Sequence[Any], width: int) -> list[Sequence[Any]]:
    """The rows as lists or tuples of at least ``width`` cells (short rows copied)."""
    rows: list[Sequence[Any]] = [as_row(row) for row in body]
    short = list(compress(count(), map(width.__gt__, map(len, rows))))
    for i in short:
        rows[i] = [*rows[i], *([None] * (width - len(rows[i])))]
    return rows


def _amount_kinds(body: Sequence[Any], width: int, amount: int) -> set[type] | None:
    """The types in the amount column, or None when rows are short or not lists."""
    try:
        if min(map(len, body), default=width) < width:
            return None
        return set(map(type, map(itemgetter(amount), body)))
    except (TypeError, KeyError, IndexError):
        return None


def read_long(
    rows: Sequence[Any], layout: Layout, groups: Sequence[Column], start: int
) -> TabReading:
    """A long table or deal rows: amounts summed per group and fiscal quarter."""
    period, amount = layout.period, layout.amount
    assert period is not None
    assert amount is not None
    width = max(period.index, amount.index, *(c.index for c in groups)) + 1
    body: Sequence[Any] = _Body(rows, layout.header_row + 1)
    kinds = _amount_kinds(body, width, amount.index)
    if kinds is None or not kinds <= _NUMBERS:  # the slow path: normalise every row
        body = _padded(body, width)
        kinds = set(map(type, map(itemgetter(amount.index), body)))
    first_row = layout.header_row + 2  # the sheet row of body[0]
    reader = RowReader(layout, groups, start)
    try:
        sums = _read_fast(reader, body, first_row, kinds)
    except (TypeError, OverflowError, KeyError):  # unhashable cells, ints beyond floats
        reader = RowReader(layout, groups, start)
        for i, row in enumerate(_padded(body, width)):
            reader.read_row(row, first_row + i)
        sums = {}
    reading = reader.finish(sums)
    reading.issues.sort(key=lambda i: (i.row, len(i.cell or ""), i.cell or ""))
    return reading


def _read_fast(
    reader: RowReader, body: Sequence[Any], first_row: int, kinds: set[type]
) -> dict[Any, float]:
    layout = reader.layout
    assert layout.period is not None
    assert layout.amount is not None
    period_at, amount_at = itemgetter(layout.period.index), itemgetter(layout.amount.index)
    groups = reader.groups
    group_codes = _GroupCodes(reader.reading, several=len(groups) > 1)
    period_codes = _PeriodCodes(reader.start)

    def keys() -> Iterable[int]:
        quarter = map(period_codes.__getitem__, map(period_at, body))
        if not groups:
            return quarter
        cells = itemgetter(*(c.index for c in groups))
        return map(add, map(group_codes.__getitem__, map(cells, body)), quarter)

    marked = _total_rows(body, [c.index for c in reader.scanned])
    materialized: list[int] | None = None
    amounts: Iterable[Any] = map(amount_at, body)
    if not kinds <= _NUMBERS or marked:
        materialized, amounts = list(keys()), list(amounts)
        odd = kinds - _NUMBERS
        texts: dict[str, float | Problem] = {}
        for i in compress(count(), map(odd.__contains__, map(type, amounts))) if odd else ():
            raw = amounts[i]
            if type(raw) is str:
                cached = texts.get(raw)
                number = (
                    texts.setdefault(raw, values.parse_amount(raw)) if cached is None else cached
                )
            else:
                number = values.parse_amount(raw)
            if isinstance(number, float):
                amounts[i] = number
            else:
                amounts[i], materialized[i] = 0.0, _DISCARD
        for i in marked:
            materialized[i] = _DISCARD
    buckets: defaultdict[int, array[float]] = defaultdict(_doubles)
    deque(
        map(array.append, map(buckets.__getitem__, materialized or keys()), amounts),
        maxlen=0,
    )
    sums: dict[Any, float] = {}
    again = {k for k in buckets if k < 0}
    for code, bucket in buckets.items():
        if code < 0:
            continue
        try:
            total = math.fsum(bucket)
        except (OverflowError, ValueError):
            total = math.inf
        if abs(total) < values.AMOUNT_LIMIT:  # False for inf and NaN: read row by row
            key = group_codes.known[code >> _SHIFT] if groups else ()
            sums[key, code & _MASK] = total
        else:
            again.add(code)
    if again:
        rows_again = materialized if materialized is not None else keys()
        for i in compress(count(), map(again.__contains__, rows_again)):
            reader.read_row(body[i], first_row + i)
    return sums


def _total_rows(body: Sequence[Any], columns: list[int]) -> list[int]:
    """Rows with a Total marker in an ungrouped dimension column (see ``RowReader.scanned``).

    Such columns (a deal id, an owner) can hold a million distinct values, so they are
    checked against common exact spellings (``Total``, ``GRAND TOTAL``, ``Subtotal:``…)
    in C, not parsed; :meth:`RowReader._total` applies the same rule.
    """
    if not columns:
        return []
    found: set[int] = set()
    width = min(map(len, body), default=0)
    for index in columns:
        if index < width:
            marks = map(_TOTAL_SPELLINGS.__contains__, map(itemgetter(index), body))
        else:
            marks = map(_is_total_spelling, map(_cell_at(index), body))
        found.update(compress(count(), marks))
    return sorted(found)


def _cell_at(index: int) -> Any:
    return lambda row: row[index] if index < len(row) else None


def _is_total_spelling(raw: Any) -> bool:
    return type(raw) is str and raw in _TOTAL_SPELLINGS


def read_wide(
    rows: Sequence[Any], layout: Layout, groups: Sequence[Column], start: int
) -> TabReading:
    """A wide table: one row per group, one amount per quarter column."""
    reader = RowReader(layout, groups, start)
    first_row = layout.header_row + 2
    for i, row in enumerate(rows[layout.header_row + 1 :]):
        reader.read_wide_row(as_row(row), first_row + i)
    return reader.finish()


def read_tab(
    rows: Sequence[Any], layout: Layout, groups: Sequence[Column], start: int
) -> TabReading:
    if layout.kind is Kind.WIDE:
        return read_wide(rows, layout, groups, start)
    return read_long(rows, layout, groups, start)
