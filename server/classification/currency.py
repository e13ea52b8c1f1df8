"""Currencies: which one an amount is in, the reporting currency, and the Rates tab.

An amount's currency comes from a currency column (``Amount Currency``, ``Deal -
Currency``: ISO codes or symbols), from its own text (``€ 1.234``, ``USD 12``,
``£500``), or from the column's header or the tab's title (``Amount (EUR)``, ``in
GBP``). A bare ``$`` is the dollar of the spreadsheet's locale (``en_CA``: CAD).

With more than one currency, amounts are converted with the optional **Rates** tab
(``Currency | Rate``: what one unit is worth in the reporting currency); without a rate,
a row in another currency is rejected with an issue naming it, never added as if it
were the same money. A rate header that says ``per 1 USD`` (a treasury table: how many
units one dollar buys) is read that way round; a ``Quarter`` (or month) column gives a
rate per quarter, each amount converted at its own quarter's rate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from server.classification import issues, periods, quarters
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


_PER = re.compile(r"\bper\s+(?:1\s+|one\s+)?([A-Za-z]{3})\b")


@dataclass
class Rates:
    """What one unit of each currency is worth in the reporting currency; or, when the
    header says ``per 1 USD``, how many units one ``per`` buys. Rates per quarter, when
    the tab has a period column, win over a rate without one."""

    tab: str | None = None  # None: no Rates tab
    rates: dict[str, float] = field(default_factory=dict)
    issues: list[DataIssue] = field(default_factory=list)
    header_row: int | None = None
    per: str | None = None  # rates quoted as units per one of this currency
    by_quarter: dict[tuple[str, int], float] = field(default_factory=dict)

    def rate(self, code: str, reporting: str | None, quarter: int | None = None) -> float | None:
        """What one ``code`` is worth in ``reporting`` (in ``quarter`` when rates are
        kept per quarter), or None without a rate."""
        if reporting is None or code == reporting:
            return 1.0
        if self.per is None:
            return self._quoted(code, quarter)
        mine = 1.0 if code == self.per else self._quoted(code, quarter)
        theirs = 1.0 if reporting == self.per else self._quoted(reporting, quarter)
        return None if mine is None or theirs is None else theirs / mine

    def _quoted(self, code: str, quarter: int | None) -> float | None:
        if self.by_quarter and quarter is not None:
            found = self.by_quarter.get((code, quarter))
            if found is not None or code not in self.rates:
                return found
        return self.rates.get(code)

    @property
    def known(self) -> set[str]:
        return set(self.rates) | {code for code, _ in self.by_quarter} | set(_some(self.per))

    @property
    def per_quarter(self) -> bool:
        return bool(self.by_quarter)


def _some(code: str | None) -> tuple[str, ...]:
    return (code,) if code else ()


def read_rates(tab: str, rows: Sequence[Any] | None, locale: str | None, start: int = 1) -> Rates:
    """The Rates tab: a currency column and a rate column, in any order, under titles,
    with an optional period column (rates per quarter)."""
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
    header_row, code_col, rate_col, rate_header, period_col = found
    out.header_row = header_row
    per = _PER.search(rate_header)
    if per is not None and per[1].upper() in ISO_CODES:
        out.per = per[1].upper()
    for offset, raw in enumerate(rows[header_row + 1 :]):
        row = list(raw) if isinstance(raw, list | tuple) else []
        sheet_row = header_row + offset + 2
        code_cell = row[code_col] if code_col < len(row) else None
        rate_cell = row[rate_col] if rate_col < len(row) else None
        if is_blank(code_cell) and is_blank(rate_cell):
            continue
        code = code_of(code_cell, locale)
        rate = parse_amount(rate_cell)
        if period_col is not None and code is not None and not isinstance(rate, Problem):
            _quarter_rate(out, row, (sheet_row, period_col), code, float(rate), start)
            continue
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


def _quarter_rate(
    out: Rates, row: list[Any], where: tuple[int, int], code: str, rate: float, start: int
) -> None:
    """One row of a Rates tab kept per quarter (a quarter label, a month or a date)."""
    sheet_row, period_col = where
    cell = row[period_col] if period_col < len(row) else None
    quarter = periods.quarter_code(cell, start)
    if isinstance(quarter, Problem):
        month = periods.month_code(cell)
        quarter = month if isinstance(month, Problem) else quarters.month_quarter(month, start)
    if is_blank(cell):
        out.rates.setdefault(code, rate)  # no period: the rate for any quarter
    elif isinstance(quarter, Problem) or rate <= 0:
        bad = (period_col, cell) if isinstance(quarter, Problem) else (None, rate)
        out.issues.append(
            DataIssue(
                tab=out.tab or "Rates",
                row=sheet_row,
                column=None,
                value=str(bad[1]),
                message=f"{out.tab}: row {sheet_row}: {bad[1]!r} is not a quarter or a rate; "
                "the row was not used",
            )
        )
    else:
        out.by_quarter.setdefault((code, quarter), rate)


def _rates_header(rows: Sequence[Any]) -> tuple[int, int, int, str, int | None] | None:
    for index, raw in enumerate(rows[:10]):
        row = list(raw) if isinstance(raw, list | tuple) else []
        code_col = rate_col = period_col = None
        rate_header = ""
        for col, cell in enumerate(row):
            h = describe(cell)
            if h is None:
                continue
            if code_col is None and (is_currency(h) or h.has("code", "iso")):
                code_col = col
            elif rate_col is None and h.has("rate", "fx", "exchange", "factor", "multiplier"):
                rate_col, rate_header = col, h.text
            elif period_col is None and h.has("quarter", "qtr", "period", "month", "date"):
                period_col = col
        if code_col is not None and rate_col is not None:
            return index, code_col, rate_col, rate_header, period_col
    return None
