"""From the tabs' facts to one series per group, plus the company total.

A series holds, per fiscal quarter index, the plan and the bookings in whole cents,
and the deal counts the drivers need. Which quarters a series has (docs/rules.md):

* a quarter is *known* once it lies between the first and the latest quarter with
  won bookings (or won rows rejected) anywhere in the Bookings tab (open deals never
  make a quarter known);
* each group has a *span*, from the first to the last quarter in which it appears in
  either tab (a plan figure or a won booking). Inside its span and the known quarters a
  quarter without bookings booked 0, whatever the layout (pivot and BI exports leave
  out empty combinations); outside it the group has no rows: no invented history
  before a region starts, no rows after a rep leaves. The first quarter of a span has
  no baseline.

The company total sums every group's bookings (groups missing from the Plan too) and
every group's plan, over every known quarter.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from server.classification.model import to_cents
from server.classification.periods import Calendar
from server.classification.reading import ANY_QUARTER, DealType, Facts, GroupKey
from server.classification.statuses import Status


@dataclass
class Series:
    name: str | None  # None: the company total
    key: GroupKey | None = None
    plan: dict[int, int] = field(default_factory=dict)  # quarter index -> cents
    bookings: dict[int, int] = field(default_factory=dict)  # classified quarters only
    touched: set[int] = field(default_factory=set)  # quarters a rejected cell would have fed
    won: dict[int, int] = field(default_factory=dict)  # won deals (rows) per quarter
    lost: dict[int, int] = field(default_factory=dict)
    types: dict[int, dict[int, int]] = field(default_factory=dict)  # quarter -> type -> cents
    leads: dict[int, float] = field(default_factory=dict)
    in_plan: bool = True
    in_bookings: bool = True


@dataclass
class Sums:
    """One tab's amounts and counts per (group, quarter), and the quarters it has."""

    amounts: dict[GroupKey, dict[int, float]] = field(default_factory=dict)
    counts: dict[GroupKey, dict[int, int]] = field(default_factory=dict)
    lost: dict[GroupKey, dict[int, int]] = field(default_factory=dict)
    types: dict[GroupKey, dict[int, dict[int, float]]] = field(default_factory=dict)
    has_lost: bool = False
    has_types: bool = False
    rejected: set[int] = field(default_factory=set)  # quarters of rows that could not count


