"""How the Plan tab is read (docs/rules.md §6): the plan side of real FP&A sheets, each
choice with hand-worked numbers and the option that overrides it, where there is one.
The corpus (tests/corpus, the ``rt-`` cases) runs whole workbooks; these pin one choice each."""

from __future__ import annotations

from typing import Any

import pytest

from server.classification import ClassificationResult, QuarterVerdict, RivalVersions, classify
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


# -- quarters written as their months -------------------------------------------------------------

FEB_2025, MAR_2025, MAY_2025 = 45699, 45722, 45790  # 2025-02-10, 2025-03-05, 2025-05-13


@pytest.mark.parametrize(
    "q1", ["Jan-Mar 2025", "Jan–Mar 2025", "Jan - Mar 2025", "January to March 2025"]
)
def test_a_quarter_written_as_its_three_months(q1: str) -> None:
    plan: list[list[Any]] = [
        ["Region", "Period", "Budget"],
        ["East", q1, 60_000],
        ["East", "Apr-Jun 2025", 65_000],
    ]
    bookings: list[list[Any]] = [
        ["Close Date", "Region", "Amount"],
        [FEB_2025, "East", 35_000],
        [MAR_2025, "East", 27_000],
        [MAY_2025, "East", 61_000],
    ]
    result = classify(plan, bookings, AS_OF)
    q1_verdict, q2_verdict = verdict(result, "East"), verdict(result, "East", "2025-Q2")
    assert (q1_verdict.plan, q1_verdict.bookings) == (60_000, 62_000)  # 35,000 + 27,000
    assert q1_verdict.verdict.value == "BEAT"
    assert (q2_verdict.plan, q2_verdict.verdict.value) == (65_000, "HARD_MISS")  # 61,000 <= 62,000
    note = notes(result)["Period"]
    assert note is not None
    assert "written as their months" in note


def test_a_span_that_is_no_fiscal_quarter_is_refused_and_flagged_never_misread() -> None:
    # Feb-Apr 2025 with a January fiscal year overlaps 2025-Q1 and 2025-Q2: the row is
    # refused (not read as Q1), and both quarters carry DATA_ISSUES.
    plan: list[list[Any]] = [
        ["Period", "Budget"],
        ["Feb-Apr 2025", 60_000],
        ["Jan-Jun 2025", 100_000],  # six months: not a quarter either
    ]
    bookings: list[list[Any]] = [["Close Date", "Amount"], [FEB_2025, 35_000], [MAY_2025, 9_000]]
    result = classify(plan, bookings, AS_OF)
    for quarter in ("2025-Q1", "2025-Q2"):
        got = verdict(result, None, quarter)
        assert got.plan is None
        assert "DATA_ISSUES" in flags(got)
    messages = [i.message for i in result.issues if i.tab == "Plan"]
    assert any("Feb-Apr 2025" in m and "set fiscalYearStartMonth" in m for m in messages)
    assert any("Jan-Jun 2025" in m and "spans 6 months" in m for m in messages)


def test_the_same_span_is_a_quarter_of_a_fiscal_year_starting_in_february() -> None:
    # fiscalYearStartMonth 2: Feb 2025 - Jan 2026 is FY2026, so Feb-Apr 2025 is 2026-Q1.
    plan: list[list[Any]] = [["Period", "Budget"], ["Feb-Apr 2025", 40_000]]
    bookings: list[list[Any]] = [["Close Date", "Amount"], [FEB_2025, 35_000], [MAR_2025, 6_000]]
    result = classify(plan, bookings, {**AS_OF, "fiscalYearStartMonth": 2})
    got = verdict(result, None, "2026-Q1")
    assert (got.plan, got.bookings, got.verdict.value) == (40_000, 41_000, "BEAT")


# -- two columns that both say plan -------------------------------------------------------------

