"""Checks across the tabs: the findings that say a sheet may be read wrong.

Each check returns data issues (WARNING: the figures may be wrong) and the quarters
(per group, or all) whose verdicts must carry ``DATA_ISSUES``; a check never changes
a figure. They are what stands between an odd sheet and a confident wrong verdict:

* units: plan and bookings differ by more than 20x in most quarters (a plan in $K);
* names: groups that appear in only one tab, reported together with near matches;
* incomplete quarters: an export that stops early in a quarter that has since ended;
* missing months: a monthly plan or bookings table without every month of a quarter;
* fiscal labels: a plan in ``FY26 Q1`` labels read with a January fiscal year while the
  deals suggest otherwise.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from server.classification import dates, issues, quarters
from server.classification.aggregate import Series
from server.classification.layout import Grain, Layout
from server.classification.model import DataIssue, Quarter
from server.classification.money import money
from server.classification.periods import Calendar
from server.classification.reading import Facts
from server.classification.statuses import Status
from server.quoting import quoted

UNIT_RATIO = 20


@dataclass
class Findings:
    issues: list[DataIssue] = field(default_factory=list)
    all_quarters: set[int] = field(default_factory=set)  # every group's verdicts flagged
    groups: set[str] = field(default_factory=set)  # groups whose name matches nothing
    units_in_doubt: bool = False
    units_groups: set[str] = field(default_factory=set)  # one group's plan in other units
    fiscal_in_doubt: bool = False
    incomplete: set[int] = field(default_factory=set)
    # quarters flagged for one group (its key; None: the whole tab) and the total
    quarters_by_group: dict[tuple[str, ...] | None, set[int]] = field(default_factory=dict)

    def merge(self, other: Findings) -> None:
        self.issues += other.issues
        self.all_quarters |= other.all_quarters
        self.groups |= other.groups
        self.units_in_doubt |= other.units_in_doubt
        self.units_groups |= other.units_groups
        self.fiscal_in_doubt |= other.fiscal_in_doubt
        self.incomplete |= other.incomplete
        for who, flagged in other.quarters_by_group.items():
            self.quarters_by_group.setdefault(who, set()).update(flagged)


def units(total: Series, plan_tab: str, bookings_tab: str, currency: str | None) -> Findings:
    """Plan and bookings more than 20x apart in most quarters: units are likely off."""
    out = Findings()
    pairs = pairs_of(total)
    apart = units_apart(pairs)
    if not apart:
        return out
    q, p, b = apart[-1]
    factor = ratio(p, b)
    out.units_in_doubt = True
    out.all_quarters = set(total.bookings)
    out.issues.append(
        issues.note(
            bookings_tab,
            f"{plan_tab} and {bookings_tab} differ by more than {UNIT_RATIO}x in "
            f"{len(apart)} of {len(pairs)} quarters (e.g. {Quarter.from_index(q).label}: plan "
            f"{money(p / 100, currency)}, bookings {money(b / 100, currency)}, {factor}): "
            "the units are likely different (a plan in thousands?). Write the unit in the "
            "header, e.g. Plan ($K), or in a title row above the table.",
        )
    )
    return out


def pairs_of(s: Series) -> list[tuple[int, int, int]]:
    """A series' quarters with both a plan and bookings above 0: (quarter, plan, bookings)."""
    return [
        (q, s.plan[q], s.bookings[q])
        for q in sorted(s.bookings)
        if s.plan.get(q, 0) > 0 and s.bookings[q] > 0
    ]


