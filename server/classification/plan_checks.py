"""Checks of the Plan tab against itself and the bookings: findings that say the plan
may be read wrong, group by group (see :mod:`server.classification.checks` for the
checks of the company as a whole).

* rival plan columns: a Target and a Quota with other figures; the one read is named,
  with the ``planColumn`` option that picks the other;
* one group's units: a group whose plan and bookings differ by more than 20x in most
  quarters while the company as a whole agrees (one region's row pasted in $K), which
  the company-wide check cannot see.

Like every check, these never change a figure: they say why, and mark the verdicts they
put in doubt with ``DATA_ISSUES``.
"""

from __future__ import annotations

from server.classification import issues
from server.classification.aggregate import Series
from server.classification.checks import UNIT_RATIO, Findings, pairs_of, ratio, units_apart
from server.classification.layout import Layout
from server.classification.model import Quarter
from server.classification.money import money


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
