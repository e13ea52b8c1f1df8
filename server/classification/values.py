"""Reading single cell values: amounts, dates, quarters, group names, error values.

Cells arrive as the Sheets API returns them with ``UNFORMATTED_VALUE`` and
``SERIAL_NUMBER``: ``int``, ``float``, ``str``, ``bool`` or missing (``None``). These
functions are the careful, slow path: they accept every form of docs/rules.md §4 and say in
words why a value was refused (a :class:`Problem`). They never raise.

Amount text: ``$1,234.50``, ``€ 1.234`` (a dot followed by exactly three digits is a
European thousands separator), ``1.234,50``, ``(1,200)`` (accounting negative),
``-300``, ``300-``, ``1.2M``, ``350k``, ``2B``, ``1.5e6``, currency codes (``USD 12``).
Booleans, percentages, Sheets error values and other text are refused, never zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from server.classification import quarters
from server.classification.dates import parse_date_text

# An amount this large is a typo (a phone number, a serial pasted in the wrong column).
AMOUNT_LIMIT = 1e15


@dataclass(frozen=True)
class Problem:
    """Why a cell was refused, as the end of a sentence: ``"#REF!" is a formula error``."""

    reason: str
    blank: bool = False


BLANK = Problem("is empty", blank=True)
FORMULA_ERROR = Problem("is a formula error")
CHECKBOX = Problem("is a checkbox (TRUE/FALSE), not a number")
NOT_AMOUNT = Problem("is not an amount")
PERCENTAGE = Problem("is a percentage, not an amount")
TOO_LARGE = Problem(f"is too large to be an amount (limit {AMOUNT_LIMIT:,.0f})")
NOT_FINITE = Problem("is not a finite number")
NOT_PERIOD = Problem("is not a quarter or a date (expected e.g. Q1 2025, 2025-Q1 or 3/31/2025)")
BAD_SERIAL = Problem(
    f"is not a plausible date serial number (expected {quarters.MIN_SERIAL}"
    f" to {quarters.MAX_SERIAL}, i.e. 1901 to {quarters.MAX_YEAR})"
)

_ERROR = re.compile(
    r"#(?:N/A|REF!|DIV/0!|VALUE!|NAME\?|NUM!|NULL!|ERROR!|SPILL!|CALC!|GETTING_DATA|N/A!?)",
    re.IGNORECASE,
)
_TOTALS = frozenset(
    {
        "total",
        "totals",
        "grand total",
        "grand totals",
        "subtotal",
        "subtotals",
        "sub total",
        "sub totals",
        "company total",
        "overall total",
        # Excel's and Sheets' grand totals in other languages (``Total général``,
        # ``Total general`` and ``Total Geral`` start with Total and are read as it is)
        "gesamtergebnis",  # German Excel
        "gesamtsumme",  # German Sheets
        "totale complessivo",  # Italian
        "eindtotaal",  # Dutch
    }
)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_sheets_error(text: str) -> bool:
    return _ERROR.fullmatch(text.strip()) is not None


def cell_text(value: Any) -> str | None:
    """A cell as text for a data issue: numbers without noise, TRUE/FALSE as Sheets shows."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # a caller's object with a broken __str__
        return repr(type(value))


