"""Finding the header, the layout and the column roles (docs/rules.md §3, §4)."""

from __future__ import annotations

from typing import Any

import pytest

from server.classification import ColumnNotFound, HeaderNotFound, classify, headers
from server.classification.layout import Kind, Picks, TabRole, choose_groups, find_layout


def _role(header: Any) -> str | None:
    """What the header vocabulary says a header names (first that applies)."""
    if isinstance(header, str) and headers.quarter_flavour(header) is not None:
        return "label"
    h = headers.describe(header)
    if h is None:
        return None
    if headers.is_period(h):
        return "period"
    kind = headers.date_kind(h)
    if kind is not None and not kind.startswith("bad:"):
        return "date"
    if headers.plan_candidate(h) and not headers.never_plan(h):
        return "plan"
    if headers.amount_candidate(h) and not headers.never_amount(h):
        return "bookings"
    if headers.is_ignored(h):
        return "ignored"
    return "dimension"


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Quarter", "period"),
        ("  fiscal   QUARTER ", "period"),
        ("Period", "period"),
        ("Qtr", "period"),
        ("Close Date", "date"),
        ("close_date", "date"),
        ("CloseDate", "date"),
        ("Closed", "date"),
        ("Booked On", "date"),
        ("Date", "date"),
        ("Deal - Won time", "date"),
        ("Closing Date", "date"),
        ("Plan", "plan"),
        ("TARGET", "plan"),
        ("Quota", "plan"),
        ("Budget", "plan"),
        ("Bookings", "bookings"),
        ("Booked", "bookings"),
        ("Actual", "bookings"),
        ("Amount", "bookings"),
        ("Amount (USD)", "bookings"),
        ("ACV", "bookings"),
        ("ARR", "bookings"),
        ("New ARR", "bookings"),
        ("Closed Won", "bookings"),
        ("Amount in company currency", "bookings"),
        ("Q1 2025", "label"),
        ("FY25 Q3", "label"),
        ("Region", "dimension"),
        ("Sales Team", "dimension"),
        ("Notes", "ignored"),
        ("FY2025 Total", "ignored"),
        ("", None),
        (None, None),
        (45747, None),
    ],
)
def test_header_roles(header: Any, role: str | None) -> None:
    assert _role(header) == role


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("Expected Revenue", "expected"),
        ("Weighted Amount", "weighted"),
        ("Probability (%)", "probability"),
        ("Amount Currency", "currency"),
        ("Deal - Currency", "currency"),
    ],
)
def test_amounts_that_are_never_bookings(header: str, why: str) -> None:
    h = headers.describe(header)
    assert h is not None
    assert why in (headers.never_amount(h) or "")


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Created Date", "bad:created"),
        ("Last Modified Date", "bad:last modified"),
        ("Last Activity", "bad:last activity"),
        ("Contract Start Date", "bad:start"),
        ("Renewal Date", "bad:renewal"),
        ("Deal - Expected close date", "expected"),
    ],
)
def test_dates_that_are_never_the_close(header: str, kind: str) -> None:
    h = headers.describe(header)
    assert h is not None
    assert headers.date_kind(h) == kind


def test_header_under_title_rows() -> None:
    rows: list[list[Any]] = [
        ["ACME Inc. - FY2025 bookings plan"],
        ["Prepared by finance", "", "v3"],
        [],
        ["Region", "Quarter", "Plan"],
        ["AMER", "Q1 2025", 100],
    ]
    layout = find_layout("Plan", rows, TabRole.PLAN)
    assert layout.header_row == 3
    assert layout.kind is Kind.LONG
    assert layout.period is not None
    assert layout.period.header == "Quarter"
    assert layout.amount is not None
    assert layout.amount.header == "Plan"
    assert [c.header for c in layout.dimensions] == ["Region"]


def test_a_title_named_plan_is_not_the_header() -> None:
    rows: list[list[Any]] = [["Plan"], ["Quarter", "Plan"], ["Q1 2025", 100]]
    assert find_layout("Plan", rows, TabRole.PLAN).header_row == 1


