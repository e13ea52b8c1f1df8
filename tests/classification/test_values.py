"""Reading single cells: amounts, dates and quarters, group names (docs/rules.md §4, §5)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from server.classification import Quarter
from server.classification.dates import parse_date_text
from server.classification.values import (
    BLANK,
    CHECKBOX,
    FORMULA_ERROR,
    NOT_AMOUNT,
    NOT_PERIOD,
    PERCENTAGE,
    TOO_LARGE,
    Problem,
    group_heading,
    group_name,
    is_total_marker,
    parse_amount,
    period_index,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1234.5, 1234.5),
        (12500, 12500.0),
        (0, 0.0),
        (-300, -300.0),
        ("1234.50", 1234.5),
        ("$1,234.50", 1234.5),
        ("€ 1.234", 1234.0),  # European thousands dot
        ("€1.234,50", 1234.5),
        ("1.234.567", 1234567.0),
        ("1.234", 1234.0),  # a dot and three digits is a thousands separator
        ("0.125", 0.125),  # ... unless the whole part is 0
        ("1.5", 1.5),
        ("1,5", 1.5),  # European decimal comma
        ("1,234", 1234.0),
        ("1,234,567.89", 1234567.89),
        ("(1,200)", -1200.0),  # accounting negative
        (" $ (5,000.00)", -5000.0),  # Excel's Accounting format, saved as CSV
        ("$(1,200)", -1200.0),
        ("USD (12)", -12.0),
        (" $ -   ", 0.0),  # the Accounting format's zero
        ("- €", 0.0),
        ("($1,200.50)", -1200.5),
        ("-300", -300.0),
        ("-$300", -300.0),
        ("$-300", -300.0),
        ("300-", -300.0),
        ("1.2M", 1_200_000.0),
        ("1.2 mm", 1_200_000.0),
        ("350k", 350_000.0),
        ("350K", 350_000.0),
        ("2B", 2_000_000_000.0),
        ("$1.5bn", 1_500_000_000.0),
        ("USD 12,500", 12500.0),
        ("12,500 EUR", 12500.0),
        ("£999", 999.0),
        ("1 234 567", 1234567.0),
        ("1'234'567.50", 1234567.5),
        ("1.5e6", 1_500_000.0),
        (" 42 ", 42.0),
        ("\u00a012,500.00", 12500.0),
        ("\u22124", -4.0),
    ],
)
def test_accepted_amounts(raw: object, expected: float) -> None:
    assert parse_amount(raw) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("#N/A", FORMULA_ERROR),
        ("#REF!", FORMULA_ERROR),
        ("#DIV/0!", FORMULA_ERROR),
        ("#VALUE!", FORMULA_ERROR),
        ("#NAME?", FORMULA_ERROR),
        ("#NUM!", FORMULA_ERROR),
        ("#NULL!", FORMULA_ERROR),
        ("#ERROR!", FORMULA_ERROR),
        (True, CHECKBOX),
        (False, CHECKBOX),
        ("abc", NOT_AMOUNT),
        ("TBD", NOT_AMOUNT),
        ("-", NOT_AMOUNT),
        ("12 apples", NOT_AMOUNT),
        ("1,23,4", NOT_AMOUNT),
        ("50%", PERCENTAGE),
        (None, BLANK),
        ("", BLANK),
        ("   ", BLANK),
        (1e300, TOO_LARGE),
        (10**400, TOO_LARGE),
        ([1, 2], NOT_AMOUNT),
    ],
)
def test_rejected_amounts_are_problems_never_zero(raw: object, problem: Problem) -> None:
    assert parse_amount(raw) == problem


def test_non_finite_floats_are_rejected() -> None:
    assert isinstance(parse_amount(float("nan")), Problem)
    assert isinstance(parse_amount(float("inf")), Problem)
    assert isinstance(parse_amount("nan"), Problem)
    assert isinstance(parse_amount("inf"), Problem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-31", date(2025, 3, 31)),
        ("2025/03/31", date(2025, 3, 31)),
        ("2025-03-31T14:30:00Z", date(2025, 3, 31)),
        ("2025-03-31 14:30:00", date(2025, 3, 31)),
        ("2025-03-31T14:30:00.123+02:00", date(2025, 3, 31)),
        ("3/31/2025", date(2025, 3, 31)),
        ("3/14/2025", date(2025, 3, 14)),
        ("3/4/2025", date(2025, 3, 4)),  # month first, as Sheets in the US
        ("31/3/2025", date(2025, 3, 31)),  # a first number above 12 is the day
        ("3/31/25", date(2025, 3, 31)),
        ("3/31/2025 5:00 PM", date(2025, 3, 31)),
        ("31.03.2025", date(2025, 3, 31)),
        ("31 Mar 2025", date(2025, 3, 31)),
        ("31-Mar-2025", date(2025, 3, 31)),
        ("31-mar-25", date(2025, 3, 31)),
        ("31 March 2025", date(2025, 3, 31)),
        ("Mar 31, 2025", date(2025, 3, 31)),
        ("March 31 2025", date(2025, 3, 31)),
        ("Monday, March 31, 2025", date(2025, 3, 31)),
        ("Sept 30, 2025", date(2025, 9, 30)),
        ("Mar 2025", date(2025, 3, 1)),
        ("2025-03", date(2025, 3, 1)),
    ],
)
def test_text_dates(text: str, expected: date) -> None:
    assert parse_date_text(text) == expected


@pytest.mark.parametrize(
    "text", ["2025-02-30", "13/13/2025", "31 Foo 2025", "soon", "TBD", "2025-13", "Q1 2025", ""]
)
def test_text_that_is_not_a_date(text: str) -> None:
    assert parse_date_text(text) is None


def test_periods_from_labels_dates_and_serials() -> None:
    q1_2025 = Quarter(2025, 1).index
    assert period_index("Q1 2025", 1) == q1_2025
    assert period_index("3/31/2025", 1) == q1_2025
    assert period_index(45747, 1) == q1_2025  # 2025-03-31
    assert period_index(45747.5, 1) == q1_2025
    assert period_index(date(2025, 3, 31), 1) == q1_2025
    assert period_index(datetime(2025, 3, 31, 12), 1) == q1_2025
    # February start: 2025-03-31 is in FY2026 Q1 (Feb-Apr 2025).
    assert period_index(45747, 2) == Quarter(2026, 1).index


def test_period_problems() -> None:
    assert period_index("TBD", 1) == NOT_PERIOD
    assert period_index("#N/A", 1) == FORMULA_ERROR
    assert period_index(True, 1) == CHECKBOX
    assert period_index(None, 1) == BLANK
    assert isinstance(period_index(1, 1), Problem)  # 1899-12-31 is no close date
    assert isinstance(period_index(-45747, 1), Problem)


def test_group_names_keep_their_spelling_and_refuse_errors() -> None:
    assert group_name("  North   America ") == "North America"
    assert group_name(42) == "42"
    assert group_name(42.0) == "42"
    assert group_name("#N/A") == FORMULA_ERROR
    assert group_name("") == BLANK
    assert group_name(None) == BLANK
    assert group_name(True) == CHECKBOX


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Total", True),
        ("TOTAL", True),
        ("grand total", True),
        ("Grand  Total", True),
        ("Subtotal", True),
        ("Sub-total", True),
        ("Total:", True),
        ("Totals", True),
        ("Total Solutions", True),  # starts with Total as a word: a pivot's total
        ("AMER Total", True),
        ("Total EMEA", True),
        ("EMEA - Total", True),
        ("Total for EMEA", True),
        ("Gesamtergebnis", True),  # Excel's Grand Total in German, French, Italian...
        ("AMER Ergebnis", True),
        ("Total général", True),
        ("Totale complessivo", True),
        ("AMER Totale", True),
        ("Eindtotaal", True),
        ("Summe", True),
        ("Summe von Betrag", False),  # a pivot's value caption, not a total
        ("Ergebnisse Q1", False),
        ("Grand Totals (7 records)", True),  # Salesforce Classic's printable view
        ("Opportunity Owner: Jane Doe (4 records)", False),
        ("Totally Different", False),
        ("EMEA", False),
        (0, False),
    ],
)
def test_total_markers(text: object, expected: bool) -> None:
    assert is_total_marker(text) is expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Opportunity Owner: Jane Doe (4 records)", "Jane Doe"),
        ("Account Owner:  Raj  Patel (1 record)", "Raj Patel"),
        ("EMEA (1,204 records)", "EMEA"),
        ("Grand Totals (7 records)", None),
        ("Jane Doe", None),
        ("Acme (Holdings)", None),
        (12, None),
    ],
)
def test_group_headings(text: object, name: str | None) -> None:
    assert group_heading(text) == name
