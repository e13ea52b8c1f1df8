"""Currencies: which one an amount is in, the reporting currency, and the Rates tab.

An amount's currency comes from a currency column (``Amount Currency``, ``Deal -
Currency``: ISO codes or symbols), from its own text (``€ 1.234``, ``USD 12``,
``£500``), or from the column's header or the tab's title (``Amount (EUR)``, ``in
GBP``). A bare ``$`` is the dollar of the spreadsheet's locale (``en_CA``: CAD).

With more than one currency, amounts are converted with the optional **Rates** tab
(``Currency | Rate``: what one unit is worth in the reporting currency); without a rate,
a row in another currency is rejected with an issue naming it, never added as if it
were the same money.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from server.classification import issues
from server.classification.headers import (
    CURRENCY_SYMBOLS,
    ISO_CODES,
    describe,
    is_currency,
    symbol_currency,
)
from server.classification.model import DataIssue, Severity
from server.classification.values import Problem, is_blank, parse_amount

_DOLLAR_LOCALES = {"en_CA": "CAD", "fr_CA": "CAD", "en_AU": "AUD", "en_NZ": "NZD"}
_DOLLAR_LOCALES |= {"en_SG": "SGD", "zh_HK": "HKD", "en_HK": "HKD", "es_MX": "MXN"}
_LOCALE_CURRENCY = {"en_GB": "GBP", "en_IE": "EUR", "de_DE": "EUR", "fr_FR": "EUR"}
_LOCALE_CURRENCY |= {"es_ES": "EUR", "it_IT": "EUR", "nl_NL": "EUR", "de_AT": "EUR"}
_LOCALE_CURRENCY |= {"ja_JP": "JPY", "en_IN": "INR", "de_CH": "CHF", "sv_SE": "SEK"}
_LOCALE_CURRENCY |= {"en_US": "USD"} | _DOLLAR_LOCALES

_SYMBOLS = sorted(
    {s for symbols in CURRENCY_SYMBOLS.values() for s in symbols}, key=len, reverse=True
)
_LEADING = re.compile(
    r"^\s*[-+(]?\s*(" + "|".join(re.escape(s) for s in _SYMBOLS) + r")", re.IGNORECASE
)
_TRAILING = re.compile(r"(" + "|".join(re.escape(s) for s in _SYMBOLS) + r")\s*\)?\s*$", re.I)


def locale_currency(locale: str | None) -> str | None:
    """The currency a Sheets locale formats money in (``en_GB`` -> GBP), if known."""
    return _LOCALE_CURRENCY.get((locale or "").replace("-", "_"))


def resolve_symbol(symbol: str, locale: str | None) -> str | None:
    """The ISO code of a written symbol or code; ``$`` is the locale's dollar."""
    if symbol.strip() == "$":
        return _DOLLAR_LOCALES.get((locale or "").replace("-", "_"), "USD")
    return symbol_currency(symbol)


def text_currency(text: str, locale: str | None) -> str | None:
    """The currency written in an amount's text: ``€ 1.234`` -> EUR, ``12 USD`` -> USD."""
    found = _LEADING.search(text) or _TRAILING.search(text)
    return resolve_symbol(found[1], locale) if found else None


def code_of(value: Any, locale: str | None) -> str | None:
    """A currency column's cell as an ISO code (``eur``, ``€``, ``EUR ``), or None."""
    if not isinstance(value, str) or not value.strip() or len(value) > 12:
        return None
    text = value.strip()
    if text.upper() in ISO_CODES:
        return text.upper()
    return resolve_symbol(text, locale)


@dataclass
class Rates:
    """What one unit of each currency is worth in the reporting currency."""

    tab: str | None = None  # None: no Rates tab
    rates: dict[str, float] = field(default_factory=dict)
    issues: list[DataIssue] = field(default_factory=list)
    header_row: int | None = None

    def rate(self, code: str, reporting: str | None) -> float | None:
        if reporting is None or code == reporting:
            return 1.0
        return self.rates.get(code)


def read_rates(tab: str, rows: Sequence[Any] | None, locale: str | None) -> Rates:
    """The Rates tab: a currency column and a rate column, in any order, under titles."""
    if not rows:
        return Rates()
    out = Rates(tab)
    found = _rates_header(rows)
    if found is None:
        out.issues.append(
            DataIssue(
                tab=tab,
                row=1,
                column=None,
                value=None,
                message=f"{tab}: no header with a currency column and a rate column "
                "(expected e.g. Currency | Rate); no rates were read",
            )
        )
        return out
    header_row, code_col, rate_col, rate_header = found
    out.header_row = header_row
    for offset, raw in enumerate(rows[header_row + 1 :]):
        row = list(raw) if isinstance(raw, list | tuple) else []
        sheet_row = header_row + offset + 2
        code_cell = row[code_col] if code_col < len(row) else None
        rate_cell = row[rate_col] if rate_col < len(row) else None
        if is_blank(code_cell) and is_blank(rate_cell):
            continue
        code = code_of(code_cell, locale)
        rate = parse_amount(rate_cell)
        if code is None or isinstance(rate, Problem) or rate <= 0:
            bad_col, bad = (code_col, code_cell) if code is None else (rate_col, rate_cell)
            out.issues.append(
                issues.rejected(
                    issues.Where(
                        tab, sheet_row, bad_col, "Currency" if code is None else rate_header
                    ),
                    bad,
                    Problem("is not a currency code" if code is None else "is not a rate"),
                    what="rate",
                )
            )
            continue
        if code in out.rates and out.rates[code] != rate:
            out.issues.append(
                DataIssue(
                    tab=tab,
                    row=sheet_row,
                    column=rate_header,
                    value=str(rate),
                    message=f"{issues.a1(tab, sheet_row, rate_col)}: a second rate for {code} "
                    f"({rate:g}); the first ({out.rates[code]:g}) is used",
                    severity=Severity.ERROR,
                    cell=issues.a1(tab, sheet_row, rate_col).rpartition("!")[2],
                )
            )
            continue
        out.rates[code] = float(rate)
    return out


def _rates_header(rows: Sequence[Any]) -> tuple[int, int, int, str] | None:
    for index, raw in enumerate(rows[:10]):
        row = list(raw) if isinstance(raw, list | tuple) else []
        code_col = rate_col = None
        rate_header = ""
        for col, cell in enumerate(row):
            h = describe(cell)
            if h is None:
                continue
            if code_col is None and (is_currency(h) or h.has("code", "iso")):
                code_col = col
            elif rate_col is None and h.has("rate", "fx", "exchange", "factor", "multiplier"):
                rate_col, rate_header = col, h.text
        if code_col is not None and rate_col is not None:
            return index, code_col, rate_col, rate_header
    return None
