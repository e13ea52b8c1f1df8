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

What is left must hold one version, else summing it would count the plan twice, and
the tab is refused (:class:`RivalVersions`) with the values or labels to fix:

* long: a ``Version`` / ``Scenario`` column (or a ``Category`` whose values are all
  versions) with two values or more that give figures for the same quarter and group
  (``Base`` and ``High``; ``Budget v1`` and ``Budget v2``). Versions that cover
  different quarters (``Budget FY25`` rows for 2025, ``Budget FY26`` for 2026) are one
  plan, read whole; a ``Category`` of ``Hardware`` and ``Software`` is a split, summed.
* wide: two columns of the same quarter, unless they stand under labels that name
  parts of the business (``New Business`` over Q1..Q4, ``Renewal`` over Q1..Q4: summed,
  and said so in each column's use). Without labels, or under labels that name a
  version or a scenario (``Budget`` and ``Revised Budget``, ``Base`` and ``Upside``),
  the tab is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from server.classification.errors import RivalVersions
from server.classification.layout import Column, Kind, Layout, TabRole, Use
from server.classification.values import collapse, fold, is_blank
from server.quoting import quoted

PLAN, ACTUAL, OTHER = "plan", "actual", "other"

#: Headers of a column that holds versions whatever its values are.
_VERSION_HEADERS = frozenset(
    {"version", "versions", "scenario", "scenarios", "plan version", "data type"}
    | {"budget category", "budget version", "forecast version"}
)
#: ... and of one that may (``Category``: Budget/Forecast, or Hardware/Software).
_HEADERS = _VERSION_HEADERS | {"category"}
#: Words of a scenario or a draft: two blocks of the same quarters labelled so are two
#: versions of one figure, not two parts of the business.
_SCENARIO_WORDS = frozenset(
    {"base", "baseline", "high", "low", "mid", "medium", "downside", "conservative"}
    | {"aggressive", "optimistic", "pessimistic", "worst", "best", "case", "scenario"}
    | {"original", "revised", "revision", "draft", "final", "approved", "initial"}
    | {"updated", "old", "version", "fy", "v"}
)
_WORDS = {
    OTHER: frozenset(
        {"forecast", "forecasts", "fcst", "fc", "outlook", "reforecast", "rf", "commit"}
        | {"upside", "stretch", "projection", "projected", "estimate", "pipeline", "lbe"}
        | {"prior", "previous", "py", "ly"}  # last year's figures laid on this year's
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
    if layout.kind not in (Kind.LONG, Kind.WIDE, Kind.MONTHLY_WIDE):
        return Selection(rows, layout)
    chosen = _long(rows, layout, keep, what)  # a version column: by row, in any table
    _one_version_per_key(chosen)
    if layout.kind is Kind.LONG:
        return chosen
    blocks = _blocks(chosen.rows, chosen.layout, keep, what)
    blocks = replace(blocks, left_out=blocks.left_out + chosen.left_out)
    return _one_column_per_period(chosen.rows, blocks)


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
                    found[collapse(str(cell))] += 1
        kinds = {value: kind(value) for value in found}
        if not found or None in kinds.values():
            continue
        if keep not in kinds.values() or len(set(kinds.values())) < 2:
            continue
        out = list(rows[: layout.header_row + 1])
        left: Counter[str] = Counter()
        for row in body:
            cell = row[column.index] if _has(row, column) else None
            value = None if is_blank(cell) else collapse(str(cell))
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
    labels = _labels_above(rows, layout)
    if not labels or not layout.period_columns:
        return Selection(rows, layout)
    under = {c.index: labels.get(c.index) for c, _ in layout.period_columns}
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


def _version_column(column: Column, kinds: dict[str, str | None]) -> bool:
    """Whether ``column`` holds versions: by its header, or (a ``Category``) because
    every value names one."""
    return column.key in _VERSION_HEADERS or None not in kinds.values()


def _one_version_per_key(chosen: Selection) -> None:
    """Refuse a long tab whose version column still holds two values or more for the
    same quarter and group (see the module)."""
    layout = chosen.layout
    versions = [u.column for u in layout.uses if u.role == "version" and u.column.key in _HEADERS]
    candidates = [
        *versions,
        *(c for c in dict.fromkeys((*layout.dimensions, *layout.named)) if c.key in _HEADERS),
    ]
    if not candidates:
        return
    body = list(islice(chosen.rows, layout.header_row + 1, None))
    for column in dict.fromkeys(candidates):
        by_key: dict[tuple[Any, ...], str] = {}
        rows_of: Counter[str] = Counter()
        clash: tuple[tuple[Any, ...], str, str] | None = None
        key_columns = _key_columns(layout, column)
        for row in body:
            if not _has(row, column) or is_blank(row[column.index]):
                continue
            value = collapse(str(row[column.index]))
            rows_of[value] += 1
            key = tuple(row[c.index] if _has(row, c) else None for c in key_columns)
            first = by_key.setdefault(key, value)
            if first != value and clash is None:
                clash = (key, first, value)
        if clash is None or len(rows_of) < 2:
            continue
        if not _version_column(column, {v: kind(v) for v in rows_of}):
            continue
        key, first, second = clash
        where = ", ".join(str(k) for k in key if not is_blank(k)) or "the same rows"
        raise RivalVersions(
            layout.tab,
            f"column {column.letter} {quoted(column.header)}",
            rows_of.most_common(),
            f"{quoted(first)} and {quoted(second)} both give a figure for {quoted(where)}",
        )


def _key_columns(layout: Layout, version: Column) -> list[Column]:
    """The columns that say which quarter and group a row is about (in a wide table, the
    quarter is the column: the groups alone)."""
    periods = {c.index for c, _ in layout.period_columns}
    used = [
        u.column
        for u in layout.uses
        if u.role in ("quarter", "year", "date", "group") and u.column.index not in periods
    ]
    columns = [*used, *layout.dimensions]
    return [c for c in dict.fromkeys(columns) if c.index != version.index]


def _one_column_per_period(rows: Sequence[Any], chosen: Selection) -> Selection:
    """Two columns of one period: summed when block labels above name parts of the
    business, each column's use says so; else the tab is refused (see the module)."""
    layout = chosen.layout
    by_period: dict[int, list[Column]] = {}
    for column, period in layout.period_columns:
        by_period.setdefault(period, []).append(column)
    repeated = [cs for cs in by_period.values() if len(cs) > 1]
    if not repeated:
        return chosen
    grain = "quarter" if layout.kind is Kind.WIDE else "month"
    labels = _labels_above(rows, layout)
    for columns in repeated:  # ``Q1 2026 New`` beside ``Q1 2026 Renewal``: named apart
        if len({c.key for c in columns}) == len(columns):
            labels.update({c.index: c.header for c in columns if c.index not in labels})
    clashes = [columns for columns in repeated if not _split(columns, labels)]
    if clashes:
        columns = clashes[0]
        under = [labels.get(c.index) for c in columns]
        every = ", ".join(quoted(cs[0].header) for cs in clashes[:12])
        more = f" and {len(clashes) - 12} more" if len(clashes) > 12 else ""
        raise RivalVersions(
            layout.tab,
            f"columns {' and '.join(c.letter for c in columns)}",
            [(_column_under(c, v), 0) for c, v in zip(columns, under, strict=True)],
            f"they are the same {grain}; the {grain}s with two columns or more are {every}{more}"
            if len(clashes) > 1
            else f"they are the same {grain}, {quoted(columns[0].header)}",
        )
    summed = {c.index for cs in repeated for c in cs}
    row_number = layout.header_row  # 1-based number of the row above the header

    def part(use: Use) -> Use:
        label = labels[use.column.index]
        if label == use.column.header:
            note = f"{use.note}; summed with the other parts of its {grain}"
        else:
            note = (
                f"{use.note}; under {quoted(label)} (row {row_number}), summed with the other parts"
            )
        return Use(use.column, use.role, note)

    uses = tuple(
        part(u) if u.column.index in summed and u.role in ("quarter", "month") else u
        for u in layout.uses
    )
    return replace(chosen, layout=replace(layout, uses=uses))


def _split(columns: list[Column], labels: dict[int, Any]) -> bool:
    """Columns of one period under labels that each name a part of the business."""
    under = [labels.get(c.index) for c in columns]
    return (
        all(v is not None for v in under)
        and len({fold(str(v)) for v in under}) == len(columns)
        and all(kind(v) is None and not _scenario(v) for v in under)
    )


def _column_under(column: Column, label: Any) -> str:
    under = f" under {quoted(label)}" if label is not None else ""
    return f"{column.letter} {quoted(column.header)}{under}"


def _labels_above(rows: Sequence[Any], layout: Layout) -> dict[int, Any]:
    """The label each column stands under in the row above the header (a merged cell's
    value spilled over the blanks right of it), by column index."""
    if layout.header_row == 0:
        return {}
    above = rows[layout.header_row - 1]
    if not isinstance(above, list | tuple):
        return {}
    out: dict[int, Any] = {}
    label: Any = None
    for i, cell in enumerate(above):
        label = label if is_blank(cell) else cell
        if label is not None:
            out[i] = label
    return out


def _scenario(value: Any) -> bool:
    """A label made of scenario or draft words only (``Base Case``, ``High``, ``Draft
    v2``); ``High Touch`` or ``Installed Base`` name parts of the business."""
    words = re.findall(r"[a-z]+", str(value).casefold())
    return bool(words) and all(w in _SCENARIO_WORDS for w in words)