def collapse(text: str) -> str:
    """Whitespace collapsed and trimmed: the spelling shown for a group."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """The matching key of a name: case- and space-insensitive."""
    return " ".join(text.split()).casefold()


_TOTAL_WORDS = frozenset({"total", "totals", "subtotal", "subtotals"})
# A subtotal's last word in other languages, as Excel writes it after the label
# (German ``AMER Ergebnis``, Italian ``AMER Totale``, Dutch ``AMER Totaal``), or a
# total's whole label (``Summe``, ``Gesamt``). Only last or alone: ``Summe von Betrag``
# is a pivot's value caption, ``Totale complessivo`` is in ``_TOTALS``.
_TOTAL_LAST_WORDS = frozenset(
    {"ergebnis", "gesamt", "summe", "zwischensumme", "teilergebnis"}
    | {"totale", "subtotale", "totaal", "subtotaal", "eindtotaal"}
)


def is_total_marker(value: Any) -> bool:
    """A total's label: ``Total``, ``Grand Total``, ``Subtotal``, and any value that
    starts or ends with Total/Subtotal as a word, as pivot tables write them (``AMER
    Total``, ``Total EMEA``, ``EMEA - Total``, ``Total for EMEA``, ``Sub-total:``);
    the grand totals and subtotals of Excel and Sheets in German, French, Spanish,
    Italian, Dutch and Portuguese (``Gesamtergebnis``, ``AMER Ergebnis``, ``Total
    général``, ``Totale complessivo``, ``Eindtotaal``, ``Total Geral``)."""
    if not isinstance(value, str) or len(value) > 80:
        return False
    words = re.findall(r"[^\W_]+", value.casefold())
    if len(words) > 2 and words[-1] in ("records", "record") and words[-2].isdigit():
        words = words[:-2]  # Salesforce's "Grand Totals (7 records)"
    if not words:
        return False
    if " ".join(words) in _TOTALS:
        return True
    if words[0] == "sub" and len(words) > 1 and words[1] in _TOTAL_WORDS:
        return True
    return words[0] in _TOTAL_WORDS or words[-1] in _TOTAL_WORDS or words[-1] in _TOTAL_LAST_WORDS


_HEADING = re.compile(
    r"\s*(?:[^:()]{1,60}:\s*)?(?P<name>[^()]*?)\s*\(\s*\d[\d,.]*\s+records?\s*\)\s*",
    re.IGNORECASE,
)


def group_heading(value: Any) -> str | None:
    """The group a report's heading line names, as Salesforce Classic's printable view
    writes it over the group's rows: ``Opportunity Owner: Jane Doe (4 records)`` is
    ``Jane Doe``. None for any other value, and for ``Grand Totals (7 records)``."""
    if type(value) is not str or not value.rstrip().endswith(")") or len(value) > 200:
        return None
    found = _HEADING.fullmatch(value)
    if found is None:
        return None
    name = collapse(found["name"])
    return name if name and not is_total_marker(name) else None


def total_spellings() -> frozenset[str]:
    """Common exact spellings of total markers, for a quick check of whole columns."""
    bases = ["Total", "Totals", "Grand Total", "Subtotal", "Sub-total", "Sub Total"]
    bases += ["Gesamtergebnis", "Gesamtsumme", "Total général", "Total general"]
    bases += ["Totale complessivo", "Eindtotaal", "Total Geral"]
    out: set[str] = set()
    for base in bases:
        for form in (base, base.upper(), base.lower(), base.title(), base.capitalize()):
            out.update({form, form + ":", form + " ", " " + form})
    return frozenset(out)


# -- group values ------------------------------------------------------------------------


def group_name(value: Any) -> str | Problem:
    """A group cell as its spelling, or why it cannot name a group."""
    if isinstance(value, str):
        spelled = collapse(value)
        if not spelled:
            return BLANK
        if is_sheets_error(spelled):
            return FORMULA_ERROR
        return spelled
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return CHECKBOX
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return NOT_FINITE
        return cell_text(value) or BLANK
    text = cell_text(value)
    return collapse(text) if text and text.strip() else BLANK


# -- amounts -------------------------------------------------------------------------------

_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?")
_CURRENCY = re.compile(
    r"^(?:US\$|USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|INR|CNY|[$€£¥₹₩₽])\s*"
    r"|\s*(?:USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|INR|CNY|[$€£¥₹₩₽])$",
    re.IGNORECASE,
)
#: Excel's Accounting format writes zero as a dash beside the currency: ``$ -``, ``- €``.
_ACCOUNTING_ZERO = re.compile(
    r"(?:US\$|[$€£¥₹])\s*-+\s*|-+\s*(?:[$€£¥₹]|USD|EUR|GBP)", re.IGNORECASE
)
_SUFFIX = re.compile(r"^(.*?\d)\s*(k|m|mm|mn|b|bn)$", re.IGNORECASE)
_MULTIPLIER = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000}
_MULTIPLIER |= {"b": 1_000_000_000, "bn": 1_000_000_000}
_US_MONEY = re.compile(r"\$?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?")
_DOT_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")
_GROUPED = re.compile(r"\d{1,3}(?:[,.' ]\d{3})+")


def _number(value: float) -> float | Problem:
    try:
        number = float(value)
    except OverflowError:
        return TOO_LARGE
    if not math.isfinite(number):
        return NOT_FINITE
    if abs(number) >= AMOUNT_LIMIT:
        return TOO_LARGE
    return number


def parse_amount(value: Any) -> float | Problem:
    """A cell as an amount, or why it is not one. Booleans are not numbers."""
    kind = type(value)
    if kind is float or kind is int:
        return _number(value)
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return CHECKBOX
    if isinstance(value, str):
        return parse_amount_text(value)
    if isinstance(value, int | float | Decimal):
        try:
            return _number(float(value))
        except (OverflowError, ValueError):
            return TOO_LARGE
    return NOT_AMOUNT


def parse_amount_text(text: str) -> float | Problem:
    s = text.strip()
    if not s:
        return BLANK
    if _PLAIN.fullmatch(s) and not _DOT_THOUSANDS.fullmatch(s):
        return _number(float(s))
    money = _US_MONEY.fullmatch(s)  # the common "$12,500.00", quickly
    if money:
        return _number(float(money[1].replace(",", "") + (money[2] or "")))
    if is_sheets_error(s):
        return FORMULA_ERROR
    if s.endswith("%"):
        return PERCENTAGE
    number = _amount_decimal(s)
    if number is None:
        return NOT_AMOUNT
    try:
        return _number(float(number))
    except (OverflowError, ValueError):
        return TOO_LARGE


def _amount_decimal(text: str) -> Decimal | None:
    """Signs, parentheses and currencies around the digits, in any order: ``-$300``,
    ``$-300``, ``USD -12``, ``300-``, and Excel's Accounting format ``$ (5,000.00)``
    (minus 5,000) and ``$ -`` (zero)."""
    s = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-").strip()
    if _ACCOUNTING_ZERO.fullmatch(s):
        return Decimal(0)
    negative = False
    for _ in range(2):  # sign and currency in either order: -$300, $-300, USD -12
        if s.startswith("(") and s.endswith(")"):
            negative, s = not negative, s[1:-1].strip()
        if s[:1] in ("+", "-"):
            negative ^= s[0] == "-"
            s = s[1:].strip()
        if s[-1:] == "-":  # 300- (some ledgers write negatives this way)
            negative, s = not negative, s[:-1].strip()
        s = _CURRENCY.sub("", s).strip()
    multiplier = 1
    suffix = _SUFFIX.fullmatch(s)
    if suffix:
        s, multiplier = suffix[1].strip(), _MULTIPLIER[suffix[2].lower()]
    digits = _plain_digits(s, has_suffix=multiplier != 1)
    if digits is None:
        return None
    try:
        number = Decimal(digits) * multiplier
    except InvalidOperation:
        return None
    return -number if negative else number


def _plain_digits(s: str, *, has_suffix: bool) -> str | None:
    """``1,234.50`` / ``1.234,50`` / ``1 234`` / ``1.234`` as plain ``1234.50`` text."""
    if not s or not re.fullmatch(r"[\d.,' ]+", s) or not (s[0].isdigit() or s[0] == "."):
        return None
    if "," in s and "." in s:
        decimal_mark = "," if s.rfind(",") > s.rfind(".") else "."
        whole, _, fraction = s.rpartition(decimal_mark)
        if not _GROUPED.fullmatch(whole) and not whole.isdigit():
            return None
        return _ungroup(whole) + "." + fraction if fraction.isdigit() else None
    for mark in (",", "."):
        if mark in s:
            whole, _, fraction = s.rpartition(mark)
            if s.count(mark) > 1 or (
                len(fraction) == 3 and not has_suffix and 1 <= len(whole) <= 3 and s[0] != "0"
            ):
                return _ungroup(s) if _GROUPED.fullmatch(s) else None
            # one mark followed by other than three digits: the decimal mark
            if not (_GROUPED.fullmatch(whole) or whole.isdigit() or not whole):
                return None
            return (
                _ungroup(whole) + "." + (fraction or "0")
                if fraction.isdigit() or not fraction
                else None
            )
    return _ungroup(s) if _GROUPED.fullmatch(s) or s.isdigit() else None


def _ungroup(s: str) -> str:
    out = s.replace(",", "").replace(".", "").replace("'", "").replace("\u2019", "")
    out = out.replace(" ", "")
    return out or "0"


# -- dates and quarters -----------------------------------------------------------------------


def period_index(value: Any, start: int, order: str | None = None) -> int | Problem:
    """The fiscal quarter index of a quarter or date cell, or why it names none.

    A quarter label is fiscal as written; a date (text or serial number) is placed in
    the fiscal quarter that contains it; ``order`` reads ``04/03/2025`` (see
    :func:`server.classification.dates.parse_date_text`).
    """
    kind = type(value)
    if kind is int or kind is float:
        day = quarters.serial_to_date(value)
        return BAD_SERIAL if day is None else quarters.date_index(day, start)
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return CHECKBOX
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return BLANK
        index = quarters.label_index(text)
        if index is not None:
            return index
        day = parse_date_text(text, order)
        if day is not None:
            return quarters.date_index(day, start)
        return FORMULA_ERROR if is_sheets_error(text) else NOT_PERIOD
    if isinstance(value, datetime | date):
        if not quarters.MIN_YEAR <= value.year <= quarters.MAX_YEAR:
            return NOT_PERIOD
        return quarters.date_index(value, start)
    if isinstance(value, int | float):
        try:
            day = quarters.serial_to_date(float(value))
        except (OverflowError, ValueError, TypeError):
            day = None
        return BAD_SERIAL if day is None else quarters.date_index(day, start)
    return NOT_PERIOD
