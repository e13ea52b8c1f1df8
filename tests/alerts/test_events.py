"""Which events a run fires, from the verdicts of the run before it and its own."""

from __future__ import annotations

from collections.abc import Sequence

from server.alerts import (
    AlertOn,
    FlagRaised,
    RunReport,
    VerdictChange,
    findings,
    fired,
    raised_flags,
    subscriptions,
    verdict_changes,
)
from server.classification.model import Flag, QuarterVerdict, Verdict
from tests.alerts.conftest import qv

B, S, H = Verdict.BEAT, Verdict.SOFT_MISS, Verdict.HARD_MISS
ALL = frozenset(AlertOn)


def report(
    current: Sequence[QuarterVerdict],
    previous: Sequence[QuarterVerdict] | None,
    error: str | None = None,
) -> RunReport:
    return RunReport(
        "1AbC",
        "2025-Q4",
        verdicts=tuple(current),
        previous=None if previous is None else tuple(previous),
        error=error,
    )


def test_changes_are_the_verdicts_that_moved_in_the_current_order() -> None:
    before = [qv(None, S), qv("EMEA", S), qv("AMER", B), qv("APAC", H, "2025-Q3")]
    after = [qv(None, H), qv("AMER", B), qv("emea ", H), qv("LATAM", B), qv("APAC", B, "2025-Q3")]
    assert verdict_changes(before, after) == (
        VerdictChange(None, "2025-Q4", S, H),
        VerdictChange("emea ", "2025-Q4", S, H),  # groups match ignoring case and spaces
        VerdictChange("LATAM", "2025-Q4", None, B),
        VerdictChange("APAC", "2025-Q3", H, B),
    )
    assert verdict_changes(after, after) == ()


def test_raised_flags_are_those_the_group_and_quarter_did_not_have() -> None:
    c, r, d = Flag.CONSECUTIVE_HARD_MISS, Flag.REPEATED_HARD_MISS, Flag.DATA_ISSUES
    before = [qv("EMEA", H, flags=(r,)), qv("AMER", S, flags=(d,)), qv("EMEA", H, "2025-Q3")]
    after = [qv("EMEA", H, flags=(r, c)), qv("AMER", S), qv("EMEA", H, "2025-Q3", flags=(d,))]
    assert raised_flags(before, after) == (
        FlagRaised("EMEA", "2025-Q4", (c,)),
        FlagRaised("EMEA", "2025-Q3", (d,)),
    )
    assert raised_flags([], [qv(None, B, flags=(d,))]) == (FlagRaised(None, "2025-Q4", (d,)),)


def test_a_group_newly_in_hard_miss_fires_new_hard_miss() -> None:
    found = findings(report([qv(None, S), qv("EMEA", H)], [qv(None, S), qv("EMEA", S)]))
    assert found.new_hard_misses == (VerdictChange("EMEA", "2025-Q4", S, H),)
    assert fired(ALL, found) == {AlertOn.NEW_HARD_MISS, AlertOn.EVERY_RUN}
    assert fired({AlertOn.NEW_HARD_MISS}, found) == {AlertOn.NEW_HARD_MISS}
    assert fired({AlertOn.FLAG_RAISED, AlertOn.RUN_FAILED}, found) == set()


def test_the_total_newly_in_hard_miss_fires_too() -> None:
    found = findings(report([qv(None, H), qv("EMEA", H)], [qv(None, B), qv("EMEA", H)]))
    assert found.new_hard_misses == (VerdictChange(None, "2025-Q4", B, H),)
    assert AlertOn.NEW_HARD_MISS in fired(ALL, found)


def test_a_hard_miss_that_stays_is_not_news() -> None:
    found = findings(report([qv("EMEA", H)], [qv("EMEA", H)]))
    assert found.changes == ()
    assert fired(ALL - {AlertOn.EVERY_RUN}, found) == set()
    assert fired(ALL, found) == {AlertOn.EVERY_RUN}


def test_leaving_hard_miss_is_a_change_but_no_hard_miss_alert() -> None:
    found = findings(report([qv("EMEA", S)], [qv("EMEA", H)]))
    assert found.changes == (VerdictChange("EMEA", "2025-Q4", H, S),)
    assert found.new_hard_misses == ()
    assert fired({AlertOn.NEW_HARD_MISS}, found) == set()


def test_a_newly_raised_flag_fires_flag_raised() -> None:
    flagged = qv("EMEA", H, flags=(Flag.CONSECUTIVE_HARD_MISS,))
    found = findings(report([flagged], [qv("EMEA", H)]))
    assert found.raised == (FlagRaised("EMEA", "2025-Q4", (Flag.CONSECUTIVE_HARD_MISS,)),)
    assert fired({AlertOn.FLAG_RAISED, AlertOn.NEW_HARD_MISS}, found) == {AlertOn.FLAG_RAISED}


def test_without_an_earlier_run_only_the_runs_quarter_is_news() -> None:
    history = [qv("EMEA", H, "2025-Q2", flags=(Flag.DATA_ISSUES,)), qv("EMEA", H, "2025-Q3")]
    current = [*history, qv("EMEA", H, flags=(Flag.CONSECUTIVE_HARD_MISS,)), qv("AMER", B)]
    found = findings(report(current, None))
    assert found.changes == (
        VerdictChange("EMEA", "2025-Q4", None, H),
        VerdictChange("AMER", "2025-Q4", None, B),
    )
    assert found.new_hard_misses == (VerdictChange("EMEA", "2025-Q4", None, H),)
    assert found.raised == (FlagRaised("EMEA", "2025-Q4", (Flag.CONSECUTIVE_HARD_MISS,)),)


def test_with_an_earlier_run_a_restated_quarter_counts() -> None:
    before = [qv("EMEA", S, "2025-Q3"), qv("EMEA", B)]
    after = [qv("EMEA", H, "2025-Q3"), qv("EMEA", B)]
    found = findings(report(after, before))
    assert found.new_hard_misses == (VerdictChange("EMEA", "2025-Q3", S, H),)


def test_a_failed_run_fires_run_failed_and_every_run_only() -> None:
    found = findings(
        report([], [qv("EMEA", B)], error="UPSTREAM_UNAVAILABLE: Google did not answer")
    )
    assert found.failed
    assert found.changes == ()
    assert found.raised == ()
    assert fired(ALL, found) == {AlertOn.RUN_FAILED, AlertOn.EVERY_RUN}
    assert fired({AlertOn.NEW_HARD_MISS, AlertOn.FLAG_RAISED}, found) == set()
    assert fired({AlertOn.RUN_FAILED}, findings(report([qv("EMEA", H)], None))) == set()


def test_subscriptions_accept_names_as_stored() -> None:
    assert subscriptions(["NEW_HARD_MISS", AlertOn.RUN_FAILED]) == {
        AlertOn.NEW_HARD_MISS,
        AlertOn.RUN_FAILED,
    }
