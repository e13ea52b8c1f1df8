"""What the service gives the domain besides Plan and Bookings, and what it keeps of the
answer: the Leads and Rates tabs, the sheet's locale, ``asOf`` (the option, else today in
the sheet's time zone), the quarter in progress, and refusals that keep their issues."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from server.classification import (
    ClassifyOptions,
    NoQuarterEnded,
    NoQuarters,
    Severity,
    UnknownQuarter,
)
from server.cli.demo_data import demo_tabs
from server.service import Caller, ClassificationService, ClassifyRequest
from server.store.memory import MemoryRunStore
from sheets_adapter.port import UserToken
from tests.corpus.load import CASES, load_case
from tests.support.fakes import FakeSheets

TOKEN = "token-ana"
ANA = Caller(UserToken(TOKEN))


def service(sheets: FakeSheets, now: datetime) -> ClassificationService:
    return ClassificationService(sheets, MemoryRunStore(), clock=lambda: now)


def ask(sheet: str, quarter: str | None = None, **options: Any) -> ClassifyRequest:
    return ClassifyRequest(sheet, quarter, ClassifyOptions.from_mapping(options), ANA)


def case_tabs(slug: str) -> tuple[dict[str, list[list[Any]]], dict[str, Any], str]:
    case = load_case(CASES / f"{slug}.json")
    tabs = {name: [list(row) for row in rows] for name, rows in case.tabs.items()}
    return tabs, dict(case.options), case.locale


# -- asOf: the option, else today where the sheet is kept ------------------------------------

# 02:00 UTC on New Year's Day: already 2026 in Paris, still 31 December in Los Angeles.
NEW_YEAR = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)


def test_today_is_the_day_in_the_sheets_time_zone() -> None:
    sheets = FakeSheets()
    sheets.add("paris", demo_tabs(), TOKEN, time_zone="Europe/Paris")
    sheets.add("la", demo_tabs(), TOKEN, time_zone="America/Los_Angeles")
    runs = service(sheets, NEW_YEAR)

    paris = runs.classify_quarter(ask("paris"))
    assert paris.as_of == date(2026, 1, 1)
    assert paris.quarter == "2025-Q4"  # ended the day before
    assert not paris.in_quarter
    assert {p.quarter for p in paris.pace} == {"2026-Q1"}  # the quarter in progress

    la = runs.classify_quarter(ask("la"))
    assert la.as_of == date(2025, 12, 31)
    assert la.quarter == "2025-Q3"  # 2025-Q4 ends tonight: not the default
    assert max(v.quarter for v in la.verdicts) == "2025-Q3"
    assert la.pace
    assert la.pace[0].group is None
    assert la.pace[0].quarter == "2025-Q4"
    assert la.pace[0].as_of == "2025-12-31"


def test_an_unknown_time_zone_is_utc() -> None:
    sheets = FakeSheets()
    sheets.add("odd", demo_tabs(), TOKEN, time_zone="Mars/Olympus_Mons")
    assert service(sheets, NEW_YEAR).classify_quarter(ask("odd")).as_of == date(2026, 1, 1)


def test_the_as_of_option_wins_over_the_clock_and_is_recorded() -> None:
    sheets = FakeSheets()
    sheets.add("sheet", demo_tabs(), TOKEN)
    run = service(sheets, NEW_YEAR).classify_quarter(ask("sheet", asOf="2025-08-20"))
    assert run.as_of == date(2025, 8, 20)
    assert run.quarter == "2025-Q2"
    assert run.options.as_of == date(2025, 8, 20)
    assert run.pace[0].quarter == "2025-Q3"


def test_the_quarter_in_progress_is_judged_only_when_asked_by_name() -> None:
    sheets = FakeSheets()
    sheets.add("sheet", demo_tabs(), TOKEN)
    run = service(sheets, NEW_YEAR).classify_quarter(ask("sheet", "2025-Q4", asOf="2025-11-15"))
    assert run.quarter == "2025-Q4"
    assert run.in_quarter
    assert run.current()
    assert all(v.in_progress for v in run.current())
    assert not any(v.in_progress for v in run.verdicts if v.quarter < "2025-Q4")
    assert [p.group for p in run.pace] == [None, "AMER", "EMEA"]


def test_no_quarter_ended_yet_is_refused_naming_the_quarter_in_progress() -> None:
    sheets = FakeSheets()
    sheets.add("sheet", demo_tabs(), TOKEN)
    runs = service(sheets, NEW_YEAR)
    with pytest.raises(NoQuarterEnded) as caught:
        runs.classify_quarter(ask("sheet", asOf="2024-02-10"))
    message = str(caught.value)
    assert "2024-Q1 is still in progress" in message
    assert "Ask for it by name" in message
    assert "2024-02-10" in message
    # The refusal keeps the data issues of the tabs it read (the demo's broken cells).
    assert any("#REF!" in i.message for i in caught.value.issues)
    assert sheets.writes == 0
    assert runs.store.latest("sheet") is None
    # Asked for by name, the same quarter is classified and marked in progress.
    assert runs.classify_quarter(ask("sheet", "2024-Q1", asOf="2024-02-10")).in_quarter


def test_a_refusal_after_every_row_was_rejected_carries_the_rejected_rows() -> None:
    sheets = FakeSheets()
    sheets.add(
        "broken",
        {
            "Plan": [["Region", "Quarter", "Plan"], ["AMER", "TBD", 100]],
            "Bookings": [["Region", "Quarter", "Bookings"], ["AMER", "Q1 2025", "#REF!"]],
        },
        TOKEN,
    )
    runs = service(sheets, NEW_YEAR)
    with pytest.raises(NoQuarters) as caught:
        runs.classify_quarter(ask("broken"))
    assert type(caught.value) is NoQuarters
    assert "2 rows were rejected" in str(caught.value)
    rejected = [i for i in caught.value.issues if i.severity is Severity.ERROR]
    assert [(i.tab, i.row, i.value) for i in rejected] == [
        ("Plan", 2, "TBD"),
        ("Bookings", 2, "#REF!"),
    ]
    # Nothing classified: not even the quarter in progress is offered by name.
    with pytest.raises(NoQuarters):
        runs.classify_quarter(ask("broken", "2026-Q1"))
    # Every deal rejected in a sheet whose quarter in progress has a pace: still refused
    # as "nothing to classify", never "ask for the quarter in progress".
    sheets.add(
        "deals",
        {
            "Plan": [["Region", "Quarter", "Plan"], ["AMER", "2026-Q1", "n/a"]],
            "Bookings": [["Region", "Close Date", "Amount"], ["AMER", "TBD", "#REF!"]],
        },
        TOKEN,
    )
    with pytest.raises(NoQuarters) as deals:
        runs.classify_quarter(ask("deals", asOf="2026-02-01"))
    assert type(deals.value) is NoQuarters
    assert deals.value.issues


def test_an_unknown_quarter_keeps_the_issues_too() -> None:
    sheets = FakeSheets()
    sheets.add("sheet", demo_tabs(), TOKEN)
    with pytest.raises(UnknownQuarter) as caught:
        service(sheets, NEW_YEAR).classify_quarter(ask("sheet", "2031-Q1"))
    assert caught.value.issues


# -- the optional tabs and the locale ------------------------------------------------------------


def test_the_sheets_locale_decides_text_dates_no_column_decides() -> None:
    tabs, options, locale = case_tabs("dates-only-ambiguous-decided-by-en-gb-locale")
    assert locale == "en_GB"
    sheets = FakeSheets()
    sheets.add("uk", tabs, TOKEN, locale="en_GB")
    sheets.add("us", tabs, TOKEN, locale="en_US")
    runs = service(sheets, NEW_YEAR)
    uk = runs.classify_quarter(ask("uk", **options))
    us = runs.classify_quarter(ask("us", **options))
    uk_south = {v.quarter: v.bookings for v in uk.verdicts if v.group == "South"}
    assert uk_south == {"2025-Q1": 53_000, "2025-Q2": 55_000}  # worked by hand in the case
    assert uk.currency == "GBP"
    us_south = {v.quarter: v.bookings for v in us.verdicts if v.group == "South"}
    assert us_south != uk_south  # 06/01/2025 read as 1 June: the locale reached the reader
    notes = [n for reading in uk.inputs for n in reading.notes]
    assert any("locale" in n for n in notes)


def test_a_rates_tab_converts_and_the_run_keeps_how_each_tab_was_read() -> None:
    tabs, options, _ = case_tabs("pipedrive-three-currencies-rates-tab")
    sheets = FakeSheets()
    sheets.add("rates", tabs, TOKEN)
    run = service(sheets, NEW_YEAR).classify_quarter(ask("rates", **options))
    total = {v.quarter: v.bookings for v in run.verdicts if v.group is None}
    assert total == {"2025-Q1": 55_500, "2025-Q2": 66_005}  # worked by hand in the case
    assert run.currency == "USD"
    readings = {r.tab: r for r in run.inputs}
    assert set(readings) == {"Plan", "Bookings"}
    assert readings["Bookings"].rows_counted == 8
    assert readings["Bookings"].total == 55_500 + 66_005
    # Without the Rates tab the same deals are not added across currencies. (A new
    # sheet: the first one's Summary, written into ``tabs``, is not this one's to take.)
    bare_tabs = {name: grid for name, grid in tabs.items() if name not in ("Rates", "Summary")}
    sheets.add("no-rates", bare_tabs, TOKEN)
    bare = service(sheets, NEW_YEAR).classify_quarter(ask("no-rates", **options))
    assert {v.quarter: v.bookings for v in bare.verdicts if v.group is None} != total


def test_a_leads_tab_feeds_the_drivers_and_labels_are_kept() -> None:
    tabs, options, _ = case_tabs("hubspot-deals-export-company-currency")
    sheets = FakeSheets()
    sheets.add("hubspot", tabs, TOKEN)
    run = service(sheets, NEW_YEAR).classify_quarter(ask("hubspot", **options))
    q1 = next(v for v in run.verdicts if v.group is None and v.quarter == "2025-Q1")
    assert q1.drivers is not None
    assert q1.drivers.deals == 4  # 42,000 + 36,500 + 24,500 + 38,000
    assert q1.drivers.leads is not None
    assert q1.gap == 141_000 - 150_000
    assert run.labels["2025-Q3"] == "Q3 2025"
    assert run.quarter_label == "Q3 2025"
    assert "Leads" in {r.tab for r in run.inputs}
    # a new sheet without the Leads tab (nor the first sheet's Summary, written into tabs)
    bare_tabs = {name: grid for name, grid in tabs.items() if name not in ("Leads", "Summary")}
    sheets.add("no-leads", bare_tabs, TOKEN)
    bare = service(sheets, NEW_YEAR).classify_quarter(ask("no-leads", **options))
    q1_bare = next(v for v in bare.verdicts if v.group is None and v.quarter == "2025-Q1")
    assert q1_bare.drivers is not None
    assert q1_bare.drivers.leads is None
