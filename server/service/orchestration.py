"""The service layer: one classification is read → classify → write → record.

Functional core, imperative shell: :func:`server.classification.classify` and
:func:`server.service.summary.build_summary` decide; this module only gathers the inputs
through the :class:`~sheets_adapter.port.SheetsPort`, applies the outputs and
records the run in the :class:`~server.store.port.RunStore`.

Quarter-end bursts: concurrent requests for the same spreadsheet, quarter, options
and caller share one flight (one read, one write) within the process; flights for
the same spreadsheet are serialised by the store's spreadsheet lock (a PostgreSQL
advisory lock across processes), so two writers never interleave on one Summary.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio.to_thread

from server.classification import (
    ClassificationResult,
    ClassifyOptions,
    NoQuarters,
    Severity,
    UnknownQuarter,
    classify,
    parse_quarter,
)
from server.service.summary import build_summary
from server.store.port import RunRecord, RunStore
from sheets_adapter.port import ServiceAccountAuth, SheetsAuth, SheetsPort, UserToken

log = logging.getLogger(__name__)


class AccessDenied(Exception):
    """The caller may not see this spreadsheet's runs."""

    def __init__(self, spreadsheet_id: str) -> None:
        self.spreadsheet_id = spreadsheet_id
        super().__init__(
            f"You cannot open spreadsheet {spreadsheet_id} with your Google account, "
            "so its runs are not shown. Ask its owner to share it with you."
        )


@dataclass(frozen=True)
class Caller:
    """Who is asking, and with which credentials the Sheets API will be called."""

    auth: SheetsAuth
    email: str | None = None

    @property
    def identity(self) -> str:
        """A stable, non-secret key for the caller (a token is hashed, never kept)."""
        if isinstance(self.auth, UserToken):
            digest = hashlib.sha256(self.auth.access_token.encode()).hexdigest()[:24]
            return f"token:{digest}"
        return f"sa:{self.email or ''}"


@dataclass(frozen=True)
class ClassifyRequest:
    spreadsheet_id: str
    quarter: str | None
    options: ClassifyOptions
    caller: Caller

    @property
    def flight_key(self) -> tuple[object, ...]:
        return (self.spreadsheet_id, self.quarter, self.options, self.caller.identity)


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


class RecentRuns:
    """The latest run per (spreadsheet, caller) for a moment, so that a burst of
    ``latestRun`` queries is answered from memory, without a worker thread or a
    database round trip. A run recorded in this process replaces the entry at once;
    runs recorded by other processes are seen within ``ttl`` seconds."""

    def __init__(self, ttl: float, max_sheets: int = 4096) -> None:
        self._ttl = ttl
        self._max = max_sheets
        self._entries: dict[str, dict[str, tuple[float, RunRecord | None]]] = {}
        self._lock = threading.Lock()

    def get(self, spreadsheet_id: str, identity: str) -> tuple[bool, RunRecord | None]:
        with self._lock:
            entry = self._entries.get(spreadsheet_id, {}).get(identity)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, spreadsheet_id: str, identity: str, run: RunRecord | None) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            if spreadsheet_id not in self._entries and len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            callers = self._entries.setdefault(spreadsheet_id, {})
            if len(callers) >= 256:
                callers.clear()
            callers[identity] = (time.monotonic() + self._ttl, run)

    def forget(self, spreadsheet_id: str) -> None:
        with self._lock:
            self._entries.pop(spreadsheet_id, None)


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
        self._inflight: dict[tuple[object, ...], asyncio.Future[RunRecord]] = {}
        self._landed: dict[tuple[object, ...], tuple[float, RunRecord]] = {}
        self._coalesce_window = coalesce_window
        self._recent = RecentRuns(recent_ttl)

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
        """Single flight: identical concurrent requests share one read and one write.

        A request that arrives within ``coalesce_window`` seconds after an identical
        flight landed shares that flight's run too: at quarter end, clicks of the same
        second are one burst, and nobody edits a sheet and clicks again that fast.
        """
        key = request.flight_key
        now = time.monotonic()
        landed = self._landed.get(key)
        if landed is not None and landed[0] > now:
            return landed[1]
        flight = self._inflight.get(key)
        if flight is None:
            flight = asyncio.ensure_future(anyio.to_thread.run_sync(self.classify_quarter, request))
            self._inflight[key] = flight

            def _land(done: asyncio.Future[RunRecord], key: tuple[object, ...] = key) -> None:
                if self._inflight.get(key) is done:
                    del self._inflight[key]
                if not done.cancelled() and done.exception() is None:
                    now = time.monotonic()
                    self._landed = {k: v for k, v in self._landed.items() if v[0] > now}
                    self._landed[key] = (now + self._coalesce_window, done.result())

            flight.add_done_callback(_land)
        return await asyncio.shield(flight)

    # -- history -----------------------------------------------------------------------

    def _check_access(self, spreadsheet_id: str, caller: Caller) -> None:
        if isinstance(caller.auth, UserToken) and not self.sheets.can_open(
            spreadsheet_id, caller.auth
        ):
            raise AccessDenied(spreadsheet_id)

    @staticmethod
    def _owner_filter(caller: Caller) -> str | None:
        """Service-account mode: the backend can open every sheet shared with it, so a
        caller sees only the runs they asked for themselves. User mode: Google decides
        (the caller sees every run of a sheet their own token can open)."""
        if isinstance(caller.auth, ServiceAccountAuth):
            return caller.email or ""
        return None

    async def latest_run_async(self, spreadsheet_id: str, caller: Caller) -> RunRecord | None:
        """:meth:`latest_run`, answered from memory when it was asked a moment ago."""
        known, run = self._recent.get(spreadsheet_id, caller.identity)
        if known:
            return run
        run = await anyio.to_thread.run_sync(self.latest_run, spreadsheet_id, caller)
        self._recent.put(spreadsheet_id, caller.identity, run)
        return run

    def latest_run(self, spreadsheet_id: str, caller: Caller) -> RunRecord | None:
        self._check_access(spreadsheet_id, caller)
        return self.store.latest(spreadsheet_id, caller=self._owner_filter(caller))

    def runs(self, spreadsheet_id: str, limit: int, caller: Caller) -> Sequence[RunRecord]:
        self._check_access(spreadsheet_id, caller)
        return self.store.list(spreadsheet_id, limit, caller=self._owner_filter(caller))
