"""The one-line recommended action for a VP of Sales, per verdict, sharpened by flags.

The reasoning (SPEC 2): a Soft Miss means the team still got better, so *help* it; a
Hard Miss means it did not, so something is broken (product-market fit, competitive
position, the sales leader) — give it one more quarter, and after a second in a row
make a radical change. A plan asking for growth never shown is the number's fault.
Rejected input comes first: decisions wait until the listed cells are fixed.
"""

from __future__ import annotations

from fractions import Fraction

from server.classification.model import Comparison, Flag, Verdict
from server.classification.rules import Assessment


def _pct(rate: Fraction | None) -> str:
    return "n/a" if rate is None else f"{float(rate):+.0%}"


def _beat(a: Assessment, flags: set[Flag]) -> str:
    if Flag.UNREALISTIC_PLAN in flags:
        return (
            f"Beat a plan that asked for {_pct(a.asked_growth)} growth, above the best "
            f"{_pct(a.best_growth)} shown before: find out what changed and make it repeatable."
        )
    if Flag.REPEATED_HARD_MISS in flags:
        return (
            "Beat plan after earlier Hard Misses: confirm next quarter that the recovery "
            "holds before easing off."
        )
    if Flag.FREQUENT_SOFT_MISS in flags:
        return (
            "Beat plan after recent Soft Misses: keep the help that worked (leads, "
            "collateral, leadership on calls) in place."
        )
    return (
        "Beat plan: keep the playbook, recognise the team, and raise the bar only as far "
        "as its shown growth supports."
    )


def _soft(a: Assessment, flags: set[Flag]) -> str:
    if Flag.UNREALISTIC_PLAN in flags:
        return (
            f"Soft Miss against a plan asking {_pct(a.asked_growth)} growth when the best "
            f"shown was {_pct(a.best_growth)}: the team grew, so reset the number to "
            "demonstrated growth rather than push the team."
        )
    if Flag.FREQUENT_SOFT_MISS in flags:
        return (
            "Second Soft Miss within 4 quarters, more often than the usual one in 4-5: "
            "give the team real help now - more leads and demand generation, close the "
            "feature gaps, one strong hire."
        )
    if Flag.REPEATED_HARD_MISS in flags:
        return (
            "Soft Miss after an earlier Hard Miss: the team is growing again, keep helping "
            "(demand generation, feature gaps, leadership on calls) and watch next quarter."
        )
    return (
        "Soft Miss: bookings still grew, so help the team - more leads and demand "
        "generation, close feature gaps, better collateral and website, join more customer "
        "calls, consider one strong hire."
    )


def _hard(a: Assessment, flags: set[Flag], window: int) -> str:
    if Flag.CONSECUTIVE_HARD_MISS in flags:
        return (
            "Second Hard Miss in a row: time for radical change - act now on product-market "
            "fit, competitive position or the sales leader."
        )
    if Flag.REPEATED_HARD_MISS in flags:
        return (
            f"Another Hard Miss within {window} quarters, a big flag: do not wait, find what "
            "is broken (product-market fit, competitive position, sales leader) and change it."
        )
    if Flag.UNREALISTIC_PLAN in flags:
        return (
            f"Hard Miss, though the plan asked {_pct(a.asked_growth)} growth against a best "
            f"of {_pct(a.best_growth)}: reset the number, but bookings did not grow either - "
            "find out what broke."
        )
    return (
        "Hard Miss: bookings did not grow, so something is broken - check product-market "
        "fit, competitive position and the sales leader; give it one more quarter, not two."
    )


def recommend(a: Assessment, *, comparison: Comparison, hard_miss_window: int) -> str:
    """One line for a VP of Sales."""
    flags = set(a.flags)
    if a.verdict is Verdict.BEAT:
        action = _beat(a, flags)
    elif a.verdict is Verdict.SOFT_MISS:
        action = _soft(a, flags)
    elif a.verdict is Verdict.HARD_MISS:
        action = _hard(a, flags, hard_miss_window)
    elif a.verdict is Verdict.NO_PLAN:
        action = "No plan for this quarter: add it to the Plan tab so the quarter can be judged."
    else:
        earlier = (
            "no bookings a year earlier"
            if comparison is Comparison.SAME_QUARTER_LAST_YEAR
            else "no earlier quarter"
        )
        action = (
            f"Below plan with {earlier} to compare with: review pipeline and win rates now; "
            "next quarter will tell a Soft from a Hard Miss."
        )
    if Flag.DATA_ISSUES in flags:
        # Verdict names keep their capitals ("Soft Miss"), so no lower-casing here.
        return (
            "Fix the rejected cells listed under data issues and classify again before "
            "acting. Meanwhile: " + action
        )
    return action
