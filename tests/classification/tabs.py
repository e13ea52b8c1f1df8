"""Small builders of Plan and Bookings tabs for the classification tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.classification import ClassificationResult, Quarter, QuarterVerdict, classify

Amount = float | int | str | None
FIRST = Quarter(2023, 1)


def label(first: Quarter, offset: int) -> str:
    return first.shift(offset).label


def series_tabs(
    quarters: Sequence[tuple[Amount, Amount]], first: Quarter = FIRST
) -> tuple[list[list[Any]], list[list[Any]]]:
    """Long tabs without groups: one (plan, bookings) per consecutive quarter from ``first``.

    ``None`` leaves the row out (no plan / no bookings row for that quarter).
    """
    plan: list[list[Any]] = [["Quarter", "Plan"]]
    bookings: list[list[Any]] = [["Quarter", "Bookings"]]
    for offset, (planned, booked) in enumerate(quarters):
        if planned is not None:
            plan.append([label(first, offset), planned])
        if booked is not None:
            bookings.append([label(first, offset), booked])
    return plan, bookings


def run_series(
    quarters: Sequence[tuple[Amount, Amount]],
    options: Mapping[str, Any] | None = None,
    first: Quarter = FIRST,
) -> dict[str, QuarterVerdict]:
    """The company total's verdicts by quarter label."""
    plan, bookings = series_tabs(quarters, first)
    result = classify(plan, bookings, options)
    assert all(v.group is None for v in result.verdicts)
    return {v.quarter: v for v in result.verdicts}


def by_key(result: ClassificationResult) -> dict[tuple[str | None, str], QuarterVerdict]:
    return {(v.group, v.quarter): v for v in result.verdicts}


def verdicts(result: ClassificationResult) -> dict[tuple[str | None, str], str]:
    return {(v.group, v.quarter): v.verdict.value for v in result.verdicts}


def flags(result: ClassificationResult, group: str | None, quarter: str) -> set[str]:
    return {f.value for f in by_key(result)[group, quarter].flags}
