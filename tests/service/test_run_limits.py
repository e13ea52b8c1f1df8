"""What one run keeps (issue 13, SPEC 4.5): the first data issues with counts of all of
them by kind, cell text cut short, and a bounded number of runs per spreadsheet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from server.classification import ClassifyOptions, Severity
from server.cli.demo_data import demo_tabs
from server.service import Caller, ClassificationService, ClassifyRequest
from server.service.limits import RunLimits, issue_counts, omitted_issues
from server.store.memory import MemoryRunStore
from sheets_adapter.port import UserToken
from tests.support.fakes import FakeSheets

ANA = Caller(UserToken("token-ana"))
SHEET = "sheet-1"


def messy(bad_rows: int, long_text: int = 0) -> dict[str, list[list[Any]]]:
    """The demo tabs plus ``bad_rows`` deal rows whose amount is junk."""
    tabs = demo_tabs()
    bookings = [list(r) for r in tabs["Bookings"]]
    header = bookings[1]  # under a title row
    amount = header.index("Amount")
    won = next(r for r in bookings[2:] if "Closed Won" in r)  # a row that is counted
    for i in range(bad_rows):
        row = list(won)
        row[amount] = ("#REF!" if i % 2 else "x" * max(long_text, 4)) + str(i)
        bookings.append(row)
    return {"Plan": tabs["Plan"], "Bookings": bookings}


def service(tabs: dict[str, list[list[Any]]], **limits: int) -> tuple[Any, FakeSheets]:
    sheets = FakeSheets()
    sheets.add(SHEET, tabs, "token-ana")
    moments = (datetime(2026, 1, 5, tzinfo=UTC) + timedelta(minutes=m) for m in range(10_000))
    built = ClassificationService(
        sheets, MemoryRunStore(), clock=lambda: next(moments), limits=RunLimits(**limits)
    )
    return built, sheets


def request(**options: object) -> ClassifyRequest:
    return ClassifyRequest(SHEET, None, ClassifyOptions.from_mapping(options), ANA)


def test_only_the_first_issues_are_kept_with_counts_of_all_by_kind() -> None:
    svc, sheets = service(messy(5_000), max_issues=100)
    run = svc.classify_quarter(request())
    all_issues = 5_000 + 3  # the demo sheet has 3 of its own
    assert len(run.issues) == 101, "the first 100 and one that says how many more"
    counts = issue_counts(run.issues)
    assert sum(counts.values()) == all_issues
    assert counts[Severity.INFO] == 1  # the demo's Total row
    assert omitted_issues(run.issues) == all_issues - 100
    last = run.issues[-1]
    assert f"{all_issues - 100:,} more" in last.message
    summary_rows = sheets.books[SHEET]["Summary"]
    assert len(summary_rows) < 200, "the Summary lists no more than the run keeps"
    # the Summary lists the first 50 of those and counts every other one
    assert any(f"{all_issues - 50:,} more" in str(cell) for row in summary_rows for cell in row)


def test_a_run_under_the_limit_keeps_every_issue() -> None:
    svc, _ = service(messy(10), max_issues=100)
    run = svc.classify_quarter(request())
    assert len(run.issues) == 13
    assert omitted_issues(run.issues) == 0
    assert sum(issue_counts(run.issues).values()) == 13


def test_cell_text_is_kept_cut_short() -> None:
    svc, _ = service(messy(3, long_text=50_000), max_cell_text=500)
    run = svc.classify_quarter(request())
    longest = max(len(i.value or "") for i in run.issues)
    assert 400 < longest <= 500
    assert all(len(i.message) <= 500 for i in run.issues)


def test_old_runs_are_pruned_to_the_newest() -> None:
    svc, _ = service(demo_tabs(), runs_kept=3)
    ids = [svc.classify_quarter(request(hardMissWindow=w)).id for w in range(1, 7)]
    kept = svc.runs(SHEET, 100, ANA)
    assert [r.id for r in kept] == ids[::-1][:3]
