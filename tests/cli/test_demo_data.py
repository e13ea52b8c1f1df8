"""The demo spreadsheet (``server/cli/demo_data.py``): a CRM-shaped Bookings tab, a Leads tab
and a quarter in progress, read by the real classifier on several days, against the
numbers worked by hand in the module's docstring."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.classification import ClassificationResult, classify
from server.cli import demo_data
from server.cli.demo_data import (
    BOOKED_K,
    LEADS,
    LOST,
    NOW_K,
    PLAN_K,
    REGIONS,
    WON,
    demo_tabs,
    expected,
    expected_causes,
    first_day,
    in_progress,
    label,
    quarters,
    serial,
)

#: the middle of a quarter, its first and last days, a day in another year
DAYS = [date(2026, 2, 15), date(2026, 7, 1), date(2026, 9, 30), date(2027, 11, 11)]


def run(day: date, *, leads: bool = True) -> ClassificationResult:
    tabs = demo_tabs(day)
    return classify(
        tabs["Plan"],
        tabs["Bookings"],
        {"asOf": day.isoformat()},
        leads_values=tabs["Leads"] if leads else None,
    )


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_eight_complete_quarters_then_the_one_in_progress(day: date) -> None:
    done = quarters(day)
    assert len(done) == 8
    assert first_day(in_progress(day)) <= day < first_day(demo_data.shift(in_progress(day), 1))
    assert demo_data.shift(done[-1], 1) == in_progress(day)
    result = run(day)
    assert result.quarter == label(done[-1])  # the latest quarter that has ended
    assert result.in_progress == label(in_progress(day))
    assert result.currency == "USD"


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_verdicts_bookings_and_causes_are_the_hand_worked_ones(day: date) -> None:
    result = run(day)
    done = [label(q) for q in quarters(day)]
    by_key = {(v.group, v.quarter): v for v in result.verdicts}
    for key, verdict in expected(day).items():
        assert by_key[key].verdict.value == verdict, key
    for region in REGIONS:
        for i, quarter in enumerate(done):
            v = by_key[(region, quarter)]
            assert v.plan == PLAN_K[region][i] * 1000
            assert v.bookings == BOOKED_K[region][i] * 1000
            assert v.drivers is not None
            assert v.drivers.deals == WON[region][i]
            assert v.drivers.lost_deals == LOST[region][i]
            assert v.drivers.leads == LEADS[region][i]
    for key, cause in expected_causes(day).items():
        drivers = by_key[key].drivers
        assert drivers is not None
        assert drivers.cause is not None
        assert drivers.cause.value == cause, key
    emea = by_key[("EMEA", done[-1])]
    assert {f.value for f in emea.flags} >= {"CONSECUTIVE_HARD_MISS", "UNREALISTIC_PLAN"}
    assert emea.drivers is not None
    # 7 won of 33 closed (21.2%) after 7 of 26 (26.9%): 5.7 points down
    assert emea.drivers.explanation.startswith("7 deals (+0%), average $48k (−4%), win rate 21%")
    assert "(−6 pts)" in emea.drivers.explanation
    amer = by_key[("AMER", done[2])].drivers
    assert amer is not None
    assert amer.explanation.startswith("8 deals (+14%), average $53k (−14%)")


def test_without_the_leads_tab_the_soft_miss_is_put_down_to_fewer_deals() -> None:
    day = DAYS[0]
    result = run(day, leads=False)
    soft = next(
        v for v in result.verdicts if v.group == "AMER" and v.quarter == label(quarters(day)[4])
    )
    assert soft.drivers is not None
    assert soft.drivers.leads is None
    assert soft.drivers.cause is not None
    assert soft.drivers.cause.value == "FEWER_DEALS"


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_quarter_in_progress_is_on_pace_for_amer_and_not_for_emea(day: date) -> None:
    pace = {p.group: p for p in run(day).pace}
    assert list(pace) == [None, "AMER", "EMEA"]
    amer, emea = pace["AMER"], pace["EMEA"]
    assert amer.plan == 610_000
    assert emea.plan == 410_000
    assert amer.method.startswith("history:")  # four complete quarters to learn from
    # every quarter of a region closes on one pattern: the projection finds the quarter's end
    assert amer.projected == pytest.approx(NOW_K["AMER"] * 1000, rel=0.05)
    assert emea.projected == pytest.approx(NOW_K["EMEA"] * 1000, rel=0.05)
    assert amer.outlook is not None
    assert amer.outlook.value == "BEAT"
    assert emea.outlook is not None
    assert emea.outlook.value == "HARD_MISS"  # below the 335k of the quarter before
    assert amer.booked > 0  # the first deal of a quarter closes on its first day
    assert amer.pipeline is not None
    assert amer.booked + amer.pipeline >= NOW_K["AMER"] * 1000 - 0.01  # slipping deals too


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_bookings_tab_is_a_crm_export_of_every_stage(day: date) -> None:
    rows = demo_tabs(day)["Bookings"]
    header = rows[1]
    assert header == demo_data.BOOKINGS_HEADER
    column = {name: i for i, name in enumerate(header)}
    deals = rows[2:]
    stages = {r[column["Stage"]] for r in deals}
    assert {"Closed Won", "Closed Lost"} <= stages
    assert stages & {"Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review"}
    today = serial(day)
    for r in deals:
        close = r[column["Close Date"]]
        if not isinstance(close, int):
            continue  # the "TBD" cell
        if r[column["Stage"]] == "Closed Won" or r[column["Stage"]] == "Closed Lost":
            assert close <= today, r  # nothing is won or lost in the future
        else:
            assert close > today, r  # open deals are due after today
        assert r[column["Created Date"]] < close
    assert {r[column["Type"]] for r in deals} == {
        "New Customer",
        "Existing Customer - Upgrade",
        "Renewal",
    }


def test_the_reader_takes_the_columns_a_person_would() -> None:
    result = run(DAYS[0])
    plan, bookings, leads = result.inputs
    roles = {c.header: c.role for c in bookings.columns}
    assert roles["Close Date"] == "date"
    assert roles["Amount"] == "amount"
    assert roles["Stage"] == "status"
    assert roles["Type"] == "type"
    assert roles["Region"] == "group"
    assert roles.get("Created Date") != "date"
    assert roles.get("Expected Revenue") != "amount"
    assert plan.layout == "WIDE"
    assert bookings.layout == "DEALS"
    assert leads.tab == "Leads"
    assert (
        leads.rows_counted
        == sum(LEADS[r][i] for r in REGIONS for i in range(8))
        + sum(  # the quarter in progress: leads created by today
            1
            for row in demo_tabs(DAYS[0])["Leads"][1:]
            if row[1] >= serial(first_day(in_progress(DAYS[0])))
        )
    )


def test_only_the_broken_cells_and_the_total_row_are_issues() -> None:
    result = run(DAYS[0])
    messages = sorted(i.message for i in result.issues)
    assert len(messages) == 3
    assert any('"#REF!" is a formula error' in m for m in messages)
    assert any('"TBD" is not a date' in m for m in messages)
    assert any('"Total" is a total row' in m for m in messages)


def test_the_plan_writes_fiscal_labels_shown_beside_the_canonical_quarter() -> None:
    day = DAYS[0]
    header = demo_tabs(day)["Plan"][2]
    assert header[1] == demo_data.fiscal_label(quarters(day)[0])
    result = run(day)
    latest = label(quarters(day)[-1])
    assert result.labels[latest] == demo_data.fiscal_label(quarters(day)[-1])


def test_the_module_level_quarters_are_todays() -> None:
    assert quarters(date.today()) == demo_data.QUARTERS
    assert label(quarters(date.today())[-1]) == demo_data.LATEST
    assert first_day(in_progress()) <= date.today() < first_day(in_progress()) + timedelta(93)
