"""Runs that outlive a request: started at once, answered when done or after ``wait``.

:meth:`RunManager.classify` is what ``classifyQuarter`` calls. It admits the caller first
(their e-mail, asked of Google once per token: a token Google refuses stops here, before
anything waits), then:

* an identical request (same sheet, quarter, options and caller) under way joins that
  run, and one that comes within the coalescing window after it succeeded gets it: at
  quarter end, clicks of the same second are one run;
* otherwise a caller with ``per_caller`` runs under way is refused (:class:`TooManyRuns`);
* otherwise the run is recorded RUNNING and carries on as an asyncio task of its own:
  it queues for its sheet without holding a thread (:mod:`server.service.queueing`),
  then does its work in one worker thread (:meth:`ClassificationService.execute`), one of
  ``run_threads`` kept apart from the pool that answers other requests.

The caller is answered when the run ends or when ``wait`` seconds pass, whichever is
first; a run still going is answered as it stands (RUNNING, with its id) and goes on,
even if its caller goes away. How a run that did not succeed ends:

===========================  =================================  ========================
found                        caller still waiting               caller answered RUNNING
===========================  =================================  ========================
a refusal (bad data, no      an error, as before; the run is    FAILED ``"CODE: …"``,
access, no such tab)         forgotten (never shown as a run)   with its first issues
any other failure            an error carrying ``runId``; the   FAILED ``"CODE: …"``
                             run is recorded FAILED
===========================  =================================  ========================

After a run ends (SUCCEEDED or FAILED), its alerts are posted off the request path
(:mod:`server.service.alerting`). A lease (:mod:`server.service.lease`) keeps this
worker's runs alive in the store and ends the runs of workers that died;
:meth:`RunManager.stop` ends this worker's own unfinished runs at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field

import anyio
import anyio.to_thread

from server.alerts import RunReport
from server.cache import TtlCache
from server.service.alerting import Alerting
from server.service.callers import Caller, ClassifyRequest
from server.service.failures import Describe, Failure, RunFailed, RunInterrupted
from server.service.lease import Lease
from server.service.orchestration import ClassificationService
from server.service.queueing import SheetQueue
from server.store.errors import StoreError
from server.store.port import RunRecord

log = logging.getLogger(__name__)

STOPPED = Failure(
    "INTERRUPTED",
    "the server stopped before the run finished; the Summary may or may not have been "
    "written. Run it again.",
)


class TooManyRuns(Exception):
    """The caller has as many runs under way as they may."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"You already have {limit} classification{'' if limit == 1 else 's'} under way, "
            "as many as one person may "
            "run at once (SALES_VERDICTS_RUNS_PER_CALLER). Wait for one to finish, then try "
            "again."
        )


@dataclass(eq=False)
class _Live:
    """A run of this worker under way."""

    key: tuple[object, ...]
    who: str
    begun: asyncio.Event = field(default_factory=asyncio.Event)
    run: RunRecord | None = None
    task: asyncio.Task[RunRecord] | None = None
    answered: bool = False  # a caller was answered RUNNING: the run must end recorded
    refused: bool = False  # a refusal found while every caller waited: not a run


