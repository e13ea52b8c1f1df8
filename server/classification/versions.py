"""Versions in one tab: a plan tab that also holds forecasts and actuals, a bookings tab
that also holds forecasts. The Plan tab reads only its plan version (Plan, Budget,
Target, Quota, Goal); the Bookings tab only its actuals. Anything else (Forecast,
Outlook, Commit, a reforecast) is never summed into either.

* long tables: a ``Version`` / ``Scenario`` column whose values name versions
  (``Budget FY25``, ``Forecast 6+6``, ``Actuals``): the other versions' rows are left
  out, counted by value in the run's inputs;
* wide tables: a row above the header that labels blocks of quarter columns (``Plan``
  over Q1..Q4, ``Actual`` over the same Q1..Q4, merged cells spilled as blanks): the
  other blocks' columns are ignored, each with the label it stands under.

Only when the versions are of two kinds or more and one is the tab's own: a tab holding
only forecasts is read as before. Tables of deals are never touched (their Forecast
Category is a status), so the bookings fast path costs nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from server.classification.layout import Column, Kind, Layout, TabRole, Use
from server.classification.values import fold, is_blank

PLAN, ACTUAL, OTHER = "plan", "actual", "other"

_HEADERS = frozenset(
    {"version", "versions", "scenario", "scenarios", "plan version", "data type", "category"}
)
_WORDS = {
    OTHER: frozenset(
        {"forecast", "forecasts", "fcst", "fc", "outlook", "reforecast", "rf", "commit"}
        | {"upside", "stretch", "projection", "projected", "estimate", "pipeline", "lbe"}
    ),
    PLAN: frozenset({"plan", "planned", "budget", "budgets", "target", "targets", "aop"})
    | frozenset({"quota", "quotas", "goal", "goals"}),
    ACTUAL: frozenset({"actual", "actuals", "booked", "bookings", "achieved", "closed"}),
}
_WORD = re.compile(r"[a-z]+")


def kind(value: Any) -> str | None:
    """``plan``, ``actual`` or ``other`` (a forecast: checked first, so ``Budget
    Reforecast`` is a forecast), or None when the value names no version."""
    if not isinstance(value, str):
        return None
    words = set(_WORD.findall(value.casefold()))
    if "best" in words and "case" in words:
        return OTHER
    for name in (OTHER, PLAN, ACTUAL):
        if words & _WORDS[name]:
            return name
    return None


@dataclass(frozen=True)
class Selection:
    """The rows and layout to read, and the rows left out by reason."""

    rows: Sequence[Any]
    layout: Layout
    left_out: Counter[str] = field(default_factory=Counter)


def select(rows: Sequence[Any], layout: Layout) -> Selection:
    """Keep the tab's own version (see the module)."""
    if layout.role is TabRole.PLAN:
        keep, what = PLAN, "not the plan"
    elif layout.role is TabRole.BOOKINGS:
        keep, what = ACTUAL, "not actuals"
    else:
        return Selection(rows, layout)
    if layout.kind is Kind.LONG:
        return _long(rows, layout, keep, what)
    if layout.kind in (Kind.WIDE, Kind.MONTHLY_WIDE):
        return _blocks(rows, layout, keep, what)
    return Selection(rows, layout)


def _long(rows: Sequence[Any], layout: Layout, keep: str, what: str) -> Selection:
    used = {u.column.index for u in layout.uses if u.role != "ignored"}
    candidates = [
        c
        for c in dict.fromkeys((*layout.dimensions, *layout.named))
        if fold(c.header) in _HEADERS and c.index not in used
    ]
    body = list(islice(rows, layout.header_row + 1, None))
    for column in candidates:
        found: Counter[str] = Counter()
        for row in body:
            if _has(row, column):
                cell = row[column.index]
                if not is_blank(cell):
                    found[" ".join(str(cell).split())] += 1
        kinds = {value: kind(value) for value in found}
        if not found or None in kinds.values():
            continue
        if keep not in kinds.values() or len(set(kinds.values())) < 2:
            continue
        out = list(rows[: layout.header_row + 1])
        left: Counter[str] = Counter()
        for row in body:
            cell = row[column.index] if _has(row, column) else None
            value = None if is_blank(cell) else " ".join(str(cell).split())
            if value is not None and kinds[value] != keep:
                left[f"{value!r} rows ({column.header}: {what})"] += 1
                out.append(())  # an empty row keeps every later row's number
            else:
                out.append(row)
        kept = " and ".join(repr(v) for v, k in kinds.items() if k == keep)
        other = " and ".join(repr(v) for v, k in kinds.items() if k != keep)
        note = f"only {kept} rows are read; {other} rows left out ({what})"
        uses = (*layout.uses, Use(column, "version", note))
        dimensions = tuple(c for c in layout.dimensions if c.index != column.index)
        return Selection(out, replace(layout, uses=uses, dimensions=dimensions), left)
    return Selection(rows, layout)


def _has(row: Any, column: Column) -> bool:
    return isinstance(row, list | tuple) and column.index < len(row)


def _blocks(rows: Sequence[Any], layout: Layout, keep: str, what: str) -> Selection:
    if layout.header_row == 0 or not layout.period_columns:
        return Selection(rows, layout)
    above = rows[layout.header_row - 1]
    if not isinstance(above, list | tuple):
        return Selection(rows, layout)
    label: Any = None
    spilled: list[Any] = []
    for cell in above:  # a merged cell's value stands over the blanks right of it
        label = label if is_blank(cell) else cell
        spilled.append(label)
    under = {
        c.index: (spilled[c.index] if c.index < len(spilled) else None)
        for c, _ in layout.period_columns
    }
    kinds = {i: kind(v) for i, v in under.items()}
    if None in kinds.values() or keep not in kinds.values() or len(set(kinds.values())) < 2:
        return Selection(rows, layout)
    dropped = {i for i, k in kinds.items() if k != keep}
    row_number = layout.header_row  # 1-based number of the row above the header

    def ignored(column: Column) -> Use:
        why = f"under {under[column.index]!r} (row {row_number}): {what}"
        return Use(column, "ignored", why)

    uses = tuple(
        ignored(u.column) if u.column.index in dropped else u
        for u in layout.uses
        if u.column.index not in dropped or u.role != "ignored"
    )
    periods = tuple((c, q) for c, q in layout.period_columns if c.index not in dropped)
    return Selection(rows, replace(layout, uses=uses, period_columns=periods))
