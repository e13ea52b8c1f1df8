"""The fiscal calendar and quarter labels (docs/rules.md §4)."""

from __future__ import annotations

from datetime import date

import pytest

from server.classification import InvalidOptions, Quarter, UnknownQuarter, parse_quarter
from server.classification.quarters import date_index, fiscal_index, label_index, serial_to_date


def q(year: int, number: int) -> int:
    return Quarter(year, number).index


@pytest.mark.parametrize(
    "label",
    [
        "Q1 2025",
        "Q1-2025",
        "Q1/2025",
        "Q1'25",
        "Q1 FY25",
        "FY25 Q1",
        "FY2025-Q1",
        "2025 Q1",
        "2025-Q1",
        "2025Q1",
        "1Q25",
        "1Q 2025",
        "q1 2025",
        "fy25 q1",
        "  Q1   2025 ",
        "Q1 FY2025",
        "FY25-Q1",
        "Q1 '25",
        "1q25",
    ],
)
def test_every_label_form_of_the_spec_names_2025_q1(label: str) -> None:
    assert label_index(label) == q(2025, 1)
    assert parse_quarter(label).label == "2025-Q1"


@pytest.mark.parametrize(
    ("label", "expected"),
    [("Q4 2024", "2024-Q4"), ("3Q26", "2026-Q3"), ("FY2030 Q2", "2030-Q2"), ("Q2'99", "2099-Q2")],
)
def test_other_quarters_and_two_digit_years_are_2000_plus(label: str, expected: str) -> None:
    assert parse_quarter(label).label == expected


@pytest.mark.parametrize(
    "text", ["Q5 2025", "Q0 2025", "2025", "Quarter", "Q1", "Total", "", "Q1 2025 plan", "Q1 1850"]
)
def test_texts_that_are_not_quarters(text: str) -> None:
    assert label_index(text) is None


def test_labels_are_fiscal_as_written_whatever_the_calendar() -> None:
    # A label names a fiscal quarter; the start month only places dates.
    assert parse_quarter("Q1 2025", fiscal_year_start_month=2).label == "2025-Q1"


def test_january_start_is_the_calendar_year() -> None:
    assert Quarter.from_index(fiscal_index(2025, 1, 1)).label == "2025-Q1"
    assert Quarter.from_index(fiscal_index(2025, 3, 1)).label == "2025-Q1"
    assert Quarter.from_index(fiscal_index(2025, 4, 1)).label == "2025-Q2"
    assert Quarter.from_index(fiscal_index(2025, 12, 1)).label == "2025-Q4"


def test_february_start_names_the_year_by_where_it_ends() -> None:
    # FY2025 runs 2024-02-01 .. 2025-01-31: Q1 = Feb-Apr 2024, Q4 = Nov 2024 - Jan 2025.
    assert Quarter.from_index(date_index(date(2024, 2, 1), 2)).label == "2025-Q1"
    assert Quarter.from_index(date_index(date(2024, 1, 31), 2)).label == "2024-Q4"
    assert Quarter.from_index(date_index(date(2024, 4, 30), 2)).label == "2025-Q1"
    assert Quarter.from_index(date_index(date(2024, 5, 1), 2)).label == "2025-Q2"
    assert Quarter.from_index(date_index(date(2025, 1, 15), 2)).label == "2025-Q4"


def test_july_and_october_starts() -> None:
    # July start: FY2026 = Jul 2025 - Jun 2026; October start: FY2026 = Oct 2025 - Sep 2026.
    assert Quarter.from_index(date_index(date(2025, 7, 1), 7)).label == "2026-Q1"
    assert Quarter.from_index(date_index(date(2025, 6, 30), 7)).label == "2025-Q4"
    assert Quarter.from_index(date_index(date(2025, 12, 31), 7)).label == "2026-Q2"
    assert Quarter.from_index(date_index(date(2025, 10, 1), 10)).label == "2026-Q1"
    assert Quarter.from_index(date_index(date(2026, 9, 30), 10)).label == "2026-Q4"


def test_december_start() -> None:
    # FY2026 = Dec 2025 - Nov 2026: Q1 = Dec, Jan, Feb.
    assert Quarter.from_index(date_index(date(2025, 12, 1), 12)).label == "2026-Q1"
    assert Quarter.from_index(date_index(date(2026, 2, 28), 12)).label == "2026-Q1"
    assert Quarter.from_index(date_index(date(2026, 11, 30), 12)).label == "2026-Q4"


def test_serial_numbers_count_days_from_1899_12_30() -> None:
    assert serial_to_date(45747) == date(2025, 3, 31)
    assert serial_to_date(45658) == date(2025, 1, 1)
    assert serial_to_date(45747.75) == date(2025, 3, 31)  # 18:00 that day
    assert serial_to_date(0) is None
    assert serial_to_date(-5) is None
    assert serial_to_date(float("nan")) is None


def test_requested_quarters_may_be_dates_placed_with_the_calendar() -> None:
    assert parse_quarter("2024-02-01", fiscal_year_start_month=2).label == "2025-Q1"
    assert parse_quarter("3/31/2025").label == "2025-Q1"


@pytest.mark.parametrize("text", ["Q5 2025", "soon", "", "2025-13-01"])
def test_unknown_requested_quarters_say_how_to_write_one(text: str) -> None:
    with pytest.raises(UnknownQuarter, match="2025-Q3"):
        parse_quarter(text)


def test_non_text_request_is_an_unknown_quarter() -> None:
    with pytest.raises(UnknownQuarter):
        parse_quarter(20251)  # type: ignore[arg-type]


@pytest.mark.parametrize("month", [0, 13, -1])
def test_start_month_must_be_a_month(month: int) -> None:
    with pytest.raises(InvalidOptions, match="fiscalYearStartMonth"):
        parse_quarter("Q1 2025", fiscal_year_start_month=month)
