"""The fiscal calendar: which fiscal quarter a date, a serial number or a label names.

A fiscal year starts on the first day of month ``start`` (1-12) and is named by the
calendar year in which it ends: with ``start=2``, 2024-02-01 opens FY2025 and is in
``2025-Q1``. Quarter labels written in a sheet (``Q1 2025``, ``FY25 Q1``, ``1Q25``…)
are fiscal labels as written; dates are placed with the calendar.

Quarters travel through the engine as their running index (``Quarter.index``:
``fiscal_year * 4 + number - 1``) so that windows count fiscal quarters, not rows.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from server.classification.errors import InvalidOptions, UnknownQuarter
from server.classification.model import Quarter

# Google Sheets (like Lotus and Excel) counts days from 1899-12-30.
SERIAL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
MIN_YEAR = 1900
MAX_YEAR = 2999
# Serial numbers read as dates: 1901-01-01 .. 2999-12-31. Smaller numbers (0, 1 and the
# like) are never close dates; keeping them out also keeps TRUE/FALSE apart from 1/0.
MIN_SERIAL = date(1901, 1, 1).toordinal() - SERIAL_EPOCH_ORDINAL
MAX_SERIAL = date(MAX_YEAR, 12, 31).toordinal() - SERIAL_EPOCH_ORDINAL

_SEP = r"[\s\-/_.,'’‘–—]*"  # apostrophes and dashes people type
_YEAR = r"(?P<y>\d{4}|\d{2})"
_LABELS = [
    # Q1 2025, Q1-2025, Q1/2025, Q1'25, Q1 FY25, Q1FY2025
    re.compile(rf"Q(?P<q>[1-4]){_SEP}(?:FY)?{_SEP}{_YEAR}"),
    # FY25 Q1, FY2025-Q1, 2025 Q1, 2025-Q1, 2025Q1, FY'25 Q1
    re.compile(rf"(?:FY)?{_SEP}{_YEAR}{_SEP}Q(?P<q>[1-4])"),
    # 1Q25, 1Q 2025, 1Q FY25
    re.compile(rf"(?P<q>[1-4]){_SEP}Q{_SEP}(?:FY)?{_SEP}{_YEAR}"),
]


def check_start_month(start: int) -> int:
    """The fiscal year's first month, or :class:`InvalidOptions`."""
    if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start <= 12:
        raise InvalidOptions(
            "fiscalYearStartMonth", start, "must be a month number from 1 (January) to 12"
        )
    return start


def fiscal_index(year: int, month: int, start: int) -> int:
    """The running index of the fiscal quarter holding a calendar month."""
    fiscal_year = year + 1 if start > 1 and month >= start else year
    number = (month - start) % 12 // 3 + 1
    return fiscal_year * 4 + number - 1


def date_index(day: date, start: int) -> int:
    return fiscal_index(day.year, day.month, start)


def serial_to_date(serial: float) -> date | None:
    """The day of a Sheets serial number (a time of day is ignored), if plausible."""
    if not MIN_SERIAL <= serial <= MAX_SERIAL + 0.999999:  # also False for NaN
        return None
    return date.fromordinal(SERIAL_EPOCH_ORDINAL + math.floor(serial))


def label_index(text: str) -> int | None:
    """The index of a quarter label such as ``Q1 2025`` or ``FY25-Q1``; None otherwise."""
    compact = text.strip().upper()
    if len(compact) > 24:
        return None
    for pattern in _LABELS:
        found = pattern.fullmatch(compact)
        if found:
            digits = found["y"]
            year = int(digits) + (2000 if len(digits) == 2 else 0)
            if not MIN_YEAR <= year <= MAX_YEAR:
                return None
            return year * 4 + int(found["q"]) - 1
    return None


def parse_quarter(label: str, fiscal_year_start_month: int = 1) -> Quarter:
    """Read a quarter asked for in a request: a label (``2025-Q3``, ``Q3 2025``…) or a date.

    Raises :class:`UnknownQuarter` with a hint when the text names no quarter.
    """
    # Imported here: values.py imports this module for the calendar.
    from server.classification.values import parse_date_text

    start = check_start_month(fiscal_year_start_month)
    given: object = label  # callers outside the type checker may pass anything
    if isinstance(given, Quarter):
        return given
    if isinstance(given, datetime | date):
        return Quarter.from_index(date_index(given, start))
    if not isinstance(given, str):
        raise UnknownQuarter(repr(given))
    index = label_index(label)
    if index is None:
        day = parse_date_text(label)
        if day is None:
            raise UnknownQuarter(label)
        index = date_index(day, start)
    return Quarter.from_index(index)
