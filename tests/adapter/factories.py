"""Hand-built classification results for the adapter and Summary tests (no engine needed)."""

from __future__ import annotations

from server.classification.model import (
    ClassificationResult,
    DataIssue,
    Flag,
    QuarterVerdict,
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
