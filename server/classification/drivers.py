"""Why a verdict came out as it did: the drivers behind a group's bookings (docs/rules.md §7).

With deal rows, each group and quarter carries its won deals, average won deal, lost
deals and win rate (when the tab holds lost rows), bookings by deal type (when a type
column exists) and, with a Leads tab, leads, bookings per lead and won deals per lead.
Against the baseline quarter the change in bookings splits exactly into

* a **count effect**: ``(deals - base deals) x base average``, and
* a **size effect**: ``deals x (average - base average)``,

and a miss gets its most likely cause:

=================  ================================================================
LOWER_WIN_RATE     the win rate fell 5 points or more
SMALLER_DEALS      the average deal fell 10% or more, and size explains more of the
                   drop than the deal count
FEWER_LEADS        leads fell while conversion (won deals per lead) held within 10%
FEWER_DEALS        fewer won deals, and neither leads nor the win rate say why
UNREALISTIC_PLAN   the plan asked for more growth than the group has shown (the flag);
                   first for a Soft Miss (the team grew: the number was the problem)
=================  ================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from server.classification.aggregate import Series
from server.classification.model import Cause, Drivers, Flag, Verdict
from server.classification.money import money, pct_change, points
from server.classification.reading import DealType

WIN_RATE_DROP = 0.05  # 5 points
DEAL_SIZE_DROP = 0.10  # 10%
CONVERSION_HELD = 0.10  # conversion within 10% of the baseline's


@dataclass(frozen=True)
class _Quarter:
    bookings: float
    deals: int
    lost: int | None
    leads: float | None

    @property
    def average(self) -> float | None:
        return self.bookings / self.deals if self.deals else None

    @property
    def win_rate(self) -> float | None:
        if self.lost is None or self.deals + self.lost == 0:
            return None
        return self.deals / (self.deals + self.lost)

    @property
    def conversion(self) -> float | None:
        return self.deals / self.leads if self.leads else None


def _at(series: Series, quarter: int, has_lost: bool, has_leads: bool) -> _Quarter | None:
    if quarter not in series.bookings:
        return None
    return _Quarter(
        bookings=series.bookings[quarter] / 100,
        deals=series.won.get(quarter, 0),
        lost=series.lost.get(quarter, 0) if has_lost else None,
        leads=series.leads.get(quarter) if has_leads else None,
    )


@dataclass(frozen=True)
class Basis:
    """What the drivers can say, given the tabs: lost rows (a win rate), a deal-type
    column (the mix), a Leads tab; the baseline's distance; the reporting currency."""

    lag: int
    has_lost: bool
    has_types: bool
    has_leads: bool
    currency: str | None


def drivers(
    series: Series, quarter: int, verdict: Verdict, flags: tuple[Flag, ...], basis: Basis
) -> Drivers:
    """The drivers of one group and quarter (deal rows only)."""
    has_lost, has_types, has_leads = basis.has_lost, basis.has_types, basis.has_leads
    now = _at(series, quarter, has_lost, has_leads)
    assert now is not None
    base = _at(series, quarter - basis.lag, has_lost, has_leads)
    count_effect = size_effect = None
    if base is not None and base.average is not None and now.average is not None:
        count_effect = (now.deals - base.deals) * base.average
        size_effect = now.deals * (now.average - base.average)
    elif base is not None and base.deals == 0:
        count_effect, size_effect = now.bookings - base.bookings, 0.0
    types = series.types.get(quarter, {}) if has_types else {}
    cause = likely_cause(now, base, verdict, flags, count_effect, size_effect)
    leads = now.leads
    return Drivers(
        deals=now.deals,
        average_deal=now.average,
        lost_deals=now.lost,
        win_rate=now.win_rate,
        new_business=types.get(DealType.NEW, 0) / 100 if has_types else None,
        expansion=types.get(DealType.EXPANSION, 0) / 100 if has_types else None,
        renewal=types.get(DealType.RENEWAL, 0) / 100 if has_types else None,
        leads=round(leads) if leads is not None else None,
        bookings_per_lead=now.bookings / leads if leads else None,
        deals_per_lead=now.deals / leads if leads else None,
        count_effect=count_effect,
        size_effect=size_effect,
        cause=cause,
        explanation=explain(now, base, basis.currency),
    )


def likely_cause(
    now: _Quarter,
    base: _Quarter | None,
    verdict: Verdict,
    flags: tuple[Flag, ...],
    count_effect: float | None,
    size_effect: float | None,
) -> Cause | None:
    """The most likely cause of a miss (see the module docstring); None otherwise."""
    if verdict not in (Verdict.SOFT_MISS, Verdict.HARD_MISS):
        return None
    unrealistic = Flag.UNREALISTIC_PLAN in flags
    if verdict is Verdict.SOFT_MISS and unrealistic:
        return Cause.UNREALISTIC_PLAN
    if base is None:
        return Cause.UNREALISTIC_PLAN if unrealistic else None
    smaller = (
        now.average is not None
        and base.average is not None
        and base.average > 0
        and now.average <= base.average * (1 - DEAL_SIZE_DROP) + 1e-9
    )
    if (
        smaller
        and size_effect is not None
        and count_effect is not None
        and size_effect < count_effect
    ):
        return Cause.SMALLER_DEALS
    if (
        now.win_rate is not None
        and base.win_rate is not None
        and base.win_rate - now.win_rate >= WIN_RATE_DROP - 1e-9
    ):
        return Cause.LOWER_WIN_RATE
    if (
        now.leads is not None
        and base.leads is not None
        and now.leads < base.leads
        and base.conversion is not None
        and (now.conversion or 0.0) >= base.conversion * (1 - CONVERSION_HELD) - 1e-9
    ):
        return Cause.FEWER_LEADS
    if now.deals < base.deals:
        return Cause.FEWER_DEALS
    if smaller:
        return Cause.SMALLER_DEALS
    if unrealistic:
        return Cause.UNREALISTIC_PLAN
    return None


def explain(now: _Quarter, base: _Quarter | None, currency: str | None) -> str:
    """``11 deals (−21%), average $23k (+9%), win rate 24% (−7 pts), 140 leads (−18%)``."""
    parts = [f"{now.deals} deal{'s' if now.deals != 1 else ''}"]
    if base is not None:
        parts[0] += pct_change(now.deals, base.deals)
    if now.average is not None:
        avg = f"average {money(now.average, currency)}"
        if base is not None and base.average:
            avg += pct_change(now.average, base.average)
        parts.append(avg)
    if now.win_rate is not None:
        rate = f"win rate {now.win_rate:.0%}"
        if base is not None and base.win_rate is not None:
            rate += points(now.win_rate, base.win_rate)
        parts.append(rate)
    if now.leads is not None:
        leads = f"{round(now.leads)} lead{'s' if round(now.leads) != 1 else ''}"
        if base is not None and base.leads is not None:
            leads += pct_change(now.leads, base.leads)
        parts.append(leads)
    return ", ".join(parts)
