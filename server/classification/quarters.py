"""The fiscal calendar: which fiscal quarter a date, a serial number or a label names.

A fiscal year starts on the first day of month ``start`` (1-12) and is named by the
calendar year in which it ends: with ``start=2``, 2024-02-01 opens FY2025 and is in
``2025-Q1``. Quarter labels written in a sheet (``Q1 2025``, ``FY25 Q1``, ``1Q25``…)
are fiscal labels as written; dates are placed with the calendar.

Quarters travel through the engine as their running index (``Quarter.index``:
``fiscal_year * 4 + number - 1``) so that windows count fiscal quarters, not rows.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from server.classification.dates import (
    MAX_SERIAL,
    MAX_YEAR,
    MIN_SERIAL,
    MIN_YEAR,
    parse_date_text,
    serial_to_date,
)
from server.classification.errors import InvalidOptions, UnknownQuarter
from server.classification.model import Quarter

__all__ = [
    "MAX_SERIAL",
    "MAX_YEAR",
    "MIN_SERIAL",
    "MIN_YEAR",
    "LabelStyle",
    "bare_quarter",
    "check_start_month",
    "date_index",
    "fiscal_index",
    "label_index",
    "month_index",
    "month_quarter",
    "parse_quarter",
    "serial_to_date",
    "year_label",
]

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


# -- months, bare quarters and years ---------------------------------------------------------


def month_index(year: int, month: int) -> int:
    """A running count of calendar months (``year * 12 + month - 1``)."""
    return year * 12 + month - 1


def month_quarter(index: int, start: int) -> int:
    """The fiscal quarter index of a calendar month index."""
    return fiscal_index(index // 12, index % 12 + 1, start)


_BARE = re.compile(r"(?:Q|QTR|QUARTER|FQ)\s*[-.]?\s*([1-4])|([1-4])(?:ST|ND|RD|TH)?\s*(?:Q|QTR)")


def bare_quarter(value: object) -> int | None:
    """1-4 for ``Q1``, ``Qtr 2``, ``Quarter 3``, ``4Q`` or the number 1-4; None otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            return None
        number = int(value)
        return number if 1 <= number <= 4 else None
    if not isinstance(value, str):
        return None
    text = value.strip().upper()
    if text in ("1", "2", "3", "4"):
        return int(text)
    found = _BARE.fullmatch(text)
    if found is None:
        return None
    return int(found[1] or found[2])


_YEAR_LABEL = re.compile(
    r"(?:FY|FISCAL\s*YEAR|YEAR)?\s*[-'’]?\s*(\d{4}|\d{2})(?:\s*(?:PLAN|BUDGET))?"
)


def year_label(value: object) -> int | None:
    """The (fiscal) year of ``2025``, ``FY2025``, ``FY25``, ``FY 2025``, the number 2025,
    or a year written over two calendar years (``FY 2024/25``: 2025, see :func:`years_in`)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer():
            return None
        year = int(value)
        return year if MIN_YEAR <= year <= MAX_YEAR else None
    if not isinstance(value, str):
        return None
    text = value.strip().upper()
    found = _YEAR_LABEL.fullmatch(text)
    if found is None:
        split = _SPLIT_YEAR.fullmatch(text)
        return _split_year(split) if split is not None else None
    if len(found[1]) == 2 and "FY" not in text and "'" not in text:
        return None
    year = int(found[1]) + (2000 if len(found[1]) == 2 else 0)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


# A fiscal year written over the two calendar years it spans, the UK and Australian way:
# FY 2024/25, FY24/25, 2024/25, 2024-25, FY 2024-2025 (not FY24-FY25: two fiscal years).
_SPLIT_YEAR = re.compile(
    r"(?<![\w/.-])(FY\s*[-'’]?\s*)?(\d{4}|\d{2})\s*([/\-–])\s*(\d{4}|\d{2})(?![\w/.-])",
    re.IGNORECASE,
)


def _split_year(found: re.Match[str]) -> int | None:
    """The fiscal year a split-year match names (the calendar year it ends in), or None
    when the two years are not consecutive or the text may be a range of years
    (``2024-2025`` with no FY) or something else (``24/25`` with no FY)."""
    fy, first, separator, second = found.groups()
    start = int(first) + (2000 if len(first) == 2 else 0)
    if len(first) == 2 and not fy:
        return None
    if len(second) == 4 and len(first) == 4 and separator != "/" and not fy:
        return None
    end = start + 1
    if (len(second) == 2 and int(second) != end % 100) or (len(second) == 4 and int(second) != end):
        return None
    return end if MIN_YEAR <= end <= MAX_YEAR else None


_FY_IN_TEXT = re.compile(r"\bFY\s*[-'’]?\s*(\d{4}|\d{2})\b", re.IGNORECASE)
# a bare year, but not one inside a date (2024-12-12, 12/12/2024)
_YEAR_IN_TEXT = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?![\d/.-])")


def years_in(text: str) -> list[int]:
    """The years a title names: ``FY2025 Plan`` -> [2025], ``FY25-FY26`` -> [2025, 2026],
    ``2025 Budget`` -> [2025], ``FY 2024/25`` -> [2025] (a fiscal year over two calendar
    years is named by the one it ends in). Split years win over fiscal years (``FY…``),
    which win over bare ones; a year inside a date (``approved 2024-12-12``) is no year
    of the plan."""
    out = [y for f in _SPLIT_YEAR.finditer(text) if (y := _split_year(f)) is not None]
    if out:
        return out
    for pattern in (_FY_IN_TEXT, _YEAR_IN_TEXT):
        for found in pattern.finditer(text):
            digits = found[1]
            year = int(digits) + (2000 if len(digits) == 2 else 0)
            if MIN_YEAR <= year <= MAX_YEAR:
                out.append(year)
        if out:
            return out
    return out


# -- the sheet's own label style ----------------------------------------------------------


class LabelStyle:
    """How a sheet writes its quarters (``FY26 Q4``, ``Q4 2026``, ``Q4-26``…), learnt from
    one label, so output can show ``FY26 Q4`` beside the canonical ``2026-Q4``."""

    def __init__(self, template: str = "{yyyy}-Q{q}") -> None:
        self.template = template

    @classmethod
    def learn(cls, label: str) -> LabelStyle | None:
        """The style of ``label`` (one of the forms :func:`label_index` reads), or None."""
        text = " ".join(label.split())
        index = label_index(text)
        if index is None:
            return None
        quarter = Quarter.from_index(index)
        year = quarter.fiscal_year
        for digits, slot in ((str(year), "{yyyy}"), (f"{year % 100:02d}", "{yy}")):
            at = text.find(digits)
            if at < 0:
                continue
            template = text[:at] + slot + text[at + len(digits) :]
            # the quarter's digit is the one beside a Q: Q4 or 4Q
            n = quarter.number
            template = re.sub(rf"(?i)(q){n}|{n}(q)", r"\1{q}\2", template, count=1)
            return cls(template) if "{q}" in template else None
        return None

    def format(self, index: int) -> str:
        quarter = Quarter.from_index(index)
        return self.template.format(
            yyyy=quarter.fiscal_year, yy=f"{quarter.fiscal_year % 100:02d}", q=quarter.number
        )
