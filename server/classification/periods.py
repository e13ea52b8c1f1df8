"""Placing a row in time: a period code per cell, at the grain of its column.

A period column holds days (deal rows: ``Close Date``), months (``Month``, ``Jan-25``,
a monthly plan) or quarters (``Quarter``, ``FY25 Q1``, or ``Year`` + ``Quarter``).
Each cell becomes an integer *period code* at that grain (a Sheets serial day, a
running month, a fiscal quarter index) and :class:`Calendar` turns codes into fiscal
quarters. Quarter labels are fiscal as written; dates and months are placed with the
fiscal calendar (``fiscalYearStartMonth``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from server.classification import dates, quarters
from server.classification.layout import Grain
from server.classification.values import (
    BAD_SERIAL,
    BLANK,
    CHECKBOX,
    FORMULA_ERROR,
    NOT_PERIOD,
    Problem,
    is_sheets_error,
)

AMBIGUOUS = Problem(
    "is ambiguous: the column holds both day-first and month-first dates, so it may be "
    "either day or month first (write it as 2025-03-04)"
)
NOT_MONTH = Problem("is not a month (expected e.g. Jan 2025, 2025-01 or a date)")
NO_YEAR = Problem("has no year to place it in (the Year column is empty or unreadable)")


QUARTER_MASK = (1 << 14) - 1  # quarter indexes stay below 2**14 (years up to 2999)
_THIRD_SHIFT = 14
_AFTER_SHIFT = 16


class Calendar:
    """Fiscal quarters of period codes, with day-of-quarter arithmetic for pace.

    A day is kept as its quarter and where in the quarter it falls, not as the day
    itself: a million deal rows then sum into a few buckets per group and quarter
    instead of one per day (which is several times slower). A *day code* is the
    quarter index, the third of the quarter (0-2: is an export complete?) and whether
    the day lies after ``as_of``'s day of its quarter (for pace: bookings closed "by the
    same day of the quarter" in earlier quarters, pipeline after today in this one).
    """

    def __init__(self, start: int, as_of: date | None = None) -> None:
        self.start = start
        self.as_of = as_of
        self.offset: int | None = None
        if as_of is not None:
            current = quarters.date_index(as_of, start)
            self.offset = (as_of - self.first_day(current)).days
        self.day_code = lru_cache(maxsize=None)(self._day_code)

    def _day_code(self, serial: int) -> int:
        day = date.fromordinal(dates.SERIAL_EPOCH_ORDINAL + serial)
        quarter = quarters.date_index(day, self.start)
        offset = (day - self.first_day(quarter)).days
        third = min(2, offset * 3 // self.days(quarter))
        after = 1 if self.offset is not None and offset > self.offset else 0
        return quarter | third << _THIRD_SHIFT | after << _AFTER_SHIFT

    @staticmethod
    def third(code: int) -> int:
        """0, 1 or 2: the third of its quarter a day code falls in."""
        return code >> _THIRD_SHIFT & 3

    @staticmethod
    def after(code: int) -> bool:
        """A day code after ``as_of``'s day of its quarter."""
        return bool(code >> _AFTER_SHIFT & 1)

    def quarter(self, code: int, grain: Grain) -> int:
        if grain is Grain.DAY:
            return code & QUARTER_MASK
        if grain is Grain.MONTH:
            return quarters.month_quarter(code, self.start)
        return code

    def first_day(self, quarter: int) -> date:
        """The first day of a fiscal quarter."""
        year, number = divmod(quarter, 4)
        month0 = (self.start - 1) + number * 3  # months after January of year - 1 or year
        calendar_year = year - (1 if self.start > 1 else 0)
        calendar_year += month0 // 12
        return date(calendar_year, month0 % 12 + 1, 1)

    def last_day(self, quarter: int) -> date:
        return date.fromordinal(self.first_day(quarter + 1).toordinal() - 1)

    def days(self, quarter: int) -> int:
        return (self.last_day(quarter) - self.first_day(quarter)).days + 1

    def month_of_quarter(self, month: int) -> int:
        """0, 1 or 2: the position of a running month inside its fiscal quarter."""
        return (month % 12 + 1 - self.start) % 3


def _serial(value: Any, order: str | None, mixed: bool) -> int | Problem:
    if type(value) is int:
        return value if dates.MIN_SERIAL <= value <= dates.MAX_SERIAL else BAD_SERIAL
    if type(value) is float:
        if dates.MIN_SERIAL <= value <= dates.MAX_SERIAL + 0.999999:
            return math.floor(value)
        return BAD_SERIAL
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return CHECKBOX
    if isinstance(value, str):
        return _serial_text(value, order, mixed)
    if isinstance(value, datetime | date):
        if not dates.MIN_YEAR <= value.year <= dates.MAX_YEAR:
            return NOT_PERIOD
        day = value.date() if isinstance(value, datetime) else value
        return dates.date_to_serial(day)
    if isinstance(value, int | float):
        try:
            return _serial(float(value), order, mixed)
        except (OverflowError, ValueError, TypeError):
            return BAD_SERIAL
    return NOT_PERIOD


