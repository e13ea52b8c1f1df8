"""How the Plan tab is read (docs/rules.md §6): the plan side of real FP&A sheets, each
choice with hand-worked numbers and the option that overrides it, where there is one.
The corpus (tests/corpus, the ``rt-`` cases) runs whole workbooks; these pin one choice each."""

from __future__ import annotations

from typing import Any

import pytest

from server.classification import ClassificationResult, QuarterVerdict, classify
from server.classification.quarters import year_label, years_in

AS_OF = {"asOf": "2025-12-31"}
BOOKED: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 99_000]]


def verdict(
    result: ClassificationResult, group: str | None = None, quarter: str = "2025-Q1"
) -> QuarterVerdict:
    return next(v for v in result.verdicts if v.group == group and v.quarter == quarter)


def flags(v: QuarterVerdict) -> set[str]:
    return {f.value for f in v.flags}


def notes(result: ClassificationResult, tab: str = "Plan") -> dict[str, str | None]:
    reading = next(r for r in result.inputs if r.tab == tab)
    return {c.header: c.note for c in reading.columns}


# -- units written with a currency symbol ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "typed", "currency"),
    [
        ("Target £m", 0.1, "GBP"),  # 0.1 x 1,000,000 = 100,000
        ("Budget €m", 0.1, "EUR"),
        ("Plan $M", 0.1, "USD"),
        ("Quota £k", 100, "GBP"),  # 100 x 1,000 = 100,000
    ],
)
def test_a_currency_symbol_with_its_unit_scales_the_plan(
    header: str, typed: float, currency: str
) -> None:
    plan: list[list[Any]] = [["Quarter", header], ["Q1 2025", typed]]
    result = classify(plan, BOOKED, AS_OF)
    got = verdict(result)
    assert got.plan == 100_000
    assert got.verdict.value == "NO_BASELINE"  # 99,000 < 100,000 in the first quarter
    assert result.currency == currency
    assert "DATA_ISSUES" not in flags(got)  # no units warning: 100,000 vs 99,000


# -- a fiscal year written over two calendar years ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("FY 2024/25 Bookings Plan (GBP)", 2025),
        ("FY24/25", 2025),
        ("2024-25 plan", 2025),
        ("2024/2025 Budget", 2025),
        ("FY 2024-2025", 2025),
        ("FY2024–25", 2025),  # en dash
    ],
)
def test_a_split_fiscal_year_is_named_by_the_year_it_ends(text: str, year: int) -> None:
    assert years_in(text) == [year]


def test_what_is_not_a_split_year_stays_as_it_was() -> None:
    assert years_in("FY25-FY26") == [2025, 2026]  # two fiscal years
    assert years_in("2024-2025") == []  # a range or a date: not read
    assert years_in("approved 2024-12-12") == []
    assert years_in("24/25") == []  # no FY: could be anything
    assert year_label("FY 2024/25") == 2025
    assert year_label("2024/25") == 2025
    assert year_label("24/25") is None  # two digits need their FY to be a year


def test_bare_quarters_under_a_uk_title_fall_in_the_year_it_ends() -> None:
    # FY 2024/25 with the year starting in April: Q1 = Apr-Jun 2024 = 2025-Q1.
    plan: list[list[Any]] = [
        ["FY 2024/25 Bookings Plan"],
        ["Region", "Q1", "Q2", "Q3", "Q4", "FY total"],
        ["UK", 100, 110, 120, 130, 460],
    ]
    bookings: list[list[Any]] = [["Region", "Quarter", "Bookings"], ["UK", "2025-Q1", 105]]
    result = classify(plan, bookings, {**AS_OF, "fiscalYearStartMonth": 4})
    got = verdict(result, "UK")
    assert (got.plan, got.verdict.value) == (100, "BEAT")  # 105 >= 100
    assert notes(result)["Q1"] == "Q1 of FY2025, its year read from the title or a row above"
