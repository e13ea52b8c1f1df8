"""Properties that hold for every input (hypothesis).

- any grid of cells: ``classify`` returns or raises a ClassificationError, nothing else;
- the company total books exactly the sum of the rows that were accepted;
- verdicts do not depend on the order of the rows;
- the fast column-wise reader and the careful row-by-row reader agree.
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.classification import ClassificationError, Severity, classify
from server.classification import reading as reading_module
from server.classification.layout import TabRole, choose_groups, find_layout

EPOCH = date(1899, 12, 30)
WORDS = [
    "Quarter", "Period", "Close Date", "Date", "Region", "Segment", "Plan", "Target",
    "Bookings", "Amount", "ACV", "Deal", "Notes", "Total", "Grand Total", "Subtotal",
    "Q1 2025", "Q2 2025", "FY25 Q3", "2025-Q4", "1Q26", "Q5 2025", "AMER", "EMEA", "emea ",
    "3/31/2025", "2025-02-30", "31 Mar 2025", "2025-05-01T10:00:00Z", "$1,234.50", "€ 1.234",
    "(1,200)", "-300", "1.2M", "350k", "2B", "#REF!", "#N/A", "#DIV/0!", "TBD", "", "   ",
    "=SUM(A1:A3)", "1,2,3", "..", "-", "()", "$", "k", "1e999", "nan", "inf", "Q1 2025 Total",
]  # fmt: skip

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=40_000, max_value=48_000),  # plausible date serials
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
rows = st.lists(cells, max_size=7)
grids = st.lists(rows, max_size=14)
HEADERS = [
    ["Region", "Quarter", "Plan"],
    ["Region", "Q1 2025", "Q2 2025", "FY25 Q3"],
    ["Deal", "Region", "Close Date", "Amount"],
    ["Quarter", "Bookings"],
    ["Region", "Segment", "Period", "Target", "Actual"],
]


@st.composite
def tabs(draw: st.DrawFn) -> list[list[Any]]:
    """A grid that usually has a real header somewhere, so the readers get exercised."""
    grid: list[list[Any]] = draw(grids)
    if draw(st.booleans()):
        at = draw(st.integers(min_value=0, max_value=min(len(grid), 10)))
        grid.insert(at, list(draw(st.sampled_from(HEADERS))))
    return grid


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=tabs(),
    bookings=tabs(),
    start=st.integers(1, 12),
    group_by=st.sampled_from([None, ["Region"], []]),
)
def test_any_grid_gives_a_result_or_a_classification_error(
    plan: list[list[Any]], bookings: list[list[Any]], start: int, group_by: list[str] | None
) -> None:
    options = {"fiscalYearStartMonth": start, "groupBy": group_by}
    try:
        result = classify(plan, bookings, options)
    except ClassificationError:
        return
    for verdict in result.verdicts:
        assert verdict.action
        assert verdict.quarter in result.quarters
    for issue in result.issues:
        # a cell's issue starts with its A1 reference, a finding about a tab with its name
        assert issue.message.startswith((f"{issue.tab}!", f"{issue.tab}:", "'"))


@given(plan=grids, bookings=grids)
@settings(max_examples=200, deadline=None)
def test_raw_grids_without_header_help(plan: list[list[Any]], bookings: list[list[Any]]) -> None:
    with contextlib.suppress(ClassificationError):
        classify(plan, bookings)


# -- deal rows with known good and bad rows -------------------------------------------------

REGIONS = ["AMER", "EMEA", "APAC"]
FIRST = date(2024, 1, 1)
BAD_AMOUNTS = ["#REF!", "#N/A", "abc", True, False, "12%", None]
BAD_DATES = ["TBD", "#VALUE!", True, "2025-02-30", 12]


def _date_cell(day: date, form: int) -> Any:
    return [
        (day - EPOCH).days,
        day.isoformat(),
        f"{day.month}/{day.day}/{day.year}",
        day.strftime("%d %b %Y"),
        float((day - EPOCH).days) + 0.25,
    ][form]


def _amount_cell(cents: int, form: int) -> Any:
    if form == 0:
        return cents / 100
    if form == 1 and cents % 100 == 0:
        return cents // 100
    if form == 2:
        text = f"${abs(cents) / 100:,.2f}"
        return f"({text})" if cents < 0 else text
    if form == 3:
        return f"{cents / 100:.2f}"
    return cents / 100


@st.composite
def deal_tabs(draw: st.DrawFn) -> tuple[list[list[Any]], list[list[Any]], int, int]:
    """(plan, bookings, good cents total, number of bad rows)."""
    n = draw(st.integers(min_value=1, max_value=60))
    rows: list[list[Any]] = []
    good, bad = 0, 0
    for i in range(n):
        region = draw(st.sampled_from(REGIONS))
        spelled: str | None = draw(st.sampled_from([region, region.lower(), f" {region} "]))
        day = FIRST + timedelta(days=draw(st.integers(0, 729)))
        cents = draw(st.integers(min_value=-50_000, max_value=10_000_000))
        when = _date_cell(day, draw(st.integers(0, 4)))
        amount = _amount_cell(cents, draw(st.integers(0, 3)))
        kind = draw(st.sampled_from(["good"] * 6 + ["amount", "date", "region"]))
        if kind == "amount":
            amount = draw(st.sampled_from(BAD_AMOUNTS))
        elif kind == "date":
            when = draw(st.sampled_from(BAD_DATES))
        elif kind == "region":
            spelled = draw(st.sampled_from(["#N/A", "", None]))
        if kind == "good":
            good += cents
        else:
            bad += 1
        rows.append([f"D-{i}", spelled, when, amount])
    # Every region on two good rows first: with labels repeated, a blank region is a bad
    # row, not a pivot's blank repeated label (which would be filled down).
    for region in REGIONS * 2:
        cents = draw(st.integers(min_value=0, max_value=1_000_000))
        good += cents
        rows.insert(0, [f"P-{region}", region, _date_cell(FIRST, 0), cents / 100])
    quarters = [f"Q{q} {y}" for y in (2024, 2025) for q in range(1, 5)]
    plan: list[list[Any]] = [["Region", *quarters]]
    for region in REGIONS:
        plan.append([region, *[draw(st.integers(0, 5_000_000)) / 100 for _ in quarters]])
    bookings = [["Deal", "Region", "Close Date", "Amount"], *rows]
    return plan, bookings, good, bad


@given(deal_tabs())
@settings(max_examples=150, deadline=None)
def test_the_total_books_exactly_the_accepted_rows(
    tabs: tuple[list[list[Any]], list[list[Any]], int, int],
) -> None:
    plan, bookings, good_cents, bad_rows = tabs
    result = classify(plan, bookings)
    total_cents = sum(round((v.bookings or 0) * 100) for v in result.verdicts if v.group is None)
    assert total_cents == good_cents
    errors = [i for i in result.issues if i.severity is Severity.ERROR]
    assert len({i.row for i in errors}) == bad_rows
    by_group: dict[str, int] = {}
    for v in result.verdicts:
        if v.group is not None:
            by_group[v.group] = by_group.get(v.group, 0) + round((v.bookings or 0) * 100)
    assert sum(by_group.values()) == good_cents
    assert set(by_group) <= set(REGIONS)


@given(deal_tabs(), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_verdicts_do_not_depend_on_row_order(
    tabs: tuple[list[list[Any]], list[list[Any]], int, int], rng: random.Random
) -> None:
    plan, bookings, _, _ = tabs
    shuffled_bookings = [bookings[0], *rng.sample(bookings[1:], len(bookings) - 1)]
    shuffled_plan = [plan[0], *rng.sample(plan[1:], len(plan) - 1)]
    before = classify(plan, bookings)
    after = classify(shuffled_plan, shuffled_bookings)
    assert after.verdicts == before.verdicts
    assert sorted(i.message.split(":", 1)[1] for i in after.issues) == sorted(
        i.message.split(":", 1)[1] for i in before.issues
    )


def _both_readers(
    plan: list[list[Any]], bookings: list[list[Any]]
) -> tuple[reading_module.Facts, reading_module.Facts] | None:
    try:
        plan_layout = find_layout("Plan", plan, TabRole.PLAN)
        layout = find_layout("Bookings", bookings, TabRole.BOOKINGS)
        groups = [g.bookings for g in choose_groups(plan_layout, layout, None)]
    except ClassificationError:
        return None
    if layout.period is None:
        return None  # a wide table: read row by row anyway
    ctx = reading_module.ReadContext()
    fast = reading_module.read_long(bookings, layout, groups, ctx)
    slow = reading_module.read_long(bookings, layout, groups, ctx, fast=False)
    return fast, slow


def _agree(fast: reading_module.Facts, slow: reading_module.Facts) -> None:
    assert fast.cells.keys() == slow.cells.keys()
    for key, (amount, rows) in fast.cells.items():
        assert amount == pytest.approx(slow.cells[key][0], rel=1e-12, abs=1e-6)
        assert rows == slow.cells[key][1]
    assert {(i.row, i.cell, i.message) for i in fast.issues} == {
        (i.row, i.cell, i.message) for i in slow.issues
    }
    assert fast.touched == slow.touched
    assert fast.left_out == slow.left_out
    assert fast.status_rows == slow.status_rows


@given(deal_tabs())
@settings(max_examples=100, deadline=None)
def test_the_fast_reader_agrees_with_the_careful_reader(
    tabs: tuple[list[list[Any]], list[list[Any]], int, int],
) -> None:
    plan, bookings, _, _ = tabs
    both = _both_readers(plan, bookings)
    assert both is not None
    _agree(*both)


@given(plan=tabs(), bookings=tabs())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fast_and_careful_readers_agree_on_any_grid(
    plan: list[list[Any]], bookings: list[list[Any]]
) -> None:
    both = _both_readers(plan, bookings)
    if both is not None:
        _agree(*both)