def test_a_lone_quarter_label_title_gives_way_to_the_real_header() -> None:
    rows: list[list[Any]] = [["FY25 Q1"], ["Region", "Q1 2025", "Q2 2025"], ["AMER", 1, 2]]
    layout = find_layout("Plan", rows, TabRole.PLAN)
    assert layout.header_row == 1
    assert [q for _, q in layout.quarter_columns] == [8100, 8101]  # 2025*4 + 0, + 1


def test_wide_layout() -> None:
    rows: list[list[Any]] = [["Region", "Segment", "Q1 2025", "Q2 2025", "FY2025 Total", "Notes"]]
    layout = find_layout("Plan", rows, TabRole.PLAN)
    assert layout.kind is Kind.WIDE
    assert [c.header for c, _ in layout.quarter_columns] == ["Q1 2025", "Q2 2025"]
    assert [c.header for c in layout.dimensions] == ["Region", "Segment"]


def test_deal_rows_when_bookings_have_a_date_column() -> None:
    rows: list[list[Any]] = [["Deal", "Region", "Close Date", "Quarter", "Amount"]]
    layout = find_layout("Bookings", rows, TabRole.BOOKINGS)
    assert layout.kind is Kind.DEALS
    assert layout.period is not None
    assert layout.period.header == "Close Date"


def test_plan_may_use_a_plain_amount_column() -> None:
    layout = find_layout("Plan", [["Quarter", "Amount"]], TabRole.PLAN)
    assert layout.amount is not None
    assert layout.amount.header == "Amount"


def test_header_after_the_first_10_rows_is_not_found() -> None:
    rows: list[list[Any]] = [["title"]] * 10 + [["Quarter", "Plan"], ["Q1 2025", 1]]
    with pytest.raises(HeaderNotFound, match=r"'Plan'.*first 10 rows"):
        find_layout("Plan", rows, TabRole.PLAN)


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ([], "the tab is empty"),
        ([[], [""]], "the tab is empty"),
        ([["Region", "Amount"], ["AMER", 5]], "row 1 has 'Amount' but no quarter or date column"),
        ([["Close Date", "Region"]], "row 1 has 'Close Date' but no amount column"),
        ([["just", "some", "text"]], "Bookings, Amount"),
    ],
)
def test_header_not_found_names_the_tab_and_what_was_expected(
    rows: list[list[Any]], says: str
) -> None:
    with pytest.raises(HeaderNotFound) as raised:
        find_layout("Bookings", rows, TabRole.BOOKINGS)
    assert raised.value.tab == "Bookings"
    assert "'Bookings'" in str(raised.value)
    assert says in str(raised.value)


def test_group_columns_are_dimensions_in_both_tabs_case_and_space_insensitive() -> None:
    plan = find_layout("Plan", [["Region", "Segment", "Owner", "Q1 2025"]], TabRole.PLAN)
    bookings = find_layout(
        "Bookings", [["Deal", " REGION ", "segment", "Close Date", "Amount"]], TabRole.BOOKINGS
    )
    groups = choose_groups(plan, bookings, None)
    assert [g.name for g in groups] == ["Region", "Segment"]
    assert [g.bookings.index for g in groups] == [1, 2]


def test_group_by_chooses_and_a_missing_column_names_the_tab() -> None:
    plan = find_layout("Plan", [["Region", "Segment", "Q1 2025"]], TabRole.PLAN)
    bookings = find_layout("Bookings", [["Region", "Segment", "Date", "ACV"]], TabRole.BOOKINGS)
    assert [g.name for g in choose_groups(plan, bookings, ["segment"])] == ["Segment"]
    assert choose_groups(plan, bookings, []) == ()
    with pytest.raises(ColumnNotFound) as raised:
        choose_groups(plan, bookings, ["Team"])
    assert raised.value.tab == "Plan"
    assert "'Team'" in str(raised.value)
    assert "'Region'" in str(raised.value)  # the columns it does have


def test_group_by_missing_in_bookings_only() -> None:
    plan: list[list[Any]] = [["Region", "Team", "Q1 2025"], ["AMER", "A", 1]]
    bookings: list[list[Any]] = [["Region", "Date", "Amount"], ["AMER", "2025-01-05", 1]]
    with pytest.raises(ColumnNotFound) as raised:
        classify(plan, bookings, {"groupBy": ["Team"]})
    assert raised.value.tab == "Bookings"