TARGET_AND_QUOTA: list[list[Any]] = [
    ["Region", "Quarter", "Quota", "Target"],
    ["AMER", "Q1 2025", 120_000, 100_000],  # quotas over-assigned 120%
    ["EMEA", "Q1 2025", 60_000, 50_000],
]
BY_REGION: list[list[Any]] = [
    ["Region", "Quarter", "Bookings"],
    ["AMER", "Q1 2025", 105_000],
    ["EMEA", "Q1 2025", 52_000],
]


def test_target_over_an_over_assigned_quota_and_the_run_says_the_choice_matters() -> None:
    # Target: company 100,000 + 50,000 = 150,000 <= 157,000 booked: BEAT. Against Quota
    # (180,000) it would be a miss, so every verdict carries DATA_ISSUES.
    result = classify(TARGET_AND_QUOTA, BY_REGION, AS_OF)
    got = verdict(result)
    assert (got.plan, got.bookings, got.verdict.value) == (150_000, 157_000, "BEAT")
    assert "DATA_ISSUES" in flags(got)
    assert "DATA_ISSUES" in flags(verdict(result, "AMER"))
    (issue,) = [i for i in result.issues if "planColumn" in i.message]
    assert "'Target'" in issue.message
    assert "'Quota'" in issue.message
    assert notes(result)["Quota"] == "Target is the plan (planColumn chooses Quota)"


def test_plan_column_settles_the_choice_without_a_warning() -> None:
    # Quota: 120,000 + 60,000 = 180,000 > 157,000, first quarter: NO_BASELINE.
    result = classify(TARGET_AND_QUOTA, BY_REGION, {**AS_OF, "planColumn": "Quota"})
    got = verdict(result)
    assert (got.plan, got.verdict.value) == (180_000, "NO_BASELINE")
    assert flags(got) == set()
    assert not [i for i in result.issues if "planColumn" in i.message]


def test_two_plan_columns_with_the_same_figures_need_no_warning() -> None:
    plan: list[list[Any]] = [["Quarter", "Quota", "Target"], ["Q1 2025", 100_000, 100_000]]
    result = classify(plan, BOOKED, AS_OF)
    assert flags(verdict(result)) == set()


# -- one group's row in other units ------------------------------------------------------------

ONE_ROW_IN_K: list[list[Any]] = [
    ["Region", "Q1 2025", "Q2 2025"],
    ["AMER", 400_000, 420_000],
    ["EMEA", 250, 260],  # typed in $K
    ["APAC", 150_000, 160_000],
]
BOOKED_BY_REGION: list[list[Any]] = [
    ["Region", "Quarter", "Bookings"],
    *(["AMER", q, b] for q, b in (("Q1 2025", 410_000), ("Q2 2025", 395_000))),
    *(["EMEA", q, b] for q, b in (("Q1 2025", 240_000), ("Q2 2025", 270_000))),
    *(["APAC", q, b] for q, b in (("Q1 2025", 140_000), ("Q2 2025", 165_000))),
]


def test_one_groups_plan_in_thousands_flags_that_group_and_the_company() -> None:
    # Company: plan 550,250 vs 790,000 booked, 1.4x: the company check sees nothing.
    # EMEA: 240,000 / 250 = 960x and 270,000 / 260 = 1,038x, both over 20x.
    result = classify(ONE_ROW_IN_K, BOOKED_BY_REGION, AS_OF)
    for group in ("EMEA", None):
        for quarter in ("2025-Q1", "2025-Q2"):
            got = verdict(result, group, quarter)
            assert "DATA_ISSUES" in flags(got)
            assert got.action.startswith("Check the units first")
    assert verdict(result, None, "2025-Q2").plan == 580_260  # figures are never changed
    for group in ("AMER", "APAC"):
        assert "DATA_ISSUES" not in flags(verdict(result, group, "2025-Q2"))
    (issue,) = [i for i in result.issues if "EMEA" in i.message]
    assert issue.tab == "Plan"
    assert "2025-Q2: plan $260, bookings $270k, 1,038x" in issue.message


