"""One classification: read → classify → write → record.

Functional core, imperative shell: :func:`server.classification.classify` and
:func:`server.service.summary.build_summary` decide; this module only gathers the inputs
through the :class:`~sheets_adapter.port.SheetsPort`, applies the outputs and records the
run in the :class:`~server.store.port.RunStore`.

Around it: quarter-end bursts share one flight (:mod:`server.service.flights`); runs of
the same spreadsheet are serialised by the store's spreadsheet lock (a PostgreSQL
advisory lock across processes), so two writers never interleave on one Summary;
``latestRun`` is answered from memory for a moment (:mod:`server.service.recent`); who
may classify a sheet and read its runs is :mod:`server.service.access`, asked before the
spreadsheet's lock is taken (so a junk token never waits for, nor creates, a lock).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio.to_thread

from server import budget as time_budget
from server.classification import (
    ClassificationError,
    ClassificationResult,
    ClassifyOptions,
    NoQuarterEnded,
    NoQuarters,
    Severity,
    UnknownQuarter,
    classify,
    parse_quarter,
)
from server.service.access import AccessPolicy, Need
from server.service.callers import Caller, ClassifyRequest
from server.service.flights import SingleFlight
from server.service.limits import RunLimits, bounded_issues, bounded_verdicts
from server.service.recent import RecentRuns
from server.service.summary import build_summary
from server.service.summary_tab import check_summary_tab
from server.store.port import RunRecord, RunStore
from sheets_adapter.errors import SummaryChanged
from sheets_adapter.port import SheetsPort, SpreadsheetSnapshot

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


def _zone(name: str | None) -> tzinfo:
    """The spreadsheet's time zone; UTC when it has none or one this machine does not know."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown spreadsheet time zone %.60r: using UTC", name)
        return UTC


def today_in(time_zone: str | None, moment: datetime) -> date:
    """The day it is at ``moment`` in the spreadsheet's time zone (``properties.timeZone``):
    what "today" means to the people who keep the sheet."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(_zone(time_zone)).date()


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


def _labels(result: ClassificationResult) -> dict[str, str]:
    """Canonical quarter -> the sheet's label, the quarter in progress included (it may
    have a pace and no verdict yet)."""
    labels = dict(result.labels)
    for pace in result.pace:
        if pace.label:
            labels.setdefault(pace.quarter, pace.label)
    return labels


def _in_quarter(result: ClassificationResult, quarter: str) -> bool:
    """Whether ``quarter`` had not ended at the run's ``asOf``."""
    return quarter == result.in_progress or any(
        v.in_progress for v in result.verdicts if v.quarter == quarter
    )


