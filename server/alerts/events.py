"""Which alert events a run fires: pure functions over two runs' verdicts.

Functional core: given the verdicts of the previous successful run of a sheet and quarter
(or none) and this run's, :func:`verdict_changes` and :func:`raised_flags` say what moved,
:func:`findings` gathers it, and :func:`fired` says which of the events a spreadsheet
subscribes to (:class:`~server.alerts.model.AlertOn`) that is.

Groups match between runs as everywhere else, ignoring case and spacing. With no earlier
run, only the run's own quarter is news: its Hard Misses and flags count as new, the
history before it does not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from server.alerts.model import AlertOn, FlagRaised, RunReport, VerdictChange
from server.classification.model import QuarterVerdict, Verdict
from server.classification.values import fold

Key = tuple[str | None, str]


def _key(verdict: QuarterVerdict) -> Key:
    return (None if verdict.group is None else fold(verdict.group), verdict.quarter)


def verdict_changes(
    previous: Iterable[QuarterVerdict], current: Iterable[QuarterVerdict]
) -> tuple[VerdictChange, ...]:
    """Every group and quarter of ``current`` whose verdict differs from ``previous``
    (``before`` None where ``previous`` has none), in ``current``'s order."""
    before = {_key(v): v.verdict for v in previous}
    return tuple(
        VerdictChange(v.group, v.quarter, before.get(_key(v)), v.verdict)
        for v in current
        if before.get(_key(v)) is not v.verdict
    )


def raised_flags(
    previous: Iterable[QuarterVerdict], current: Iterable[QuarterVerdict]
) -> tuple[FlagRaised, ...]:
    """The flags of each group and quarter of ``current`` that ``previous`` did not have
    there (all of them where ``previous`` has no verdict), in ``current``'s order."""
    before = {_key(v): set(v.flags) for v in previous}
    raised = []
    for v in current:
        new = tuple(f for f in v.flags if f not in before.get(_key(v), set()))
        if new:
            raised.append(FlagRaised(v.group, v.quarter, new))
    return tuple(raised)


@dataclass(frozen=True)
class Findings:
    """What a run found, whatever the spreadsheet subscribes to."""

    failed: bool
    changes: tuple[VerdictChange, ...]
    raised: tuple[FlagRaised, ...]

    @property
    def new_hard_misses(self) -> tuple[VerdictChange, ...]:
        """Groups (or the total) now in Hard Miss that were not before."""
        return tuple(
            c
            for c in self.changes
            if c.after is Verdict.HARD_MISS and c.before is not Verdict.HARD_MISS
        )


def findings(report: RunReport) -> Findings:
    """What moved in ``report`` against its previous run (see the module docstring)."""
    if report.failed:
        return Findings(failed=True, changes=(), raised=())
    current: tuple[QuarterVerdict, ...] = report.verdicts
    previous: tuple[QuarterVerdict, ...] = report.previous or ()
    if report.previous is None:
        current = tuple(v for v in current if v.quarter == report.quarter)
    return Findings(
        failed=False,
        changes=verdict_changes(previous, current),
        raised=raised_flags(previous, current),
    )


def fired(on: Collection[AlertOn], found: Findings) -> frozenset[AlertOn]:
    """The events of ``on`` that ``found`` fires; empty: send nothing."""
    events = set()
    if AlertOn.EVERY_RUN in on:
        events.add(AlertOn.EVERY_RUN)
    if found.failed and AlertOn.RUN_FAILED in on:
        events.add(AlertOn.RUN_FAILED)
    if found.new_hard_misses and AlertOn.NEW_HARD_MISS in on:
        events.add(AlertOn.NEW_HARD_MISS)
    if found.raised and AlertOn.FLAG_RAISED in on:
        events.add(AlertOn.FLAG_RAISED)
    return frozenset(events)
