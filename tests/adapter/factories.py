"""Hand-built classification results for the adapter and Summary tests (no engine needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from server.classification.model import (
    ClassificationResult,
    ClassifyOptions,
    ColumnUse,
    DataIssue,
    Drivers,
    Flag,
    LeftOut,
    Pace,
    QuarterVerdict,
    Severity,
    TabReading,
    Verdict,
)


def verdict(
    group: str | None,
    quarter: str,
    plan: float | None = 100.0,
    bookings: float | None = 90.0,
    verdict: Verdict = Verdict.SOFT_MISS,
    flags: tuple[Flag, ...] = (),
    action: str = "Help the team: more leads.",
) -> QuarterVerdict:
    attainment = bookings / plan if plan and bookings is not None else None
    return QuarterVerdict(
        group=group,
        quarter=quarter,
        plan=plan,
        bookings=bookings,
        baseline=80.0,
        attainment=attainment,
        growth=0.125,
        verdict=verdict,
        flags=flags,
        action=action,
        gap=bookings - plan if plan is not None and bookings is not None else None,
    )


def result(
    groups: tuple[str | None, ...] = (None, "AMER", "EMEA"),
    quarters: tuple[str, ...] = ("2025-Q1", "2025-Q2", "2025-Q3"),
    issues: tuple[DataIssue, ...] = (),
) -> ClassificationResult:
    verdicts = []
    for group in groups:
        for n, quarter in enumerate(quarters):
            verdicts.append(
                verdict(
                    group,
                    quarter,
                    plan=100.0 * (n + 1),
                    bookings=95.0 * (n + 1),
                    verdict=[Verdict.BEAT, Verdict.SOFT_MISS, Verdict.HARD_MISS][n % 3],
                )
            )
    return ClassificationResult(verdicts=tuple(verdicts), issues=issues, quarters=quarters)


REF_ISSUE = DataIssue(
    tab="Bookings",
    row=14,
    column="Amount",
    value="#REF!",
    message='Bookings!C14: "#REF!" is a formula error, row skipped',
)


def drivers(explanation: str = "11 deals (−21%), average $23k (+9%)") -> Drivers:
    return Drivers(
        deals=11,
        average_deal=23_000.0,
        lost_deals=None,
        win_rate=None,
        new_business=None,
        expansion=None,
        renewal=None,
        leads=None,
        bookings_per_lead=None,
        deals_per_lead=None,
        count_effect=None,
        size_effect=None,
        cause=None,
        explanation=explanation,
    )


def pace(group: str | None, *, plan: float | None = 400.0, outlook: Verdict = Verdict.BEAT) -> Pace:
    return Pace(
        group=group,
        quarter="2025-Q4",
        as_of="2025-11-15",
        elapsed=0.5,
        booked=150.0,
        projected=420.0,
        plan=plan,
        pipeline=200.0,
        coverage=(150.0 + 200.0) / plan if plan else None,
        outlook=outlook,
        method=f"history: {group or 'company'} closes 36% by day 46",
        label="FY25 Q4",
    )


PLAN_READING = TabReading(
    tab="Plan",
    header_row=3,
    layout="WIDE",
    columns=(
        ColumnUse("A", "Region", "group", "the groups judged"),
        ColumnUse("B", "Q1 2025", "quarter", "a column per period"),
        ColumnUse("C", "Q2 2025", "quarter", "a column per period"),
        ColumnUse("D", "Q3 2025", "quarter", "a column per period"),
    ),
    rows_counted=6,
    rows_skipped=1,
    total=1_800.0,
    unit=1000.0,
    currency="EUR",
    left_out=(LeftOut("total rows", 1),),
    notes=("amounts in units of 1,000 (the header says (K))",),
)
BOOKINGS_READING = TabReading(
    tab="Bookings",
    header_row=1,
    layout="DEALS",
    columns=(
        ColumnUse("B", "Region", "group", "the groups judged"),
        ColumnUse("C", "Close Date", "date", "the close date, not Created Date"),
        ColumnUse("D", "Amount", "amount", "the bookings amount"),
        ColumnUse("E", "Stage", "status", "Closed Won counts as won"),
    ),
    rows_counted=40,
    rows_skipped=12,
    total=1_710.0,
    unit=1.0,
    currency="EUR",
    left_out=(LeftOut("lost: Closed Lost", 9), LeftOut("open: Negotiation", 3)),
)


def rich_result(**changes: object) -> ClassificationResult:
    """:func:`result` with what a deal-rows run adds: drivers, labels, pace, inputs, euros."""
    base = result(issues=(REF_ISSUE,))
    verdicts = tuple(
        replace(
            v,
            label=f"FY{v.quarter[2:4]} Q{v.quarter[-1]}",
            drivers=drivers(f"{v.group or 'all'} {v.quarter} drivers"),
        )
        for v in base.verdicts
    )
    rich = replace(
        base,
        verdicts=verdicts,
        group_columns=("Region",),
        options=ClassifyOptions(fiscal_year_start_month=2),
        as_of=date(2025, 11, 15),
        in_progress="2025-Q4",
        currency="EUR",
        inputs=(PLAN_READING, BOOKINGS_READING),
        pace=(pace(None, plan=900.0), pace("AMER"), pace("EMEA", outlook=Verdict.HARD_MISS)),
    )
    return replace(rich, **changes)  # type: ignore[arg-type]


def issue(n: int, severity: Severity = Severity.ERROR) -> DataIssue:
    return DataIssue("Bookings", n, "Amount", "x", f"Bookings!D{n}: bad", severity)