def units_apart(pairs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The quarters whose plan and bookings are more than 20x apart, when they are most of
    them (more than half); else none."""
    apart = [(q, p, b) for q, p, b in pairs if b > p * UNIT_RATIO or p > b * UNIT_RATIO]
    return apart if pairs and len(apart) * 2 > len(pairs) else []


def ratio(plan: int, bookings: int) -> str:
    """How far apart: ``1,038x`` (bookings above plan) or ``1/1,000``."""
    r = bookings / plan
    return f"{r:,.0f}x" if r >= 1 else f"1/{1 / r:,.0f}"


_ALIASES = {
    "americas": ("amer", "am", "na", "nam", "north america", "us", "usa"),
    "north america": ("na", "nam", "amer", "us & canada"),
    "europe": ("emea", "eu", "europe middle east africa"),
    "emea": ("europe", "eu", "europe middle east africa"),
    "asia pacific": ("apac", "apj", "asia"),
    "apac": ("asia pacific", "apj", "asia"),
    "latin america": ("latam", "la", "south america"),
    "latam": ("latin america", "south america"),
    "united kingdom": ("uk", "uk&i", "uki", "gb"),
}


def _near(name: str, others: Sequence[str]) -> list[str]:
    key = name.casefold()
    found = [o for o in others if o.casefold() in _ALIASES.get(key, ())]
    found += [o for o in others if key in _ALIASES.get(o.casefold(), ())]
    found += [
        o
        for o in others
        if len(key) >= 2
        and len(o) >= 2
        and (o.casefold().startswith(key) or key.startswith(o.casefold()))
    ]
    found += difflib.get_close_matches(name, list(others), n=2, cutoff=0.75)
    return list(dict.fromkeys(found))[:3]


def unmatched(series: list[Series], plan_tab: str, bookings_tab: str) -> Findings:
    """Groups in only one tab, reported together with near matches (``Americas`` vs
    ``AMER``); their verdicts carry DATA_ISSUES."""
    out = Findings()
    groups = [s for s in series if s.name is not None]
    plan_only = [s.name for s in groups if s.in_plan and not s.in_bookings and s.name]
    booked_only = [s.name for s in groups if s.in_bookings and not s.in_plan and s.name]
    if not plan_only and not booked_only:
        return out
    parts = []
    for name in plan_only:
        near = _near(name, booked_only) or _near(
            name, [s.name or "" for s in groups if s.in_bookings]
        )
        hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
        parts.append(f"{name!r} is in {plan_tab} but has no bookings{hint}")
    for name in booked_only:
        near = _near(name, plan_only)
        hint = f" (near {' or '.join(repr(n) for n in near)})" if near else ""
        parts.append(f"{name!r} has bookings but no plan{hint}")
    out.groups = set(plan_only) | set(booked_only)
    for name, stopped, start in _handovers(groups):
        out.quarters_by_group.setdefault(stopped.key, set()).update(
            q for q in stopped.plan if q >= start
        )
        parts.append(
            f"{stopped.name!r} has no bookings from {Quarter.from_index(start).label} on, the "
            f"quarter {name!r} starts (renamed in the CRM?), so its verdicts from then on "
            "are marked too"
        )
    out.issues.append(
        issues.note(
            bookings_tab,
            "Group names that match nothing in the other tab: "
            + "; ".join(parts)
            + ". Check the names: a group spelled differently in the two tabs is judged "
            "as two groups.",
        )
    )
    return out


def _handovers(groups: list[Series]) -> list[tuple[str, Series, int]]:
    """A group with bookings but no plan that starts the quarter a planned group's
    bookings stop for good (``APAC`` renamed ``APJ`` in the CRM mid-year): each as
    (new name, the planned group, the first quarter without its bookings)."""
    out: list[tuple[str, Series, int]] = []
    planned = [s for s in groups if s.in_plan and s.in_bookings and s.name]
    for new in (s for s in groups if s.in_bookings and not s.in_plan and s.name):
        started = [q for q, cents in new.bookings.items() if cents > 0]
        if not started:
            continue
        start = min(started)
        for old in planned:
            before = any(c > 0 for q, c in old.bookings.items() if q < start)
            after = [q for q in old.plan if q >= start]
            if before and after and all(old.bookings.get(q, 0) <= 0 for q in after):
                out.append((new.name or "", old, start))
    return out


def incomplete(facts: Facts, calendar: Calendar, known: range, as_of: date) -> Findings:
    """Ended quarters whose data stops early (won deals only in the first third, or a
    month missing) while earlier quarters run to their end."""
    out = Findings()
    if facts.grain is Grain.QUARTER or not known:
        return out
    reach: dict[int, int] = {}  # quarter -> last third (days) or number of months with won rows
    months: dict[int, set[int]] = {}
    for status, _, _, code in facts.cells:
        if status != Status.WON:
            continue
        q = calendar.quarter(code, facts.grain)
        if facts.grain is Grain.DAY:
            reach[q] = max(reach.get(q, 0), calendar.third(code))
        else:
            months.setdefault(q, set()).add(code)
    if facts.grain is Grain.MONTH:
        reach = {q: len(ms) - 1 for q, ms in months.items()}
    ended = [q for q in known if calendar.last_day(q) < as_of]
    for q in ended:
        earlier = [e for e in ended if e < q][-4:]
        if len(earlier) < 2 or q not in reach:
            continue
        if reach[q] == 0 and all(reach.get(e, -1) == 2 for e in earlier):
            what = (
                "its won deals all fall in the first third of the quarter"
                if facts.grain is Grain.DAY
                else "it has bookings for its first month only"
            )
            out.incomplete.add(q)
            out.issues.append(
                issues.note(
                    facts.tab,
                    f"{facts.tab}: {Quarter.from_index(q).label} may be incomplete: {what}, "
                    "while earlier quarters run to their end. Check the export's date "
                    "filter; its verdicts are marked DATA_ISSUES until then.",
                )
            )
    out.all_quarters = set(out.incomplete)
    return out


#: A title that dates its data: ``Data as of May 5, 2026``, ``Last refreshed: 2026-05-05``.
_DATED = re.compile(
    r"\b(?:as\s+of|as\s+at|refreshed(?:\s+on)?|last\s+refresh(?:ed)?(?:\s+on)?"
    r"|(?:last\s+)?updated(?:\s+on)?|data\s+through|snapshot(?:\s+(?:of|on|taken))?)"
    r"\s*:?\s*(?P<rest>.{4,40})",
    re.IGNORECASE,
)


def dated_title(facts: Facts, calendar: Calendar, known: range, as_of: date) -> Findings:
    """A tab whose title dates its data (``Data as of May 5, 2026``) before a classified
    quarter ended and before the run's date: that quarter's figures stop at that date,
    and its verdicts carry DATA_ISSUES. A quarterly table holds no dates of its own, so
    the title is the only witness."""
    out = Findings()
    found = _DATED.search(facts.layout.title) if facts.layout.title else None
    if found is None:
        return out
    day = _leading_date(found["rest"])
    if day is None or day >= as_of:
        return out
    for q in known:
        if calendar.first_day(q) <= day < calendar.last_day(q):
            out.incomplete.add(q)
            missing = (calendar.last_day(q) - day).days
            out.issues.append(
                issues.note(
                    facts.tab,
                    f"{facts.tab}: its title dates the data {day.isoformat()} "
                    f"({quoted(found[0])}), so "
                    f"{Quarter.from_index(q).label} is incomplete: its last {missing} days "
                    "are missing. Refresh the export; its verdicts are marked DATA_ISSUES "
                    "until then.",
                )
            )
    out.all_quarters = set(out.incomplete)
    return out


def _leading_date(text: str) -> date | None:
    """The date the text starts with (``May 5, 2026 (refreshed weekly)``), if any."""
    words = text.replace("(", " ").replace(")", " ").split()
    for n in range(min(len(words), 4), 0, -1):
        day = dates.parse_date_text(" ".join(words[:n]).rstrip(".,;"))
        if day is not None:
            return day
    return None


def missing_months(facts: Facts, calendar: Calendar, layout: Layout) -> Findings:
    """A monthly table with a quarter short of a month: in the Plan, per group (a group
    without its March plan has its quarter understated); in Bookings, for the tab (a
    group without a month's row may simply have booked nothing)."""
    out = Findings()
    if layout.grain is not Grain.MONTH:
        return out
    by_group: dict[tuple[str, ...] | None, dict[int, set[int]]] = {}
    for status, _, group, month in facts.cells:
        if status != Status.WON:
            continue
        who = group if layout.role.value == "Plan" else None
        quarter = calendar.quarter(month, Grain.MONTH)
        by_group.setdefault(who, {}).setdefault(quarter, set()).add(month)
    names = dates.MONTH_ABBREVIATIONS
    for who, months in sorted(by_group.items(), key=lambda kv: str(kv[0])):
        ordered = sorted(months)
        for q in ordered:
            have = months[q]
            if len(have) >= 3 or (who is None and q == ordered[-1]):
                continue  # the latest bookings quarter may simply be in progress
            first = calendar.first_day(q)
            wanted = [first.year * 12 + first.month - 1 + i for i in range(3)]
            missing = [names[m % 12] for m in wanted if m not in have]
            spelled = facts.spelling.get(who, " / ".join(who)) if who else None
            whose = f" for {spelled}" if spelled else ""
            out.quarters_by_group.setdefault(who, set()).add(q)
            out.issues.append(
                issues.note(
                    facts.tab,
                    f"{facts.tab}: {Quarter.from_index(q).label}{whose} has figures for "
                    f"{', '.join(names[m % 12] for m in sorted(have))} only "
                    f"({', '.join(missing)} missing): its quarter total may be short.",
                )
            )
    return out


def fiscal_labels(
    plan: Layout, plan_quarters: set[int], known: range, start: int, label: str | None
) -> Findings:
    """A plan written in fiscal labels (``FY26 Q1``) read with a January fiscal year
    while its quarters mostly miss the quarters that have bookings."""
    out = Findings()
    if start != 1 or label is None or "fy" not in label.casefold() or not known:
        return out
    outside = [q for q in plan_quarters if q not in known]
    if not plan_quarters or len(outside) * 2 <= len(plan_quarters):
        return out
    out.all_quarters = set(known)
    out.issues.append(
        issues.note(
            plan.tab,
            f"{plan.tab} writes fiscal labels ({label}) but fiscalYearStartMonth is 1 "
            "(January), and most of its quarters fall outside the quarters that have "
            f"bookings ({Quarter.from_index(known.start).label} to "
            f"{Quarter.from_index(known.stop - 1).label}). If your fiscal year starts in "
            "another month, set the fiscalYearStartMonth option (e.g. 2 for February).",
        )
    )
    return out


def fiscal_period_column(rows: Sequence[Any], layout: Layout, calendar: Calendar) -> Findings:
    """A CRM export's own fiscal quarter (``Fiscal Period: Q1-2026``) beside the close
    date disagreeing with ``fiscalYearStartMonth``: the start month that makes them agree
    is named, and every verdict carries DATA_ISSUES until the option is set."""
    out = Findings()
    label, day = layout.period_label, layout.period
    if label is None or day is None:
        return out
    pairs: list[tuple[int, date]] = []
    for row in islice(rows, layout.header_row + 1, layout.header_row + 1 + 500):
        cells = row if isinstance(row, list | tuple) else ()
        if max(label.index, day.index) >= len(cells):
            continue
        quarter = (
            quarters.label_index(cells[label.index])
            if isinstance(cells[label.index], str)
            else None
        )
        when = cells[day.index]
        closed = dates.serial_to_date(when) if type(when) in (int, float) else None
        if closed is None and isinstance(when, str):
            closed = dates.parse_date_text(when)
        if quarter is not None and closed is not None:
            pairs.append((quarter, closed))
    if len(pairs) < 3:
        return out

    def agree(start: int) -> float:
        return sum(quarters.date_index(d, start) == q for q, d in pairs) / len(pairs)

    if agree(calendar.start) >= 0.8:
        return out
    best = max(range(1, 13), key=agree)
    if agree(best) < 0.8:
        return out
    out.fiscal_in_doubt = True
    out.issues.append(
        issues.note(
            layout.tab,
            f"{layout.tab}: its {label.header} column (e.g. {_example(pairs[0])}) follows a "
            f"fiscal year that starts in {dates.MONTH_ABBREVIATIONS[best - 1]}, but "
            f"fiscalYearStartMonth is {calendar.start}: set fiscalYearStartMonth to {best} "
            "so quarters match your CRM's.",
        )
    )
    return out


def _example(pair: tuple[int, date]) -> str:
    quarter, day = pair
    return f"{Quarter.from_index(quarter).label} for a deal closed {day.isoformat()}"