class ClassificationService:
    def __init__(  # noqa: PLR0913 - keyword-only options with defaults
        self,
        sheets: SheetsPort,
        store: RunStore,
        *,
        clock: Callable[[], datetime] = _utcnow,
        new_id: Callable[[], str] = _new_id,
        recent_ttl: float = 1.0,
        coalesce_window: float = 1.0,
        access_ttl: float = 30.0,
        limits: RunLimits | None = None,
        budget: float | None = None,
    ) -> None:
        self.sheets = sheets
        self.store = store
        self._clock = clock
        self._new_id = new_id
        self._flights: SingleFlight[tuple[object, ...], RunRecord] = SingleFlight(coalesce_window)
        self._recent = RecentRuns(recent_ttl)
        self._access = AccessPolicy(sheets, ttl=access_ttl, clock=clock)
        self.limits = limits or RunLimits()
        #: seconds all Google calls and lock waits of one request may take (None: no bound)
        self.budget = budget

    # -- classification -------------------------------------------------------------

    def classify_quarter(self, request: ClassifyRequest) -> RunRecord:
        """One whole classification, blocking. Call from a worker thread. Its Google
        calls and its wait for the spreadsheet's lock share :attr:`budget`."""
        with time_budget.within(self.budget):
            return self._classify_quarter(request)

    def _classify_quarter(self, request: ClassifyRequest) -> RunRecord:
        options = request.options
        # Who asks, and may they? Before anything waits for (or leaves) a lock.
        self._access.check(request.spreadsheet_id, request.caller, Need.WRITE)
        with self.store.spreadsheet_lock(request.spreadsheet_id):
            result, quarter, run_at = self._read_classify_write(request)
            run = RunRecord(
                id=self._new_id(),
                spreadsheet_id=request.spreadsheet_id,
                quarter=quarter,
                classified_at=run_at,
                summary_tab=options.summary_tab,
                options=options,
                verdicts=bounded_verdicts(
                    (v for v in result.verdicts if v.quarter <= quarter), self.limits
                ),
                issues=result.issues,
                caller=request.caller.email,
                as_of=result.as_of,
                currency=result.currency,
                in_quarter=_in_quarter(result, quarter),
                pace=result.pace,
                inputs=result.inputs,
                labels=_labels(result),
            )
            self.store.add(run)
            self.store.prune(request.spreadsheet_id, self.limits.runs_kept)
            self._recent.forget(request.spreadsheet_id)
            # the write just went through as this caller: they may edit, as of now
            self._access.remember(request.spreadsheet_id, request.caller, Need.WRITE, self._clock())
        log.info(
            "classified spreadsheet=%s quarter=%s verdicts=%d issues=%d",
            request.spreadsheet_id,
            quarter,
            len(run.verdicts),
            len(run.issues),
        )
        return run

    def _read_classify_write(
        self, request: ClassifyRequest
    ) -> tuple[ClassificationResult, str, datetime]:
        """Read the tabs, classify, write the Summary. Once more when the Summary's tab
        changed between the read and the write: a run in another process created it
        (the tab list fetched before the lock did not show it), so it is read again
        rather than written blind."""
        options = request.options
        auth = request.caller.auth
        for attempt in (1, 2):
            snapshot = self.sheets.read(
                request.spreadsheet_id,
                (options.plan_tab, options.bookings_tab),
                options.summary_tab,
                auth,
                optional=(options.leads_tab, options.rates_tab),
            )
            check_summary_tab(snapshot)
            run_at = self._clock()
            result = self._classify(snapshot, options, run_at)
            # what the run keeps (and the Summary lists): the first issues, counted all
            result = dataclasses.replace(result, issues=bounded_issues(result.issues, self.limits))
            try:
                quarter = resolve_quarter(result, request.quarter)
            except ClassificationError as err:
                err.issues = result.issues  # a refused run still delivers its data issues
                raise
            summary = build_summary(
                result,
                quarter=quarter,
                run_at=run_at,
                existing=snapshot.summary,
                summary_tab=options.summary_tab,
            )
            try:
                self.sheets.write_summary(snapshot, summary, auth)
            except SummaryChanged:
                if attempt == 2:
                    raise
                log.info(
                    "spreadsheet=%s: the Summary tab changed; read again", request.spreadsheet_id
                )
                continue
            return result, quarter, run_at
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _classify(
        snapshot: SpreadsheetSnapshot, options: ClassifyOptions, now: datetime
    ) -> ClassificationResult:
        """The domain's answer for the tabs read: with the Leads and Rates tabs when the
        sheet has them, its locale, and ``asOf`` (the option, else today where the sheet
        is kept: the domain has no clock)."""

        def values(tab: str) -> list[list[Any]] | None:
            grid = snapshot.tabs.get(tab)
            return None if grid is None else grid.values

        as_of = options.as_of or today_in(snapshot.time_zone, now)
        return classify(
            snapshot.tabs[options.plan_tab].values,
            snapshot.tabs[options.bookings_tab].values,
            dataclasses.replace(options, as_of=as_of),
            leads_values=values(options.leads_tab),
            rates_values=values(options.rates_tab),
            locale=snapshot.locale,
        )

    async def classify_quarter_async(self, request: ClassifyRequest) -> RunRecord:
        """:meth:`classify_quarter` in a worker thread, as one flight per identical request."""
        return await self._flights.run(
            request.flight_key,
            lambda: anyio.to_thread.run_sync(self.classify_quarter, request),
        )

    # -- history -----------------------------------------------------------------------

    async def latest_run_async(self, spreadsheet_id: str, caller: Caller) -> RunRecord | None:
        """:meth:`latest_run`, answered from memory when it was asked a moment ago."""
        known, run = self._recent.get(spreadsheet_id, caller.identity)
        if known:
            return run
        run = await anyio.to_thread.run_sync(self.latest_run, spreadsheet_id, caller)
        self._recent.put(spreadsheet_id, caller.identity, run)
        return run

    def latest_run(self, spreadsheet_id: str, caller: Caller) -> RunRecord | None:
        with time_budget.within(self.budget):
            checked_at = self._access.check(spreadsheet_id, caller, Need.READ)
            run = self.store.latest(spreadsheet_id)
            newest = run.classified_at if run is not None else None
            self._access.fresh_enough(spreadsheet_id, caller, checked_at, newest)
            return run

    def runs(self, spreadsheet_id: str, limit: int, caller: Caller) -> Sequence[RunRecord]:
        with time_budget.within(self.budget):
            checked_at = self._access.check(spreadsheet_id, caller, Need.READ)
            runs = self.store.list(spreadsheet_id, limit)
            newest = max((r.classified_at for r in runs), default=None)
            self._access.fresh_enough(spreadsheet_id, caller, checked_at, newest)
            return runs
