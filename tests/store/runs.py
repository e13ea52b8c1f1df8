"""Builders of runs for the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.classification.model import (
    ClassifyOptions,
    DataIssue,
    Flag,
    QuarterVerdict,
    Severity,
    Verdict,
)
from server.store.port import RunRecord

T0 = datetime(2026, 1, 5, 9, 30, 0, 123456, tzinfo=UTC)


def verdict(
    group: str | None = None,
    quarter: str = "2025-Q4",
    *,
    plan: float | None = 1000.0,
    bookings: float | None = 900.0,
    baseline: float | None = 800.0,
    verdict: Verdict = Verdict.SOFT_MISS,
    flags: tuple[Flag, ...] = (),
) -> QuarterVerdict:
    return QuarterVerdict(
        group=group,
        quarter=quarter,
        plan=plan,
        bookings=bookings,
        baseline=baseline,
        attainment=None if plan in (None, 0) or bookings is None else bookings / plan,
        growth=None if baseline in (None, 0) or bookings is None else bookings / baseline - 1,
        verdict=verdict,
        flags=flags,
        action="Help the team: more leads.",
    )


def run(
    run_id: str,
    spreadsheet_id: str = "sheet-1",
    at: datetime = T0,
    *,
    verdicts: tuple[QuarterVerdict, ...] | None = None,
    issues: tuple[DataIssue, ...] = (),
    options: ClassifyOptions | None = None,
    caller: str | None = "ana@example.com",
    quarter: str = "2025-Q4",
) -> RunRecord:
    return RunRecord(
        id=run_id,
        spreadsheet_id=spreadsheet_id,
        quarter=quarter,
        classified_at=at,
        summary_tab="Summary",
        options=options or ClassifyOptions(),
        verdicts=(verdict(), verdict("AMER")) if verdicts is None else verdicts,
        issues=issues,
        caller=caller,
    )


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def issue(row: int = 14, severity: Severity = Severity.ERROR) -> DataIssue:
    return DataIssue(
        tab="Bookings",
        row=row,
        column="Amount",
        value="#REF!",
        message=f'Bookings!C{row}: "#REF!" is a formula error, row skipped',
        severity=severity,
        cell=f"C{row}",
    )
