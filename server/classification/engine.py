"""The entry point: ``classify(plan_values, bookings_values, options)``.

Pure: the two tabs come in as 2-D lists of cell values, verdicts and data issues go
out. The steps, each in its own module::

    tables     find each tab's header, layout and the group columns
    reading    amounts per group and fiscal quarter, and data issues
    aggregate  one series per group and the company total, in cents
    rules      verdicts and flags
    actions    the recommended action
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.classification.actions import recommend
from server.classification.aggregate import Series, build_series
from server.classification.errors import ClassificationError, InvalidOptions
from server.classification.model import (
    ClassificationResult,
    ClassifyOptions,
    DataIssue,
    Quarter,
    QuarterVerdict,
)
from server.classification.quarters import parse_quarter
from server.classification.reading import read_tab
from server.classification.rules import assess
from server.classification.tables import TabRole, choose_groups, find_layout

__all__ = ["classify", "parse_quarter"]


def _options(options: Mapping[str, Any] | ClassifyOptions | None) -> ClassifyOptions:
    if isinstance(options, ClassifyOptions):
        return options
    if options is None or isinstance(options, Mapping):
        try:
            return ClassifyOptions.from_mapping(options)
        except ClassificationError:
            raise
        except (TypeError, ValueError, AttributeError) as err:
            raise InvalidOptions("options", options, f"cannot be read ({err})") from None
    raise InvalidOptions("options", options, "must be a mapping of ClassifyOptions fields")


def _rows(values: Any) -> Sequence[Any]:
    """The tab's rows as a list; anything that is not a grid reads as an empty tab."""
    if isinstance(values, list | tuple):
        return values
    if values is None or isinstance(values, str | bytes | Mapping):
        return []
    try:
        return list(values)
    except TypeError:
        return []


def _verdicts(series: Series, options: ClassifyOptions) -> list[QuarterVerdict]:
    out = []
    for a in assess(
        series, comparison=options.comparison, hard_miss_window=options.hard_miss_window
    ):
        out.append(
            QuarterVerdict(
                group=series.name,
                quarter=Quarter.from_index(a.quarter).label,
                plan=None if a.plan is None else a.plan / 100,
                bookings=a.bookings / 100,
                baseline=None if a.baseline is None else a.baseline / 100,
                attainment=a.attainment,
                growth=None if a.growth is None else float(a.growth),
                verdict=a.verdict,
                flags=a.flags,
                action=recommend(
                    a, comparison=options.comparison, hard_miss_window=options.hard_miss_window
                ),
            )
        )
    return out


def classify(
    plan_values: Sequence[Sequence[Any]],
    bookings_values: Sequence[Sequence[Any]],
    options: Mapping[str, Any] | ClassifyOptions | None = None,
) -> ClassificationResult:
    """Classify every group's quarters, and the company total's, from the two tabs.

    Raises only :class:`~server.classification.errors.ClassificationError` subclasses:
    ``InvalidOptions``, ``HeaderNotFound`` (a tab with no recognisable header) and
    ``ColumnNotFound`` (a ``groupBy`` column missing from a tab). Bad cells are data
    issues in the result, never exceptions.
    """
    opts = _options(options)
    plan_rows, bookings_rows = _rows(plan_values), _rows(bookings_values)
    plan_layout = find_layout(opts.plan_tab, plan_rows, TabRole.PLAN)
    bookings_layout = find_layout(opts.bookings_tab, bookings_rows, TabRole.BOOKINGS)
    groups = choose_groups(plan_layout, bookings_layout, opts.group_by)
    start = opts.fiscal_year_start_month
    plan = read_tab(plan_rows, plan_layout, [g.plan for g in groups], start)
    bookings = read_tab(bookings_rows, bookings_layout, [g.bookings for g in groups], start)

    verdicts: list[QuarterVerdict] = []
    for series in build_series(plan, bookings, grouped=bool(groups)):
        verdicts.extend(_verdicts(series, opts))
    issues: list[DataIssue] = [*plan.issues, *bookings.issues]
    return ClassificationResult(
        verdicts=tuple(verdicts),
        issues=tuple(issues),
        group_columns=tuple(g.name for g in groups),
        quarters=tuple(sorted({v.quarter for v in verdicts})),
        options=opts,
    )
