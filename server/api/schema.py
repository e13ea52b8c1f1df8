"""The GraphQL schema (Strawberry), keeping the contract of ``docs/api-contract.graphql``;
``schema.graphql`` is generated from it (``make schema``) and a test fails when the two
drift.

Resolvers are ``async``; blocking work (the Sheets API, the run store) goes to worker
threads. Expected failures become GraphQL errors with ``extensions.code``
(see :mod:`server.api.errors`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

import anyio
import strawberry
from anyio.to_thread import run_sync
from graphql.error import GraphQLError
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.types import ExecutionContext, Info
from strawberry.utils.str_converters import to_camel_case

from server import classification as domain
from server.alerts import AlertOn as DomainAlertOn
from server.api.context import Context
from server.api.errors import (
    UPSTREAM_UNAVAILABLE,
    ApiError,
    LoggedMaskErrors,
    api_errors,
    log_errors,
)
from server.api.gate import DocumentCache, DocumentGate
from server.api.limits import DocumentLimits
from server.api.workflow import (
    MAX_WAIT,
    AlertSettings,
    QuarterChoice,
    VerdictChange,
    checked_trigger,
    clamp_wait,
)
from server.classification.values import fold
from server.service import AlertsView, ClassifyRequest
from server.service.limits import issue_counts, omitted_issues
from server.store.codec import options_to_json
from server.store.port import RunRecord
from server.store.port import RunStatus as DomainRunStatus
from sheets_adapter.ids import parse_spreadsheet_id

Verdict = strawberry.enum(domain.Verdict, name="Verdict")
Flag = strawberry.enum(domain.Flag, name="Flag")
Comparison = strawberry.enum(domain.Comparison, name="Comparison")
DateOrder = strawberry.enum(
    domain.DateOrder,
    name="DateOrder",
    description="How text dates like 04/03/2025 are read when nothing in the column decides.",
)
Cause = strawberry.enum(domain.Cause, name="Cause", description="The likely cause of a miss.")
Severity = strawberry.enum(
    domain.Severity,
    name="IssueSeverity",
    description="ERROR: the row was rejected and did not count. INFO: skipped on purpose.",
)


T = TypeVar("T")


def _copy(graphql_type: type[T], value: object, **given: object) -> T:
    """A GraphQL object with every field taken from the domain value of the same name
    (tuples become lists), except the nested ones ``given`` already converted."""
    fields = dict(given)
    for field in dataclasses.fields(graphql_type):  # type: ignore[arg-type]
        if field.name in fields:
            continue
        item = getattr(value, field.name)
        fields[field.name] = list(item) if isinstance(item, tuple) else item
    return graphql_type(**fields)


#: The defaults live on the domain's options; the GraphQL input shows the same ones.
_DEFAULTS = domain.ClassifyOptions()


@strawberry.input(description="Where the tabs are and how to read them; every field is optional.")
class ClassifyOptions:
    plan_tab: str = _DEFAULTS.plan_tab
    bookings_tab: str = _DEFAULTS.bookings_tab
    summary_tab: str = _DEFAULTS.summary_tab
    fiscal_year_start_month: int = _DEFAULTS.fiscal_year_start_month
    comparison: domain.Comparison = _DEFAULTS.comparison
    hard_miss_window: int = _DEFAULTS.hard_miss_window
    group_by: list[str] | None = strawberry.UNSET
    as_of: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="ISO date the run looks from (default: today in the sheet's time zone); "
        "the default quarter is the latest that has ended by then.",
    )
    leads_tab: str = strawberry.field(
        default=_DEFAULTS.leads_tab, description="Optional tab of leads, for the drivers."
    )
    rates_tab: str = strawberry.field(
        default=_DEFAULTS.rates_tab,
        description="Optional tab of exchange rates (Currency | Rate) to the reporting currency.",
    )
    amount_column: str | None = strawberry.field(
        default=strawberry.UNSET, description="The Bookings amount column, by header."
    )
    date_column: str | None = strawberry.field(
        default=strawberry.UNSET, description="The Bookings close-date column, by header."
    )
    plan_column: str | None = strawberry.field(
        default=strawberry.UNSET, description="The Plan amount column, by header."
    )
    won_statuses: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description='Stages that count as won, e.g. ["Invoiced"].'
    )
    date_order: domain.DateOrder | None = strawberry.field(
        default=strawberry.UNSET,
        description="For CSV files (a spreadsheet's locale decides otherwise).",
    )
    history_tab: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A tab that keeps one row per group and run (off when not given).",
    )

    def to_domain(self) -> domain.ClassifyOptions:
        """The domain's options; a field left out (UNSET) takes the domain's default.
        Passed by their GraphQL names, so a refusal names the option as the caller wrote it."""
        given = {to_camel_case(f.name): getattr(self, f.name) for f in dataclasses.fields(self)}
        return domain.ClassifyOptions.from_mapping(
            {name: None if value is strawberry.UNSET else value for name, value in given.items()}
        )


@strawberry.type(description="Why a group's bookings moved: deals, deal size, win rate, leads.")
class Drivers:
    deals: int = strawberry.field(description="Won deals")
    average_deal: float | None
    lost_deals: int | None = strawberry.field(description="null: the tab holds no lost rows")
    win_rate: float | None = strawberry.field(description="deals / (deals + lostDeals)")
    new_business: float | None = strawberry.field(description="null without a deal-type column")
    expansion: float | None
    renewal: float | None
    leads: int | None = strawberry.field(description="null without a Leads tab")
    bookings_per_lead: float | None
    deals_per_lead: float | None
    count_effect: float | None = strawberry.field(
        description="Change in bookings from the number of deals, against the baseline quarter"
    )
    size_effect: float | None = strawberry.field(
        description="Change in bookings from the average deal, against the baseline quarter"
    )
    cause: domain.Cause | None = strawberry.field(description="Likely cause of a miss")
    explanation: str = strawberry.field(
        description='For a VP: "11 deals (−21%), average $23k (+9%), win rate 24% (−7 pts)"'
    )

    @classmethod
    def of(cls, drivers: domain.Drivers | None) -> Drivers | None:
        return None if drivers is None else _copy(cls, drivers)


@strawberry.type(description="One group's (or the company total's) result for one quarter.")
class QuarterVerdict:
    group: str | None = strawberry.field(description="null = company total")
    quarter: str = strawberry.field(description='Canonical fiscal quarter, e.g. "2025-Q1"')
    plan: float | None
    bookings: float | None
    baseline: float | None
    attainment: float | None
    growth: float | None
    verdict: domain.Verdict
    flags: list[domain.Flag]
    action: str
    gap: float | None = strawberry.field(description="bookings - plan")
    label: str = strawberry.field(
        description='The quarter as the sheet writes it ("FY26 Q4"); else as `quarter`'
    )
    drivers: Drivers | None = strawberry.field(description="null without deal rows")
    in_progress: bool = strawberry.field(description="The quarter had not ended at asOf")

    @classmethod
    def of(cls, verdict: domain.QuarterVerdict) -> QuarterVerdict:
        return _copy(
            cls,
            dataclasses.replace(verdict, label=verdict.shown_label),
            drivers=Drivers.of(verdict.drivers),
        )


@strawberry.type(description="The quarter in progress at asOf, for one group or the total.")
class Pace:
    group: str | None = strawberry.field(description="null = company total")
    quarter: str
    label: str = strawberry.field(description="The quarter as the sheet writes it")
    as_of: str = strawberry.field(description="ISO date")
    elapsed: float = strawberry.field(description="Share of the quarter elapsed, 0-1")
    booked: float = strawberry.field(description="Won to date")
    projected: float = strawberry.field(description="Projected quarter-end bookings")
    plan: float | None
    pipeline: float | None = strawberry.field(
        description="Open deals due to close in the rest of the quarter"
    )
    coverage: float | None = strawberry.field(description="(booked + pipeline) / plan")
    outlook: domain.Verdict | None = strawberry.field(
        description="The verdict the projection would get"
    )
    method: str = strawberry.field(description="How the projection was made")

    @classmethod
    def of(cls, pace: domain.Pace) -> Pace:
        return _copy(cls, dataclasses.replace(pace, label=pace.label or pace.quarter))


@strawberry.type(description="What one column of a tab was used for, and why.")
class ColumnUse:
    column: str = strawberry.field(description='A1 letter, e.g. "F"')
    header: str
    role: str
    note: str | None


@strawberry.type(description="Rows of a tab left out of the figures, by reason.")
class LeftOut:
    reason: str
    rows: int


@strawberry.type(description="What the reader made of one tab.")
class TabReading:
    tab: str
    header_row: int = strawberry.field(description="1-based")
    layout: str = strawberry.field(description="LONG, WIDE, MONTHLY_WIDE or DEALS")
    columns: list[ColumnUse]
    rows_counted: int
    rows_skipped: int
    total: float = strawberry.field(
        description="Control total of the amounts counted, after unit and currency"
    )
    unit: float = strawberry.field(description="1, 1000 or 1000000")
    currency: str | None = strawberry.field(description="ISO code")
    left_out: list[LeftOut] = strawberry.field(description="Rows left out, by reason")
    notes: list[str] = strawberry.field(description="Assumptions: date order, units, …")

    @classmethod
    def of(cls, reading: domain.TabReading) -> TabReading:
        return _copy(
            cls,
            reading,
            columns=[_copy(ColumnUse, c) for c in reading.columns],
            left_out=[_copy(LeftOut, lo) for lo in reading.left_out],
        )


@strawberry.type(description="An input cell that was rejected (or skipped on purpose).")
class DataIssue:
    tab: str
    row: int
    column: str | None
    value: str | None
    message: str
    severity: domain.Severity
    cell: str | None = strawberry.field(description='A1 reference of the cell, e.g. "C14"')

    @classmethod
    def of(cls, issue: domain.DataIssue) -> DataIssue:
        return _copy(cls, issue)


@strawberry.type(description="How many data issues of one kind a run found, listed or not.")
class IssueCount:
    severity: domain.Severity
    count: int


@strawberry.type(description="One classification of a spreadsheet.")
class ClassificationRun:
    id: strawberry.ID
    spreadsheet_id: strawberry.ID
    quarter: str = strawberry.field(
        description="The quarter that was asked for (default: the latest one with bookings "
        "that had ended by asOf)"
    )
    classified_at: datetime
    summary_tab: str
    quarter_label: str = strawberry.field(
        description='`quarter` as the sheet writes it ("FY26 Q4"); else as `quarter`'
    )
    as_of: str | None = strawberry.field(
        description="ISO date the run looked from (null for runs recorded before asOf existed)"
    )
    currency: str | None = strawberry.field(description="The reporting currency (ISO code)")
    in_quarter: bool = strawberry.field(
        description="The quarter classified had not ended at asOf: its verdicts are so far"
    )
    status: DomainRunStatus = strawberry.field(description="RUNNING, SUCCEEDED or FAILED")
    error: str | None = strawberry.field(
        description='"CODE: message" when FAILED (e.g. "INTERRUPTED: the server stopped…")'
    )
    caller: str | None = strawberry.field(description="E-mail of who asked, when known")
    started_at: datetime
    finished_at: datetime | None = strawberry.field(description="null while RUNNING")
    trigger: str = strawberry.field(description="What started it: MENU, SCHEDULE, CLI or API")
    options_json: str = strawberry.field(description="The options the run used, as JSON")
    record: strawberry.Private[RunRecord]

    @strawberry.field(
        description="Verdicts that moved since the previous successful run of the same "
        "sheet and quarter (with none before: this run's quarter, `before` null)."
    )
    def changes(self) -> list[VerdictChange]:
        return [VerdictChange.of(c) for c in self.record.changes]

    @strawberry.field(description="Every group's verdict for `quarter`, company total first.")
    def current(self) -> list[QuarterVerdict]:
        if self.record.running:
            return []
        return [QuarterVerdict.of(v) for v in self.record.current()]

    @strawberry.field(
        description="All quarters up to `quarter` (default: the run's quarter); one group "
        '(or "Total" for the company total) when `group` is given.'
    )
    def verdicts(
        self, group: str | None = strawberry.UNSET, quarter: str | None = strawberry.UNSET
    ) -> list[QuarterVerdict]:
        if self.record.running:
            return []
        up_to = self.quarter
        if quarter:
            up_to = _canonical_quarter(quarter, self.record)
        chosen: list[domain.QuarterVerdict] = [
            v for v in self.record.verdicts if v.quarter <= up_to
        ]
        if group:
            key = fold(group)
            if key == "total":
                chosen = [v for v in chosen if v.group is None]
            else:
                chosen = [v for v in chosen if v.group is not None and fold(v.group) == key]
        return [QuarterVerdict.of(v) for v in chosen]

    @strawberry.field(
        description="Every rejected or skipped input cell, up to a limit "
        "(SALES_VERDICTS_MAX_ISSUES); past it, a last issue says how many more there are."
    )
    def issues(self) -> list[DataIssue]:
        if self.record.running:
            return []
        return [DataIssue.of(i) for i in self.record.issues]

    @strawberry.field(
        description="The quarter in progress at asOf: company total first; empty when no "
        "quarter is in progress."
    )
    def pace(self) -> list[Pace]:
        if self.record.running:
            return []
        return [Pace.of(p) for p in self.record.pace]

    @strawberry.field(description="How each tab was read: columns, rows, control totals.")
    def inputs(self) -> list[TabReading]:
        if self.record.running:
            return []
        return [TabReading.of(r) for r in self.record.inputs]

    @strawberry.field(description="Every data issue the run found, by kind, listed or not.")
    def issue_counts(self) -> list[IssueCount]:
        counts = issue_counts(self.record.issues)
        return [IssueCount(severity=kind, count=n) for kind, n in counts.items()]

    @strawberry.field(description="Data issues found but not listed in `issues`.")
    def issues_omitted(self) -> int:
        return omitted_issues(self.record.issues)

    @classmethod
    def of(cls, run: RunRecord) -> ClassificationRun:
        return cls(
            id=strawberry.ID(run.id),
            spreadsheet_id=strawberry.ID(run.spreadsheet_id),
            quarter=run.quarter,
            classified_at=run.classified_at,
            summary_tab=run.summary_tab,
            quarter_label=run.quarter_label,
            as_of=None if run.as_of is None else run.as_of.isoformat(),
            currency=run.currency,
            in_quarter=run.in_quarter,
            status=run.status,
            error=run.error,
            caller=run.caller,
            started_at=run.began,
            finished_at=run.finished_at,
            trigger=run.trigger,
            options_json=json.dumps(options_to_json(run.options), sort_keys=True),
            record=run,
        )


def _canonical_quarter(quarter: str, run: RunRecord) -> str:
    with api_errors():
        return domain.parse_quarter(quarter, run.options.fiscal_year_start_month).label


#: ``setAlerts``' default events (SPEC 4.2); never changed (a resolver's default).
DEFAULT_ALERT_ON = [DomainAlertOn.NEW_HARD_MISS, DomainAlertOn.RUN_FAILED]
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def in_thread(ctx: Context, work: Callable[[], T]) -> T:
    """``work()`` in a worker thread, within what is left of the request's time budget
    (past it the caller is answered, and the thread's result is dropped)."""
    try:
        with anyio.fail_after(ctx.time_left()):
            return await run_sync(work, abandon_on_cancel=True)
    except TimeoutError:
        raise ApiError(
            UPSTREAM_UNAVAILABLE,
            f"Google did not answer within this request's {ctx.budget:g} seconds. "
            "Try again in a minute.",
        ) from None


@strawberry.type
class Query:
    @strawberry.field(
        description="The newest successful run of a spreadsheet; null when it has none."
    )
    async def latest_run(
        self, info: Info[Context, None], spreadsheet_id: strawberry.ID
    ) -> ClassificationRun | None:
        ctx = info.context
        caller = await ctx.caller()
        with api_errors():
            sheet = parse_spreadsheet_id(spreadsheet_id)
            run = await ctx.service.latest_run_async(sheet, caller)
        return ClassificationRun.of(run) if run is not None else None

    @strawberry.field(
        description="The newest runs of a spreadsheet, newest first, whatever their status."
    )
    async def runs(
        self, info: Info[Context, None], spreadsheet_id: strawberry.ID, limit: int = 10
    ) -> list[ClassificationRun]:
        ctx = info.context
        if not 1 <= limit <= 100:
            with api_errors():
                raise domain.InvalidOptions("limit", limit, "must be between 1 and 100")
        caller = await ctx.caller()
        with api_errors():
            sheet = parse_spreadsheet_id(spreadsheet_id)
            runs: Sequence[RunRecord] = await in_thread(
                ctx, lambda: ctx.service.runs(sheet, limit, caller)
            )
        return [ClassificationRun.of(r) for r in runs]

    @strawberry.field(
        description="One run where it stands: poll it after classifyQuarter answered "
        "RUNNING. Null when there is no such run (or none you may read)."
    )
    async def run(self, info: Info[Context, None], id: strawberry.ID) -> ClassificationRun | None:
        ctx = info.context
        caller = await ctx.caller()
        if not _RUN_ID.fullmatch(str(id)):
            return None
        with api_errors():
            run = await ctx.manager.run(str(id), caller)
        return ClassificationRun.of(run) if run is not None else None

    @strawberry.field(
        description="The spreadsheet's quarters, newest first (the one in progress "
        "included), for the quarter picker; reads the tabs as a run does, writes nothing."
    )
    async def quarters(
        self,
        info: Info[Context, None],
        spreadsheet_id: strawberry.ID,
        options: ClassifyOptions | None = strawberry.UNSET,
    ) -> list[QuarterChoice]:
        ctx = info.context
        caller = await ctx.caller()
        with api_errors():
            sheet = parse_spreadsheet_id(spreadsheet_id)
            chosen = (options or ClassifyOptions()).to_domain()
            found = await in_thread(ctx, lambda: ctx.service.quarters(sheet, chosen, caller))
        return [QuarterChoice.of(c) for c in found]

    @strawberry.field(
        description="The spreadsheet's alerts (the webhook URL masked); null when none "
        "were set. Needs reader access to the sheet."
    )
    async def alerts(
        self, info: Info[Context, None], spreadsheet_id: strawberry.ID
    ) -> AlertSettings | None:
        ctx = info.context
        caller = await ctx.caller()
        alerting = ctx.alerts
        with api_errors():
            sheet = parse_spreadsheet_id(spreadsheet_id)

            def read() -> AlertsView | None:
                ctx.service.check_reader(sheet, caller)
                return alerting.view(sheet)

            view = await in_thread(ctx, read)
        return AlertSettings.of(view) if view is not None else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Read the Plan and Bookings tabs, classify every quarter, write the "
        "Summary tab and record the run. Answers when the run is done or after `wait` "
        "seconds (0-25), whichever is first: a run still going comes back RUNNING and "
        "carries on; poll run(id)."
    )
    async def classify_quarter(
        self,
        info: Info[Context, None],
        spreadsheet_id: strawberry.ID,
        quarter: str | None = strawberry.UNSET,
        options: ClassifyOptions | None = strawberry.UNSET,
        wait: int | None = MAX_WAIT,
        trigger: str | None = "API",
    ) -> ClassificationRun:
        ctx = info.context
        caller = await ctx.caller()
        with api_errors():
            request = ClassifyRequest(
                spreadsheet_id=parse_spreadsheet_id(spreadsheet_id),
                quarter=quarter or None,
                options=(options or ClassifyOptions()).to_domain(),
                caller=caller,
                trigger=checked_trigger(trigger or "API"),
            )
            left = min(clamp_wait(MAX_WAIT if wait is None else wait), ctx.time_left())
            run = await ctx.manager.classify(request, left)
        return ClassificationRun.of(run)

    @strawberry.mutation(
        description="Set the spreadsheet's alerts: a Slack or Google Chat incoming webhook "
        "(null removes it; `on` is kept) and the events to post for. Needs writer access."
    )
    async def set_alerts(
        self,
        info: Info[Context, None],
        spreadsheet_id: strawberry.ID,
        webhook_url: str | None = strawberry.UNSET,
        on: list[DomainAlertOn] = DEFAULT_ALERT_ON,
    ) -> AlertSettings:
        ctx = info.context
        caller = await ctx.caller()
        alerting = ctx.alerts
        url = webhook_url if isinstance(webhook_url, str) and webhook_url.strip() else None
        with api_errors():
            sheet = parse_spreadsheet_id(spreadsheet_id)

            def save() -> AlertsView:
                ctx.service.check_writer(sheet, caller)
                who = ctx.service.identities.email(caller)
                return alerting.save(sheet, url, on, by=who)

            view = await in_thread(ctx, save)
        return AlertSettings.of(view)