def test_a_group_apart_in_only_half_its_quarters_is_not_a_unit_problem() -> None:
    # EMEA Q1 250 vs 240,000 is 960x, Q2 260,000 vs 270,000 is not: 1 of 2 is no majority.
    plan = [row[:] for row in ONE_ROW_IN_K]
    plan[2] = ["EMEA", 250, 260_000]
    result = classify(plan, BOOKED_BY_REGION, AS_OF)
    assert "DATA_ISSUES" not in flags(verdict(result, "EMEA", "2025-Q2"))
    assert not [i for i in result.issues if "units" in i.message]


# -- parent rows: a group that is the sum of others ---------------------------------------------

HIERARCHY: list[list[Any]] = [
    ["Region", "Q1 2025", "Q2 2025"],
    ["Americas", 250_000, 280_000],  # North America + LATAM
    ["North America", 200_000, 220_000],
    ["LATAM", 50_000, 60_000],
    ["EMEA", 120_000, 130_000],
]
BOOKED_HIERARCHY: list[list[Any]] = [
    ["Region", "Quarter", "Bookings"],
    *(["North America", q, b] for q, b in (("Q1 2025", 210_000), ("Q2 2025", 230_000))),
    *(["LATAM", q, b] for q, b in (("Q1 2025", 40_000), ("Q2 2025", 62_000))),
    *(["EMEA", q, b] for q, b in (("Q1 2025", 125_000), ("Q2 2025", 131_000))),
]


def test_a_parent_row_above_its_children_is_left_out_of_the_company_plan() -> None:
    # Company plan Q2: 220,000 + 60,000 + 130,000 = 410,000 (not 690,000 with Americas);
    # bookings 230,000 + 62,000 + 131,000 = 423,000 >= 410,000: BEAT, flagged (a guess).
    result = classify(HIERARCHY, BOOKED_HIERARCHY, AS_OF)
    got = verdict(result, None, "2025-Q2")
    assert (got.plan, got.bookings, got.verdict.value) == (410_000, 423_000, "BEAT")
    assert "DATA_ISSUES" in flags(got)
    assert {v.group for v in result.verdicts} == {None, "North America", "LATAM", "EMEA"}
    assert flags(verdict(result, "LATAM", "2025-Q2")) == set()
    (issue,) = [i for i in result.issues if "parent row" in i.message]
    assert "'Americas'" in issue.message
    assert "'North America' and 'LATAM'" in issue.message
    assert "2025-Q2: 280,000 = 220,000 + 60,000" in issue.message
    plan = next(r for r in result.inputs if r.tab == "Plan")
    assert {(lo.reason, lo.rows) for lo in plan.left_out} == {
        ("parent rows (the sum of other groups)", 2)
    }


def test_a_top_member_of_every_group_in_a_long_budget_is_a_parent_too() -> None:
    plan: list[list[Any]] = [
        ["Region", "Quarter", "Budget"],
        ["All Regions", "Q1 2025", 450_000],  # 300,000 + 150,000
        ["AMER", "Q1 2025", 300_000],
        ["EMEA", "Q1 2025", 150_000],
    ]
    booked: list[list[Any]] = [["Region", "Quarter", "Bookings"], ["AMER", "Q1 2025", 310_000]]
    booked.append(["EMEA", "Q1 2025", 140_000])
    got = verdict(classify(plan, booked, AS_OF))
    assert (got.plan, got.bookings, got.verdict.value) == (450_000, 450_000, "BEAT")


def test_a_plan_only_group_that_is_no_sum_stays_a_group() -> None:
    # 'Americas' 250,000 / 281,000 is not 220,000 + 60,000 in Q2: a group of its own,
    # unmatched (its name matches no booking), and counted in the company plan.
    plan = [row[:] for row in HIERARCHY]
    plan[1] = ["Americas", 250_000, 281_000]
    result = classify(plan, BOOKED_HIERARCHY, AS_OF)
    assert verdict(result, None, "2025-Q2").plan == 691_000
    assert verdict(result, "Americas", "2025-Q2").plan == 281_000
    assert not [i for i in result.issues if "parent row" in i.message]


