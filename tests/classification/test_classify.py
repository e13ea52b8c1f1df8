"""``classify`` end to end: layouts, groups, the company total, data issues, options."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from server.classification import (
    ClassifyOptions,
    DataIssue,
    InvalidOptions,
    Severity,
    Verdict,
    classify,
)
from tests.classification.tabs import by_key, flags, verdicts

EPOCH = date(1899, 12, 30)


def serial(day: date) -> int:
    return (day - EPOCH).days


WIDE_PLAN: list[list[Any]] = [
    ["Bookings plan FY2025"],
    [],
    ["Region", "Q1 2025", "Q2 2025", "Q3 2025"],
    ["AMER", 100, 120, 150],
    ["EMEA", 80, 90, 100],
    ["Total", 180, 210, 250],
]


def test_wide_plan_long_bookings_with_groups_and_total() -> None:
    bookings: list[list[Any]] = [
        ["Quarter", "Region", "Bookings"],
        ["Q1 2025", "AMER", 110],  # AMER Q1: 110 >= 100 beat
        ["Q1 2025", "EMEA", 70],  # EMEA Q1: 70 < 80, first quarter: no baseline
        ["Q2 2025", "AMER", 115],  # AMER Q2: 115 < 120, 115 > 110: soft miss
        ["Q2 2025", "EMEA", 60],  # EMEA Q2: 60 < 90, 60 <= 70: hard miss
    ]
    result = classify(WIDE_PLAN, bookings)
    assert verdicts(result) == {
        # Total Q1: plan 100 + 80 = 180, booked 110 + 70 = 180 -> beat (exactly met)
        (None, "2025-Q1"): "BEAT",
        # Total Q2: plan 120 + 90 = 210, booked 115 + 60 = 175 < 180 -> hard miss
        (None, "2025-Q2"): "HARD_MISS",
        ("AMER", "2025-Q1"): "BEAT",
        ("AMER", "2025-Q2"): "SOFT_MISS",
        ("EMEA", "2025-Q1"): "NO_BASELINE",
        ("EMEA", "2025-Q2"): "HARD_MISS",
    }
    total = by_key(result)[None, "2025-Q2"]
    assert (total.plan, total.bookings, total.baseline) == (210, 175, 180)
    assert total.attainment == pytest.approx(175 / 210)
    assert total.growth == pytest.approx(175 / 180 - 1)
    # Q3 has a plan only: a future quarter, not classified.
    assert result.quarters == ("2025-Q1", "2025-Q2")
    assert result.group_columns == ("Region",)
    # The plan's Total row was skipped (not added to 180 again) and reported as info.
    (info,) = result.issues
    assert info == DataIssue(
        tab="Plan",
        row=6,
        column="Region",
        value="Total",
        message=info.message,
        severity=Severity.INFO,
        cell="A6",
    )
    assert info.message.startswith('Plan!A6: "Total" is a total row')


def test_result_order_total_first_then_groups_by_name_then_quarter() -> None:
    plan: list[list[Any]] = [
        ["Region", "Q1 2025", "Q2 2025"],
        ["emea", 1, 1],
        ["Apac", 1, 1],
        ["AMER", 1, 1],
    ]
    bookings: list[list[Any]] = [["Region", "Close Date", "Amount"]] + [
        [r, d, 1] for r in ("AMER", "EMEA", "APAC") for d in ("2025-05-01", "2025-01-01")
    ]
    result = classify(plan, bookings)
    order = [(v.group, v.quarter) for v in result.verdicts]
    assert order == [
        (None, "2025-Q1"),
        (None, "2025-Q2"),
        ("AMER", "2025-Q1"),
        ("AMER", "2025-Q2"),
        ("Apac", "2025-Q1"),
        ("Apac", "2025-Q2"),
        ("emea", "2025-Q1"),
        ("emea", "2025-Q2"),
    ]


def test_deal_rows_text_dates_text_amounts_and_group_spelling_from_plan() -> None:
    bookings: list[list[Any]] = [
        ["Closed-won deals export"],
        ["Deal", "Region", "Close Date", "Amount"],
        ["D-1", "amer ", "1/15/2025", "$60.00"],
        ["D-2", "AMER", "3/31/2025", "$50.00"],  # AMER Q1: 60 + 50 = 110 >= 100 beat
        ["D-3", "  Emea", serial(date(2025, 2, 10)), 75.5],  # EMEA Q1: 75.50 < 80
        ["D-4", "EMEA", "2025-05-02", "(5.50)"],  # a credit: EMEA Q2 = 10 - 5.50 + 0.5
        ["D-5", "EMEA", "May 20, 2025", "10"],
        ["D-6", "EMEA", "2025-06-30T18:00:00", 0.5],  # EMEA Q2: 5.00 < 75.50 -> hard
    ]
    result = classify(WIDE_PLAN, bookings)
    got = by_key(result)
    assert got["AMER", "2025-Q1"].bookings == 110
    assert got["AMER", "2025-Q1"].verdict is Verdict.BEAT
    assert got["EMEA", "2025-Q1"].bookings == 75.5
    assert got["EMEA", "2025-Q2"].bookings == 5
    assert got["EMEA", "2025-Q2"].verdict is Verdict.HARD_MISS
    # AMER had no deal in Q2, but the tab has deals in Q2: AMER booked 0 -> hard miss.
    assert got["AMER", "2025-Q2"].bookings == 0
    assert got["AMER", "2025-Q2"].verdict is Verdict.HARD_MISS
    assert got[None, "2025-Q2"].bookings == 5  # 0 + 5
    assert {v.group for v in result.verdicts} == {None, "AMER", "EMEA"}  # Plan's spelling


def test_deal_rows_span_from_first_to_latest_quarter_of_the_whole_tab() -> None:
    plan: list[list[Any]] = [
        ["Region", "Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"],
        ["A", 1, 1, 1, 1],
    ]
    plan.append(["B", 1, 1, 1, 1])
    bookings: list[list[Any]] = [
        ["Region", "Date", "ACV"],
        ["A", "2025-01-10", 5],
        ["B", "2025-08-10", 5],  # the latest deal: Q3. Nothing in Q2 at all.
    ]
    result = classify(plan, bookings)
    assert result.quarters == ("2025-Q1", "2025-Q2", "2025-Q3")  # Q4: plan only
    got = by_key(result)
    assert got["A", "2025-Q2"].bookings == 0
    assert got["B", "2025-Q1"].bookings == 0
    assert got[None, "2025-Q2"].bookings == 0


def test_a_missing_quarterly_row_inside_the_group_span_is_zero() -> None:
    plan: list[list[Any]] = [
        ["Quarter", "Team", "Quota"],
        ["Q1 2025", "A", 10],
        ["Q1 2025", "B", 10],
    ]
    plan += [["Q2 2025", "A", 10], ["Q2 2025", "B", 10]]
    bookings: list[list[Any]] = [
        ["Quarter", "Team", "Booked"],
        ["Q1 2025", "A", 10],
        ["Q1 2025", "B", 10],
    ]
    bookings.append(["Q2 2025", "A", 12])  # B has no Q2 row: inside B's span, B booked 0
    result = classify(plan, bookings)
    assert by_key(result)["B", "2025-Q2"].bookings == 0
    assert verdicts(result)["B", "2025-Q2"] == "HARD_MISS"  # 0 < plan 10, 0 <= 10
    assert by_key(result)[None, "2025-Q2"].bookings == 12
    assert by_key(result)[None, "2025-Q2"].plan == 20  # plan of the total = sum of plans


def test_several_rows_for_one_group_and_quarter_are_summed() -> None:
    plan: list[list[Any]] = [
        ["Quarter", "Region", "Target"],
        ["Q1 2025", "A", 50],
        ["q1-2025", "a", 50],
    ]
    bookings: list[list[Any]] = [
        ["Period", "Region", "Actual"],
        ["2025-Q1", "A", 60],
        ["2025Q1", "A", 39.99],
    ]
    got = by_key(classify(plan, bookings))
    assert got["A", "2025-Q1"].plan == 100
    assert got["A", "2025-Q1"].bookings == 99.99
    assert got["A", "2025-Q1"].verdict is Verdict.NO_BASELINE


def test_groups_missing_from_the_plan_are_no_plan_and_count_in_the_total() -> None:
    plan: list[list[Any]] = [["Region", "Q1 2025"], ["AMER", 100]]
    bookings: list[list[Any]] = [["Region", "Quarter", "Bookings"], ["AMER", "Q1 2025", 90]]
    bookings.append(["LATAM", "Q1 2025", 20])
    result = classify(plan, bookings)
    got = by_key(result)
    assert got["LATAM", "2025-Q1"].verdict is Verdict.NO_PLAN
    # Total: booked 90 + 20 = 110 >= plan 100 -> beat.
    assert got[None, "2025-Q1"].bookings == 110
    assert got[None, "2025-Q1"].verdict is Verdict.BEAT


def test_several_group_columns_join_with_a_slash() -> None:
    plan: list[list[Any]] = [
        ["Region", "Segment", "Q1 2025"],
        ["EMEA", "Enterprise", 10],
        ["EMEA", "SMB", 5],
    ]
    bookings: list[list[Any]] = [["Region", "Segment", "Quarter", "Bookings"]]
    bookings += [["emea", "enterprise", "Q1 2025", 11], ["EMEA", "SMB", "Q1 2025", 4]]
    result = classify(plan, bookings)
    assert result.group_columns == ("Region", "Segment")
    assert verdicts(result) == {
        (None, "2025-Q1"): "BEAT",  # 15 >= 15
        ("EMEA / Enterprise", "2025-Q1"): "BEAT",
        ("EMEA / SMB", "2025-Q1"): "NO_BASELINE",
    }


def test_group_by_one_of_two_common_columns_sums_the_other() -> None:
    plan: list[list[Any]] = [
        ["Region", "Segment", "Q1 2025"],
        ["EMEA", "Ent", 10],
        ["EMEA", "SMB", 5],
    ]
    bookings: list[list[Any]] = [["Region", "Segment", "Quarter", "Bookings"]]
    bookings += [["EMEA", "Ent", "Q1 2025", 11], ["EMEA", "SMB", "Q1 2025", 4]]
    result = classify(plan, bookings, {"groupBy": ["region"]})
    assert verdicts(result) == {(None, "2025-Q1"): "BEAT", ("EMEA", "2025-Q1"): "BEAT"}


def test_no_common_dimension_classifies_the_total_only() -> None:
    plan: list[list[Any]] = [
        ["Region", "Q1 2025"],
        ["AMER", 60],
        ["EMEA", 40],
        ["Grand Total", 100],
    ]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 99]]
    result = classify(plan, bookings)
    # Grand Total is skipped: the plan is 60 + 40 = 100, not 200.
    ((key, verdict),) = verdicts(result).items()
    assert key == (None, "2025-Q1")
    assert by_key(result)[key].plan == 100
    assert verdict == "NO_BASELINE"


def test_subtotal_rows_in_bookings_are_not_double_counted() -> None:
    plan: list[list[Any]] = [["Quarter", "Region", "Plan"], ["Q1 2025", "A", 100]]
    bookings: list[list[Any]] = [
        ["Region", "Quarter", "Bookings"],
        ["A", "Q1 2025", 60],
        ["A", "Q1 2025", 40],
        ["SUBTOTAL", "Q1 2025", 100],
        ["A", "Q1 2025 Total", 100],
        ["", "", ""],
    ]
    result = classify(plan, bookings)
    assert by_key(result)["A", "2025-Q1"].bookings == 100
    assert [(i.row, i.severity) for i in result.issues] == [
        (4, Severity.INFO),
        (5, Severity.INFO),
    ]


def test_messy_headers_any_case_extra_spaces() -> None:
    plan: list[list[Any]] = [["  QUARTER ", " region", "PLAN  "], ["Q1 2025", "A", 10]]
    bookings: list[list[Any]] = [
        ["close   date", "REGION ", "amount (usd)"],
        ["2025-02-01", "a", 10],
    ]
    assert verdicts(classify(plan, bookings)) == {
        (None, "2025-Q1"): "BEAT",
        ("A", "2025-Q1"): "BEAT",
    }


def test_ragged_rows_and_empty_rows() -> None:
    plan: list[list[Any]] = [["Region", "Q1 2025", "Q2 2025"], ["A", 10], [], ["B", 5, 5]]
    bookings: list[list[Any]] = [["Region", "Quarter", "Bookings", "Notes"], ["A", "Q1 2025", 10]]
    bookings += [[], ["B", "Q1 2025", 7, "late"], [""], ["B", "Q2 2025"]]
    result = classify(plan, bookings)
    assert verdicts(result)["A", "2025-Q1"] == "BEAT"
    assert verdicts(result)["B", "2025-Q1"] == "BEAT"
    # B's Q2 row has a quarter but no amount: rejected, not a zero.
    (issue,) = result.issues
    assert (issue.tab, issue.row, issue.column, issue.cell) == ("Bookings", 6, "Bookings", "C6")
    assert issue.message == "Bookings!C6: the Bookings is empty, row skipped"
    assert ("B", "2025-Q2") not in verdicts(result)


# -- data issues -----------------------------------------------------------------------


def _issue_tabs() -> tuple[list[list[Any]], list[list[Any]]]:
    plan: list[list[Any]] = [
        ["Region", "Q1 2025", "Q2 2025"],
        ["AMER", 100, "#VALUE!"],
        ["EMEA", 100, 100],
    ]
    bookings: list[list[Any]] = [
        ["Deals"],
        ["Deal", "Region", "Close Date", "Amount"],
        ["D-1", "AMER", "2025-02-01", 120],
        ["D-2", "EMEA", "2025-02-01", 120],
        ["D-3", "AMER", "2025-05-01", 130],
        ["D-4", "EMEA", "2025-05-01", "#REF!"],  # row 6
        ["D-5", "EMEA", "TBD", 50],  # row 7: no quarter: any of EMEA's may be short
        ["D-6", "#N/A", "2025-05-02", 10],  # row 8: no group: only the total is touched
        ["D-7", "EMEA", "2025-05-03", True],  # row 9: a checkbox is not a number
        ["D-8", "EMEA", "2025-05-04", 200],
    ]
    return plan, bookings


def test_every_rejected_cell_is_an_issue_with_its_place_and_value() -> None:
    plan, bookings = _issue_tabs()
    result = classify(plan, bookings)
    got = [(i.tab, i.row, i.column, i.value, i.cell, i.severity) for i in result.issues]
    assert got == [
        ("Plan", 2, "Q2 2025", "#VALUE!", "C2", Severity.ERROR),
        ("Bookings", 6, "Amount", "#REF!", "D6", Severity.ERROR),
        ("Bookings", 7, "Close Date", "TBD", "C7", Severity.ERROR),
        ("Bookings", 8, "Region", "#N/A", "B8", Severity.ERROR),
        ("Bookings", 9, "Amount", "TRUE", "D9", Severity.ERROR),
    ]
    messages = [i.message for i in result.issues]
    assert messages[0] == 'Plan!C2: "#VALUE!" is a formula error, cell skipped'
    assert messages[1] == 'Bookings!D6: "#REF!" is a formula error, row skipped'
    assert messages[2].startswith('Bookings!C7: "TBD" is not a date')
    assert messages[3] == 'Bookings!B8: "#N/A" is a formula error, row skipped'
    assert messages[4].startswith("Bookings!D9: TRUE is a checkbox")


def test_rejected_rows_never_count_and_flag_what_they_would_have_fed() -> None:
    plan, bookings = _issue_tabs()
    result = classify(plan, bookings)
    got = by_key(result)
    # EMEA Q2: only D-8 (200) counted; #REF!, TBD, #N/A and TRUE rows did not.
    assert got["EMEA", "2025-Q2"].bookings == 200
    assert got[None, "2025-Q2"].bookings == 330  # AMER 130 + EMEA 200
    assert "DATA_ISSUES" in flags(result, "EMEA", "2025-Q2")  # #REF! and TRUE rows
    assert "DATA_ISSUES" in flags(result, "AMER", "2025-Q2")  # its plan cell #VALUE!
    assert "DATA_ISSUES" in flags(result, None, "2025-Q2")
    # D-5 (EMEA, 50, close date TBD) may belong to any quarter: all EMEA's are in doubt,
    # and the total's with them.
    assert "DATA_ISSUES" in flags(result, "EMEA", "2025-Q1")
    assert "DATA_ISSUES" in flags(result, None, "2025-Q1")
    assert "DATA_ISSUES" not in flags(result, "AMER", "2025-Q1")
    # AMER's Q2 plan was rejected, so it has no plan; the total's plan is EMEA's 100.
    assert got["AMER", "2025-Q2"].verdict is Verdict.NO_PLAN
    assert got[None, "2025-Q2"].plan == 100
    assert got["EMEA", "2025-Q2"].action.startswith("Fix the rejected cells")


def test_tab_names_in_issues_follow_the_options() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", "abc"]]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 5]]
    result = classify(plan, bookings, {"planTab": "Q3 plan", "bookingsTab": "CRM"})
    (issue,) = result.issues
    assert issue.tab == "Q3 plan"
    assert issue.message == "'Q3 plan'!B2: \"abc\" is not an amount, row skipped"


def test_unknown_quarter_labels_in_a_quarter_column() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 5]]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 5], ["Q5 2025", 5]]
    (issue,) = classify(plan, bookings).issues
    assert issue.message.startswith('Bookings!A3: "Q5 2025" is not a quarter')


# -- fiscal calendar -----------------------------------------------------------------------


def test_fiscal_year_starting_in_february() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan"], ["FY2025 Q1", 100], ["FY2025 Q4", 100]]
    bookings: list[list[Any]] = [
        ["Close Date", "Amount"],
        [serial(date(2024, 2, 1)), 60],  # FY2025 Q1 (Feb-Apr 2024)
        ["4/30/2024", 50],  # FY2025 Q1
        ["2025-01-31", 70],  # FY2025 Q4 (Nov 2024 - Jan 2025)
    ]
    result = classify(plan, bookings, {"fiscalYearStartMonth": 2})
    got = by_key(result)
    assert got[None, "2025-Q1"].bookings == 110
    assert got[None, "2025-Q4"].bookings == 70
    assert got[None, "2025-Q2"].bookings == 0  # deal rows: a quarter between deals
    assert result.quarters == ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")


# -- options ----------------------------------------------------------------------------------


def test_options_as_dict_snake_case_or_dataclass() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 1]]
    bookings: list[list[Any]] = [["Quarter", "Booked"], ["Q1 2025", 1]]
    for options in (
        None,
        {"fiscalYearStartMonth": 1, "comparison": "PRIOR_QUARTER"},
        {"hard_miss_window": 8},
        ClassifyOptions(),
    ):
        assert verdicts(classify(plan, bookings, options)) == {(None, "2025-Q1"): "BEAT"}


@pytest.mark.parametrize(
    "options",
    [
        {"fiscalYearStartMonth": 13},
        {"hardMissWindow": 0},
        {"comparison": "LAST_WEEK"},
        {"noSuchOption": 1},
        {"groupBy": 5},
        {"planTab": "Same", "bookingsTab": "Same"},
        ["not", "a", "mapping"],
    ],
)
def test_invalid_options(options: Any) -> None:
    with pytest.raises(InvalidOptions):
        classify([["Quarter", "Plan"]], [["Quarter", "Booked"]], options)


def test_no_bookings_at_all_classifies_nothing() -> None:
    result = classify([["Quarter", "Plan"], ["Q1 2025", 1]], [["Quarter", "Bookings"]])
    assert result.verdicts == ()
    assert result.quarters == ()


def test_total_rows_in_an_ungrouped_region_column_are_not_double_counted() -> None:
    # Plan by region, bookings for the company: Region is no group, but its Total row
    # must still be skipped. Plan Q1 = 60 + 40 = 100 (not 200).
    plan: list[list[Any]] = [
        ["Quarter", "Region", "Plan"],
        ["Q1 2025", "AMER", 60],
        ["Q1 2025", "EMEA", 40],
    ]
    plan.append(["Q1 2025", "TOTAL", 100])
    bookings: list[list[Any]] = [["Close Date", "Owner", "Amount"], ["2025-01-02", "Kim", 100]]
    bookings.append(["2025-03-31", "Subtotal", 100])
    result = classify(plan, bookings)
    (total,) = result.verdicts
    assert (total.plan, total.bookings, total.verdict) == (100, 100, Verdict.BEAT)
    assert [(i.tab, i.row, i.column, i.severity) for i in result.issues] == [
        ("Bookings", 1, None, Severity.WARNING),  # the tabs share no group column
        ("Plan", 4, "Region", Severity.INFO),
        ("Bookings", 3, "Owner", Severity.INFO),
    ]
    assert "share no group column" in result.issues[0].message
    assert "groupBy" in result.issues[0].message


def test_a_total_row_with_empty_cells_is_info_not_an_error() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 10]]
    bookings: list[list[Any]] = [["Deal", "Close Date", "Amount"], ["D-1", "2025-01-02", 10]]
    bookings.append(["Grand total:", "", 10])
    (issue,) = classify(plan, bookings).issues
    assert (issue.row, issue.column, issue.severity) == (3, "Deal", Severity.INFO)


# -- what a title or a renamed group says about the data ---------------------------------------


def quarterly_bookings(title: str) -> list[list[Any]]:
    return [
        [title],
        ["Quarter", "Bookings"],
        ["Q3 2025", 100],
        ["Q4 2025", 100],
        ["Q1 2026", 30],
    ]


QUARTERLY_PLAN: list[list[Any]] = [
    ["Quarter", "Plan"],
    ["Q3 2025", 100],
    ["Q4 2025", 100],
    ["Q1 2026", 100],
]


@pytest.mark.parametrize(
    "title", ["Data as of Feb 10, 2026 (refreshed weekly)", "Last refreshed: 2026-02-10"]
)
def test_a_title_that_dates_the_data_mid_quarter_marks_that_quarter(title: str) -> None:
    result = classify(QUARTERLY_PLAN, quarterly_bookings(title), {"asOf": "2026-04-15"})
    assert "DATA_ISSUES" in flags(result, None, "2026-Q1")
    assert "DATA_ISSUES" not in flags(result, None, "2025-Q4")
    [said] = [i.message for i in result.issues if "title dates the data" in i.message]
    assert "2026-02-10" in said
    assert "2026-Q1 is incomplete: its last 49 days are missing" in said


@pytest.mark.parametrize("title", ["Data as of 2026-04-01", "Bookings by quarter, updated weekly"])
def test_a_title_dated_after_the_quarter_or_not_at_all_marks_nothing(title: str) -> None:
    result = classify(QUARTERLY_PLAN, quarterly_bookings(title), {"asOf": "2026-04-15"})
    assert not any(f.value == "DATA_ISSUES" for v in result.verdicts for f in v.flags)


def test_a_group_renamed_mid_year_marks_the_old_name_from_then_on() -> None:
    plan: list[list[Any]] = [
        ["Region", "Q3 2025", "Q4 2025", "Q1 2026"],
        ["AMER", 100, 100, 100],
        ["APAC", 50, 50, 50],
    ]
    bookings: list[list[Any]] = [
        ["Region", "Quarter", "Bookings"],
        ["AMER", "Q3 2025", 100],
        ["AMER", "Q4 2025", 100],
        ["AMER", "Q1 2026", 100],
        ["APAC", "Q3 2025", 50],
        ["APAC", "Q4 2025", 50],
        ["APJ", "Q1 2026", 55],
    ]
    result = classify(plan, bookings, {"asOf": "2026-04-15"})
    assert "DATA_ISSUES" in flags(result, "APAC", "2026-Q1")
    assert "DATA_ISSUES" not in flags(result, "APAC", "2025-Q4")
    assert "DATA_ISSUES" not in flags(result, "AMER", "2026-Q1")
    [said] = [i.message for i in result.issues if "renamed in the CRM" in i.message]
    assert "'APAC' has no bookings from 2026-Q1 on, the quarter 'APJ' starts" in said
