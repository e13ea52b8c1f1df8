"""The entry point: ``classify(plan_values, bookings_values, options)``.

Pure: the tabs come in as 2-D lists of cell values, verdicts and data issues go out.
The steps, each in its own module::

    layout     find each tab's header, layout and what each column is for
    reading    facts per status, deal type, group and period, and data issues
    aggregate  one series per group and the company total, in cents
    checks     findings across the tabs (units, names, incomplete quarters…)
    rules      verdicts and flags
    drivers    why: deals, deal size, win rate, mix, leads; the likely cause
    pace       the quarter in progress
    actions    the recommended action
    inputs     how each tab was read

The one thing the domain cannot know is today: ``asOf`` defaults to the day
:func:`classify` is called (services pass it explicitly).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from itertools import islice
from typing import Any

from server.classification import checks, inputs, quarters
from server.classification.actions import Context, recommend
from server.classification.aggregate import Series, Sums, build_series, known_quarters, sums
from server.classification.currency import Rates, locale_currency, read_rates
from server.classification.drivers import drivers
from server.classification.errors import (
    ClassificationError,
    HeaderNotFound,
    InvalidOptions,
    NoWonDeals,
)
from server.classification.issues import note
from server.classification.layout import (
    Grain,
    Kind,
    Layout,
    Picks,
    TabRole,
    choose_groups,
    find_layout,
    leads_groups,
)
from server.classification.model import (
    ClassificationResult,
    ClassifyOptions,
    Comparison,
    DataIssue,
    Quarter,
    QuarterVerdict,
    Severity,
    TabReading,
)
from server.classification.pace import pace
from server.classification.periods import Calendar
from server.classification.quarters import LabelStyle, parse_quarter
from server.classification.reading import Facts, ReadContext, read_tab
from server.classification.rules import assess
from server.classification.statuses import Status, StatusReader

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


def _check_won(rows: Sequence[Any], layout: Layout, statuses: StatusReader) -> None:
    """A status column where no value reads as won would report zero bookings: refuse."""
    column = layout.status
    if column is None:
        return
    counted: Counter[str] = Counter()
    for row in islice(rows, layout.header_row + 1, None):
        if isinstance(row, list | tuple) and column.index < len(row):
            cell = row[column.index]
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            closed = None
            if layout.closed is not None and layout.closed.index < len(row):
                closed = row[layout.closed.index]
            if statuses(cell, closed) is Status.WON:
                return
            counted[str(cell).strip()] += 1
    if counted:
        raise NoWonDeals(layout.tab, column.header, counted.most_common(6))


def _label_style(
    plan_rows: Sequence[Any], plan: Layout, bookings: Layout, rows: Sequence[Any]
) -> LabelStyle | None:
    """How the sheet writes quarters, from the plan's labels (else the bookings')."""
    for layout, tab_rows in ((plan, plan_rows), (bookings, rows)):
        if layout.kind is Kind.WIDE:
            for column, _ in layout.period_columns:
                style = LabelStyle.learn(column.header)
                if style is not None:
                    return style
        elif layout.period is not None and layout.grain is Grain.QUARTER and layout.year is None:
            for row in tab_rows[layout.header_row + 1 : layout.header_row + 50]:
                if isinstance(row, list | tuple) and layout.period.index < len(row):
                    cell = row[layout.period.index]
                    if isinstance(cell, str):
                        style = LabelStyle.learn(cell)
                        if style is not None:
                            return style
    return None


def _read_leads(
    values: Any, opts: ClassifyOptions, groups: Sequence[Any], ctx: ReadContext, calendar: Calendar
) -> tuple[dict[Any, dict[int, float]] | None, bool, list[DataIssue], TabReading | None]:
    rows = _rows(values)
    if not rows:
        return None, False, [], None
    try:
        layout = find_layout(opts.leads_tab, rows, TabRole.LEADS)
    except HeaderNotFound as err:
        return (
            None,
            False,
            [note(opts.leads_tab, f"{err} Leads are left out of the drivers.")],
            None,
        )
    columns = leads_groups(layout, groups)
    total_only = columns is None
    facts = read_tab(rows, layout, columns or [], ctx)
    counted = sums(facts, calendar)
    said = []
    if total_only and groups:
        said.append("no group column matches the other tabs: leads count for the total only")
    reading = inputs.reading(layout, facts, currency=None, notes=said)
    return counted.amounts, total_only, facts.issues, reading


def classify(
    plan_values: Sequence[Sequence[Any]],
    bookings_values: Sequence[Sequence[Any]],
    options: Mapping[str, Any] | ClassifyOptions | None = None,
    *,
    leads_values: Sequence[Sequence[Any]] | None = None,
    rates_values: Sequence[Sequence[Any]] | None = None,
    locale: str | None = None,
    explain: bool = True,
) -> ClassificationResult:
    """Classify every group's quarters, and the company total's, from the tabs.

    ``leads_values`` and ``rates_values`` are the optional Leads and Rates tabs;
    ``locale`` is the spreadsheet's ``properties.locale`` (``en_GB``…), which decides
    ``04/03/2025`` when nothing in a column does. ``explain=False`` leaves out the
    drivers and the pace (the benchmark measures what they cost).

    Raises only :class:`~server.classification.errors.ClassificationError` subclasses:
    ``InvalidOptions``, ``HeaderNotFound`` (a tab with no recognisable header),
    ``ColumnNotFound`` (a column an option names is missing) and ``NoWonDeals`` (a
    status column with no won value). Bad cells are data issues, never exceptions.
    """
    opts = _options(options)
    as_of = opts.as_of or date.today()
    start = opts.fiscal_year_start_month
    calendar = Calendar(start, as_of)
    plan_rows, bookings_rows = _rows(plan_values), _rows(bookings_values)
    plan_layout = find_layout(opts.plan_tab, plan_rows, TabRole.PLAN, Picks(plan=opts.plan_column))
    bookings_layout = find_layout(
        opts.bookings_tab,
        bookings_rows,
        TabRole.BOOKINGS,
        Picks(date=opts.date_column, amount=opts.amount_column, basis=plan_layout.basis),
    )
    statuses = StatusReader(opts.won_statuses)
    _check_won(bookings_rows, bookings_layout, statuses)
    groups = choose_groups(plan_layout, bookings_layout, opts.group_by)
    found: list[DataIssue] = []
    if (
        not groups
        and opts.group_by is None
        and (plan_layout.dimensions or bookings_layout.dimensions)
    ):
        found.append(_no_shared_groups(plan_layout, bookings_layout))
    rates = read_rates(opts.rates_tab, rates_values, locale)
    order = opts.date_order.value if opts.date_order is not None else None
    ctx = ReadContext(start, order, locale, statuses, None, rates, as_of)
    # The reporting currency is the plan's, else the most common in bookings.
    plan = read_tab(plan_rows, plan_layout, [g.plan for g in groups], ctx)
    ctx = replace(ctx, reporting=plan.reporting)
    bookings = read_tab(bookings_rows, bookings_layout, [g.bookings for g in groups], ctx)
    # Nothing names a currency: the sheet's locale formats money in its own.
    reporting = bookings.reporting or locale_currency(locale)
    leads, leads_total_only, leads_issues, leads_reading = _read_leads(
        leads_values, opts, groups, ctx, calendar
    )
    plan_sums, bookings_sums = sums(plan, calendar), sums(bookings, calendar)
    spelling = {**bookings.spelling, **plan.spelling}  # the Plan's spelling wins
    series = build_series(
        plan_sums,
        bookings_sums,
        spelling,
        grouped=bool(groups),
        touched=plan.touched | bookings.touched,
        leads=leads,
        leads_total_only=leads_total_only,
    )
    known = known_quarters(bookings_sums)
    style = _label_style(plan_rows, plan_layout, bookings_layout, bookings_rows)
    findings = _checks(
        series, plan, bookings, plan_sums, opts, calendar, known, as_of, reporting, style
    )
    result_verdicts = _verdicts(
        series,
        opts,
        findings,
        currency=reporting,
        style=style,
        as_of=as_of,
        calendar=calendar,
        deals=explain and bookings_layout.kind is Kind.DEALS,
        bookings_sums=bookings_sums,
        has_leads=leads is not None,
    )
    classified = sorted({v.quarter for v in result_verdicts})
    ended = [q for q in classified if calendar.last_day(parse_quarter(q).index) < as_of]
    current = quarters.date_index(as_of, calendar.start)
    lag = 4 if opts.comparison is Comparison.SAME_QUARTER_LAST_YEAR else 1
    paces = (
        pace(
            series,
            bookings,
            calendar,
            as_of,
            lag=lag,
            label=style.format(current) if style else "",
            has_open=bookings_layout.status is not None,
        )
        if explain
        else []
    )
    issues_out: list[DataIssue] = [
        *found,
        *rates.issues,
        *plan.issues,
        *bookings.issues,
        *leads_issues,
        *findings.issues,
    ]
    readings = [
        inputs.reading(plan_layout, plan, currency=reporting, groups=[g.plan for g in groups]),
        inputs.reading(
            bookings_layout,
            bookings,
            currency=reporting,
            notes=_currency_notes(bookings.census, reporting, rates),
            groups=[g.bookings for g in groups],
        ),
    ]
    if leads_reading is not None:
        readings.append(leads_reading)
    labels = {q: style.format(parse_quarter(q).index) for q in classified} if style else {}
    in_progress = Quarter.from_index(current).label
    return ClassificationResult(
        verdicts=tuple(result_verdicts),
        issues=tuple(issues_out),
        group_columns=tuple(g.name for g in groups),
        quarters=tuple(classified),
        options=opts,
        quarter=ended[-1] if ended else None,
        as_of=as_of,
        in_progress=in_progress if in_progress in classified or paces else None,
        currency=reporting,
        inputs=tuple(readings),
        pace=tuple(paces),
        labels=labels,
    )


def _currency_notes(census: Counter[str], reporting: str | None, rates: Rates) -> list[str]:
    others = sorted(c for c in census if c != reporting)
    if not others:
        return []
    converted = [c for c in others if c in rates.rates]
    refused = [c for c in others if c not in rates.rates]
    said = []
    if converted:
        said.append(
            f"amounts in {', '.join(converted)} converted to {reporting} with the {rates.tab} tab"
        )
    if refused:
        said.append(f"rows in {', '.join(refused)} left out: no rate to {reporting}")
    return said


def _no_shared_groups(plan: Layout, bookings: Layout) -> DataIssue:
    def names(layout: Layout) -> str:
        return ", ".join(repr(c.header) for c in layout.dimensions) or "none"

    return note(
        bookings.tab,
        f"{plan.tab} and {bookings.tab} share no group column ({plan.tab}: {names(plan)}; "
        f"{bookings.tab}: {names(bookings)}), so only the company total is classified. "
        "Rename a column so both tabs use the same header, or name the columns with the "
        "groupBy option.",
        severity=Severity.WARNING,
    )


def _checks(
    series: list[Series],
    plan: Facts,
    bookings: Facts,
    plan_sums: Sums,
    opts: ClassifyOptions,
    calendar: Calendar,
    known: range,
    as_of: date,
    reporting: str | None,
    style: LabelStyle | None,
) -> checks.Findings:
    out = checks.Findings()
    plan_quarters = {q for by_q in plan_sums.amounts.values() for q in by_q}
    parts = [
        checks.units(series[0], opts.plan_tab, opts.bookings_tab, reporting),
        checks.unmatched(series, opts.plan_tab, opts.bookings_tab) if len(series) > 1 else None,
        checks.incomplete(bookings, calendar, known, as_of),
        checks.missing_months(plan, calendar, plan.layout),
        checks.missing_months(bookings, calendar, bookings.layout),
        checks.fiscal_labels(
            plan.layout,
            plan_quarters,
            known,
            opts.fiscal_year_start_month,
            style.format(min(plan_quarters)) if style and plan_quarters else None,
        ),
    ]
    fiscal = parts[-1]
    for part in parts:
        if part is None:
            continue
        out.issues += part.issues
        out.all_quarters |= part.all_quarters
        out.groups |= part.groups
        out.units_in_doubt |= part.units_in_doubt
        out.incomplete |= part.incomplete
        for who, flagged in part.quarters_by_group.items():
            out.quarters_by_group.setdefault(who, set()).update(flagged)
    if fiscal is not None and fiscal.issues:
        out.incomplete |= {-1}  # marker: the fiscal calendar is in doubt
    return out


def _verdicts(
    series: list[Series],
    opts: ClassifyOptions,
    findings: checks.Findings,
    *,
    currency: str | None,
    style: LabelStyle | None,
    as_of: date,
    calendar: Calendar,
    deals: bool,
    bookings_sums: Sums,
    has_leads: bool,
) -> list[QuarterVerdict]:
    lag = 4 if opts.comparison is Comparison.SAME_QUARTER_LAST_YEAR else 1
    fiscal_doubt = -1 in findings.incomplete
    out: list[QuarterVerdict] = []
    by_group = findings.quarters_by_group
    every_group = set().union(*by_group.values()) if by_group else set()
    for s in series:
        s.touched |= findings.all_quarters | by_group.get(None, set())
        s.touched |= every_group if s.name is None else by_group.get(s.key, set())
        if s.name in findings.groups:
            s.touched |= set(s.bookings)
        for a in assess(s, comparison=opts.comparison, hard_miss_window=opts.hard_miss_window):
            quarter = Quarter.from_index(a.quarter)
            in_progress = calendar.last_day(a.quarter) >= as_of
            explained = (
                drivers(
                    s,
                    a.quarter,
                    lag=lag,
                    verdict=a.verdict,
                    flags=a.flags,
                    has_lost=bookings_sums.has_lost,
                    has_types=bookings_sums.has_types,
                    has_leads=has_leads,
                    currency=currency,
                )
                if deals
                else None
            )
            artefact = None
            if s.name is not None and s.name in findings.groups:
                artefact = "names"
            elif findings.units_in_doubt:
                artefact = "units"
            elif fiscal_doubt:
                artefact = "fiscal"
            elif a.quarter in findings.incomplete:
                artefact = "incomplete"
            ctx = Context(
                comparison=opts.comparison,
                hard_miss_window=opts.hard_miss_window,
                currency=currency,
                cause=explained.cause if explained else None,
                artefact=artefact,
                group=s.name,
                in_progress=in_progress,
            )
            out.append(
                QuarterVerdict(
                    group=s.name,
                    quarter=quarter.label,
                    plan=None if a.plan is None else a.plan / 100,
                    bookings=a.bookings / 100,
                    baseline=None if a.baseline is None else a.baseline / 100,
                    attainment=a.attainment,
                    growth=None if a.growth is None else float(a.growth),
                    verdict=a.verdict,
                    flags=a.flags,
                    action=recommend(a, ctx),
                    label=style.format(a.quarter) if style else "",
                    gap=None if a.plan is None else (a.bookings - a.plan) / 100,
                    drivers=explained,
                    in_progress=in_progress,
                )
            )
    return out