def sums(facts: Facts, calendar: Calendar) -> Sums:
    """Won amounts (after the tab's unit) and deal counts per (group, quarter)."""
    unit = facts.layout.unit
    parts: defaultdict[GroupKey, defaultdict[int, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    out = Sums()
    counts: defaultdict[GroupKey, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
    lost: defaultdict[GroupKey, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
    typed: defaultdict[GroupKey, defaultdict[int, defaultdict[int, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    grain = facts.grain
    for (status, kind, group, code), (amount, rows) in facts.cells.items():
        quarter = calendar.quarter(code, grain)
        if status == Status.WON:
            parts[group][quarter].append(amount)
            counts[group][quarter] += rows
            if facts.layout.deal_type is not None:
                typed[group][quarter][kind].append(amount)
        elif status == Status.LOST:
            lost[group][quarter] += rows
            out.has_lost = True
    out.amounts = {
        g: {q: math.fsum(a) * unit for q, a in by_q.items()} for g, by_q in parts.items()
    }
    out.counts = {g: dict(by_q) for g, by_q in counts.items()}
    out.lost = {g: dict(by_q) for g, by_q in lost.items()}
    out.types = {
        g: {q: {k: math.fsum(a) * unit for k, a in ks.items()} for q, ks in by_q.items()}
        for g, by_q in typed.items()
    }
    out.has_types = facts.layout.deal_type is not None
    return out


def known_quarters(bookings: Sums) -> range:
    """First to latest quarter with won bookings anywhere in the tab, or with won rows
    that were rejected (a quarter whose every deal is unreadable is judged, flagged,
    rather than left out as if it had not begun). Rejected rows alone make nothing
    known: a tab with no readable booking has nothing to classify (the run is refused
    with its issues)."""
    found = [q for by_q in bookings.amounts.values() for q in by_q]
    if found:
        found += bookings.rejected
    return range(min(found), max(found) + 1) if found else range(0)


def _cents(by_q: dict[int, float]) -> dict[int, int]:
    return {q: to_cents(a) for q, a in by_q.items()}


@dataclass(frozen=True)
class Leads:
    """Leads per group and quarter; ``total_only`` when the Leads tab has no group column
    the other tabs share (its leads then count for the company total only)."""

    counts: dict[GroupKey, dict[int, float]]
    total_only: bool = False


def build_series(
    plan: Sums,
    bookings: Sums,
    spelling: dict[GroupKey, str],
    *,
    grouped: bool,
    touched: Iterable[tuple[GroupKey | None, int]],
    leads: Leads | None = None,
) -> list[Series]:
    """The company total first, then (when grouped) one series per group, by name."""
    known = known_quarters(bookings)
    touched = list(touched)
    groups: list[Series] = []
    total = Series(None)
    for key in set(plan.amounts) | set(bookings.amounts):
        planned = _cents(plan.amounts.get(key, {}))
        booked = _cents(bookings.amounts.get(key, {}))
        appears = [*planned, *booked]
        span = range(min(appears), max(appears) + 1) if appears else range(0)
        quarters = [q for q in span if q in known]
        series = Series(
            spelling.get(key) or " / ".join(key),
            key,
            plan=planned,
            bookings={q: booked.get(q, 0) for q in quarters},
            won={q: bookings.counts.get(key, {}).get(q, 0) for q in quarters},
            lost={q: bookings.lost.get(key, {}).get(q, 0) for q in quarters},
            types={
                q: {k: to_cents(a) for k, a in bookings.types.get(key, {}).get(q, {}).items()}
                for q in quarters
            },
            in_plan=key in plan.amounts,
            in_bookings=key in bookings.amounts,
        )
        if leads is not None and not leads.total_only:
            series.leads = {q: leads.counts.get(key, {}).get(q, 0.0) for q in quarters}
        groups.append(series)
        for q, cents in planned.items():
            total.plan[q] = total.plan.get(q, 0) + cents
        for q in known:
            total.bookings[q] = total.bookings.get(q, 0) + booked.get(q, 0)
            total.won[q] = total.won.get(q, 0) + bookings.counts.get(key, {}).get(q, 0)
            total.lost[q] = total.lost.get(q, 0) + bookings.lost.get(key, {}).get(q, 0)
            for kind, amount in bookings.types.get(key, {}).get(q, {}).items():
                slot = total.types.setdefault(q, {})
                slot[kind] = slot.get(kind, 0) + to_cents(amount)
    for q in known:
        total.bookings.setdefault(q, 0)
    if leads is not None:
        total.leads = {
            q: math.fsum(by_q.get(q, 0.0) for by_q in leads.counts.values()) for q in known
        }
    total.touched = _in_doubt({quarter for _, quarter in touched}, total)
    if not grouped:
        return [total]
    by_group: defaultdict[GroupKey | None, set[int]] = defaultdict(set)
    for group, quarter in touched:
        by_group[group].add(quarter)
    for series in groups:
        series.touched = _in_doubt(by_group.get(series.key, set()), series)
    groups.sort(key=lambda s: (str(s.name).casefold(), str(s.name)))
    return [total, *groups]


def _in_doubt(quarters: set[int], series: Series) -> set[int]:
    """The quarters a series' rejected rows put in doubt: a row whose quarter is
    unknown (``ANY_QUARTER``) puts every quarter of its series in doubt."""
    if ANY_QUARTER not in quarters:
        return quarters
    return (quarters - {ANY_QUARTER}) | set(series.bookings)


TYPE_NAMES = {DealType.NEW: "new business", DealType.EXPANSION: "expansion"}
TYPE_NAMES |= {DealType.RENEWAL: "renewal"}
