"""One classification: read → classify → write → record.

Functional core, imperative shell: :func:`server.classification.classify` and
:func:`server.service.summary.build_summary` decide; this module only gathers the inputs
through the :class:`~sheets_adapter.port.SheetsPort`, applies the outputs and records the
run in the :class:`~server.store.port.RunStore`.

Around it: quarter-end bursts share one flight (:mod:`server.service.flights`); runs of
the same spreadsheet are serialised by the store's spreadsheet lock (a PostgreSQL
advisory lock across processes), so two writers never interleave on one Summary;
``latestRun`` is answered from memory for a moment (:mod:`server.service.recent`); who
may read a sheet's runs is :mod:`server.service.access`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import anyio.to_thread

from server.classification import (
    ClassificationResult,
    NoQuarters,
    Severity,
    UnknownQuarter,
    classify,
    parse_quarter,
)
from server.service.access import AccessPolicy
from server.service.callers import Caller, ClassifyRequest
from server.service.flights import SingleFlight
from server.service.recent import RecentRuns
from server.service.summary import build_summary
from server.store.port import RunRecord, RunStore
from sheets_adapter.port import SheetsPort

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


def resolve_quarter(result: ClassificationResult, asked: str | None) -> str:
    """The canonical quarter a run is about: the one asked for, or the latest classified."""
    known = list(result.quarters)
    if asked is None or not asked.strip():
        if not known:
            options = result.options
            rejected = sum(1 for i in result.issues if i.severity is Severity.ERROR)
            raise NoQuarters(options.plan_tab, options.bookings_tab, rejected)
        return known[-1]
    try:
        label = parse_quarter(asked, result.options.fiscal_year_start_month).label
    except UnknownQuarter:
        raise UnknownQuarter(asked, known) from None
    if label not in known:
        raise UnknownQuarter(asked, known)
    return label


class ClassificationService:
    def __init__(
        self,
        sheets: SheetsPort,
        store: RunStore,
        *,
        clock: Callable[[], datetime] = _utcnow,
        new_id: Callable[[], str] = _new_id,
        recent_ttl: float = 1.0,
        coalesce_window: float = 1.0,
    ) -> None:
        self.sheets = sheets
        self.store = store
        self._clock = clock
        self._new_id = new_id
        self._flights: SingleFlight[tuple[object, ...], RunRecord] = SingleFlight(coalesce_window)
        self._recent = RecentRuns(recent_ttl)
        self._access = AccessPolicy(sheets)

    # -- classification -------------------------------------------------------------

    def classify_quarter(self, request: ClassifyRequest) -> RunRecord:
        """One whole classification, blocking. Call from a worker thread."""
        options = request.options
        auth = request.caller.auth
        with self.store.spreadsheet_lock(request.spreadsheet_id):
            snapshot = self.sheets.read(
                request.spreadsheet_id,
                (options.plan_tab, options.bookings_tab),
                options.summary_tab,
                auth,
            )
            result = classify(
                snapshot.tabs[options.plan_tab].values,
                snapshot.tabs[options.bookings_tab].values,
                options,
            )
            quarter = resolve_quarter(result, request.quarter)
            run_at = self._clock()
            summary = build_summary(
                result,
                quarter=quarter,
                run_at=run_at,
                existing=snapshot.summary,
                summary_tab=options.summary_tab,
            )
            self.sheets.write_summary(snapshot, summary, auth)
            run = RunRecord(
                id=self._new_id(),
                spreadsheet_id=request.spreadsheet_id,
                quarter=quarter,
                classified_at=run_at,
                summary_tab=options.summary_tab,
                options=options,
                verdicts=tuple(v for v in result.verdicts if v.quarter <= quarter),
                issues=result.issues,
                caller=request.caller.email,
            )
            self.store.add(run)
            self._recent.forget(request.spreadsheet_id)
        log.info(
            "classified spreadsheet=%s quarter=%s verdicts=%d issues=%d",
            request.spreadsheet_id,
            quarter,
            len(run.verdicts),
            len(run.issues),
        )
        return run

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
        self._access.check(spreadsheet_id, caller)
        return self.store.latest(spreadsheet_id, caller=self._access.owner_filter(caller))

    def runs(self, spreadsheet_id: str, limit: int, caller: Caller) -> Sequence[RunRecord]:
        self._access.check(spreadsheet_id, caller)
        return self.store.list(spreadsheet_id, limit, caller=self._access.owner_filter(caller))