# -- several versions in one tab: the plan reads its plan, the bookings their actuals -----------

VERSIONS: list[list[Any]] = [
    ["Version", "Region", "Period", "Value"],
    ["Budget FY25", "AMER", "Q1 2025", 200_000],
    ["Budget FY25", "EMEA", "Q1 2025", 100_000],
    ["Forecast 6+6", "AMER", "Q1 2025", 205_000],
    ["Forecast 6+6", "EMEA", "Q1 2025", 95_000],
    ["Actuals", "AMER", "Q1 2025", 205_000],
]


def test_a_version_column_in_the_plan_reads_only_the_budget_rows() -> None:
    # Budget: 200,000 + 100,000 = 300,000; all versions summed would be 805,000.
    booked: list[list[Any]] = [["Region", "Quarter", "Bookings"], ["AMER", "Q1 2025", 205_000]]
    booked.append(["EMEA", "Q1 2025", 95_000])
    result = classify(VERSIONS, booked, AS_OF)
    assert (verdict(result).plan, verdict(result).verdict.value) == (300_000, "BEAT")
    assert verdict(result, "EMEA").plan == 100_000
    plan = next(r for r in result.inputs if r.tab == "Plan")
    assert {(lo.reason, lo.rows) for lo in plan.left_out} == {
        ("'Forecast 6+6' rows (Version: not the plan)", 2),
        ("'Actuals' rows (Version: not the plan)", 1),
    }
    assert notes(result)["Version"] == (
        "only 'Budget FY25' rows are read; 'Forecast 6+6' and 'Actuals' rows left out "
        "(not the plan)"
    )
    assert plan.rows_counted == 2


def test_a_scenario_column_in_the_bookings_reads_only_the_actual_rows() -> None:
    # Q2 holds only a Forecast: not known, so Q1 (102,000 >= 100,000) is the run's quarter.
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 100_000], ["Q2 2025", 110_000]]
    booked: list[list[Any]] = [
        ["Scenario", "Quarter", "Bookings"],
        ["Actual", "Q1 2025", 102_000],
        ["Forecast", "Q2 2025", 145_000],
    ]
    result = classify(plan, booked, AS_OF)
    assert result.quarter == "2025-Q1"
    assert [v.quarter for v in result.verdicts] == ["2025-Q1"]
    assert verdict(result).bookings == 102_000
    reading = next(r for r in result.inputs if r.tab == "Bookings")
    assert [(lo.reason, lo.rows) for lo in reading.left_out] == [
        ("'Forecast' rows (Scenario: not actuals)", 1)
    ]


def test_a_plan_block_and_an_actual_block_under_a_category_row() -> None:
    # Columns B-C under 'Plan' (merged, spilled as a blank), E-F under 'Actual'.
    plan: list[list[Any]] = [
        ["", "Plan", "", "", "Actual", ""],
        ["Region", "Q1 2025", "Q2 2025", "", "Q1 2025", "Q2 2025"],
        ["AMER", 100_000, 110_000, "", 104_000, 98_000],
    ]
    booked: list[list[Any]] = [["Region", "Quarter", "Bookings"], ["AMER", "Q1 2025", 104_000]]
    booked.append(["AMER", "Q2 2025", 98_000])
    result = classify(plan, booked, AS_OF)
    got = verdict(result, "AMER", "2025-Q2")
    assert (got.plan, got.verdict.value) == (110_000, "HARD_MISS")  # not 208,000
    reading = next(r for r in result.inputs if r.tab == "Plan")
    ignored = [c for c in reading.columns if c.role == "ignored"]
    assert [(c.column, c.note) for c in ignored] == [
        ("E", "under 'Actual' (row 1): not the plan"),
        ("F", "under 'Actual' (row 1): not the plan"),
    ]


# -- one version of the plan: never two summed --------------------------------------------------


