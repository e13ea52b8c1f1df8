"""The Summary tab's layout (README, "The Summary tab"), and how the user's Notes survive
a new run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.classification.model import Flag, Verdict
from server.service.summary import HEADER, KEPT_TITLE, build_summary, read_notes, sheets_serial
from sheets_adapter.port import CellKind, SummarySheet, TabGrid
from tests.adapter.factories import REF_ISSUE, result, verdict

RUN_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def grid(summary: SummarySheet) -> list[list[Any]]:
    """The tab as values, as the adapter writes it (blocks above, header, table, blank
    row, footer)."""
    return [[c.value for c in row] for row in summary.rows()]


def build(
    existing: list[list[Any]] | None = None, *, quarter: str = "2025-Q3", **kwargs: Any
) -> SummarySheet:
    res = kwargs.pop("res", None) or result(**kwargs)
    return build_summary(
        res,
        quarter=quarter,
        run_at=RUN_AT,
        existing=TabGrid("Summary", 7, existing) if existing is not None else None,
        summary_tab="Summary",
    )


def rows_by_key(summary: SummarySheet) -> dict[tuple[str, str], list[Any]]:
    return {(str(r[0].value), str(r[1].value)): [c.value for c in r] for r in summary.table}


def test_header_and_order_total_first_then_groups_then_quarters() -> None:
    res = result(groups=("emea", None, "AMER"), quarters=("2025-Q2", "2025-Q1"))
    summary = build(res=res, quarter="2025-Q2")
    assert summary.header == HEADER
    assert summary.title == "Summary"
    keys = [(r[0].value, r[1].value) for r in summary.table]
    assert keys == [
        ("Total", "2025-Q1"),
        ("Total", "2025-Q2"),
        ("AMER", "2025-Q1"),
        ("AMER", "2025-Q2"),
        ("emea", "2025-Q1"),
        ("emea", "2025-Q2"),
    ]


def test_cells_are_typed_and_readable() -> None:
    res = result(groups=("AMER",), quarters=("2025-Q1",))
    res = type(res)(
        verdicts=(
            verdict(
                "AMER",
                "2025-Q1",
                plan=1000.0,
                bookings=800.0,
                verdict=Verdict.HARD_MISS,
                flags=(Flag.CONSECUTIVE_HARD_MISS, Flag.DATA_ISSUES),
                action="Time for radical change.",
            ),
        ),
        issues=(),
        quarters=("2025-Q1",),
    )
    (row,) = build(res=res, quarter="2025-Q1").table
    kinds = [c.kind for c in row]
    assert kinds[2:8] == [
        CellKind.CURRENCY,
        CellKind.CURRENCY,
        CellKind.CURRENCY,
        CellKind.PERCENT,
        CellKind.PERCENT,
        CellKind.VERDICT,
    ]
    assert [c.value for c in row] == [
        "AMER",
        "2025-Q1",
        1000.0,
        800.0,
        -200.0,  # the gap: bookings - plan
        0.8,
        0.125,
        "Hard Miss",
        "Consecutive Hard Miss, Data Issues",
        None,  # Why: no drivers without deal rows
        "Time for radical change.",
        None,  # Notes
    ]


def test_only_quarters_up_to_the_one_asked_are_listed() -> None:
    summary = build(quarter="2025-Q2")
    assert {r[1].value for r in summary.table} == {"2025-Q1", "2025-Q2"}
    assert [p[0] for p in summary.chart] == ["2025-Q1", "2025-Q2"]


def test_run_line_and_issues_follow_the_table() -> None:
    summary = build(issues=(REF_ISSUE,))
    run_line = summary.footer[0]
    assert run_line[0].value == "Classified at (UTC)"
    assert run_line[1].kind is CellKind.DATETIME
    assert run_line[1].value == sheets_serial(RUN_AT)
    assert [c.value for c in run_line[2:]] == ["Quarter", "2025-Q3", "Data issues", 1.0]
    assert [c.value for c in summary.footer[1]] == [
        "Severity",
        "Tab",
        "Row",
        "Column",
        "Value",
        "Issue",
    ]
    assert {c.kind for c in summary.footer[1]} == {CellKind.HEADER}
    assert [c.value for c in summary.footer[2]] == [
        "Error",
        "Bookings",
        14.0,
        "Amount",
        "#REF!",
        REF_ISSUE.message,
    ]


def test_sheets_serial_of_a_known_moment() -> None:
    assert sheets_serial(datetime(1899, 12, 31, 12, tzinfo=UTC)) == 1.5
    assert sheets_serial(datetime(2025, 1, 1, tzinfo=UTC)) == 45658.0


def test_chart_is_the_totals_plan_and_bookings() -> None:
    summary = build()
    assert summary.chart == [
        ("2025-Q1", 100.0, 95.0),
        ("2025-Q2", 200.0, 190.0),
        ("2025-Q3", 300.0, 285.0),
    ]


def test_notes_go_back_on_the_same_group_and_quarter() -> None:
    first = grid(build())
    notes_col = HEADER.index("Notes")
    for row in first[1:]:
        if row and row[0] == "EMEA" and row[1] == "2025-Q2":
            row[notes_col] = "Lost the Acme deal to a competitor"
        if row and row[0] == "Total" and row[1] == "2025-Q1":
            row[notes_col] = "Board approved"
    second = rows_by_key(build(first))
    assert second[("EMEA", "2025-Q2")][notes_col] == "Lost the Acme deal to a competitor"
    assert second[("Total", "2025-Q1")][notes_col] == "Board approved"
    assert second[("AMER", "2025-Q2")][notes_col] is None


def test_notes_survive_moved_columns_title_rows_and_reordered_rows() -> None:
    existing: list[list[Any]] = [
        ["Quarterly verdicts (do not edit above the table)"],
        [],
        ["Notes", "Verdict", "Quarter", "Group"],
        ["typed by Ana", "Beat", "2025-Q3", "  amer "],
        ["", "Beat", "2025-Q1", "AMER"],
        [42, "Beat", "2025-Q1", "EMEA"],
        ["total note", "Beat", "2025-Q2", "TOTAL"],
    ]
    summary = build(existing)
    by_key = rows_by_key(summary)
    notes_col = HEADER.index("Notes")
    assert by_key[("AMER", "2025-Q3")][notes_col] == "typed by Ana"
    assert by_key[("EMEA", "2025-Q1")][notes_col] == 42.0
    assert by_key[("Total", "2025-Q2")][notes_col] == "total note"
    assert by_key[("AMER", "2025-Q1")][notes_col] is None


def test_notes_without_a_row_now_are_kept_below_and_come_back() -> None:
    existing = grid(build())
    notes_col = HEADER.index("Notes")
    existing.append(["APAC", "2024-Q4", *[""] * (notes_col - 2), "APAC was merged into EMEA"])
    summary = build(existing)
    values = grid(summary)
    firsts = [r[0] if r else None for r in values]
    assert KEPT_TITLE in firsts
    start = firsts.index(KEPT_TITLE) + 1
    kept = values[start : firsts.index(None, start)]  # up to the next blank row
    assert [r[:2] for r in kept] == [["APAC", "2024-Q4"]]
    assert kept[0][notes_col] == "APAC was merged into EMEA"
    # the next run reads the kept note again; when its row returns, it is back in the table
    again = build(values, res=result(groups=(None, "APAC"), quarters=("2024-Q4", "2025-Q1")))
    assert rows_by_key(again)[("APAC", "2024-Q4")][notes_col] == "APAC was merged into EMEA"
    assert KEPT_TITLE not in [r[0].value for r in again.footer if r]


def test_a_quarter_no_longer_listed_keeps_its_note() -> None:
    existing = grid(build(quarter="2025-Q3"))
    notes_col = HEADER.index("Notes")
    for row in existing:
        if row and row[:2] == ["AMER", "2025-Q3"]:
            row[notes_col] = "Q3 note"
    summary = build(existing, quarter="2025-Q2")
    kept = [r for r in summary.footer if len(r) > notes_col and r[notes_col].value == "Q3 note"]
    assert [(r[0].value, r[1].value) for r in kept] == [("AMER", "2025-Q3")]


def test_duplicate_notes_for_one_row_are_joined_not_dropped() -> None:
    notes = read_notes(
        TabGrid(
            "Summary",
            1,
            [["Group", "Quarter", "Notes"], ["AMER", "2025-Q1", "one"], ["amer", "2025-Q1", "two"]],
        )
    )
    assert notes[("amer", "2025-Q1")][2] == "one\ntwo"


def test_an_unrecognisable_existing_tab_gives_no_notes() -> None:
    assert read_notes(TabGrid("Summary", 1, [["hello"], [1, 2, 3]])) == {}
    assert read_notes(TabGrid("Summary", 1, [["Group", "Quarter"], ["AMER", "2025-Q1"]])) == {}
    assert read_notes(None) == {}


def test_formula_looking_text_stays_text_in_the_layout() -> None:
    name = '=IMPORTXML("http://x","//a")'
    summary = build(res=result(groups=(None, name, "+1", "@SUM(A1)")))
    groups = {r[0].value for r in summary.table}
    assert {name, "+1", "@SUM(A1)"} <= groups
    assert all(isinstance(r[0].value, str) for r in summary.table)
