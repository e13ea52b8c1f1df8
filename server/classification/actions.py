"""The one-line recommended action for a VP of Sales (docs/rules.md §9).

One sentence: the verdict, the gap to plan in money and attainment, the flag that
matters most, the likely cause (see :mod:`drivers`), and what to do, scaled to the
size of the miss (a 97% Soft Miss and a 52% one are different meetings).

The reasoning (docs/rules.md): a Soft Miss means the team still got better, so *help*
it; a Hard Miss means it did not, so something is broken (product-market fit,
competitive position, the sales leader): give it one more quarter, and after a second
in a row make a radical change. A plan asking for growth never shown is the number's
fault. Never alarming wording on an artefact: a group whose name matches nothing in
the other tab, a quarter that looks incomplete, units in doubt: those say what to
check. Rejected input comes first: decisions wait until the listed cells are fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from server.classification.model import Cause, Comparison, Flag, Verdict
from server.classification.money import money
from server.classification.rules import Assessment

NEAR_MISS = 0.95  # at or above: a near miss
DEEP_MISS = 0.80  # below: a deep miss


@dataclass(frozen=True)
class Context:
    comparison: Comparison = Comparison.PRIOR_QUARTER
    hard_miss_window: int = 8
    currency: str | None = None
    cause: Cause | None = None
    artefact: str | None = None  # "names", "incomplete", "units", "fiscal"
    group: str | None = None
    in_progress: bool = False


def _pct(rate: Fraction | None) -> str:
    return "n/a" if rate is None else f"{float(rate):+.0%}"


def _gap(a: Assessment, ctx: Context) -> str:
    """``$40k short of plan (90%)`` / ``$12k over plan (108%)``."""
    assert a.plan is not None
    gap = (a.bookings - a.plan) / 100
    attainment = a.attainment or 0.0
    if gap == 0:
        return "met plan exactly (100%)"
    if gap > 0:
        return f"{money(gap, ctx.currency)} over plan ({attainment:.0%})"
    return f"{money(-gap, ctx.currency)} short of plan ({attainment:.0%})"


_CAUSE_TEXT = {
    Cause.FEWER_LEADS: "fewer leads came in",
    Cause.LOWER_WIN_RATE: "the win rate fell",
    Cause.SMALLER_DEALS: "deals got smaller",
    Cause.FEWER_DEALS: "fewer deals closed",
    Cause.UNREALISTIC_PLAN: "the plan asked for growth never shown",
}
_SOFT_HELP = {
    Cause.FEWER_LEADS: "fund demand generation and more leads",
    Cause.LOWER_WIN_RATE: "coach the late stages and join more customer calls",
    Cause.SMALLER_DEALS: "coach on deal size, upsells and packaging",
    Cause.FEWER_DEALS: "more leads and demand generation, and one strong hire",
}
_HARD_FIX = {
    Cause.FEWER_LEADS: "lead flow dried up: check positioning and demand generation",
    Cause.LOWER_WIN_RATE: "look at the sales process and competitive position",
    Cause.SMALLER_DEALS: "look at pricing, discounting and competitive pressure",
    Cause.FEWER_DEALS: "check product-market fit, competitive position and the sales leader",
}


def _because(ctx: Context) -> str:
    return f", as {_CAUSE_TEXT[ctx.cause]}" if ctx.cause is not None else ""


def _beat(a: Assessment, flags: set[Flag], ctx: Context) -> str:
    head = f"Beat plan, {_gap(a, ctx)}"
    if Flag.UNREALISTIC_PLAN in flags:
        return (
            f"{head}, against a plan that asked for {_pct(a.asked_growth)} growth, above the "
            f"best {_pct(a.best_growth)} shown before: find out what changed and make it "
            "repeatable."
        )
    if Flag.REPEATED_HARD_MISS in flags:
        return (
            f"{head} after earlier Hard Misses: confirm next quarter that the recovery holds "
            "before easing off."
        )
    if Flag.FREQUENT_SOFT_MISS in flags:
        return (
            f"{head} after recent Soft Misses: keep the help that worked (leads, collateral, "
            "leadership on calls) in place."
        )
    return (
        f"{head}: keep the playbook, recognise the team, and raise the bar only as far as "
        "its shown growth supports."
    )


def _soft(a: Assessment, flags: set[Flag], ctx: Context) -> str:
    grew = f" {float(a.growth):.0%}" if a.growth is not None else ""
    head = f"Soft Miss, {_gap(a, ctx)}, but bookings grew{grew}"
    if Flag.UNREALISTIC_PLAN in flags:
        return (
            f"{head} against a plan asking {_pct(a.asked_growth)} when the best shown was "
            f"{_pct(a.best_growth)}: the team grew, so reset the number to demonstrated "
            "growth rather than push the team."
        )
    help_ = "more leads and demand generation, close feature gaps"
    if ctx.cause is not None:
        help_ = _SOFT_HELP.get(ctx.cause, help_)
    attainment = a.attainment or 0.0
    if Flag.FREQUENT_SOFT_MISS in flags:
        return (
            f"{head}; the second Soft Miss within 4 quarters, more often than the usual one "
            f"in 4-5{_because(ctx)}: help the team now - {help_}, one strong hire."
        )
    if attainment >= NEAR_MISS:
        return (
            f"{head}: a near miss{_because(ctx)} - help the team close the last deals "
            "(leadership on late-stage calls); no change of course needed."
        )
    if attainment < DEEP_MISS:
        return (
            f"{head}: a deep miss{_because(ctx)} - help the team with real resources "
            f"({help_}, better collateral, leadership on calls) and check the number was "
            "realistic."
        )
    return (
        f"{head}{_because(ctx)}: help the team - {help_}, better collateral and website, "
        "join more customer calls."
    )


def _hard(a: Assessment, flags: set[Flag], ctx: Context) -> str:
    head = f"Hard Miss, {_gap(a, ctx)}, and bookings did not grow ({_pct(a.growth)})"
    fix = "check product-market fit, competitive position and the sales leader"
    if ctx.cause is not None:
        fix = _HARD_FIX.get(ctx.cause, fix)
    if Flag.CONSECUTIVE_HARD_MISS in flags:
        return (
            f"Second Hard Miss in a row, {_gap(a, ctx)}{_because(ctx)}: time for radical "
            f"change - act now: {fix}."
        )
    if Flag.REPEATED_HARD_MISS in flags:
        return (
            f"Another Hard Miss within {ctx.hard_miss_window} quarters, {_gap(a, ctx)}"
            f"{_because(ctx)}: a big flag - do not wait; find what is broken and change it "
            f"({fix})."
        )
    if Flag.UNREALISTIC_PLAN in flags:
        return (
            f"{head}, though the plan asked {_pct(a.asked_growth)} growth against a best of "
            f"{_pct(a.best_growth)}: reset the number, but bookings did not grow either - "
            "find out what broke."
        )
    attainment = a.attainment or 0.0
    if attainment >= NEAR_MISS:
        return (
            f"{head}: close to plan but not getting better{_because(ctx)} - something is "
            f"broken or stalling; {fix} before it becomes a pattern."
        )
    if attainment < DEEP_MISS:
        return (
            f"{head}: a deep miss{_because(ctx)} - something is broken; {fix}. Give it one "
            "more quarter, not two."
        )
    return f"{head}{_because(ctx)}: something is broken - {fix}; give it one more quarter, not two."


def _artefact(ctx: Context) -> str:
    if ctx.artefact == "names":
        return (
            f"Check the group name first: {ctx.group!r} matches nothing in the other tab, so "
            "this is not a real result yet - align the names and classify again."
        )
    if ctx.artefact == "units":
        return (
            "Check the units first: plan and bookings look like different units (a plan in "
            "thousands?) - write the unit in the header and classify again before acting."
        )
    if ctx.artefact == "fiscal":
        return (
            "Check the fiscal calendar first: the quarters the sheet writes and the deal "
            "dates disagree - set fiscalYearStartMonth and classify again before acting."
        )
    return (
        "Check the data first: this quarter's bookings look incomplete (the export stops "
        "early) - fix the export and classify again before acting."
    )


def recommend(a: Assessment, ctx: Context) -> str:
    """One line for a VP of Sales."""
    flags = set(a.flags)
    if ctx.artefact is not None:
        return _artefact(ctx)
    if a.verdict is Verdict.BEAT:
        action = _beat(a, flags, ctx)
    elif a.verdict is Verdict.SOFT_MISS:
        action = _soft(a, flags, ctx)
    elif a.verdict is Verdict.HARD_MISS:
        action = _hard(a, flags, ctx)
    elif a.verdict is Verdict.NO_PLAN:
        action = "No plan for this quarter: add it to the Plan tab so the quarter can be judged."
    else:
        earlier = (
            "no bookings a year earlier"
            if ctx.comparison is Comparison.SAME_QUARTER_LAST_YEAR
            else "no earlier quarter"
        )
        action = (
            f"Below plan, {_gap(a, ctx)}, with {earlier} to compare with: review pipeline "
            "and win rates now; next quarter will tell a Soft from a Hard Miss."
        )
    if ctx.in_progress:
        action = "So far (quarter in progress): " + action
    if Flag.DATA_ISSUES in flags:
        # Verdict names keep their capitals ("Soft Miss"), so no lower-casing here.
        return (
            "Fix the rejected cells listed under data issues and classify again before "
            "acting. Meanwhile: " + action
        )
    return action
