"""The quarter in progress: on pace, or not (docs/rules.md §8).

For the fiscal quarter holding ``as_of``, per group and for the total: the share of
the quarter elapsed, bookings won to date, the projected quarter-end bookings, the
plan, the open pipeline due to close in the rest of the quarter, coverage ((won +
pipeline) ÷ plan) and the outlook (the verdict the projection would get).

Sales are back-loaded, so the projection divides bookings to date by the share of a
quarter's bookings the group has *historically* closed by the same day of the quarter:
the median over its last 4 complete quarters. With less history it divides by the
share of the quarter elapsed, and the run says which. Monthly bookings give pace at
month grain (months up to ``as_of``'s, against the share closed by the same month).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from server.classification import quarters
from server.classification.aggregate import Series
from server.classification.layout import Grain
from server.classification.model import Pace, to_cents
from server.classification.periods import Calendar
from server.classification.reading import Facts, GroupKey
from server.classification.rules import verdict_of
from server.classification.statuses import Status

HISTORY = 4


@dataclass
class _Split:
    """One group's quarter: won by now (by the same day or month), won in all, open after now."""

    by_now: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    open_after: list[float] = field(default_factory=list)


def splits(
    facts: Facts, calendar: Calendar, as_of: date
) -> dict[GroupKey | None, dict[int, _Split]]:
    """Per group (None: the company) and quarter, the amounts pace needs."""
    unit = facts.layout.unit
    month_now = as_of.year * 12 + as_of.month - 1
    position = calendar.month_of_quarter(month_now)
    out: defaultdict[GroupKey | None, defaultdict[int, _Split]] = defaultdict(
        lambda: defaultdict(_Split)
    )
    for (status, _, group, code), (amount, _) in facts.cells.items():
        if status == Status.LOST:
            continue
        quarter = calendar.quarter(code, facts.grain)
        if facts.grain is Grain.DAY:
            later = calendar.after(code)
        else:
            later = calendar.month_of_quarter(code) > position
        for who in (group, None):
            split = out[who][quarter]
            if status == Status.WON:
                split.total.append(amount * unit)
                if not later:
                    split.by_now.append(amount * unit)
            elif later:
                split.open_after.append(amount * unit)
    return {who: dict(by_q) for who, by_q in out.items()}


def pace(
    series: list[Series], facts: Facts, calendar: Calendar, *, lag: int, label: str
) -> list[Pace]:
    """Pace of every series for the quarter holding the calendar's ``as_of`` (total
    first); the pipeline when the tab says which deals are open."""
    as_of = calendar.as_of
    if facts.grain not in (Grain.DAY, Grain.MONTH) or as_of is None:
        return []
    has_open = facts.layout.status is not None
    quarter = quarters.date_index(as_of, calendar.start)
    elapsed = (as_of - calendar.first_day(quarter)).days + 1
    elapsed_share = elapsed / calendar.days(quarter)
    month_share = (calendar.month_of_quarter(as_of.year * 12 + as_of.month - 1) + 1) / 3
    by_group = splits(facts, calendar, as_of)
    out = []
    for s in series:
        history = by_group.get(None if s.name is None else s.key, {})
        now = history.get(quarter, _Split())
        plan_cents = s.plan.get(quarter)
        if s.name is not None and plan_cents is None and not (now.total or now.open_after):
            continue
        booked = math.fsum(now.by_now)
        fallback = elapsed_share if facts.grain is Grain.DAY else month_share
        share, method = _share(history, quarter, fallback, facts.grain, elapsed)
        projected = booked / share if share > 0 else booked
        pipeline = math.fsum(now.open_after) if has_open else None
        plan = plan_cents / 100 if plan_cents is not None else None
        baseline = s.bookings.get(quarter - lag)
        coverage = (booked + (pipeline or 0.0)) / plan if plan else None
        out.append(
            Pace(
                group=s.name,
                quarter=_label(quarter),
                as_of=as_of.isoformat(),
                elapsed=round(elapsed_share, 4),
                booked=round(booked, 2),
                projected=round(projected, 2),
                plan=plan,
                pipeline=round(pipeline, 2) if pipeline is not None else None,
                coverage=coverage,
                outlook=verdict_of(plan_cents, to_cents(projected), baseline)
                if plan_cents is not None
                else None,
                method=method,
                label=label,
            )
        )
    return out


def _label(quarter: int) -> str:
    from server.classification.model import Quarter

    return Quarter.from_index(quarter).label


def _share(
    history: dict[int, _Split], quarter: int, fallback: float, grain: Grain, day: int
) -> tuple[float, str]:
    """The share of a quarter's bookings closed by now: the median of the group's last
    4 complete quarters with bookings, else the share of the quarter elapsed."""
    shares = []
    for earlier in range(quarter - 1, quarter - 13, -1):
        split = history.get(earlier)
        whole = math.fsum(split.total) if split else 0.0
        if split is None or whole <= 0:
            continue
        shares.append(math.fsum(split.by_now) / whole)
        if len(shares) == HISTORY:
            break
    where = f"day {day}" if grain is Grain.DAY else "this month"
    if len(shares) == HISTORY and statistics.median(shares) > 0:
        median = statistics.median(shares)
        return median, (
            f"history: by {where} of the quarter this group has closed {median:.0%} of a "
            f"quarter's bookings (median of its last {HISTORY} quarters)"
        )
    return fallback, (
        f"elapsed share: {fallback:.0%} of the quarter has passed (fewer than {HISTORY} "
        "complete quarters of history to learn the group's pattern)"
    )
