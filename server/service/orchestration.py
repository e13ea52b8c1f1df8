"""One classification: admit → begin (RUNNING) → read → classify → check → record the
result → write → SUCCEEDED (or FAILED, or forgotten when refused while its caller waits).

Functional core, imperative shell: :func:`server.classification.classify` and
:func:`server.service.summary.build_summary` decide; this module only gathers the inputs
through the :class:`~sheets_adapter.port.SheetsPort`, applies the outputs and records the
run in the :class:`~server.store.port.RunStore`. Its steps are blocking; the server's run
lifecycle (:mod:`server.service.runs`) drives them from worker threads, queues runs of
one sheet without holding threads and answers callers before runs end.

Around it: runs of the same spreadsheet are serialised by the store's spreadsheet lock
(a PostgreSQL advisory lock across processes), so two writers never interleave on one
Summary; ``latestRun`` is answered from memory for a moment
(:mod:`server.service.recent`); who may classify a sheet and read its runs is
:mod:`server.service.access`, asked when the run is admitted, before it is recorded or
waits for the spreadsheet's lock (so a junk token never waits for, nor creates, a lock);
who asked, :mod:`server.service.identities`. Each step's Google calls and lock waits
share one time budget (:mod:`server.budget`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio.to_thread

from server import budget as time_budget
from server.alerts import RunReport, findings
from server.classification import (
    ClassificationError,
    ClassificationResult,
    ClassifyOptions,
    classify,
    parse_quarter,
)
from server.service.access import AccessDenied, AccessPolicy, Need
from server.service.amounts import check_amounts
from server.service.callers import Caller, ClassifyRequest
from server.service.failures import (
    FAILED_RUN_ISSUES,
    Describe,
    Failure,
    RunInterrupted,
    describe_plainly,
)
from server.service.identities import Identities
from server.service.limits import RunLimits, bounded_issues, bounded_verdicts
from server.service.quarters import (
    QuarterChoice,
    choices,
    in_quarter,
    labels_of,
    resolve_quarter,
)
from server.service.recent import RecentRuns
from server.service.summary import build_summary
from server.service.summary_tab import check_summary_tab
from server.store.errors import StoreError
from server.store.port import RunRecord, RunStatus, RunStore
from sheets_adapter.errors import SummaryChanged
from sheets_adapter.port import SheetsPort, SpreadsheetSnapshot

log = logging.getLogger(__name__)

#: Pauses (seconds) between tries to mark a written run SUCCEEDED through a failing store.
FINISH_RETRIES = (0.2, 1.0, 3.0)


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


def worker_id() -> str:
    """This process's name as the owner of its runs: host, pid and a random part (a
    restarted process is another owner, even with the same pid)."""
    host = socket.gethostname()[:32] or "host"
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _asked_quarter(request: ClassifyRequest) -> str:
    """The quarter a run shows while it is RUNNING: the one asked for, canonical, or "" when
    none was asked (or it cannot be read: the run will say so)."""
    if not request.quarter:
        return ""
    try:
        return parse_quarter(request.quarter, request.options.fiscal_year_start_month).label
    except ClassificationError:
        return ""


@dataclass(frozen=True)
class Outcome:
    """A run that succeeded, and what its alerts need to know of it."""

    run: RunRecord
    report: RunReport


class ClassificationService:
    """One classification as steps (admit, begin, execute, fail or forget) that the
    run lifecycle (:mod:`server.service.runs`) drives, the same steps as one blocking
    call (:meth:`classify_quarter`), and the run history."""

    def __init__(  # noqa: PLR0913 - keyword-only options with defaults
        self,
        sheets: SheetsPort,
        store: RunStore,
        *,
        clock: Callable[[], datetime] = _utcnow,
        new_id: Callable[[], str] = _new_id,
        recent_ttl: float = 1.0,
        coalesce_window: float = 1.0,
        owner: str | None = None,
        describe: Describe = describe_plainly,
        access_ttl: float = 30.0,
        limits: RunLimits | None = None,
        budget: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sheets = sheets
        self.store = store
        self.owner = owner or worker_id()
        self.describe = describe
        self.coalesce_window = coalesce_window
        self._clock = clock
        self._new_id = new_id
        self._recent = RecentRuns(recent_ttl)
        self._access = AccessPolicy(sheets, ttl=access_ttl, clock=clock)
        self.identities = Identities(sheets)
        self.limits = limits or RunLimits()
        #: seconds all Google calls and lock waits of one step may take (None: no bound)
        self.budget = budget
        self._sleep = sleep

    def now(self) -> datetime:
        return self._clock()

    # -- one run, step by step (each blocking: call it from a worker thread) ----------

    def admit(self, request: ClassifyRequest) -> ClassifyRequest:
        """Before a run is recorded or waits for anything: who asks (a token Google
        refuses is turned away here), with their e-mail for the record, and whether they
        may edit the sheet (:class:`AccessDenied` if not)."""
        with time_budget.within(self.budget):
            request = dataclasses.replace(request, caller=self.identities.named(request.caller))
            self._access.check(request.spreadsheet_id, request.caller, Need.WRITE)
        return request

    def begin(self, request: ClassifyRequest) -> RunRecord:
        """Record the run as RUNNING, held by this worker."""
        now = self._clock()
        run = RunRecord(
            id=self._new_id(),
            spreadsheet_id=request.spreadsheet_id,
            quarter=_asked_quarter(request),
            classified_at=now,
            summary_tab=request.options.summary_tab,
            options=request.options,
            verdicts=(),
            issues=(),
            caller=request.caller.email,
            status=RunStatus.RUNNING,
            started_at=now,
            trigger=request.trigger,
        )
        self.store.begin(run, self.owner)
        return run

    def execute(self, request: ClassifyRequest, run: RunRecord) -> Outcome:
        """Read → classify → check → record the result → write the Summary → SUCCEEDED.
        The spreadsheet's lock must be held. The result is recorded (still RUNNING)
        before the Summary is written, so a store that fails stops the run before the
        write, and a write that fails leaves the run to end FAILED: the Summary and the
        record never disagree. The Google calls share :attr:`budget` (the wait for the
        lock before this step does not count against it)."""
        with time_budget.within(self.budget):
            for attempt in (1, 2):
                try:
                    return self._execute_once(request, run)
                except SummaryChanged:
                    # A run in another process created the Summary's tab after the tab
                    # list was read: read again rather than write blind.
                    if attempt == 2:
                        raise
                    log.info(
                        "spreadsheet=%s: the Summary tab changed; read again",
                        request.spreadsheet_id,
                    )
        raise AssertionError("unreachable")  # pragma: no cover

    def _execute_once(self, request: ClassifyRequest, run: RunRecord) -> Outcome:
        options = request.options
        auth = request.caller.auth
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
        verdicts = bounded_verdicts(
            (v for v in result.verdicts if v.quarter <= quarter), self.limits
        )
        check_amounts(verdicts, result.issues)
        previous = self.store.previous_success(request.spreadsheet_id, quarter)
        labels = labels_of(result)
        report = RunReport(
            spreadsheet_id=request.spreadsheet_id,
            quarter=quarter,
            verdicts=verdicts,
            previous=None if previous is None else previous.verdicts,
            run_id=run.id,
            title=snapshot.title,
            label=labels.get(quarter, ""),
            currency=result.currency,
        )
        pending = dataclasses.replace(
            run,
            quarter=quarter,
            classified_at=run_at,
            verdicts=verdicts,
            issues=result.issues,
            as_of=result.as_of,
            currency=result.currency,
            in_quarter=in_quarter(result, quarter),
            pace=result.pace,
            inputs=result.inputs,
            labels=labels,
            changes=findings(report).changes,
        )
        summary = build_summary(
            result,
            quarter=quarter,
            run_at=run_at,
            existing=snapshot.summary,
            summary_tab=options.summary_tab,
        )
        if not self.store.record_result(pending):
            raise RunInterrupted(run.id)
        self.sheets.write_summary(snapshot, summary, auth)
        # the write just went through as this caller: they may edit, as of now
        self._access.remember(request.spreadsheet_id, request.caller, Need.WRITE, self._clock())
        return Outcome(self._succeeded(pending), report)

    def _succeeded(self, pending: RunRecord) -> RunRecord:
        done = dataclasses.replace(pending, status=RunStatus.SUCCEEDED, finished_at=self._clock())
        if not self._finish_written(done):
            # Ended by another worker meanwhile (it took this one for gone): its record wins.
            log.error("run %s: written, but ended elsewhere before it was marked", done.id)
            done = self.store.get(done.id) or done
        self.store.prune(done.spreadsheet_id, self.limits.runs_kept)
        self._recent.forget(done.spreadsheet_id)
        log.info(
            "classified spreadsheet=%s quarter=%s verdicts=%d issues=%d run=%s",
            done.spreadsheet_id,
            done.quarter,
            len(done.verdicts),
            len(done.issues),
            done.id,
        )
        return done

    def _finish_written(self, done: RunRecord) -> bool:
        """Mark a run whose Summary is written SUCCEEDED, trying again through a store
        that fails for a moment: ended FAILED instead, the record would deny a Summary
        the sheet holds. A store down for longer raises; the lease sweep then ends the
        run FAILED (its result, recorded before the write, stays in the store's row)."""
        for pause in FINISH_RETRIES:
            try:
                return self.store.finish(done)
            except StoreError:
                log.warning("run %s: written, not yet marked (the run store failed)", done.id)
                self._sleep(pause)
        return self.store.finish(done)

    def fail(self, run: RunRecord, failure: Failure) -> RunRecord:
        """End the run FAILED with ``failure`` (its first issues kept)."""
        failed = dataclasses.replace(
            run,
            status=RunStatus.FAILED,
            error=failure.text,
            issues=tuple(failure.issues[:FAILED_RUN_ISSUES]),
            verdicts=(),
            changes=(),
            finished_at=self._clock(),
        )
        if not self.store.finish(failed):
            failed = self.store.get(run.id) or failed
        log.info("run %s of spreadsheet=%s failed: %s", run.id, run.spreadsheet_id, failure.code)
        return failed

    def forget(self, run: RunRecord) -> None:
        """A refusal found while the caller still waits: no run is left."""
        self.store.discard(run.id)

    def classify_quarter(self, request: ClassifyRequest) -> RunRecord:
        """One whole run, blocking, its caller waiting to the end (so a refusal leaves no
        run and any other failure is recorded FAILED, then raised as it came). Its Google
        calls and its wait for the spreadsheet's lock share one :attr:`budget`."""
        with time_budget.within(self.budget):
            return self._classify_quarter(request)

    def _classify_quarter(self, request: ClassifyRequest) -> RunRecord:
        request = self.admit(request)
        run = self.begin(request)
        try:
            with self.store.spreadsheet_lock(request.spreadsheet_id):
                return self.execute(request, run).run
        except Exception as err:
            failure = self.describe(err)
            if failure.refusal:
                self.forget(run)
            else:
                self.fail(run, failure)
            raise

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

    # -- access -----------------------------------------------------------------------------

    def check_reader(self, spreadsheet_id: str, caller: Caller) -> None:
        """Raise :class:`AccessDenied` unless the caller may read the sheet's runs and
        alerts (blocking)."""
        with time_budget.within(self.budget):
            self._access.check(spreadsheet_id, caller, Need.READ)

    def check_writer(self, spreadsheet_id: str, caller: Caller) -> None:
        """Raise :class:`AccessDenied` unless the caller may change the sheet's settings
        (its alerts) (blocking)."""
        with time_budget.within(self.budget):
            self._access.check(spreadsheet_id, caller, Need.WRITE)

    # -- the quarters a sheet can classify ---------------------------------------------

    def quarters(
        self, spreadsheet_id: str, options: ClassifyOptions, caller: Caller
    ) -> list[QuarterChoice]:
        """The sheet's quarters, newest first (blocking): read and classified as a run
        would, nothing written or recorded."""
        with time_budget.within(self.budget):
            self._access.check(spreadsheet_id, caller, Need.READ)
            snapshot = self.sheets.read(
                spreadsheet_id,
                (options.plan_tab, options.bookings_tab),
                options.summary_tab,
                caller.auth,
                optional=(options.leads_tab, options.rates_tab),
            )
        result = self._classify(snapshot, options, self._clock())
        return choices(result)

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
        """The newest SUCCEEDED run (what the sidebar shows). A run newer than the
        caller's remembered access is shown only after access is asked again."""
        with time_budget.within(self.budget):
            checked_at = self._access.check(spreadsheet_id, caller, Need.READ)
            run = self.store.latest(spreadsheet_id)
            newest = run.classified_at if run is not None else None
            self._access.fresh_enough(spreadsheet_id, caller, checked_at, newest)
            return run

    def runs(self, spreadsheet_id: str, limit: int, caller: Caller) -> Sequence[RunRecord]:
        """The newest runs, whatever their status (the History view)."""
        with time_budget.within(self.budget):
            checked_at = self._access.check(spreadsheet_id, caller, Need.READ)
            runs = self.store.list(spreadsheet_id, limit)
            newest = max((r.classified_at for r in runs), default=None)
            self._access.fresh_enough(spreadsheet_id, caller, checked_at, newest)
            return runs

    def run(self, run_id: str, caller: Caller) -> RunRecord | None:
        """One run where it stands, from the store (any worker answers for any other's);
        None when there is no such run, and the same for a run of a sheet the caller may
        not read (which says nothing of it)."""
        with time_budget.within(self.budget):
            run = self.store.get(run_id)
            if run is None:
                return None
            try:
                checked_at = self._access.check(run.spreadsheet_id, caller, Need.READ)
                self._access.fresh_enough(run.spreadsheet_id, caller, checked_at, run.started_at)
            except AccessDenied:
                return None
            return run
