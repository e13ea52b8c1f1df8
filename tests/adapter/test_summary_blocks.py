"""The Summary's blocks beside the verdict table (README, "The Summary tab"): the gap, the
Why and Label columns, "This quarter so far", the bounded data issues, "How this was
read" and the History rows, built from hand-made results (no engine, no I/O)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from server.classification.model import ClassifyOptions, ColumnUse, Severity, TabReading, Verdict
from server.service.summary import HEADER, LABEL, build_summary
from server.service.summary_blocks import (
    HISTORY_HEADER,
    MAX_ISSUES,
    PACE_NOTE,
    READ_TITLE,
    says_more,
)
from sheets_adapter.port import CellKind, Row, SummarySheet, TabGrid
from tests.adapter.factories import issue, result, rich_result
from tests.adapter.test_summary_layout import RUN_AT, grid, rows_by_key


def build(res: Any, existing: list[list[Any]] | None = None, **kwargs: Any) -> SummarySheet:
    kwargs.setdefault("quarter", "2025-Q3")
    return build_summary(
        res,
        run_at=RUN_AT,
        existing=TabGrid("Summary", 7, existing) if existing is not None else None,
        summary_tab="Summary",
        **kwargs,
    )


def values(row: Row) -> list[Any]:
    return [c.value for c in row]


def block(summary: SummarySheet, title: str) -> list[Row]:
    """The footer rows from the one whose first cell is ``title`` to the end."""
    firsts = [r[0].value if r else None for r in summary.footer]
    return summary.footer[firsts.index(title) :]


# -- the table's new columns ----------------------------------------------------------------


def test_gap_and_why_come_from_the_verdict_and_its_drivers() -> None:
    summary = build(rich_result())
    header = list(summary.header)
    row = rows_by_key(summary)[("AMER", "2025-Q2")]
    assert row[header.index("Gap")] == 190.0 - 200.0
    assert row[header.index("Why")] == "AMER 2025-Q2 drivers"
    assert summary.table[0][header.index("Gap")].kind is CellKind.CURRENCY
    assert header.index("Gap") == header.index("Bookings") + 1
    assert header.index("Why") == header.index("Recommended action") - 1


def test_label_column_only_when_the_sheet_writes_quarters_another_way() -> None:
    labelled = build(rich_result())
    assert labelled.header == (*HEADER[:2], LABEL, *HEADER[2:])
    by_key = rows_by_key(labelled)
    assert by_key[("Total", "2025-Q3")][:3] == ["Total", "2025-Q3", "FY25 Q3"]
    plain = build(result())  # no labels
    assert plain.header == HEADER
    same = result()
    for spelling in ("{y}-Q{q}", "Q{q} {y}"):  # a respelling of the canonical adds nothing
        labels = [spelling.format(y=v.quarter[:4], q=v.quarter[-1]) for v in same.verdicts]
        respelt = tuple(replace(v, label=t) for v, t in zip(same.verdicts, labels, strict=True))
        assert build(replace(same, verdicts=respelt)).header == HEADER


def test_a_quarter_in_progress_says_so_in_its_flags_and_the_run_line() -> None:
    res = result(quarters=("2025-Q3", "2025-Q4"))
    res = replace(
        res,
        verdicts=tuple(replace(v, in_progress=v.quarter == "2025-Q4") for v in res.verdicts),
    )
    summary = build(res, quarter="2025-Q4")
    flags = HEADER.index("Flags")
    by_key = rows_by_key(summary)
    assert by_key[("AMER", "2025-Q4")][flags].startswith("In progress")
    assert not (by_key[("AMER", "2025-Q3")][flags] or "").startswith("In progress")
    assert summary.footer[0][3].value == "2025-Q4 (in progress)"


# -- This quarter so far ------------------------------------------------------------------------


def test_the_pace_block_sits_above_the_table_aligned_with_its_columns() -> None:
    summary = build(rich_result())
    above = summary.above
    assert summary.header_row == len(above) == 1 + 1 + 3 + 1 + 1  # title, header, 3, note, blank
    assert above[0][0].kind is CellKind.TITLE
    assert above[0][0].value == (
        "This quarter so far: 2025-Q4 (FY25 Q4), as of 2025-11-15: 50% of the quarter gone"
    )
    header, table_header = values(above[1]), list(summary.header)
    # each pace column sits under a table column: amounts under amounts, outlook under verdict
    assert header[table_header.index("Group")] == "Group"
    assert header[table_header.index("Quarter")] == "Elapsed"
    assert header[table_header.index("Plan")] == "Plan"
    assert header[table_header.index("Bookings")] == "Booked so far"
    assert header[table_header.index("Verdict")] == "Outlook"
    assert header[table_header.index(LABEL)] is None
    rows = {r[0].value: r for r in above[2:5]}
    assert list(rows) == ["Total", "AMER", "EMEA"]  # total first
    emea = rows["EMEA"]
    at = {name: emea[i] for i, name in enumerate(header) if name and i < len(emea)}
    assert at["Elapsed"].value == 0.5
    assert at["Elapsed"].kind is CellKind.PERCENT
    assert at["Booked so far"].value == 150.0
    assert at["Booked so far"].kind is CellKind.CURRENCY
    assert at["Projected"].value == 420.0
    assert at["Open pipeline"].value == 200.0
    assert at["Coverage"].value == (150 + 200) / 400
    assert at["Coverage"].kind is CellKind.PERCENT
    assert at["Outlook"].value == "Hard Miss"
    assert at["Outlook"].kind is CellKind.VERDICT
    assert at["How projected"].value == "history: EMEA closes 36% by day 46"
    assert rows["Total"][0].bold
    assert above[5][0].value == PACE_NOTE
    assert above[6] == ()


def test_no_pace_block_without_a_quarter_in_progress_and_a_note_without_pipeline() -> None:
    assert build(result()).above == []
    # the quarter holding asOf, for a sheet whose data ended long before: nothing to show
    empty = replace(rich_result().pace[0], plan=None, booked=0.0, projected=0.0, pipeline=None)
    assert build(replace(rich_result(), pace=(empty,))).above == []
    assert build(replace(rich_result(), pace=(replace(empty, booked=1.0),))).above != []
    res = rich_result()
    res = replace(res, pace=tuple(replace(p, pipeline=None, coverage=None) for p in res.pace))
    note = build(res).above[5][0].value
    assert isinstance(note, str)
    assert note.endswith("has no stage or status column.")


def test_the_chart_still_takes_the_totals_rows_below_the_pace_block() -> None:
    summary = build(rich_result())
    assert summary.chart == [
        ("2025-Q1", 100.0, 95.0),
        ("2025-Q2", 200.0, 190.0),
        ("2025-Q3", 300.0, 285.0),
    ]
    assert [r[1].value for r in summary.table[:3]] == ["2025-Q1", "2025-Q2", "2025-Q3"]


# -- Notes across layouts -----------------------------------------------------------------------


def test_notes_survive_a_rerun_with_the_pace_block_and_new_columns() -> None:
    first = grid(build(rich_result()))
    header_at = next(i for i, r in enumerate(first) if r[:2] == ["Group", "Quarter"])
    notes = first[header_at].index("Notes")
    for row in first[header_at + 1 :]:
        if row[:2] == ["EMEA", "2025-Q2"]:
            row[notes] = "Lost Acme to a competitor"
    # the next run has no quarter in progress and no labels: the table moves up, columns left
    again = build(result(), first)
    assert again.header_row == 0
    assert rows_by_key(again)[("EMEA", "2025-Q2")][HEADER.index("Notes")] == (
        "Lost Acme to a competitor"
    )
    # and back again
    third = build(rich_result(), grid(again))
    row = rows_by_key(third)[("EMEA", "2025-Q2")]
    assert row[list(third.header).index("Notes")] == "Lost Acme to a competitor"


def test_notes_of_a_summary_written_before_gap_and_why_are_kept() -> None:
    old_header = ["Group", "Quarter", "Plan", "Bookings", "Attainment", "Growth", "Verdict"]
    old_header += ["Flags", "Recommended action", "Notes"]
    existing: list[list[Any]] = [old_header, ["AMER", "2025-Q1", 100, 95, *[""] * 5, "old note"]]
    summary = build(rich_result(), existing)
    row = rows_by_key(summary)[("AMER", "2025-Q1")]
    assert row[list(summary.header).index("Notes")] == "old note"


def test_a_long_pace_block_does_not_hide_the_table_header_from_notes() -> None:
    many = rich_result()
    groups = [f"Team {n:02d}" for n in range(60)]
    many = replace(many, pace=(*many.pace, *(replace(many.pace[1], group=g) for g in groups)))
    summary = build(many)
    assert summary.header_row > 60
    values_ = grid(summary)
    notes = list(summary.header).index("Notes")
    for row in values_[summary.header_row + 1 :]:
        if row[:2] == ["AMER", "2025-Q3"]:
            row[notes] = "kept"
    again = build(many, values_)
    assert rows_by_key(again)[("AMER", "2025-Q3")][notes] == "kept"


# -- data issues ----------------------------------------------------------------------------------


def test_issues_show_severity_errors_first() -> None:
    issues = (issue(3, Severity.INFO), issue(4, Severity.WARNING), issue(5, Severity.ERROR))
    summary = build(result(issues=issues))
    listed = [values(r)[:3] for r in summary.footer[2:5]]
    assert listed == [
        ["Error", "Bookings", 5.0],
        ["Warning", "Bookings", 4.0],
        ["Info", "Bookings", 3.0],
    ]


def test_a_long_issue_list_is_cut_with_a_count_of_the_rest() -> None:
    issues = tuple(issue(n) for n in range(MAX_ISSUES + 10))
    issues += (issue(999, Severity.INFO),)
    summary = build(result(issues=issues))
    run_line = summary.footer[0]
    assert run_line[5].value == float(MAX_ISSUES + 11)  # the count covers every issue
    listed = summary.footer[2 : 2 + MAX_ISSUES]
    assert all(r[0].value == "Error" for r in listed)
    more = summary.footer[2 + MAX_ISSUES]
    assert more[0].value == (
        "… and 11 more (10 errors, 1 info): the add-on's sidebar and the API list every one."
    )
    assert not any(r and r[0].value == "Error" for r in summary.footer[3 + MAX_ISSUES :])


# -- How this was read ----------------------------------------------------------------------------


def test_how_this_was_read_lists_calendar_tabs_columns_and_what_was_left_out() -> None:
    rows = [values(r) for r in block(build(rich_result()), READ_TITLE)]
    by_first = {r[0]: r for r in rows if r}
    assert "February" in by_first["Fiscal calendar"][1]
    assert "fiscalYearStartMonth 2" in by_first["Fiscal calendar"][1]
    assert by_first["As of"][1].startswith("2025-11-15")
    assert by_first["Group columns"][1] == "Region"
    assert by_first["Reporting currency"][1] == "EUR"
    tabs_at = rows.index(
        [
            "Tab",
            "Header row",
            "Rows counted",
            "Rows left out",
            "Control total",
            "Unit",
            "Currency",
            "Layout",
        ]
    )
    assert rows[tabs_at + 1] == [
        "Plan",
        3.0,
        6.0,
        1.0,
        1800.0,
        "×1,000",
        "EUR",
        "wide table (a column per period)",
    ]
    assert rows[tabs_at + 2] == [
        "Bookings",
        1.0,
        40.0,
        12.0,
        1710.0,
        "1",
        "EUR",
        "deal rows (a row per deal)",
    ]
    cols_at = rows.index(["Tab", "Column", "Role", "Header, and why"])
    columns = rows[cols_at + 1 : cols_at + 7]
    assert columns[0] == ["Plan", "A", "group", '"Region": the groups judged']
    assert columns[1] == [
        "Plan",
        "B:D",
        "quarter",
        '"Q1 2025 … Q3 2025 (3 columns)": a column per period',
    ]
    assert ["Bookings", "C", "date", '"Close Date": the close date, not Created Date'] in columns
    left_at = rows.index(["Tab", "Rows", "Left out"])
    assert rows[left_at + 1 : left_at + 4] == [
        ["Plan", 1.0, "total rows"],
        ["Bookings", 9.0, "lost: Closed Lost"],
        ["Bookings", 3.0, "open: Negotiation"],
    ]
    notes_at = rows.index(["Tab", "Note"])
    assert rows[notes_at + 1] == ["Plan", "amounts in units of 1,000 (the header says (K))"]
    control = block(build(rich_result()), READ_TITLE)[tabs_at + 1][4]
    assert control.kind is CellKind.CURRENCY


def test_how_this_was_read_without_inputs_still_names_the_calendar() -> None:
    rows = [values(r) for r in block(build(result()), READ_TITLE)]
    assert rows[0] == [READ_TITLE]
    assert rows[1][0] == "Fiscal calendar"
    assert "January" in rows[1][1]
    assert rows[2] == ["Group columns", "none: the company total only"]


def test_the_reporting_currency_goes_with_the_sheet() -> None:
    assert build(rich_result()).currency == "EUR"
    assert build(result()).currency is None


# -- History ----------------------------------------------------------------------------------


def test_history_rows_only_with_the_option_one_per_group_for_the_quarter() -> None:
    assert build(result()).history is None
    res = replace(result(), options=ClassifyOptions(history_tab="History"))
    summary = build(res, run_id="run-7", caller="ana@example.com")
    history = summary.history
    assert history is not None
    assert history.title == "History"
    assert history.header == HISTORY_HEADER
    assert [values(r)[1:] for r in history.rows] == [
        ["2025-Q3", "Total", 300.0, 285.0, 0.95, "Hard Miss", None, "run-7", "ana@example.com"],
        ["2025-Q3", "AMER", 300.0, 285.0, 0.95, "Hard Miss", None, "run-7", "ana@example.com"],
        ["2025-Q3", "EMEA", 300.0, 285.0, 0.95, "Hard Miss", None, "run-7", "ana@example.com"],
    ]
    when = history.rows[0][0]
    assert when.kind is CellKind.DATETIME
    assert when.value == summary.footer[0][1].value
    kinds = [c.kind for c in history.rows[0]]
    assert kinds[3:7] == [CellKind.CURRENCY, CellKind.CURRENCY, CellKind.PERCENT, CellKind.VERDICT]
    anonymous = build(res).history
    assert anonymous is not None
    assert anonymous.rows[0][8].value is None


def test_a_group_without_plan_has_no_outlook_and_no_coverage() -> None:
    res = rich_result()
    res = replace(res, pace=(replace(res.pace[0], outlook=None, plan=None, coverage=None),))
    row = build(res).above[2]
    assert [c.value for c in row if c.kind is CellKind.VERDICT] == [None]
    assert [c.value for c in row if c.kind is CellKind.PERCENT] == [0.5, None]
    assert rich_result().pace[2].outlook is Verdict.HARD_MISS


@pytest.mark.parametrize(
    ("label", "quarter", "more"),
    [
        ("FY26 Q4", "2026-Q4", True),
        ("Q4'26", "2026-Q4", True),
        ("1Q25", "2025-Q1", True),
        ("Q1 FY2025", "2025-Q1", True),
        ("Q4 2026", "2026-Q4", False),
        ("2026Q4", "2026-Q4", False),
        ("2026-Q4", "2026-Q4", False),
        ("q4  2026", "2026-Q4", False),
    ],
)
def test_a_label_column_only_for_labels_that_say_more(label: str, quarter: str, more: bool) -> None:
    assert says_more(label, quarter) is more


def test_the_leads_tab_counts_leads_not_money() -> None:
    leads = TabReading(
        tab="Leads",
        header_row=1,
        layout="DEALS",
        columns=(ColumnUse("B", "Created Date", "date", "the lead's created date"),),
        rows_counted=2499,
        rows_skipped=0,
        total=2499.0,
        unit=1.0,
        currency=None,
    )
    res = rich_result()
    res = replace(res, inputs=(*res.inputs, leads))
    rows = block(build(res), READ_TITLE)
    line = next(r for r in rows if r and r[0].value == "Leads")
    assert [c.value for c in line] == [
        "Leads",
        1.0,
        2499.0,
        0.0,
        2499.0,
        "1",
        None,
        "a row per lead",
    ]
    assert line[4].kind is CellKind.TEXT  # a count: no currency format
    bookings = next(r for r in rows if r and r[0].value == "Bookings")
    assert bookings[4].kind is CellKind.CURRENCY