def _serial_text(value: str, order: str | None, mixed: bool) -> int | Problem:
    text = value.strip()
    if not text:
        return BLANK
    if mixed and dates.is_ambiguous(text):
        return AMBIGUOUS
    day = dates.parse_date_text(text, order)
    if day is not None:
        return dates.date_to_serial(day)
    return FORMULA_ERROR if is_sheets_error(text) else NOT_PERIOD


def day_code(value: Any, order: str | None = None, mixed: bool = False) -> int | Problem:
    """A date cell as its Sheets serial day."""
    return _serial(value, order, mixed)


def month_code(value: Any, order: str | None = None, mixed: bool = False) -> int | Problem:
    """A month cell (``Jan 2025``, ``2025-01``, or a date) as its running month."""
    if isinstance(value, str):
        found = dates.parse_month_text(value)
        if found is not None:
            return quarters.month_index(*found)
    serial = _serial(value, order, mixed)
    if isinstance(serial, Problem):
        return NOT_MONTH if serial is NOT_PERIOD else serial
    day = date.fromordinal(dates.SERIAL_EPOCH_ORDINAL + serial)
    return quarters.month_index(day.year, day.month)


@dataclass(frozen=True)
class OffCalendar(Problem):
    """A period written as its months that is not one fiscal quarter (``Feb-Apr 2025``
    with a January fiscal year): refused, and the quarters it overlaps are flagged."""

    overlaps: tuple[int, ...] = ()


def span_quarter(text: str, start: int) -> int | Problem | None:
    """The fiscal quarter a period written as its months names (``Jan-Mar 2025``,
    ``Apr–Jun 2025``): three whole months of one fiscal quarter. Another span is refused
    (:class:`OffCalendar`), never read as the quarter it starts in; None: no span."""
    span = dates.parse_month_span(text)
    if span is None:
        return None
    first, last = span
    quarter = quarters.month_quarter(first, start)
    if last - first == 2 and quarters.month_quarter(last, start) == quarter:
        return quarter
    overlaps = tuple(sorted({quarters.month_quarter(m, start) for m in range(first, last + 1)}))
    if last - first != 2:
        why = f"spans {last - first + 1} months, not one quarter"
    else:
        starts = ", ".join(dates.MONTH_ABBREVIATIONS[(start - 1 + 3 * i) % 12] for i in range(4))
        why = (
            f"is not a fiscal quarter: with fiscalYearStartMonth {start} quarters start in "
            f"{starts} (set fiscalYearStartMonth if the fiscal year starts in "
            f"{dates.MONTH_ABBREVIATIONS[first % 12]})"
        )
    return OffCalendar(why, overlaps=overlaps[:24])


def quarter_code(
    value: Any, start: int, order: str | None = None, mixed: bool = False
) -> int | Problem:
    """A quarter label (fiscal as written), a quarter written as its months (``Jan-Mar
    2025``) or a date (placed with the calendar)."""
    if isinstance(value, str):
        index = quarters.label_index(value)
        if index is not None:
            return index
        spanned = span_quarter(value, start)
        if spanned is not None:
            return spanned
    serial = _serial(value, order, mixed)
    if isinstance(serial, Problem):
        return serial
    day = date.fromordinal(dates.SERIAL_EPOCH_ORDINAL + serial)
    return quarters.date_index(day, start)


def with_year(value: Any, year_cell: Any, grain: Grain) -> int | Problem:
    """A bare quarter (``Q1``, ``1``) or month (``Jan``, ``1``) with a Year cell."""
    if grain is Grain.QUARTER and isinstance(value, str):
        index = quarters.label_index(value)
        if index is not None:
            return index  # a whole label needs no Year
    year = quarters.year_label(year_cell)
    if year is None:
        return BLANK if year_cell is None or year_cell == "" else NO_YEAR
    if grain is Grain.QUARTER:
        number = quarters.bare_quarter(value)
        if number is None:
            return BLANK if value is None or value == "" else NOT_PERIOD
        return year * 4 + number - 1
    month = _month_number(value)
    if month is None:
        return BLANK if value is None or value == "" else NOT_MONTH
    return quarters.month_index(year, month)


def _month_number(value: Any) -> int | None:
    if isinstance(value, str):
        return dates.MONTHS.get(value.strip().casefold().rstrip("."))
    if type(value) in (int, float) and float(value).is_integer() and 1 <= value <= 12:
        return int(value)
    return None


def code(
    value: Any,
    grain: Grain,
    start: int,
    order: str | None = None,
    mixed: bool = False,
) -> int | Problem:
    """The period code of a cell at ``grain``."""
    if grain is Grain.DAY:
        return day_code(value, order, mixed)
    if grain is Grain.MONTH:
        return month_code(value, order, mixed)
    return quarter_code(value, start, order, mixed)
