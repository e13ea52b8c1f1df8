"""Checks of the Plan tab against itself and the bookings: findings that say the plan
may be read wrong, group by group (see :mod:`server.classification.checks` for the
checks of the company as a whole).

* rival plan columns: a Target and a Quota with other figures; the one read is named,
  with the ``planColumn`` option that picks the other;
* parent rows: a plan group with no bookings whose plan is, quarter by quarter, the sum
  of the groups right below or above it (``Americas`` over ``North America`` and
  ``LATAM``) or of every other group (a planning tool's ``All Regions``): left out of the
  company total like a total row, and said so;
* one group's units: a group whose plan and bookings differ by more than 20x in most
  quarters while the company as a whole agrees (one region's row pasted in $K), which
  the company-wide check cannot see.

Like every check, these never change a figure: they say why, and mark the verdicts they
put in doubt with ``DATA_ISSUES``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from server.classification import issues
from server.classification.aggregate import Series, Sums
from server.classification.checks import UNIT_RATIO, Findings, pairs_of, ratio, units_apart
from server.classification.layout import Layout
from server.classification.model import Quarter
from server.classification.money import money
from server.classification.reading import Facts, GroupKey
from server.quoting import quoted


def rival_plans(plan: Layout, known: range) -> Findings:
    """Several columns that say plan, with other figures: which one is the plan changes the
    verdicts, so every verdict carries DATA_ISSUES until ``planColumn`` names one."""
    out = Findings()
    chosen = plan.amount
    if not plan.rival_plans or chosen is None:
        return out
    others = " and ".join(repr(c.header) for c in plan.rival_plans)
    other = plan.rival_plans[0].header
    out.all_quarters = set(known)
    out.issues.append(
        issues.note(
            plan.tab,
            f"{plan.tab}: {chosen.header!r} and {others} both say plan and hold different "
            f"figures; {chosen.header!r} is read as the plan (the preference is Plan, "
            "Target, Budget, Goal, then Quota, which is often over-assigned). The choice "
            f"changes the verdicts: to judge against {other!r}, set the planColumn option "
            f"to {other!r}.",
        )
    )
    return out


def other_parts(bookings: Layout, known: range) -> Findings:
    """Bookings read from one part (``New Bookings``) beside others and no total: whether
    the plan is for that part or for their sum changes every verdict."""
    out = Findings()
    chosen = bookings.amount
    if not bookings.other_parts or chosen is None:
        return out
    others = " and ".join(quoted(c.header) for c in bookings.other_parts)
    out.all_quarters = set(known)
    out.issues.append(
        issues.note(
            bookings.tab,
            f"{bookings.tab}: {quoted(chosen.header)} is read as the bookings, and {others} "
            "beside it is not: if the plan is for their sum, add a column with the total "
            "(it is read over its parts); if the plan is for that part only, set the "
            f"amountColumn option to {quoted(chosen.header)} to say so.",
        )
    )
    return out


def group_units(
    series: list[Series], plan_tab: str, bookings_tab: str, currency: str | None
) -> Findings:
    """Groups whose plan and bookings are more than 20x apart in most quarters, while the
    company total is not (else :func:`checks.units` already said so): that group's row
    is likely in other units. Its verdicts and the company's carry DATA_ISSUES."""
    out = Findings()
    if len(series) < 3 or units_apart(pairs_of(series[0])):
        return out
    parts = []
    for s in series[1:]:
        apart = units_apart(pairs_of(s))
        if not apart or s.name is None or s.key is None:
            continue
        q, p, b = apart[-1]
        parts.append(
            f"{s.name!r} ({Quarter.from_index(q).label}: plan {money(p / 100, currency)}, "
            f"bookings {money(b / 100, currency)}, {ratio(p, b)})"
        )
        out.units_groups.add(s.name)
        out.quarters_by_group.setdefault(s.key, set()).update(s.bookings)
    if parts:
        out.issues.append(
            issues.note(
                plan_tab,
                f"{plan_tab} and {bookings_tab} differ by more than {UNIT_RATIO}x for "
                f"{' and '.join(parts)} while the other groups agree: that row is likely in "
                "other units (typed in thousands?). Write it in the same unit as the rest of "
                f"{plan_tab} and classify again; its verdicts and the company's are in doubt.",
            )
        )
    return out


def parent_rows(plan: Sums, bookings: Sums, spelling: Mapping[GroupKey, str], tab: str) -> Findings:
    """Plan groups that no booking matches and whose plan is exactly the sum of two or
    more other groups' in every quarter: the groups right after it (a parent above its
    children), right before it (a subtotal below them), or all the others (a planning
    model's top member). Found keys are in ``quarters_by_group`` (the company total's
    quarters to flag: the reading is a guess, said so), for :func:`drop_parents`."""
    out = Findings()
    keys = list(plan.amounts)
    booked = set(bookings.amounts)
    for at, key in enumerate(keys):
        if key in booked or not key:
            continue
        for children in (keys[at + 1 :], keys[:at][::-1], [k for k in keys if k != key]):
            found = _summed_by(plan.amounts, key, children)
            if found:
                break
        else:
            continue
        name = spelling.get(key) or " / ".join(key)
        names = [spelling.get(k) or " / ".join(k) for k in found]
        q = max(plan.amounts[key])
        shown = " + ".join(f"{plan.amounts[k].get(q, 0):,.0f}" for k in found)
        out.quarters_by_group[key] = set(plan.amounts[key])
        out.issues.append(
            issues.note(
                tab,
                f"{tab}: {name!r} has no bookings and its plan is the sum of "
                f"{_and(names)} in every quarter (e.g. "
                f"{Quarter.from_index(q).label}: {plan.amounts[key][q]:,.0f} = {shown}): read as "
                "a parent row, not a group, and left out of the company total so the plan is "
                "not counted twice. If it is a group of its own, rename it to match the "
                "bookings.",
            )
        )
    return out


def _and(names: Sequence[str]) -> str:
    quoted = [repr(n) for n in names]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _summed_by(
    amounts: Mapping[GroupKey, Mapping[int, float]], parent: GroupKey, run: Sequence[GroupKey]
) -> list[GroupKey]:
    """The shortest leading part of ``run`` (two groups or more) whose plans add up to the
    parent's in every quarter, at the cent; [] when none does."""
    want = amounts[parent]
    if not any(round(v, 2) for v in want.values()):
        return []
    quarters = set(want)
    sums = dict.fromkeys(quarters, 0.0)
    for n, key in enumerate(run, 1):
        if key == parent:
            return []
        for q, v in amounts[key].items():
            if q not in sums:  # a child planned where the parent is not: no parent
                return []
            sums[q] += v
        if n >= 2 and all(round(sums[q] - want[q], 2) == 0 for q in quarters):
            return list(run[:n])
        if all(sums[q] > want[q] + 0.005 for q in quarters if want[q] > 0):
            return []  # past it (amounts are plans: not negative)
    return []


def drop_parents(found: Findings, plan: Sums, facts: Facts) -> None:
    """Leave the parent rows :func:`parent_rows` found out of the plan's sums and its
    reading (rows counted, left out by reason, the control total)."""
    for key in found.quarters_by_group:
        if key is None:
            continue
        plan.amounts.pop(key, None)
        plan.counts.pop(key, None)
        cells = [k for k in facts.cells if k[2] == key]
        rows = sum(facts.cells.pop(k)[1] for k in cells)
        facts.rows_counted -= rows
        facts.left_out["parent rows (the sum of other groups)"] += rows
