"""Checks of the Plan tab against itself and the bookings: findings that say the plan
may be read wrong, group by group (see :mod:`server.classification.checks` for the
checks of the company as a whole).

* rival plan columns: a Target and a Quota with other figures; the one read is named,
  with the ``planColumn`` option that picks the other.

Like every check, these never change a figure: they say why, and mark the verdicts they
put in doubt with ``DATA_ISSUES``.
"""

from __future__ import annotations

from server.classification import issues
from server.classification.checks import Findings
from server.classification.layout import Layout


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
