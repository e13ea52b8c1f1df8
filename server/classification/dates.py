"""Dates as a sheet holds them: serial numbers, text dates, months, and day/month order.

Google Sheets (like Lotus and Excel) counts days from 1899-12-30; ``UNFORMATTED_VALUE``
with ``SERIAL_NUMBER`` returns dates as those numbers. Text dates arrive when a CSV
was pasted or a date was typed in a locale Sheets did not expect: ISO (``2025-03-31``,
with a time too), ``3/31/2025``, ``31.03.2025``, ``31 Mar 2025``, ``Mar 31, 2025``,
months (``March 2025``, ``Jan-25``, ``2025-03``).

``04/03/2025`` is 4 March in London and 3 April in New York. :func:`numeric_order`
says what one text proves (``25/03/2025`` proves day first); the reader decides a whole
column at once (see :class:`OrderEvidence`), never cell by cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

SERIAL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
MIN_YEAR = 1900
MAX_YEAR = 2999
# Serial numbers read as dates: 1901-01-01 .. 2999-12-31. Smaller numbers (0, 1 and the
# like) are never close dates; keeping them out also keeps TRUE/FALSE apart from 1/0.
MIN_SERIAL = date(1901, 1, 1).toordinal() - SERIAL_EPOCH_ORDINAL
MAX_SERIAL = date(MAX_YEAR, 12, 31).toordinal() - SERIAL_EPOCH_ORDINAL

DAY_FIRST = "DAY_FIRST"
MONTH_FIRST = "MONTH_FIRST"

#: locales whose short dates put the month first (Sheets' ``properties.locale``)
_MONTH_FIRST_LOCALES = {"en_US", "en_PH", "es_US", "en_CA", "fil_PH", "en_AS", "en_GU"}
_MONTH_FIRST_LOCALES |= {"en_MH", "en_MP", "en_PR", "en_UM", "en_VI", "en_FM"}


def serial_to_date(serial: float) -> date | None:
    """The day of a Sheets serial number (a time of day is ignored), if plausible."""
    if not MIN_SERIAL <= serial <= MAX_SERIAL + 0.999999:  # also False for NaN
        return None
    return date.fromordinal(SERIAL_EPOCH_ORDINAL + math.floor(serial))


def date_to_serial(day: date) -> int:
    return day.toordinal() - SERIAL_EPOCH_ORDINAL


def locale_order(locale: str | None) -> str:
    """The day/month order of a Sheets locale (``en_GB`` day first, ``en_US`` month first)."""
    if not locale:
        return MONTH_FIRST
    code = locale.replace("-", "_")
    return MONTH_FIRST if code in _MONTH_FIRST_LOCALES else DAY_FIRST


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_ABBREVIATIONS: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
MONTH_ABBREVIATIONS += ("Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_TIME = (
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AP]M)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
)
_WEEKDAY = r"(?:(?:MON|TUE|TUES|WED|THU|THUR|THURS|FRI|SAT|SUN)[A-Z]*\.?,?\s+)?"
_ISO = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_ISO_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})")
_NUMERIC = re.compile(rf"(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}")
_DAY_MONTH = re.compile(
    rf"{_WEEKDAY}(\d{{1,2}})(?:ST|ND|RD|TH)?[\s\-/]+([A-Z]{{3,9}})\.?,?[\s\-/]+(\d{{4}}|\d{{2}}){_TIME}"
)
_MONTH_DAY = re.compile(
    rf"{_WEEKDAY}([A-Z]{{3,9}})\.?[\s\-/]+(\d{{1,2}})(?:ST|ND|RD|TH)?,?[\s\-/]+(\d{{4}}){_TIME}"
)
_MONTH_YEAR = re.compile(r"([A-Z]{3,9})\.?[\s\-/']+(?:FY)?'?(\d{4}|\d{2})")
_MONTH_NUMBER_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})")


# Jan-Mar 2025, Apr–Jun 2025, Jul - Sep 2025, January to March 2025, Nov 2024 - Jan 2025
_MONTH_SPAN = re.compile(
    r"([A-Z]{3,9})\.?(?:[\s,']+'?(\d{4}|\d{2}))?\s*(?:[-–—]|\s(?:TO|THROUGH|THRU)\s)\s*"
    r"([A-Z]{3,9})\.?[\s,'-]+'?(\d{4}|\d{2})"
)


def _year(text: str) -> int:
    return int(text) + (2000 if len(text) == 2 else 0)


def _day(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def numeric_order(text: str) -> str | None:
    """What a numeric date proves: ``DAY_FIRST`` for ``25/03/2025``, ``MONTH_FIRST`` for
    ``03/25/2025``; None when it proves nothing (``04/03/2025``, ISO, text months)."""
    found = _NUMERIC.fullmatch(text.strip().upper())
    if found is None or found[2] == ".":
        return None  # 31.03.2025 is always day first: nothing to decide
    first, second = int(found[1]), int(found[3])
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return None


def is_ambiguous(text: str) -> bool:
    """A numeric date whose day and month could be swapped (``04/03/2025``)."""
    found = _NUMERIC.fullmatch(text.strip().upper())
    return (
        found is not None
        and found[2] != "."
        and int(found[1]) <= 12
        and int(found[3]) <= 12
        and found[1] != found[3]
    )


def parse_date_text(text: str, order: str | None = None) -> date | None:
    """A text date, or None. ``order`` decides ``04/03/2025`` (``DAY_FIRST`` or
    ``MONTH_FIRST``); without it, a first number over 12 means day first, else month
    first (the US reading)."""
    s = text.strip().upper()
    if not s or len(s) > 40:
        return None
    if found := _ISO.fullmatch(s):
        return _day(int(found[1]), int(found[2]), int(found[3]))
    if found := _NUMERIC.fullmatch(s):
        first, mark, second, year = int(found[1]), found[2], int(found[3]), _year(found[4])
        day_first = mark == "." or (first > 12 if order is None else order == DAY_FIRST)
        if day_first:
            first, second = second, first
        return _day(year, first, second)
    if found := _DAY_MONTH.fullmatch(s):
        month = MONTHS.get(found[2].lower())
        return _day(_year(found[3]), month, int(found[1])) if month else None
    if found := _MONTH_DAY.fullmatch(s):
        month = MONTHS.get(found[1].lower())
        return _day(int(found[3]), month, int(found[2])) if month else None
    month_start = parse_month_text(s)
    return None if month_start is None else _day(*month_start, 1)


def parse_month_text(text: str) -> tuple[int, int] | None:
    """(year, month) of a month label: ``Jan-25``, ``Jan 2025``, ``January 2025``,
    ``2025-01``, ``01/2025``, ``Jan FY25``; None otherwise."""
    s = text.strip().upper()
    if not s or len(s) > 24:
        return None
    if found := _MONTH_YEAR.fullmatch(s):
        month = MONTHS.get(found[1].lower())
        year = _year(found[2])
        return (year, month) if month and MIN_YEAR <= year <= MAX_YEAR else None
    for pattern, y, m in ((_ISO_MONTH, 1, 2), (_MONTH_NUMBER_YEAR, 2, 1)):
        if found := pattern.fullmatch(s):
            year, month = int(found[y]), int(found[m])
            return (year, month) if 1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR else None
    return None


def parse_month_span(text: str) -> tuple[int, int] | None:
    """The first and last months (running indexes, ``year * 12 + month - 1``) of a period
    written as its months: ``Jan-Mar 2025``, ``Apr–Jun 2025``, ``Nov 2024 - Jan 2025``.
    A year written once is the last month's (``Dec-Feb 2025`` starts in December 2024)."""
    s = text.strip().upper()
    found = _MONTH_SPAN.fullmatch(s) if 0 < len(s) <= 40 else None
    if found is None:
        return None
    first, last = MONTHS.get(found[1].lower()), MONTHS.get(found[3].lower())
    end_year = _year(found[4])
    if first is None or last is None or not MIN_YEAR < end_year <= MAX_YEAR:
        return None
    start_year = _year(found[2]) if found[2] else end_year - (1 if first > last else 0)
    span = (start_year * 12 + first - 1, end_year * 12 + last - 1)
    return span if span[0] <= span[1] else None


@dataclass
class OrderEvidence:
    """What a column's numeric text dates prove about day/month order.

    ``decide`` gives the order to read the column with and how it was decided: by
    proof (one ``25/03/2025`` proves day first), by the spreadsheet's locale or the
    ``dateOrder`` option when nothing proves it, or ``mixed`` when the column holds
    proof of both (then ambiguous dates are refused row by row).
    """

    day_first: list[str] = field(default_factory=list)  # e.g. "25/03/2025"
    month_first: list[str] = field(default_factory=list)
    ambiguous: int = 0

    def add(self, text: str) -> None:
        proved = numeric_order(text)
        if proved == DAY_FIRST:
            self.day_first.append(text)
        elif proved == MONTH_FIRST:
            self.month_first.append(text)
        elif is_ambiguous(text):
            self.ambiguous += 1

    def decide(self, option: str | None, locale: str | None) -> tuple[str | None, str]:
        """(order, how): order None means mixed (no safe reading for ambiguous dates)."""
        if self.day_first and self.month_first:
            return None, "mixed"
        if self.day_first:
            return DAY_FIRST, "proved"
        if self.month_first:
            return MONTH_FIRST, "proved"
        if option is not None:
            return option, "option"
        return locale_order(locale), "locale"
