"""What a cell holds, and how typed input becomes a cell value.

A cell value is one of ``None`` (empty), ``str``, ``float``, ``bool``, :class:`Formula` or
:class:`CellError` — or ``int`` for a whole number stored by seeding (exact below 2**53, read
back exactly as the same ``float`` would be; see :mod:`sheets_emulator.grid.seed`). Rows
store these directly (lists or tuples, not a cell dict) so that a million-row tab stays
cheap. Formats and notes live apart, in the sheet's sparse ``cell_data``.

``valueInputOption=RAW`` stores strings as they are. ``USER_ENTERED`` parses them as the
Sheets UI does for the en_US locale (see :func:`parse_user_entered`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

NumberFormat = dict[str, str]
EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula as entered (``=SUM(A1:A3)``); its value is computed when read."""

    text: str


@dataclass(frozen=True, slots=True)
class CellError:
    """An error value such as ``#DIV/0!``, the result of a formula."""

    code: str


CellValue = str | float | int | bool | Formula | CellError | None
Row = list[CellValue] | tuple[CellValue, ...]


def json_number(value: float) -> int | float:
    """Numbers as the API prints them: ``2`` rather than ``2.0``."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def serial(moment: datetime) -> float:
    """A Sheets date serial number: days since 1899-12-30, the time as a fraction."""
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def from_serial(number: float) -> datetime:
    days = math.floor(number)
    seconds = round((number - days) * 86400)
    return EPOCH + timedelta(days=days, seconds=seconds)


def raw_value(item: Any) -> CellValue:
    """A JSON value written with ``RAW``: stored as it is (``""`` clears the cell)."""
    if isinstance(item, bool):
        return item
    if isinstance(item, int | float):
        return float(item)
    if isinstance(item, str):
        return item if item != "" else None
    raise TypeError(item)


def user_entered_value(item: Any) -> tuple[CellValue, NumberFormat | None]:
    """A JSON value written with ``USER_ENTERED``; strings are parsed as if typed."""
    if isinstance(item, str):
        return parse_user_entered(item)
    return raw_value(item), None


# --- USER_ENTERED parsing (en_US) ------------------------------------------------------------

_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")
_EXPONENT = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_PERCENT = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+)\s?%$")
_CURRENCY = re.compile(r"^([+-]?)\$\s?([+-]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_US_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
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
        ]
    )
    for m in names
}
_MONTH_FIRST = re.compile(r"^([A-Za-z]+)\.? (\d{1,2}),? (\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})$")


def _fmt(kind: str, pattern: str) -> NumberFormat:
    return {"type": kind, "pattern": pattern}


def _decimals(text: str) -> bool:
    return "." in text and not text.endswith(".")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 30 else 1900
    return year


def _hour(hour: int, ampm: str | None) -> int:
    if ampm is None:
        return hour
    if hour == 12:
        hour = 0
    return hour + (12 if ampm.lower() == "pm" else 0)


def _moment(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime | None:
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def _parse_date(text: str) -> tuple[float, NumberFormat] | None:
    if m := _ISO_DATE.match(text):
        moment = _moment(
            int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
        )
        if moment is None:
            return None
        if m[4] is None:
            return serial(moment), _fmt("DATE", "yyyy-mm-dd")
        return serial(moment), _fmt("DATE_TIME", "yyyy-mm-dd H:mm:ss")
    if m := _US_DATE.match(text):
        hour = _hour(int(m[4] or 0), m[7])
        moment = _moment(_year(m[3]), int(m[1]), int(m[2]), hour, int(m[5] or 0), int(m[6] or 0))
        if moment is None:
            return None
        if m[4] is None:
            return serial(moment), _fmt("DATE", "M/d/yyyy")
        return serial(moment), _fmt("DATE_TIME", "M/d/yyyy H:mm:ss")
    for regex, month_group, day_group, pattern in (
        (_MONTH_FIRST, 1, 2, "mmm d, yyyy"),
        (_DAY_FIRST, 2, 1, "d mmm yyyy"),
    ):
        if m := regex.match(text):
            month = _MONTHS.get(m[month_group].lower())
            moment = _moment(int(m[3]), month, int(m[day_group])) if month else None
            if moment is not None:
                return serial(moment), _fmt("DATE", pattern)
    if m := _TIME.match(text):
        hour = _hour(int(m[1]), m[4])
        if hour > 23 or int(m[2]) > 59 or int(m[3] or 0) > 59:
            return None
        seconds = hour * 3600 + int(m[2]) * 60 + int(m[3] or 0)
        pattern = (
            ("h:mm:ss" if m[3] else "h:mm") + " am/pm" if m[4] else ("H:mm:ss" if m[3] else "H:mm")
        )
        return seconds / 86400, _fmt("TIME", pattern)
    return None


def _parse_number(text: str) -> tuple[float, NumberFormat | None] | None:
    if _PLAIN.match(text):
        return float(text), None
    if _EXPONENT.match(text):
        return float(text), _fmt("SCIENTIFIC", "0.00E+00")
    if _GROUPED.match(text):
        pattern = "#,##0.00" if _decimals(text) else "#,##0"
        return float(text.replace(",", "")), _fmt("NUMBER", pattern)
    if m := _PERCENT.match(text):
        number = m[1]
        pattern = "0.00%" if _decimals(number) else "0%"
        return float(number.replace(",", "")) / 100, _fmt("PERCENT", pattern)
    if m := _CURRENCY.match(text):
        if m[1] and m[2]:
            return None
        value = float(m[3].replace(",", ""))
        if "-" in (m[1] + m[2]):
            value = -value
        return value, _fmt("CURRENCY", '"$"#,##0.00')
    return None


def parse_user_entered(text: str) -> tuple[CellValue, NumberFormat | None]:
    """A string as if typed into Sheets (en_US).

    ``=...`` is a formula; a leading ``'`` forces text; ``TRUE``/``FALSE`` (any case) are
    booleans; ``42``, ``0042``, ``-1.5``, ``.5``, ``1e3``, ``1,234``, ``2,000,000.01``, ``12%``,
    ``$1,234.50`` and ``-$5`` are numbers (the last five with the number format Sheets infers);
    ``2025-03-31``, ``3/31/2025``, ``3/31/25``, ``Mar 31, 2025``, ``31 Mar 2025``, with an
    optional time, and ``10:30`` / ``10:30 PM`` are dates and times (serial numbers with a date
    format). Everything else stays text, untrimmed.
    """
    if text == "":
        return None, None
    if text.startswith("'"):
        return (text[1:] or None), None
    if text.startswith("=") and len(text) > 1:
        return Formula(text), None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", None
    if number := _parse_number(stripped):
        return number
    if moment := _parse_date(stripped):
        return moment
    return text, None
