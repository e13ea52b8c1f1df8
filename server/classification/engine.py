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
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from typing import Any

from server.classification import checks, inputs, plan_checks, quarters, versions
from server.classification.actions import Context, recommend
from server.classification.aggregate import (
    Leads,
    Series,
    Sums,
    build_series,
    known_quarters,
    sums,
)
from server.classification.currency import Rates, locale_currency, read_rates
from server.classification.drivers import Basis, drivers
from server.classification.errors import (
    ClassificationError,
    HeaderNotFound,
    InvalidOptions,
    NoWonDeals,
)
from server.classification.issues import note
from server.classification.layout import (
    Grain,
    GroupColumn,
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


@dataclass(frozen=True)
class _Leads:
    """What the optional Leads tab gave: counts (or None), its issues and its reading."""

    counts: Leads | None = None
    issues: tuple[DataIssue, ...] = ()
    reading: TabReading | None = None


def _read_leads(
    values: Any, opts: ClassifyOptions, groups: Sequence[GroupColumn], ctx: ReadContext
) -> _Leads:
    rows = _rows(values)
    if not rows:
        return _Leads()
    try:
        layout = find_layout(opts.leads_tab, rows, TabRole.LEADS)
    except HeaderNotFound as err:
        return _Leads(issues=(note(opts.leads_tab, f"{err} Leads are left out of the drivers."),))
    columns = leads_groups(layout, groups)
    total_only = columns is None
    facts = read_tab(rows, layout, columns or [], ctx)
    said = []
    if total_only and groups:
        said.append("no group column matches the other tabs: leads count for the total only")
    return _Leads(
        counts=Leads(sums(facts, ctx.calendar).amounts, total_only),
        issues=tuple(facts.issues),
        reading=inputs.reading(layout, facts, currency=None, notes=said),
    )


@dataclass(frozen=True)
class _Tabs:
    """Everything read from the tabs, before any judgement."""

    plan: Facts
    bookings: Facts
    groups: tuple[GroupColumn, ...]
    rates: Rates
    leads: _Leads
    issues: tuple[DataIssue, ...]  # about the tabs as a whole (no shared group column)
    currency: str | None  # the reporting currency
    style: LabelStyle | None  # how the sheet writes its quarters
    bookings_rows: Sequence[Any] = ()


def _read(
    plan_rows: Sequence[Any],
    bookings_rows: Sequence[Any],
    opts: ClassifyOptions,
    optional: tuple[Any, Any, str | None],
    calendar: Calendar,
) -> _Tabs:
    """Both tabs' layouts and facts, the Leads and Rates tabs, the reporting currency."""
    leads_values, rates_values, locale = optional
    start = opts.fiscal_year_start_month
    plan_layout = find_layout(
        opts.plan_tab, plan_rows, TabRole.PLAN, Picks(plan=opts.plan_column, start=start)
    )
    bookings_layout = find_layout(
        opts.bookings_tab,
        bookings_rows,
        TabRole.BOOKINGS,
        Picks(
            date=opts.date_column, amount=opts.amount_column, basis=plan_layout.basis, start=start
        ),
    )
    # a tab that also holds other versions (Forecast rows, an Actual block): its own only
    plan_part = versions.select(plan_rows, plan_layout)
    bookings_part = versions.select(bookings_rows, bookings_layout)
    plan_rows, plan_layout = plan_part.rows, plan_part.layout
    bookings_rows, bookings_layout = bookings_part.rows, bookings_part.layout
    statuses = StatusReader(opts.won_statuses, categories=bookings_layout.status_categories)
    _check_won(bookings_rows, bookings_layout, statuses)
    groups = choose_groups(plan_layout, bookings_layout, opts.group_by)
    found: list[DataIssue] = []
    dimensions = plan_layout.dimensions or bookings_layout.dimensions
    if not groups and opts.group_by is None and dimensions:
        found.append(_no_shared_groups(plan_layout, bookings_layout))
    rates = read_rates(opts.rates_tab, rates_values, locale, opts.fiscal_year_start_month)
    order = opts.date_order.value if opts.date_order is not None else None
    ctx = ReadContext(
        opts.fiscal_year_start_month, order, locale, statuses, None, rates, calendar.as_of
    )
    # The reporting currency is the plan's, else the most common in bookings.
    plan = read_tab(plan_rows, plan_layout, [g.plan for g in groups], ctx)
    ctx = replace(ctx, reporting=plan.reporting)
    bookings = read_tab(bookings_rows, bookings_layout, [g.bookings for g in groups], ctx)
    plan.left_out.update(plan_part.left_out)
    bookings.left_out.update(bookings_part.left_out)
    return _Tabs(
        plan=plan,
        bookings=bookings,
        groups=groups,
        rates=rates,
        leads=_read_leads(leads_values, opts, groups, ctx),
        issues=tuple(found),
        # Nothing names a currency: the sheet's locale formats money in its own.
        currency=bookings.reporting or locale_currency(locale),
        style=_label_style(plan_rows, plan_layout, bookings_layout, bookings_rows),
        bookings_rows=bookings_rows,
    )


def classify(  # noqa: PLR0913 - the entry point names each tab it may be given
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
    calendar = Calendar(opts.fiscal_year_start_month, opts.as_of or date.today())
    tabs = _read(
        _rows(plan_values),
        _rows(bookings_values),
        opts,
        (leads_values, rates_values, locale),
        calendar,
    )
    plan_sums, bookings_sums = sums(tabs.plan, calendar), sums(tabs.bookings, calendar)
    bookings_sums.rejected = tabs.bookings.unreadable
    parents = checks.Findings()
    if tabs.groups:
        spelling = tabs.plan.spelling
        parents = plan_checks.parent_rows(plan_sums, bookings_sums, spelling, opts.plan_tab)
        plan_checks.drop_parents(parents, plan_sums, tabs.plan)
    series = build_series(
        plan_sums,
        bookings_sums,
        {**tabs.bookings.spelling, **tabs.plan.spelling},  # the Plan's spelling wins
        grouped=bool(tabs.groups),
        touched=tabs.plan.touched | tabs.bookings.touched,
        leads=tabs.leads.counts,
    )
    findings = _checks(series, tabs, plan_sums, known_quarters(bookings_sums), opts, calendar)
    findings.merge(parents)  # found before the series were built
    run = _Judge(
        opts=opts,
        calendar=calendar,
        currency=tabs.currency,
        style=tabs.style,
        findings=findings,
        basis=Basis(
            lag=4 if opts.comparison is Comparison.SAME_QUARTER_LAST_YEAR else 1,
            has_lost=bookings_sums.has_lost,
            has_types=bookings_sums.has_types,
            has_leads=tabs.leads.counts is not None,
            currency=tabs.currency,
        )
        if explain and tabs.bookings.layout.kind is Kind.DEALS
        else None,
    )
    verdicts = [v for s in series for v in run.verdicts(s)]
    return _result(run, tabs, verdicts, series if explain else None)


def _result(
    run: _Judge,
    tabs: _Tabs,
    verdicts: list[QuarterVerdict],
    series: list[Series] | None,
) -> ClassificationResult:
    calendar, style, opts = run.calendar, run.style, run.opts
    assert calendar.as_of is not None
    classified = sorted({v.quarter for v in verdicts})
    ended = [q for q in classified if calendar.last_day(parse_quarter(q).index) < calendar.as_of]
    current = quarters.date_index(calendar.as_of, calendar.start)
    lag = 4 if opts.comparison is Comparison.SAME_QUARTER_LAST_YEAR else 1
    label = style.format(current) if style else ""
    paces = pace(series, tabs.bookings, calendar, lag=lag, label=label) if series else []
    readings = [
        inputs.reading(
            tabs.plan.layout,
            tabs.plan,
            currency=tabs.currency,
            groups=[g.plan for g in tabs.groups],
        ),
        inputs.reading(
            tabs.bookings.layout,
            tabs.bookings,
            currency=tabs.currency,
            notes=_currency_notes(tabs.bookings.census, tabs.currency, tabs.rates),
            groups=[g.bookings for g in tabs.groups],
        ),
    ]
    if tabs.leads.reading is not None:
        readings.append(tabs.leads.reading)
    in_progress = Quarter.from_index(current).label
    return ClassificationResult(
        verdicts=tuple(verdicts),
        issues=(
            *tabs.issues,
            *tabs.rates.issues,
            *tabs.plan.issues,
            *tabs.bookings.issues,
            *tabs.leads.issues,
            *run.findings.issues,
        ),
        group_columns=tuple(g.name for g in tabs.groups),
        quarters=tuple(classified),
        options=opts,
        quarter=ended[-1] if ended else None,
        as_of=calendar.as_of,
        in_progress=in_progress if in_progress in classified or paces else None,
        currency=tabs.currency,
        inputs=tuple(readings),
        pace=tuple(paces),
        labels={q: style.format(parse_quarter(q).index) for q in classified} if style else {},
    )


def _currency_notes(census: Counter[str], reporting: str | None, rates: Rates) -> list[str]:
    others = sorted(c for c in census if c != reporting)
    if not others:
        return []
    converted = [c for c in others if c in rates.known]
    refused = [c for c in others if c not in rates.known]
    said = []
    if converted:
        how = " (its rates quoted per 1 " + rates.per + ")" if rates.per else ""
        how += ", each quarter at its own rate" if rates.per_quarter else ""
        said.append(
            f"amounts in {', '.join(converted)} converted to {reporting} with the "
            f"{rates.tab} tab{how}"
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
    tabs: _Tabs,
    plan_sums: Sums,
    known: range,
    opts: ClassifyOptions,
    calendar: Calendar,
) -> checks.Findings:
    """Every finding across the tabs, merged."""
    assert calendar.as_of is not None
    plan_quarters = {q for by_q in plan_sums.amounts.values() for q in by_q}
    label = (
        tabs.style.format(min(plan_quarters)) if tabs.style is not None and plan_quarters else None
    )
    fiscal = checks.fiscal_labels(
        tabs.plan.layout, plan_quarters, known, opts.fiscal_year_start_month, label
    )
    parts = [
        checks.units(series[0], opts.plan_tab, opts.bookings_tab, tabs.currency),
        checks.unmatched(series, opts.plan_tab, opts.bookings_tab) if len(series) > 1 else None,
        checks.incomplete(tabs.bookings, calendar, known, calendar.as_of),
        checks.dated_title(tabs.bookings, calendar, known, calendar.as_of),
        checks.missing_months(tabs.plan, calendar, tabs.plan.layout),
        checks.missing_months(tabs.bookings, calendar, tabs.bookings.layout),
        fiscal,
        checks.fiscal_period_column(tabs.bookings_rows, tabs.bookings.layout, calendar),
        plan_checks.rival_plans(tabs.plan.layout, known),
        plan_checks.other_parts(tabs.bookings.layout, known),
        plan_checks.group_units(series, opts.plan_tab, opts.bookings_tab, tabs.currency),
    ]
    out = checks.Findings(fiscal_in_doubt=bool(fiscal.issues))
    for part in parts:
        if part is not None:
            out.merge(part)
    if out.fiscal_in_doubt:  # every quarter may be the wrong one
        out.all_quarters |= set(known)
    return out


@dataclass(frozen=True)
class _Judge:
    """Verdicts, drivers and actions of one series, with what the run knows."""

    opts: ClassifyOptions
    calendar: Calendar
    currency: str | None
    style: LabelStyle | None
    findings: checks.Findings
    basis: Basis | None  # None: no drivers (quarterly totals, or explain=False)

    def _flag(self, s: Series) -> None:
        """Quarters the findings put in doubt carry DATA_ISSUES."""
        by_group = self.findings.quarters_by_group
        every_group = set().union(*by_group.values()) if by_group else set()
        s.touched |= self.findings.all_quarters | by_group.get(None, set())
        s.touched |= every_group if s.name is None else by_group.get(s.key, set())
        if s.name in self.findings.groups:
            s.touched |= set(s.bookings)

    def _artefact(self, s: Series, quarter: int) -> str | None:
        """What makes a verdict an artefact to check first, not a result to act on."""
        if s.name is not None and s.name in self.findings.groups:
            return "names"
        if self.findings.units_in_doubt:
            return "units"
        if self.findings.units_groups and s.name in {None, *self.findings.units_groups}:
            return "units"
        if self.findings.fiscal_in_doubt:
            return "fiscal"
        if quarter in self.findings.incomplete:
            return "incomplete"
        return None

    def verdicts(self, s: Series) -> list[QuarterVerdict]:
        self._flag(s)
        opts, out = self.opts, []
        for a in assess(s, comparison=opts.comparison, hard_miss_window=opts.hard_miss_window):
            in_progress = self.calendar.last_day(a.quarter) >= (self.calendar.as_of or date.max)
            why = drivers(s, a.quarter, a.verdict, a.flags, self.basis) if self.basis else None
            ctx = Context(
                comparison=opts.comparison,
                hard_miss_window=opts.hard_miss_window,
                currency=self.currency,
                cause=why.cause if why else None,
                artefact=self._artefact(s, a.quarter),
                group=s.name,
                in_progress=in_progress,
            )
            out.append(
                QuarterVerdict(
                    group=s.name,
                    quarter=Quarter.from_index(a.quarter).label,
                    plan=None if a.plan is None else a.plan / 100,
                    bookings=a.bookings / 100,
                    baseline=None if a.baseline is None else a.baseline / 100,
                    attainment=a.attainment,
                    growth=None if a.growth is None else float(a.growth),
                    verdict=a.verdict,
                    flags=a.flags,
                    action=recommend(a, ctx),
                    label=self.style.format(a.quarter) if self.style else "",
                    gap=None if a.plan is None else (a.bookings - a.plan) / 100,
                    drivers=why,
                    in_progress=in_progress,
                )
            )
        return out
