"""The reader's choices (docs/rules.md §6), each with hand-worked numbers and the option
that overrides it. The corpus (tests/corpus) runs whole exports; these pin one choice each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from server.classification import (
    ClassificationResult,
    ColumnNotFound,
    NoWonDeals,
    QuarterVerdict,
    classify,
)
from server.classification.statuses import Status, StatusReader

EPOCH = date(1899, 12, 30)
JAN, FEB, APR = (date(2025, 1, 20) - EPOCH).days, (date(2025, 2, 20) - EPOCH).days, 45757
PLAN: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 100_000]]
AS_OF = {"asOf": "2025-12-31"}


def total(result: ClassificationResult, quarter: str = "2025-Q1") -> QuarterVerdict:
    return next(v for v in result.verdicts if v.group is None and v.quarter == quarter)


def roles(result: ClassificationResult, tab: str = "Bookings") -> dict[str, str]:
    reading = next(r for r in result.inputs if r.tab == tab)
    return {c.header: c.role for c in reading.columns}


# -- which amount ---------------------------------------------------------------------

MULTI_CURRENCY: list[list[Any]] = [
    ["Close Date", "Amount Currency", "Amount", "Amount (converted)", "Expected Revenue"],
    [JAN, "EUR", 10_000, 10_800, 9_000],
    [FEB, "USD", 20_000, 20_000, 5_000],
]


def test_the_converted_amount_over_the_raw_one_never_expected_revenue() -> None:
    # Converted: 10,800 + 20,000 = 30,800 (the raw 10,000 + 20,000 mixes currencies).
    result = classify(PLAN, MULTI_CURRENCY, AS_OF)
    assert total(result).bookings == 30_800
    got = roles(result)
    assert got["Amount (converted)"] == "amount"
    assert got["Expected Revenue"] == "ignored"
    assert got["Amount Currency"] == "ignored"  # the raw amount's currency: not used


@pytest.mark.parametrize(
    ("header_row", "chosen", "bookings"),
    [
        # net over gross and tax: 10,000 + 20,000 (the gross would add 2,000 + 4,000 of tax)
        (["Close Date", "Amount (Gross)", "Amount (Net)", "Amount (Tax)"], "Amount (Net)", 30_000),
        # this year's over last year's, even when last year's comes first
        (["Close Date", "Bookings (Prior Year)", "Bookings", "Tax"], "Bookings", 12_000 + 24_000),
        # the total over its parts
        (
            ["Close Date", "New Bookings", "Expansion Bookings", "Total Bookings"],
            "Total Bookings",
            6_000 + 12_000,
        ),
    ],
)
def test_the_amount_that_is_the_bookings_among_its_relatives(
    header_row: list[str], chosen: str, bookings: int
) -> None:
    amounts = {
        "Amount (Gross)": (12_000, 24_000),
        "Amount (Net)": (10_000, 20_000),
        "Amount (Tax)": (2_000, 4_000),
        "Bookings (Prior Year)": (9_000, 9_000),
        "Bookings": (12_000, 24_000),
        "Tax": (1, 1),
        "New Bookings": (4_000, 8_000),
        "Expansion Bookings": (2_000, 4_000),
        "Total Bookings": (6_000, 12_000),
    }
    rows: list[list[Any]] = [header_row]
    for i, day in enumerate((JAN, FEB)):
        rows.append([day, *(amounts[h][i] for h in header_row[1:])])
    result = classify(PLAN, rows, AS_OF)
    assert total(result).bookings == bookings
    got = roles(result)
    assert got[chosen] == "amount"
    assert [h for h, role in got.items() if role == "amount"] == [chosen]


def test_one_part_of_the_bookings_without_a_total_is_flagged_until_chosen() -> None:
    rows: list[list[Any]] = [
        ["Close Date", "New Bookings", "Expansion Bookings"],
        [JAN, 60_000, 40_000],
    ]
    flagged = classify(PLAN, rows, AS_OF)
    assert total(flagged).bookings == 60_000
    assert "DATA_ISSUES" in {f.value for f in total(flagged).flags}
    [said] = [i.message for i in flagged.issues if "beside it is not" in i.message]
    assert "'Expansion Bookings'" in said
    assert "amountColumn option to 'New Bookings'" in said
    chosen = classify(PLAN, rows, {**AS_OF, "amountColumn": "New Bookings"})
    assert not total(chosen).flags
    with_total = classify(
        PLAN, [[*r, r[1] + r[2] if i else "Total Bookings"] for i, r in enumerate(rows)], AS_OF
    )
    assert total(with_total).bookings == 100_000
    assert not total(with_total).flags


def test_a_region_owner_is_no_deal_owner() -> None:
    plan: list[list[Any]] = [["Region", "Region Owner", "Q1 2025"], ["AMER", "Maria Lopez", 100]]
    booked: list[list[Any]] = [
        ["Opportunity Owner", "Region", "Close Date", "Amount"],
        ["Ann Lee", "AMER", JAN, 120],
    ]
    result = classify(plan, booked, AS_OF)
    amer = next(v for v in result.verdicts if v.group == "AMER")
    assert (amer.plan, amer.bookings) == (100, 120)
    assert not amer.flags


def test_amount_column_option_overrides_the_choice() -> None:
    # amountColumn "Expected Revenue": 9,000 + 5,000 = 14,000, as the user asked.
    result = classify(PLAN, MULTI_CURRENCY, {**AS_OF, "amountColumn": "expected revenue"})
    assert total(result).bookings == 14_000
    assert roles(result)["Expected Revenue"] == "amount"


def test_an_option_naming_a_missing_column_says_which_option() -> None:
    with pytest.raises(ColumnNotFound) as raised:
        classify(PLAN, MULTI_CURRENCY, {**AS_OF, "amountColumn": "ACV"})
    assert raised.value.option == "amountColumn"
    assert "'ACV'" in str(raised.value)
    assert "amountColumn" in str(raised.value)


# -- which date -------------------------------------------------------------------------

DATED: list[list[Any]] = [
    ["Created Date", "Close Date", "Amount"],
    [JAN, APR, 30_000],  # created in Q1, closed in Q2
    [JAN, FEB, 50_000],  # created and closed in Q1
]


def test_the_close_date_never_the_created_date() -> None:
    result = classify(PLAN, DATED, AS_OF)
    assert total(result).bookings == 50_000  # only the deal closed in Q1
    assert roles(result)["Created Date"] == "ignored"


def test_date_column_option_overrides_the_choice() -> None:
    result = classify(PLAN, DATED, {**AS_OF, "dateColumn": "Created Date"})
    assert total(result).bookings == 80_000  # both created in Q1
    assert roles(result)["Created Date"] == "date"


# -- which plan -----------------------------------------------------------------------------

PLANS: list[list[Any]] = [["Quarter", "Commit", "Plan", "Stretch"], ["Q1 2025", 90, 100, 130]]
BOOKED: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 95]]


def test_plan_over_commit_and_stretch() -> None:
    result = classify(PLANS, BOOKED, AS_OF)
    assert total(result).plan == 100
    got = roles(result, "Plan")
    assert (got["Commit"], got["Stretch"]) == ("ignored", "ignored")


def test_plan_column_option_overrides_the_choice() -> None:
    result = classify(PLANS, BOOKED, {**AS_OF, "planColumn": "Commit"})
    assert total(result).plan == 90
    assert total(result).verdict.value == "BEAT"  # 95 >= 90


def test_a_plan_tab_with_only_a_forecast_is_refused_naming_the_option() -> None:
    with pytest.raises(Exception, match="planColumn"):
        classify([["Quarter", "Commit"], ["Q1 2025", 90]], BOOKED, AS_OF)


# -- deal status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("Closed Won", Status.WON),
        ("closedwon", Status.WON),
        ("Closed - Won", Status.WON),
        ("6 - Closed Won", Status.WON),
        ("Won", Status.WON),
        ("Booked", Status.WON),
        ("Signed", Status.WON),
        (True, Status.WON),
        ("Closed Lost", Status.LOST),
        ("closedlost", Status.LOST),
        ("Closed Lost to Competition", Status.LOST),
        ("Disqualified", Status.LOST),
        ("Closed - No Decision", Status.LOST),
        ("Negotiation/Review", Status.OPEN),
        ("appointmentscheduled", Status.OPEN),
        ("Won't renew", Status.OPEN),
        ("Closed Won - Cancelled", Status.LOST),  # won once, undone since
        ("Closed Won (Refunded)", Status.LOST),
        ("Won - Pending Signature", Status.OPEN),  # not booked yet
        ("Closed Won Awaiting Approval", Status.OPEN),
    ],
)
def test_status_vocabulary(stage: Any, status: Status) -> None:
    assert StatusReader()(stage) is status


def test_only_won_rows_are_bookings_and_the_rest_is_counted() -> None:
    bookings: list[list[Any]] = [
        ["Close Date", "Amount", "Stage"],
        [JAN, 40_000, "Closed Won"],
        [FEB, 25_000, "Closed Lost"],
        [FEB, 60_000, "Negotiation"],
        [FEB, 15_000, "Closed Won"],
    ]
    result = classify(PLAN, bookings, AS_OF)
    assert total(result).bookings == 55_000  # 40,000 + 15,000
    reading = next(r for r in result.inputs if r.tab == "Bookings")
    left = {lo.reason: lo.rows for lo in reading.left_out}
    assert left == {"lost: Closed Lost": 1, "open: Negotiation": 1}
    assert (reading.rows_counted, reading.total) == (2, 55_000)


def test_won_statuses_option_and_the_refusal_without_it() -> None:
    bookings: list[list[Any]] = [
        ["Close Date", "Amount", "Stage"],
        [JAN, 40_000, "PO Received"],
        [FEB, 25_000, "Proposal"],
    ]
    with pytest.raises(NoWonDeals) as raised:
        classify(PLAN, bookings, AS_OF)
    assert "'PO Received' (1 rows)" in str(raised.value)
    assert "wonStatuses" in str(raised.value)
    result = classify(PLAN, bookings, {**AS_OF, "wonStatuses": ["po received"]})
    assert total(result).bookings == 40_000


@pytest.mark.parametrize(
    ("header", "cells", "note"),
    [
        # a hand-kept log: the header says nothing, the values say won/lost/pending
        ("Outcome", ["Won", "Lost", "Pending", "Won"], "its values say won"),
        # Salesforce's Forecast Category without a Stage column: Closed is won
        ("Forecast Category", ["Closed", "Omitted", "Commit", "Closed"], "Forecast Category"),
        # a HubSpot custom pipeline writes numeric stage ids beside closedwon/closedlost
        ("Deal Stage", ["closedwon", "closedlost", 1034567, "closedwon"], "only won rows"),
        # checkboxes exported as 1/0
        ("Won", [1, 0, 0, 1], "marks a won deal"),
        ("Is Closed Won", [True, False, False, True], "marks a won deal"),
    ],
)
def test_a_status_column_found_by_header_or_by_its_values(
    header: str, cells: list[Any], note: str
) -> None:
    # Rows 1 and 4 are won: 40,000 + 15,000 = 55,000; rows 2 and 3 (25,000, 60,000) are not.
    bookings: list[list[Any]] = [["Close Date", "Amount", header]]
    for day, amount, cell in zip(
        (JAN, FEB, FEB, FEB), (40_000, 25_000, 60_000, 15_000), cells, strict=True
    ):
        bookings.append([day, amount, cell])
    result = classify(PLAN, bookings, AS_OF)
    assert total(result).bookings == 55_000
    reading = next(r for r in result.inputs if r.tab == "Bookings")
    use = next(c for c in reading.columns if c.header == header)
    assert use.role == "status"
    assert use.note is not None
    assert note in use.note
    assert sum(lo.rows for lo in reading.left_out) == 2


def test_a_column_of_other_words_is_not_taken_for_a_status() -> None:
    # "Segment" holds New/Renewal, not statuses: all three rows count (10 + 20 + 30 = 60k).
    bookings: list[list[Any]] = [
        ["Close Date", "Amount", "Kind"],
        [JAN, 10_000, "Won"],
        [FEB, 20_000, "Renewal"],
        [FEB, 30_000, "Upsell"],
    ]
    assert total(classify(PLAN, bookings, AS_OF)).bookings == 60_000


# -- units --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plan",
    [
        [["Quarter", "Plan ($K)"], ["Q1 2025", 100]],
        [["Quarter", "Plan ($000s)"], ["Q1 2025", 100]],
        [["All figures in thousands"], ["Quarter", "Plan"], ["Q1 2025", 100]],
        [["Quarter", "Plan (in millions)"], ["Q1 2025", 0.1]],
    ],
)
def test_units_in_a_header_or_a_title_scale_the_tab(plan: list[list[Any]]) -> None:
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 99_000]]
    got = total(classify(plan, bookings, AS_OF))
    assert got.plan == 100_000
    assert got.verdict.value == "NO_BASELINE"  # 99,000 < 100,000, first quarter


# -- currencies -----------------------------------------------------------------------------


def test_other_currencies_convert_through_the_rates_tab_or_are_refused_naming_it() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan (USD)"], ["Q1 2025", 100_000]]
    bookings: list[list[Any]] = [
        ["Close Date", "Currency", "Amount"],
        [JAN, "USD", 50_000],
        [FEB, "EUR", 40_000],
    ]
    rates: list[list[Any]] = [["Currency", "Rate"], ["EUR", 1.1], ["USD", 1]]
    converted = classify(plan, bookings, AS_OF, rates_values=rates)
    assert total(converted).bookings == 94_000  # 50,000 + 40,000 x 1.1
    assert converted.currency == "USD"
    refused = classify(plan, bookings, AS_OF)
    assert total(refused).bookings == 50_000
    assert "DATA_ISSUES" in {f.value for f in total(refused).flags}
    (issue,) = [i for i in refused.issues if i.row == 3]
    assert "is in EUR" in issue.message
    assert "Rates tab" in issue.message


def test_rates_quoted_per_one_unit_of_the_reporting_currency_are_divided() -> None:
    # "per 1 USD": 1 USD buys 0.80 EUR, so 40,000 EUR = 50,000 USD; 50,000 + 50,000.
    plan: list[list[Any]] = [["Quarter", "Plan (USD)"], ["Q1 2025", 100_000]]
    bookings: list[list[Any]] = [
        ["Close Date", "Currency", "Amount"],
        [JAN, "USD", 50_000],
        [FEB, "EUR", 40_000],
    ]
    rates: list[list[Any]] = [["Currency", "FX rate (per 1 USD)"], ["EUR", 0.8], ["USD", 1]]
    result = classify(plan, bookings, AS_OF, rates_values=rates)
    assert total(result).bookings == 100_000
    reading = next(r for r in result.inputs if r.tab == "Bookings")
    assert any("quoted per 1 USD" in note for note in reading.notes)


def test_rates_kept_per_quarter_convert_each_amount_at_its_quarters_rate() -> None:
    # EUR 1.05 in Q1, 1.10 in Q2: 10,000 EUR in Q1 = 10,500; 20,000 EUR in Q2 = 22,000.
    # A Q3 deal has no Q3 rate: rejected, never converted at another quarter's rate.
    plan: list[list[Any]] = [
        ["Quarter", "Plan (USD)"],
        ["Q1 2025", 10_000],
        ["Q2 2025", 20_000],
        ["Q3 2025", 20_000],
    ]
    jul = (date(2025, 7, 15) - EPOCH).days
    bookings: list[list[Any]] = [
        ["Close Date", "Currency", "Amount"],
        [JAN, "EUR", 10_000],
        [APR, "EUR", 20_000],
        [jul, "EUR", 5_000],
    ]
    rates: list[list[Any]] = [
        ["Currency", "Quarter", "Rate to USD"],
        ["EUR", "Q1 2025", 1.05],
        ["EUR", "Q2 2025", 1.10],
    ]
    result = classify(plan, bookings, AS_OF, rates_values=rates)
    assert total(result).bookings == 10_500
    assert total(result, "2025-Q2").bookings == 22_000
    q3 = total(result, "2025-Q3")
    assert "DATA_ISSUES" in {f.value for f in q3.flags}
    assert any(i.row == 4 and "is in EUR" in i.message for i in result.issues)


# -- duplicates and line items ----------------------------------------------------------------


def test_rejected_rows_alone_make_no_quarter_known() -> None:
    # Every deal's amount is a formula error: no booking was read, so nothing is known
    # and nothing is classified (the server refuses with the issues), rather than two
    # quarters of 0 bookings. With one readable deal in Q1, Q2's rejected rows make Q2
    # known and flagged.
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 10_000], ["Q2 2025", 10_000]]
    broken: list[list[Any]] = [["Close Date", "Amount"], [JAN, "#REF!"], [APR, "#N/A"]]
    result = classify(plan, broken, AS_OF)
    assert result.verdicts == ()
    assert len(result.issues) == 2
    broken[1][1] = 12_000
    result = classify(plan, broken, AS_OF)
    assert total(result).bookings == 12_000
    assert "DATA_ISSUES" in {f.value for f in total(result, "2025-Q2").flags}


def test_a_repeated_row_counts_once_and_a_changed_deal_counts_its_last_row() -> None:
    bookings: list[list[Any]] = [
        ["Opportunity ID", "Close Date", "Amount", "Stage"],
        ["006A", JAN, 10_000, "Closed Won"],
        ["006B", FEB, 20_000, "Negotiation"],
        ["006A", JAN, 10_000, "Closed Won"],  # pasted twice: once
        ["006B", FEB, 22_000, "Closed Won"],  # changed since: the last row counts
    ]
    result = classify(PLAN, bookings, AS_OF)
    got = total(result)
    assert got.bookings == 32_000  # 10,000 + 22,000
    assert "DATA_ISSUES" in {f.value for f in got.flags}  # the changed deal
    messages = " ".join(i.message for i in result.issues)
    assert "'006A' repeats row 2" in messages
    assert "'006B' appears in rows 3, 5" in messages


def test_a_line_item_report_counts_each_opportunity_once() -> None:
    bookings: list[list[Any]] = [
        ["Opportunity ID", "Product Name", "Close Date", "Amount"],
        ["006A", "Platform", JAN, 30_000],
        ["006A", "Support", JAN, 30_000],
        ["006B", "Platform", FEB, 12_000],
    ]
    assert total(classify(PLAN, bookings, AS_OF)).bookings == 42_000  # 30,000 + 12,000


@pytest.mark.parametrize(
    ("split_columns", "rows"),
    [
        # Split Amount: each owner's share, summed (30,000 + 30,000 + 12,000)
        (["Split Owner", "Split Amount"], [["Jane", 30_000], ["Raj", 30_000], ["Li", 12_000]]),
        # only a percentage: the opportunity's Amount counted once per opportunity
        (["Split Owner", "Split Percentage"], [["Jane", 50], ["Raj", 50], ["Li", 100]]),
    ],
)
def test_a_splits_report_counts_each_opportunity_once(
    split_columns: list[str], rows: list[list[Any]]
) -> None:
    # Acme 60,000 split between two owners, Bolt 12,000 with one: 72,000, not 132,000.
    bookings: list[list[Any]] = [["Opportunity Name", "Close Date", "Amount", *split_columns]]
    deals = [("Acme - Platform", JAN, 60_000), ("Acme - Platform", JAN, 60_000)]
    deals.append(("Bolt - Platform", FEB, 12_000))
    for deal, split in zip(deals, rows, strict=True):
        bookings.append([*deal, *split])
    assert total(classify(PLAN, bookings, AS_OF)).bookings == 72_000


def test_rows_identical_in_every_cell_count_once_when_the_deals_are_named() -> None:
    # Two exports pasted: the second repeats its header and the Acme row. 10,000 + 20,000.
    header = ["Opportunity Name", "Close Date", "Amount", "Stage"]
    bookings: list[list[Any]] = [
        header,
        ["Acme", JAN, 10_000, "Closed Won"],
        header,
        ["Acme", JAN, 10_000, "Closed Won"],
        ["Bolt", FEB, 20_000, "Closed Won"],
    ]
    result = classify(PLAN, bookings, AS_OF)
    assert total(result).bookings == 30_000
    messages = [i.message for i in result.issues]
    assert any("row 4 repeats row 2 in every cell" in m for m in messages)
    assert any("row 3 repeats the header row" in m for m in messages)
    reading = next(r for r in result.inputs if r.tab == "Bookings")
    left = {lo.reason: lo.rows for lo in reading.left_out}
    assert left["repeated rows (identical in every cell)"] == 1
    assert left["repeated header rows"] == 1


def test_identical_rows_without_a_deal_name_are_two_deals() -> None:
    # Nothing names the deals: two 10,000 deals on one day are two deals (20,000 + 5,000).
    bookings: list[list[Any]] = [
        ["Close Date", "Amount"],
        [JAN, 10_000],
        [JAN, 10_000],
        [FEB, 5_000],
    ]
    assert total(classify(PLAN, bookings, AS_OF)).bookings == 25_000


# -- dates ---------------------------------------------------------------------------------


def test_text_dates_decided_per_column_then_by_locale() -> None:
    # 04/03/2025: 4 March (Q1) day-first, April 3 (Q2) month-first.
    bookings: list[list[Any]] = [["Close Date", "Amount"], ["04/03/2025", 10]]
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 10], ["Q2 2025", 10]]
    uk = classify(plan, bookings, AS_OF, locale="en_GB")
    assert {v.quarter for v in uk.verdicts} == {"2025-Q1"}
    us = classify(plan, bookings, AS_OF, locale="en_US")
    assert [v.bookings for v in us.verdicts if v.quarter == "2025-Q2"] == [10]
    # One 25/03/2025 in the column proves day first, whatever the locale.
    proved = classify(plan, [*bookings, ["25/03/2025", 5]], AS_OF, locale="en_US")
    assert {v.quarter for v in proved.verdicts} == {"2025-Q1"}
    assert total(proved).bookings == 15
    # dateOrder decides when nothing in the column does.
    forced = classify(plan, bookings, {**AS_OF, "dateOrder": "DAY_FIRST"}, locale="en_US")
    assert {v.quarter for v in forced.verdicts} == {"2025-Q1"}


def test_a_crms_fiscal_period_column_names_the_start_month_it_follows() -> None:
    # Salesforce writes each deal's Fiscal Period: Q1-2026 for February 2025 means a fiscal
    # year starting in February, while the option says January.
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 100]]
    bookings: list[list[Any]] = [["Stage", "Fiscal Period", "Close Date", "Amount"]]
    for month, period in [(2, "Q1-2026"), (3, "Q1-2026"), (5, "Q2-2026"), (8, "Q3-2026")]:
        bookings.append(["Closed Won", period, (date(2025, month, 10) - EPOCH).days, 10])
    result = classify(plan, bookings, AS_OF)
    (issue,) = [i for i in result.issues if "fiscalYearStartMonth" in i.message]
    assert "set fiscalYearStartMonth to 2" in issue.message
    assert roles(result)["Fiscal Period"] == "ignored"
    for verdict in result.verdicts:
        assert "DATA_ISSUES" in {f.value for f in verdict.flags}
        assert verdict.action.startswith("Check the fiscal calendar first")
    # With the option set, the CRM and the calendar agree: no warning.
    fixed = classify(plan, bookings, {**AS_OF, "fiscalYearStartMonth": 2})
    assert not [i for i in fixed.issues if "fiscalYearStartMonth" in i.message]


# -- pivots and formatted reports ---------------------------------------------------------


def test_a_formatted_report_with_a_one_deal_group_and_footer_lines_fills_labels_down() -> None:
    # AMER 10,000 + 20,000 (label written once), APAC 5,000 (a block of one row, its
    # Subtotal right below), EMEA 7,000; the footer lines are not labels. Total 42,000.
    plan: list[list[Any]] = [
        ["Region", "Q1 2025"],
        ["AMER", 25_000],
        ["APAC", 5_000],
        ["EMEA", 10_000],
    ]
    bookings: list[list[Any]] = [
        ["Region", "Close Date", "Amount"],
        ["AMER", JAN, 10_000],
        ["", FEB, 20_000],
        ["Subtotal", "", 30_000],
        ["APAC", JAN, 5_000],
        ["Subtotal", "", 5_000],
        ["EMEA", FEB, 7_000],
        ["Total", "", 42_000],
        [],
        ["Confidential Information - Do Not Distribute"],
        ["Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."],
    ]
    result = classify(plan, bookings, AS_OF)
    got = {v.group: v.bookings for v in result.verdicts}
    assert got == {None: 42_000, "AMER": 30_000, "APAC": 5_000, "EMEA": 7_000}
    assert not [i for i in result.issues if i.severity.value == "ERROR"]


def test_report_heading_lines_name_the_blank_group_cells_below_them() -> None:
    # Salesforce Classic's printable view: a heading line per owner carries the sum of
    # the owner's deals (Jane 10,000 + 20,000 = 30,000), the deals leave the owner blank,
    # "Grand Totals (3 records)" ends the report. Jane 30,000, Raj 5,000, total 35,000.
    plan: list[list[Any]] = [["Opportunity Owner", "Q1 2025"], ["Jane Doe", 25_000]]
    plan.append(["Raj Patel", 10_000])
    bookings: list[list[Any]] = [
        ["Opportunity Owner", "Opportunity Name", "Close Date", "Amount"],
        ["Opportunity Owner: Jane Doe (2 records)", "", "", 30_000],
        ["", "Lakeside", JAN, 10_000],
        ["", "Corvid", FEB, 20_000],
        ["Opportunity Owner: Raj Patel (1 record)", "", "", 5_000],
        ["", "Pinecrest", JAN, 5_000],
        ["Grand Totals (3 records)", "", "", 35_000],
    ]
    result = classify(plan, bookings, AS_OF)
    got = {v.group: v.bookings for v in result.verdicts}
    assert got == {None: 35_000, "Jane Doe": 30_000, "Raj Patel": 5_000}
    assert not [i for i in result.issues if i.severity.value == "ERROR"]
    headings = [i for i in result.issues if "heads the rows of" in i.message]
    assert [i.row for i in headings] == [2, 5]


@pytest.mark.parametrize(
    ("caption", "row_label"),
    [
        (["SUM of Amount", "Close Quarter"], "Region"),
        (["Sum of Amount", "Column Labels"], "Row Labels"),
    ],
)
def test_a_pivots_caption_row_is_a_title_and_the_header_is_below_it(
    caption: list[str], row_label: str
) -> None:
    # Sheets and Excel write the value's name over a cross-tab pivot's header row.
    plan: list[list[Any]] = [["Region", "Q1 2025"], ["AMER", 100_000], ["EMEA", 50_000]]
    bookings: list[list[Any]] = [
        caption,
        [row_label, "Q1 2025", "Grand Total"],
        ["AMER", 120_000, 120_000],
        ["EMEA", 40_000, 40_000],
        ["Grand Total", 160_000, 160_000],
    ]
    result = classify(plan, bookings, AS_OF)
    reading = next(r for r in result.inputs if r.tab == "Bookings")
    assert reading.header_row == 2
    assert roles(result)["Q1 2025"] == "quarter"
    assert total(result).bookings == 160_000


@pytest.mark.parametrize(
    ("caption", "row_label", "grand_total"),
    [
        (["Summe von Betrag", "Spaltenbeschriftungen"], "Zeilenbeschriftungen", "Gesamtergebnis"),
        (["Somme de Montant", "Étiquettes de colonnes"], "Étiquettes de lignes", "Total général"),
        (["Suma de Importe", "Etiquetas de columna"], "Etiquetas de fila", "Total general"),
        (["Somma di Importo", "Etichette di colonna"], "Etichette di riga", "Totale complessivo"),
        (["Som van Bedrag", "Kolomlabels"], "Rijlabels", "Eindtotaal"),
        (["Soma de Valor", "Rótulos de Coluna"], "Rótulos de Linha", "Total Geral"),
    ],
)
def test_a_pivot_in_another_language_has_row_labels_and_a_grand_total(
    caption: list[str], row_label: str, grand_total: str
) -> None:
    # Excel writes a pivot's captions and totals in the language it runs in: the row
    # labels are the Plan's group column, the grand total row and column are totals.
    plan: list[list[Any]] = [["Region", "Q1 2025"], ["AMER", 100_000], ["EMEA", 50_000]]
    bookings: list[list[Any]] = [
        caption,
        [row_label, "Q1 2025", grand_total],
        ["AMER", 120_000, 120_000],
        ["EMEA", 40_000, 40_000],
        [grand_total, 160_000, 160_000],
    ]
    result = classify(plan, bookings, AS_OF)
    got = {v.group: v.bookings for v in result.verdicts if v.quarter == "2025-Q1"}
    assert got == {None: 160_000, "AMER": 120_000, "EMEA": 40_000}
    assert any(grand_total in i.message for i in result.issues)


@pytest.mark.parametrize("count_first", [False, True])
def test_a_pivot_with_two_values_per_quarter_reads_the_sum_of_the_amount(
    count_first: bool,
) -> None:
    # Sheets writes the quarters over two columns each and the value names below them;
    # the counts are never bookings, the Grand Total row and columns are totals.
    plan: list[list[Any]] = [["Region", "Q1 2025"], ["AMER", 100_000], ["EMEA", 50_000]]
    values = ["SUM of Amount", "COUNTA of Opportunity"]
    pairs = [[120_000, 4], [40_000, 3], [160_000, 7]]
    if count_first:
        values, pairs = values[::-1], [p[::-1] for p in pairs]
    bookings: list[list[Any]] = [
        ["", "Q1 2025", "", "Grand Total", ""],
        ["Region", *values, *values],
        ["AMER", *pairs[0], *pairs[0]],
        ["EMEA", *pairs[1], *pairs[1]],
        ["Grand Total", *pairs[2], *pairs[2]],
    ]
    result = classify(plan, bookings, AS_OF)
    got = {v.group: v.bookings for v in result.verdicts if v.quarter == "2025-Q1"}
    assert got == {None: 160_000, "AMER": 120_000, "EMEA": 40_000}
    reading = next(r for r in result.inputs if r.tab == "Bookings")
    assert reading.header_row == 2
    assert roles(result)["COUNTA of Opportunity"] == "ignored"
    assert roles(result)["Q1 2025"] == "quarter"
