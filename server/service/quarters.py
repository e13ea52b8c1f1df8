"""Which quarter a run is about, and the quarters a sheet offers to classify.

:func:`resolve_quarter` decides a run's quarter (the one asked for, else the latest that
had ended); :func:`choices` lists the quarters for the add-on's picker, newest first,
each with the label the sheet writes, whether it was in progress and whether a run of it
would be accepted (asked for by name, as :func:`resolve_quarter` accepts it). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.classification import (
    ClassificationError,
    ClassificationResult,
    NoQuarterEnded,
    NoQuarters,
    Severity,
    UnknownQuarter,
    parse_quarter,
)


def resolve_quarter(result: ClassificationResult, asked: str | None) -> str:
    """The canonical quarter a run is about: the one asked for, else the result's default
    (the latest quarter with bookings that had ended by ``asOf``).

    Asked for by name, a classified quarter or the quarter in progress (which may have
    a pace and no won deal yet) is accepted. Without a name and with no quarter ended
    yet, the run is refused with a message naming the quarter in progress. With no
    quarter classified at all (every row rejected, say), nothing is accepted: the quarter
    in progress always has a pace, but a pace of nothing is no answer."""
    known = list(result.quarters)
    if not known:
        options = result.options
        rejected = sum(1 for i in result.issues if i.severity is Severity.ERROR)
        raise NoQuarters(options.plan_tab, options.bookings_tab, rejected)
    if asked is None or not asked.strip():
        if result.quarter is not None:
            return result.quarter
        raise NoQuarterEnded(result.as_of or date.min, result.in_progress, known)
    try:
        label = parse_quarter(asked, result.options.fiscal_year_start_month).label
    except UnknownQuarter:
        raise UnknownQuarter(asked, known) from None
    if label not in known and label != result.in_progress:
        raise UnknownQuarter(asked, known)
    return label


def labels_of(result: ClassificationResult) -> dict[str, str]:
    """Canonical quarter -> the sheet's label, the quarter in progress included (it may
    have a pace and no verdict yet)."""
    labels = dict(result.labels)
    for pace in result.pace:
        if pace.label:
            labels.setdefault(pace.quarter, pace.label)
    return labels


def in_quarter(result: ClassificationResult, quarter: str) -> bool:
    """Whether ``quarter`` had not ended at the run's ``asOf``."""
    return quarter == result.in_progress or any(
        v.in_progress for v in result.verdicts if v.quarter == quarter
    )


@dataclass(frozen=True)
class QuarterChoice:
    """One quarter of the picker (GraphQL ``QuarterChoice``)."""

    quarter: str  # canonical, "2026-Q3"
    label: str  # as the sheet writes it ("FY27 Q2"), else the canonical one
    in_progress: bool  # it had not ended at asOf
    classifiable: bool  # a run asking for it by name would be accepted


def choices(result: ClassificationResult) -> list[QuarterChoice]:
    """Every quarter the result knows (verdicts, pace), newest first."""
    labels = labels_of(result)
    known = {v.quarter for v in result.verdicts} | {p.quarter for p in result.pace}
    known |= set(result.quarters)
    picked = []
    for quarter in sorted(known, reverse=True):
        try:
            resolve_quarter(result, quarter)
            classifiable = True
        except ClassificationError:
            classifiable = False
        picked.append(
            QuarterChoice(
                quarter=quarter,
                label=labels.get(quarter) or quarter,
                in_progress=in_quarter(result, quarter),
                classifiable=classifiable,
            )
        )
    return picked
