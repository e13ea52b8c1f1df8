"""From the two tabs' amounts to one series per group, plus the company total.

A series holds, per fiscal quarter index, the plan and the bookings in whole cents.
Only quarters whose bookings are known appear in ``bookings``: with quarterly tables,
those with a bookings row for the group; with deal rows, every quarter from the first
to the latest quarter with any deal in the tab (a group without deals then booked 0).
The company total sums every group's bookings (also groups missing from the Plan) and
every group's plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from server.classification.model import to_cents
from server.classification.reading import GroupKey, TabReading
from server.classification.tables import Kind


@dataclass
class Series:
    name: str | None  # None: the company total
    plan: dict[int, int] = field(default_factory=dict)  # quarter index -> cents
    bookings: dict[int, int] = field(default_factory=dict)  # known quarters only
    touched: set[int] = field(default_factory=set)  # quarters a rejected cell would have fed


def _cents(reading: TabReading) -> defaultdict[GroupKey, dict[int, int]]:
    out: defaultdict[GroupKey, dict[int, int]] = defaultdict(dict)
    for (key, quarter), amount in reading.sums.items():
        out[key][quarter] = to_cents(amount)
    return out


def build_series(plan: TabReading, bookings: TabReading, *, grouped: bool) -> list[Series]:
    """The company total first, then (when grouped) one series per group, by name."""
    planned = _cents(plan)
    booked = _cents(bookings)
    if bookings.kind is Kind.DEALS:
        dealt = [quarter for _, quarter in bookings.sums]
        span = range(min(dealt), max(dealt) + 1) if dealt else range(0)
        for key in set(planned) | set(booked):
            known = booked[key]
            booked[key] = {quarter: known.get(quarter, 0) for quarter in span}

    total = Series(None)
    for per_group in planned.values():
        for quarter, cents in per_group.items():
            total.plan[quarter] = total.plan.get(quarter, 0) + cents
    for per_group in booked.values():
        for quarter, cents in per_group.items():
            total.bookings[quarter] = total.bookings.get(quarter, 0) + cents
    touched = plan.touched | bookings.touched
    total.touched = {quarter for _, quarter in touched}
    if not grouped:
        return [total]

    touched_by_group: defaultdict[GroupKey | None, set[int]] = defaultdict(set)
    for group, quarter in touched:
        touched_by_group[group].add(quarter)
    groups: list[Series] = []
    for key in set(planned) | set(booked):
        name = plan.spelling.get(key) or bookings.spelling.get(key) or " / ".join(key)
        series = Series(name, dict(planned.get(key, {})), dict(booked.get(key, {})))
        series.touched = touched_by_group.get(key, set())
        groups.append(series)
    groups.sort(key=lambda s: (str(s.name).casefold(), str(s.name)))
    return [total, *groups]
