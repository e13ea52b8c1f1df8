"""The GraphQL schema (Strawberry), keeping the contract of ``docs/api-contract.graphql``;
``schema.graphql`` is generated from it (``make schema``) and a test fails when the two
drift.

Resolvers are ``async``; blocking work (the Sheets API, the run store) goes to worker
threads. Expected failures become GraphQL errors with ``extensions.code``
(see :mod:`server.api.errors`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

import strawberry
from anyio.to_thread import run_sync
from graphql import ASTValidationRule
from graphql.error import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext, Info

from server import classification as domain
from server.api.context import Context
from server.api.errors import LoggedMaskErrors, api_errors, log_errors
from server.classification.values import fold
from server.service import ClassifyRequest
from server.store.port import RunRecord
from sheets_adapter.ids import parse_spreadsheet_id

Verdict = strawberry.enum(domain.Verdict, name="Verdict")
Flag = strawberry.enum(domain.Flag, name="Flag")
Comparison = strawberry.enum(domain.Comparison, name="Comparison")
Severity = strawberry.enum(
    domain.Severity,
    name="IssueSeverity",
    description="ERROR: the row was rejected and did not count. INFO: skipped on purpose.",
)


T = TypeVar("T")


def _copy(graphql_type: type[T], value: object) -> T:
    """A GraphQL object with every field taken from the domain value of the same name
    (tuples become lists)."""
    fields = {}
    for field in dataclasses.fields(graphql_type):  # type: ignore[arg-type]
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

    def to_domain(self) -> domain.ClassifyOptions:
        """The domain's options; a field left out (UNSET) takes the domain's default."""
        given = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return domain.ClassifyOptions.from_mapping(
            {name: None if value is strawberry.UNSET else value for name, value in given.items()}
        )


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

    @classmethod
    def of(cls, verdict: domain.QuarterVerdict) -> QuarterVerdict:
        return _copy(cls, verdict)


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


@strawberry.type(description="One classification of a spreadsheet.")
class ClassificationRun:
    id: strawberry.ID
    spreadsheet_id: strawberry.ID
    quarter: str = strawberry.field(
        description="The quarter that was asked for (default: the latest classified one)"
    )
    classified_at: datetime
    summary_tab: str
    record: strawberry.Private[RunRecord]

    @strawberry.field(description="Every group's verdict for `quarter`, company total first.")
    def current(self) -> list[QuarterVerdict]:
        return [QuarterVerdict.of(v) for v in self.record.current()]

    @strawberry.field(
        description="All quarters up to `quarter` (default: the run's quarter); one group "
        '(or "Total" for the company total) when `group` is given.'
    )
    def verdicts(
        self, group: str | None = strawberry.UNSET, quarter: str | None = strawberry.UNSET
    ) -> list[QuarterVerdict]:
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

    @strawberry.field(description="Every rejected or skipped input cell.")
    def issues(self) -> list[DataIssue]:
        return [DataIssue.of(i) for i in self.record.issues]

    @classmethod
    def of(cls, run: RunRecord) -> ClassificationRun:
        return cls(
            id=strawberry.ID(run.id),
            spreadsheet_id=strawberry.ID(run.spreadsheet_id),
            quarter=run.quarter,
            classified_at=run.classified_at,
            summary_tab=run.summary_tab,
            record=run,
        )


def _canonical_quarter(quarter: str, run: RunRecord) -> str:
    with api_errors():
        return domain.parse_quarter(quarter, run.options.fiscal_year_start_month).label


@strawberry.type
class Query:
    @strawberry.field(description="The newest run of a spreadsheet; null when it has none.")
    async def latest_run(
        self, info: Info[Context, None], spreadsheet_id: strawberry.ID
    ) -> ClassificationRun | None:
        ctx = info.context
        caller = await ctx.caller()
        with api_errors():
            sheet = parse_spreadsheet_id(spreadsheet_id)
            run = await ctx.service.latest_run_async(sheet, caller)
        return ClassificationRun.of(run) if run is not None else None

    @strawberry.field(description="The newest runs of a spreadsheet, newest first.")
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
            runs: Sequence[RunRecord] = await run_sync(
                lambda: ctx.service.runs(sheet, limit, caller)
            )
        return [ClassificationRun.of(r) for r in runs]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Read the Plan and Bookings tabs, classify every quarter, write the "
        "Summary tab and record the run."
    )
    async def classify_quarter(
        self,
        info: Info[Context, None],
        spreadsheet_id: strawberry.ID,
        quarter: str | None = strawberry.UNSET,
        options: ClassifyOptions | None = strawberry.UNSET,
    ) -> ClassificationRun:
        ctx = info.context
        caller = await ctx.caller()
        with api_errors():
            request = ClassifyRequest(
                spreadsheet_id=parse_spreadsheet_id(spreadsheet_id),
                quarter=quarter or None,
                options=(options or ClassifyOptions()).to_domain(),
                caller=caller,
            )
            run = await ctx.service.classify_quarter_async(request)
        return ClassificationRun.of(run)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, execution_context)


def build_schema(
    *,
    max_depth: int = 10,
    max_aliases: int = 15,
    max_tokens: int = 2000,
    introspection: bool = True,
) -> strawberry.Schema:
    """The schema with its limits; extensions are passed as factories (Strawberry 0.341).

    The depth and alias limits are the ``validation_rules`` of one instance each of
    Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter``, taken once here: those
    extensions build a new rule class per instance, and a per-request instance would then
    make every request miss the ``ValidationCache`` (its key includes the rules).
    """
    limits: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: AddValidationRules(limits),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        LoggedMaskErrors,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return Schema(query=Query, mutation=Mutation, extensions=extensions)


#: The schema with default limits, as `make schema` exports it into ``schema.graphql``.
schema = build_schema()

__all__ = ["ClassificationRun", "Mutation", "Query", "build_schema", "schema"]