class RunManager:
    def __init__(  # noqa: PLR0913 - keyword-only options with defaults
        self,
        service: ClassificationService,
        *,
        lease: float = 60.0,
        per_caller: int = 4,
        queue_timeout: float = 600.0,
        run_threads: int = 16,
        alerting: Alerting | None = None,
        describe: Describe | None = None,
    ) -> None:
        self.service = service
        self._describe = describe or service.describe
        self.queue = SheetQueue(service.store)
        self._per_caller = per_caller
        self._queue_timeout = queue_timeout
        self._run_threads = run_threads
        self._limiter: anyio.CapacityLimiter | None = None  # made on the event loop
        self._alerting = alerting
        self._by_key: dict[tuple[object, ...], _Live] = {}
        # identical requests being admitted: the first asks Google, the others wait for it
        self._admitting: dict[tuple[object, ...], asyncio.Task[ClassifyRequest]] = {}
        self._callers: Counter[str] = Counter()
        self._landed: TtlCache[tuple[object, ...], RunRecord] = TtlCache(
            service.coalesce_window, 1024
        )
        self.lease = Lease(
            service, lease, holding=lambda: len(self._by_key), on_interrupted=self._interrupted
        )
        self._keeper: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()

    @property
    def under_way(self) -> int:
        """Runs of this worker not finished yet."""
        return len(self._by_key)

    # -- start and stop --------------------------------------------------------------------

    async def start(self) -> None:
        """Sweep runs of dead workers, and keep this worker's runs alive from now on."""
        self._keeper = asyncio.create_task(self.lease.keep(), name="run-lease")

    async def stop(self, grace: float = 5.0) -> None:
        """Let runs under way finish for up to ``grace`` seconds, end the others FAILED
        (``INTERRUPTED``), and stop the lease."""
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        tasks = [live.task for live in self._by_key.values() if live.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=grace)
        if self._background:
            await asyncio.wait(self._background, timeout=grace)

    # -- classify ---------------------------------------------------------------------------

    async def classify(self, request: ClassifyRequest, wait: float | None) -> RunRecord:
        """The run for ``request``: finished, or RUNNING after ``wait`` seconds (None:
        until it ends), counted from this call. See the module docstring for how failures
        come back."""
        loop = asyncio.get_running_loop()
        deadline = None if wait is None else loop.time() + wait
        key = request.flight_key  # the same before and after admission (a token's hash)
        live = self._joinable(key)
        if isinstance(live, RunRecord):
            return live
        if live is None:
            request = await self._admit(key, request)
            joined = self._joinable(key)
            if isinstance(joined, RunRecord):
                return joined
            live = joined or self._launch(request)
        left = None if deadline is None else max(0.0, deadline - loop.time())
        return await self._answer(live, left)

    async def _admit(self, key: tuple[object, ...], request: ClassifyRequest) -> ClassifyRequest:
        """:meth:`ClassificationService.admit`, asked once for identical requests that
        arrive together (the same token, sheet and options: the same answer), so a
        quarter-end burst costs Google one access check, not one per click. A waiter
        whose own call is cancelled leaves the admission to the others."""
        task = self._admitting.get(key)
        if task is None:
            task = asyncio.create_task(
                anyio.to_thread.run_sync(self.service.admit, request), name="admit"
            )
            self._admitting[key] = task

            def done(finished: asyncio.Task[ClassifyRequest]) -> None:
                if self._admitting.get(key) is finished:
                    del self._admitting[key]
                if not finished.cancelled():
                    finished.exception()  # retrieved here: every waiter may have gone

            task.add_done_callback(done)
        return await asyncio.shield(task)

    def _joinable(self, key: tuple[object, ...]) -> _Live | RunRecord | None:
        """The identical run under way, or the one that just succeeded (its caller was
        admitted for it already), or None."""
        return self._by_key.get(key) or self._landed.get(key)

    def _launch(self, request: ClassifyRequest) -> _Live:
        """Register and start the run (no await in here: a request with the same key that
        comes next finds it registered)."""
        caller = request.caller
        who = caller.email or caller.identity
        if self._callers[who] >= self._per_caller:
            raise TooManyRuns(self._per_caller)
        live = _Live(request.flight_key, who)
        self._by_key[live.key] = live
        self._callers[who] += 1
        live.task = asyncio.create_task(self._lifecycle(live, request), name="run")
        live.task.add_done_callback(lambda _: self._release(live))
        return live

    def _release(self, live: _Live) -> None:
        task = live.task
        if task is not None and not task.cancelled():
            task.exception()  # seen: a run whose caller was answered RUNNING ends unwaited
        if self._by_key.get(live.key) is live:
            del self._by_key[live.key]
        self._callers[live.who] -= 1
        if self._callers[live.who] <= 0:
            del self._callers[live.who]

    async def _answer(self, live: _Live, wait: float | None) -> RunRecord:
        task = live.task
        assert task is not None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                return await asyncio.shield(task)
        await live.begun.wait()
        if task.done() or live.refused or live.run is None:
            return await asyncio.shield(task)  # it ended (or was decided) meanwhile
        live.answered = True
        return live.run

    # -- a run's life -------------------------------------------------------------------------

    async def _lifecycle(self, live: _Live, request: ClassifyRequest) -> RunRecord:
        try:
            live.run = await anyio.to_thread.run_sync(self.service.begin, request)
        finally:
            live.begun.set()
        run = live.run
        try:
            async with self.queue.hold(run.spreadsheet_id, self._queue_timeout):
                outcome = await anyio.to_thread.run_sync(
                    self.service.execute,
                    request,
                    run,
                    abandon_on_cancel=True,
                    limiter=self._run_limiter(),
                )
        except asyncio.CancelledError:
            await self._end(run, STOPPED)
            raise
        except RunInterrupted:
            ended = await anyio.to_thread.run_sync(self.service.store.get, run.id)
            raise RunFailed(ended or run) from None
        except Exception as err:
            failure = self._describe(err)
            if failure.refusal and not live.answered:
                live.refused = True
                await self._forget(run)
                raise
            raise RunFailed(await self._end(run, failure)) from err
        self._landed.put(live.key, outcome.run)
        self._post(outcome.report)
        return outcome.run

    def _run_limiter(self) -> anyio.CapacityLimiter:
        """The threads runs do their work in: apart from the shared pool that answers every
        other request, so a quarter close of many sheets never keeps another user's
        ``latestRun`` waiting for a thread (a run waiting for one is a suspended coroutine)."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._run_threads)
        return self._limiter

    async def _end(self, run: RunRecord, failure: Failure) -> RunRecord:
        """Record the run FAILED (as well as the store allows) and post its alert."""
        try:
            failed = await anyio.to_thread.run_sync(self.service.fail, run, failure)
        except StoreError:
            log.error("run %s: not recorded as FAILED (the run store failed)", run.id)
            failed = run
        self._post(_failed_report(run, failure.text))
        return failed

    async def _forget(self, run: RunRecord) -> None:
        try:
            await anyio.to_thread.run_sync(self.service.forget, run)
        except StoreError:
            log.error("run %s: a refused run not forgotten (the run store failed)", run.id)

    # -- reading ------------------------------------------------------------------------------

    async def run(self, run_id: str, caller: Caller) -> RunRecord | None:
        """The run where it stands, from the store (so any worker answers for any other's)."""
        return await anyio.to_thread.run_sync(self.service.run, run_id, caller)

    # -- alerts -------------------------------------------------------------------------------

    def _post(self, report: RunReport) -> None:
        """Post the run's alerts in the background: the caller is never kept waiting."""
        alerting = self._alerting
        if alerting is None:
            return
        task = asyncio.create_task(anyio.to_thread.run_sync(alerting.post, report), name="alert")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _interrupted(self, runs: list[RunRecord]) -> None:
        for run in runs:
            self._post(_failed_report(run, run.error or "INTERRUPTED"))


def _failed_report(run: RunRecord, error: str) -> RunReport:
    return RunReport(
        spreadsheet_id=run.spreadsheet_id,
        quarter=run.quarter or "(quarter not chosen yet)",
        error=error,
        run_id=run.id,
        label=run.quarter_label if run.quarter else "",
    )