BOOKED_Q1: list[list[Any]] = [
    ["Region", "Quarter", "Bookings"],
    ["AMER", "Q1 2025", 104_000],
    ["EMEA", "Q1 2025", 52_000],
]


def long_plan(column: str, values: list[str]) -> list[list[Any]]:
    """A long plan with one row per (version, region) for Q1 2025."""
    rows: list[list[Any]] = [["Quarter", "Region", column, "Plan"]]
    for n, value in enumerate(values):
        rows.append(["Q1 2025", "AMER", value, 100_000 + 10_000 * n])
        rows.append(["Q1 2025", "EMEA", value, 50_000 + 5_000 * n])
    return rows


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("Scenario", ["Base", "High"]),  # no version word: summed would be 210,000
        ("Scenario", ["Base", "Stretch"]),
        ("Version", ["Budget FY25 v1", "Budget FY25 v2"]),  # two of the plan's kind
        ("Category", ["Budget", "Revised Budget"]),
    ],
)
def test_two_versions_of_the_same_quarter_are_refused_naming_them(
    column: str, values: list[str]
) -> None:
    with pytest.raises(RivalVersions) as caught:
        classify(long_plan(column, values), BOOKED_Q1, AS_OF)
    message = str(caught.value)
    assert f"column C {column!r}" in message
    assert f"{values[0]!r} (2 rows), {values[1]!r} (2 rows)" in message
    assert "'Q1 2025, AMER'" in message
    assert caught.value.tab == "Plan"


def test_two_versions_beside_a_forecast_are_refused_after_the_forecast_is_left_out() -> None:
    plan = long_plan("Version", ["Budget v1", "Budget v2", "Forecast"])
    with pytest.raises(RivalVersions, match="'Budget v1' \\(2 rows\\), 'Budget v2' \\(2 rows\\)"):
        classify(plan, BOOKED_Q1, AS_OF)


def test_versions_of_different_years_are_one_plan_read_whole() -> None:
    plan: list[list[Any]] = [
        ["Quarter", "Region", "Version", "Plan"],
        ["Q4 2024", "AMER", "Budget FY24", 90_000],
        ["Q1 2025", "AMER", "Budget FY25", 100_000],
    ]
    booked = [*BOOKED_Q1[:2], ["AMER", "Q4 2024", 95_000]]
    result = classify(plan, booked, AS_OF)
    assert verdict(result, "AMER").plan == 100_000
    assert verdict(result, "AMER", "2024-Q4").plan == 90_000


def test_a_category_that_splits_the_business_is_summed() -> None:
    plan = long_plan("Category", ["Hardware", "Software"])
    result = classify(plan, BOOKED_Q1, AS_OF)
    assert verdict(result, "AMER").plan == 100_000 + 110_000
    assert verdict(result).plan == 100_000 + 110_000 + 50_000 + 55_000


def wide_plan(first: str, second: str) -> list[list[Any]]:
    return [
        ["", first, "", second, ""],
        ["Region", "Q1 2025", "Q2 2025", "Q1 2025", "Q2 2025"],
        ["AMER", 60_000, 70_000, 40_000, 45_000],
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [("Budget", "Revised Budget"), ("Base", "High"), ("Original", "Draft v2"), ("", "")],
)
def test_two_blocks_of_the_same_quarters_are_refused_naming_the_columns(
    first: str, second: str
) -> None:
    with pytest.raises(RivalVersions) as caught:
        classify(wide_plan(first, second), BOOKED_Q1, AS_OF)
    message = str(caught.value)
    assert "columns B and D" in message
    assert "the quarters with two columns or more are 'Q1 2025', 'Q2 2025'" in message
    if first:
        assert f"B 'Q1 2025' under {first!r}, D 'Q1 2025' under {second!r}" in message