class Schema(strawberry.Schema):
    #: the schema's parsed and validated documents (see :mod:`server.api.gate`)
    documents: DocumentCache | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, execution_context)


def build_schema(  # noqa: PLR0913 - keyword-only limits, each with its default
    *,
    max_depth: int = 10,
    max_aliases: int = 15,
    max_tokens: int = 2000,
    max_spreads: int = 100,
    cached_documents: int = 128,
    cached_document_bytes: int = 4096,
    introspection: bool = True,
) -> Schema:
    """The schema with its limits; extensions are passed as factories (Strawberry 0.341).

    Parsing and validation go through one :class:`~server.api.gate.DocumentGate` per
    schema: the limits of :mod:`server.api.limits` (linear in the document), graphql-core's
    rules, off the event loop, and a cache of small documents only.
    """
    documents = DocumentCache(
        limits=DocumentLimits(max_depth, max_aliases, max_spreads),
        max_tokens=max_tokens,
        cache_size=cached_documents,
        cache_bytes=cached_document_bytes,
    )
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: DocumentGate(documents),
        LoggedMaskErrors,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    built = Schema(query=Query, mutation=Mutation, extensions=extensions)
    built.documents = documents
    return built


#: The schema with default limits, as `make schema` exports it into ``schema.graphql``.
schema = build_schema()

__all__ = ["ClassificationRun", "Mutation", "Query", "build_schema", "schema"]
