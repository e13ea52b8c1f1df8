"""The rules of docs/rules.md §1 and §2: a verdict per quarter, and flags looking back.

All comparisons are on whole cents (exact integers) and growth rates are exact
fractions, so float noise can neither turn a met plan into a miss nor raise a flag.

=============  ===============================================================
BEAT           bookings >= plan
SOFT_MISS      bookings < plan and bookings > baseline (the team still grew)
HARD_MISS      bookings < plan and bookings <= baseline (flat is not growth)
NO_PLAN        bookings known, no plan for the group and quarter
NO_BASELINE    bookings < plan, no baseline bookings to compare with
=============  ===============================================================

Windows count fiscal quarters, not rows: a quarter without a verdict is a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from server.classification.aggregate import Series
from server.classification.model import Comparison, Flag, Verdict

SOFT_MISS_WINDOW = 4
GROWTH_WINDOW = 8
MIN_GROWTH_HISTORY = 4


@dataclass(frozen=True)
class Assessment:
    quarter: int  # fiscal quarter index
    plan: int | None  # cents
    bookings: int  # cents
    baseline: int | None  # cents
    verdict: Verdict
    growth: Fraction | None  # bookings / baseline - 1
    flags: tuple[Flag, ...] = ()
    asked_growth: Fraction | None = None  # plan / baseline - 1
    best_growth: Fraction | None = None  # best growth of the 8 quarters before

    @property
    def attainment(self) -> float | None:
        return self.bookings / self.plan if self.plan else None


def verdict_of(plan: int | None, bookings: int, baseline: int | None) -> Verdict:
    if plan is None:
        return Verdict.NO_PLAN
    if bookings >= plan:
        return Verdict.BEAT
    if baseline is None:
        return Verdict.NO_BASELINE
    return Verdict.SOFT_MISS if bookings > baseline else Verdict.HARD_MISS


def growth_of(amount: int, baseline: int | None) -> Fraction | None:
    """``amount / baseline - 1``; None when the baseline is missing or 0."""
    if not baseline:
        return None
    return Fraction(amount, baseline) - 1


def assess(series: Series, *, comparison: Comparison, hard_miss_window: int) -> list[Assessment]:
    """Every quarter with known bookings, ascending, with its verdict and flags."""
    lag = 4 if comparison is Comparison.SAME_QUARTER_LAST_YEAR else 1
    booked = series.bookings
    verdicts: dict[int, Verdict] = {}
    growth: dict[int, Fraction] = {}
    out: list[Assessment] = []
    for quarter in sorted(booked):
        bookings = booked[quarter]
        plan = series.plan.get(quarter)
        baseline = booked.get(quarter - lag)
        verdict = verdicts[quarter] = verdict_of(plan, bookings, baseline)
        rate = growth_of(bookings, baseline)
        flags: list[Flag] = []
        if verdict is Verdict.HARD_MISS and verdicts.get(quarter - 1) is Verdict.HARD_MISS:
            flags.append(Flag.CONSECUTIVE_HARD_MISS)
        if _count(verdicts, quarter, hard_miss_window, Verdict.HARD_MISS) >= 2:
            flags.append(Flag.REPEATED_HARD_MISS)
        if _count(verdicts, quarter, SOFT_MISS_WINDOW, Verdict.SOFT_MISS) >= 2:
            flags.append(Flag.FREQUENT_SOFT_MISS)
        asked = growth_of(plan, baseline) if plan is not None else None
        recent = [growth[q] for q in range(quarter - GROWTH_WINDOW, quarter) if q in growth]
        best = max(recent) if recent else None
        if (
            len(growth) >= MIN_GROWTH_HISTORY  # growth so far: all of it is earlier
            and asked is not None
            and best is not None
            and asked > best
        ):
            flags.append(Flag.UNREALISTIC_PLAN)
        if quarter in series.touched:
            flags.append(Flag.DATA_ISSUES)
        if rate is not None:
            growth[quarter] = rate
        out.append(
            Assessment(quarter, plan, bookings, baseline, verdict, rate, tuple(flags), asked, best)
        )
    return out


def _count(verdicts: dict[int, Verdict], quarter: int, window: int, wanted: Verdict) -> int:
    """How many of the ``window`` fiscal quarters ending at ``quarter`` had ``wanted``."""
    return sum(verdicts.get(q) is wanted for q in range(quarter - window + 1, quarter + 1))