@pytest.mark.parametrize(
    ("first", "second"),
    [("New Business", "Renewal"), ("High Touch", "Installed Base")],
)
def test_blocks_that_split_the_business_are_summed_and_the_run_says_so(
    first: str, second: str
) -> None:
    result = classify(wide_plan(first, second), BOOKED_Q1, AS_OF)
    assert verdict(result, "AMER").plan == 60_000 + 40_000
    reading = next(r for r in result.inputs if r.tab == "Plan")
    summed = [(c.column, c.note or "") for c in reading.columns if "summed" in (c.note or "")]
    assert [column for column, _ in summed] == ["B", "C", "D", "E"]
    assert f"under {second!r} (row 1), summed with the other parts" in summed[2][1]


# -- rows of percentages in a wide plan ---------------------------------------------------------


def test_growth_percentage_rows_are_skipped_and_said() -> None:
    plan: list[list[Any]] = [
        ["Region", "Q1 2025"],
        ["AMER", 100_000],
        ["AMER growth %", "12%"],
        ["EMEA", 50_000],
        ["EMEA YoY growth", 0.1],  # a percent-formatted cell reads as 0.1
    ]
    result = classify(plan, BOOKED_Q1, AS_OF)
    assert verdict(result).plan == 150_000  # not 150,000.1
    assert {v.group for v in result.verdicts} == {None, "AMER", "EMEA"}
    assert not any(flags(v) for v in result.verdicts)
    reading = next(r for r in result.inputs if r.tab == "Plan")
    assert {(lo.reason, lo.rows) for lo in reading.left_out} == {("percentage rows", 2)}
    said = [i.message for i in result.issues if "percentages" in i.message]
    assert said == [
        "Plan: row 3 ('AMER growth %') holds percentages, not amounts: skipped",
        "Plan: row 5 ('EMEA YoY growth') holds percentages, not amounts: skipped",
    ]


def test_a_growth_segment_in_millions_is_money_not_a_percentage() -> None:
    plan: list[list[Any]] = [
        ["Plan by segment ($M)"],
        ["Segment", "Q1 2025"],
        ["Enterprise", 3.5],
        ["Growth", 1.2],
    ]
    booked: list[list[Any]] = [
        ["Segment", "Quarter", "Bookings"],
        ["Enterprise", "Q1 2025", 3_600_000],
        ["Growth", "Q1 2025", 1_000_000],
    ]
    result = classify(plan, booked, AS_OF)
    assert verdict(result, "Growth").plan == 1_200_000
    assert verdict(result).plan == 4_700_000


def test_a_version_column_in_a_wide_plan_reads_only_the_budget_rows() -> None:
    plan: list[list[Any]] = [
        ["Version", "Region", "Q1 2025"],
        ["Budget FY25", "AMER", 150_000],
        ["Forecast 3+9", "AMER", 142_000],
        ["Actuals", "AMER", 142_000],
        ["Prior Year", "AMER", 120_000],  # last year's actuals on this year's quarters
    ]
    result = classify(plan, BOOKED_Q1[:2], AS_OF)
    assert verdict(result, "AMER").plan == 150_000  # all rows summed: 554,000
    reading = next(r for r in result.inputs if r.tab == "Plan")
    assert {(lo.reason, lo.rows) for lo in reading.left_out} == {
        ("'Forecast 3+9' rows (Version: not the plan)", 1),
        ("'Actuals' rows (Version: not the plan)", 1),
        ("'Prior Year' rows (Version: not the plan)", 1),
    }


def test_scenario_rows_of_a_wide_plan_are_refused() -> None:
    plan: list[list[Any]] = [
        ["Region", "Scenario", "Q1 2025"],
        ["AMER", "Conservative", 180_000],
        ["AMER", "Aggressive", 230_000],
    ]
    with pytest.raises(RivalVersions, match=r"column B 'Scenario'.*'Conservative' and "):
        classify(plan, BOOKED_Q1[:2], AS_OF)