def test_quarter_columns_may_say_what_they_hold() -> None:
    header = ["Region", "Q1 2025 Plan", "Q1 2025 Actual", "Plan - Q2 2025", "Actual FY25 Q2"]
    plan = find_layout("Plan", [header], TabRole.PLAN)
    bookings = find_layout("Bookings", [header], TabRole.BOOKINGS)
    assert [(c.header, q) for c, q in plan.quarter_columns] == [
        ("Q1 2025 Plan", 8100),
        ("Plan - Q2 2025", 8101),
    ]
    assert [(c.header, q) for c, q in bookings.quarter_columns] == [
        ("Q1 2025 Actual", 8100),
        ("Actual FY25 Q2", 8101),
    ]
    assert [c.header for c in plan.dimensions] == ["Region"]


@pytest.mark.parametrize(
    ("year", "quarter", "cells"),
    [
        ("Year of Close Date", "Quarter of Close Date", [[2025, "Q3"], [2026, "Q1"]]),
        ("year(Close Date)", "quarter(Close Date)", [[2025, 3], [2026, 1]]),
    ],
)
def test_a_close_dates_year_and_quarter_are_a_year_and_a_quarter(
    year: str, quarter: str, cells: list[list[Any]]
) -> None:
    """Tableau's ``Year of Close Date`` and a QUERY's ``year(Close Date)`` hold years: as
    date serials 2025 and 2026 would be days of 1905, and the quarter column would be
    dropped beside them."""
    rows: list[list[Any]] = [[year, quarter, "Amount"], *[[*c, 1000] for c in cells]]
    layout = find_layout("Bookings", rows, TabRole.BOOKINGS)
    assert layout.kind is Kind.LONG
    assert layout.period is not None
    assert layout.period.header == quarter
    assert layout.year is not None
    assert layout.year.header == year
    assert headers.is_year(headers.describe(year))  # type: ignore[arg-type]
    assert not headers.is_year(headers.describe("Year to Date Bookings"))  # type: ignore[arg-type]


def test_a_close_date_of_dates_is_still_a_date_even_named_like_a_year() -> None:
    """The values decide: ``Year of Close Date`` holding real dates is a date column."""
    rows: list[list[Any]] = [["Year of Close Date", "Amount"], [45965, 1000], [46007, 2000]]
    layout = find_layout("Bookings", rows, TabRole.BOOKINGS)
    assert layout.kind is Kind.DEALS
    assert layout.period is not None
    assert layout.period.header == "Year of Close Date"


def test_header_dates_three_months_apart_are_quarters() -> None:
    """Header cells that are each quarter's first day (2025-10-01, 2026-01-01,
    2026-04-01) name quarters, not months with two missing between each."""
    rows: list[list[Any]] = [["Region", 45931, 46023, 46113], ["AMER", 1, 2, 3]]
    layout = find_layout("Plan", rows, TabRole.PLAN)
    assert layout.kind is Kind.WIDE
    assert [q for _, q in layout.period_columns] == [2025 * 4 + 3, 2026 * 4, 2026 * 4 + 1]
    notes = [u.note or "" for u in layout.uses if u.role == "quarter"]
    assert "a column per quarter: Oct-25 is the first day of 2025-Q4" in notes[0]
    monthly = find_layout("Plan", [["Region", 45931, 45962, 45992]], TabRole.PLAN)
    assert monthly.kind is Kind.MONTHLY_WIDE  # Oct, Nov, Dec: months


def test_quarter_start_dates_follow_the_fiscal_year() -> None:
    """With a fiscal year from February, 2025-02-01 and 2025-05-01 open FY2026 Q1, Q2."""
    rows: list[list[Any]] = [["Region", 45689, 45778], ["AMER", 1, 2]]
    layout = find_layout("Plan", rows, TabRole.PLAN, Picks(start=2))
    assert layout.kind is Kind.WIDE
    assert [q for _, q in layout.period_columns] == [2026 * 4, 2026 * 4 + 1]