def test_quarter_headers_that_name_parts_of_the_business_are_summed() -> None:
    plan: list[list[Any]] = [
        ["Region", "Q1 2025 New", "Q1 2025 Renewal"],
        ["AMER", 60_000, 40_000],
    ]
    result = classify(plan, BOOKED_Q1[:2], AS_OF)
    assert verdict(result, "AMER").plan == 100_000
    assert notes(result)["Q1 2025 Renewal"] == (
        "a column per period; summed with the other parts of its quarter"
    )


def test_an_epm_export_with_a_years_column_reads_its_quarters() -> None:
    plan: list[list[Any]] = [
        ["Scenario", "Years", "Period", "Plan"],
        ["Plan", "FY25", "Q1", 150_000],
        ["Plan", "FY25", "Q2", 160_000],
    ]
    booked: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 99_000], ["Q2 2025", 170_000]]
    result = classify(plan, booked, AS_OF)
    assert verdict(result, None, "2025-Q2").plan == 160_000
    assert notes(result)["Years"] is not None


@pytest.mark.parametrize(
    "header", ["Plan (000's)", "Plan TEUR", "Plan kUSD", "Budget Tsd. €", "Plan (in K)"]
)
def test_thousands_as_finance_teams_write_them(header: str) -> None:
    plan: list[list[Any]] = [["Quarter", header], ["Q1 2025", 100]]
    result = classify(plan, BOOKED, AS_OF)
    assert verdict(result).plan == 100_000


@pytest.mark.parametrize("header", ["Plan MUSD", "Plan Mio. €", "Plan (in M)"])
def test_millions_as_finance_teams_write_them(header: str) -> None:
    plan: list[list[Any]] = [["Quarter", header], ["Q1 2025", 0.1]]
    result = classify(plan, BOOKED, AS_OF)
    assert verdict(result).plan == 100_000


# -- a month column with its quarters' roll-up lines --------------------------------------------


def test_quarter_rollup_lines_among_months_are_skipped_and_said() -> None:
    """A planning tool's long export lists each month and, after every third, the
    quarter's roll-up line (``Q1 2025`` = Jan + Feb + Mar). Counted with its months the
    plan would double (200,000); the months count, the roll-up is skipped and said."""
    plan: list[list[Any]] = [
        ["Period", "Plan"],
        ["Jan 2025", 30_000],
        ["Feb 2025", 30_000],
        ["Mar 2025", 40_000],
        ["Q1 2025", 100_000],
        ["Apr 2025", 35_000],
        ["May 2025", 35_000],
        ["Jun 2025", 50_000],
        ["Q2 2025", 120_000],
    ]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 99_000], ["Q2 2025", 1]]
    result = classify(plan, bookings, AS_OF)
    assert verdict(result).plan == 100_000
    assert verdict(result, quarter="2025-Q2").plan == 120_000
    assert "DATA_ISSUES" not in flags(verdict(result))
    reading = next(r for r in result.inputs if r.tab == "Plan")
    assert {o.reason: o.rows for o in reading.left_out} == {"quarter roll-up lines": 2}
    assert "roll-up lines (2025-Q1, 2025-Q2)" in (notes(result)["Period"] or "")
    assert any("Q1 2025" in i.message and "roll" in i.message for i in result.issues)


def test_quarter_lines_without_their_months_are_no_rollups() -> None:
    """Months for this year, quarters for the next: two grains that never cover the
    same quarter, each counted once (the column is read by quarter, as before)."""
    plan: list[list[Any]] = [
        ["Period", "Plan"],
        ["Jan 2025", 30_000],
        ["Feb 2025", 30_000],
        ["Mar 2025", 40_000],
        ["Apr 2025", 35_000],
        ["May 2025", 35_000],
        ["Jun 2025", 50_000],
        ["Q3 2025", 100_000],
        ["Q4 2025", 110_000],
    ]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 99_000], ["Q3 2025", 1]]
    result = classify(plan, bookings, AS_OF)
    assert verdict(result).plan == 100_000
    assert verdict(result, quarter="2025-Q3").plan == 100_000
    reading = next(r for r in result.inputs if r.tab == "Plan")
    assert not reading.left_out
