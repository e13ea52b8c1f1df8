"""Alerts posted on a few threads of their own, so that no run ever waits for Slack.

:meth:`AlertPoster.post_alerts` is what the run lifecycle calls when a run ends: it
decides (pure, microseconds), composes the text and queues it, and answers at once with a
``concurrent.futures.Future`` of the :class:`~server.alerts.delivery.Delivery` (the
outbox record, also handed to ``on_delivery``). It never raises and never blocks: a bad
URL, a full backlog or a stopping server come back as a Delivery too.

Why threads and not an asyncio task: runs may end on the event loop, on a worker thread
or in the command line's one-shot process; a small pool of daemon threads serves all
three the same way, keeps a slow or hanging chat service (DNS included, which no socket
timeout bounds) entirely off the event loop, and is stopped with :meth:`close`.
``asyncio.wrap_future`` awaits a delivery from async code. Two workers suffice: one
message per run, each bounded by ``webhook_budget``; the backlog is bounded too.

:meth:`close` (the app's lifespan end, or the CLI before it exits) takes no new alerts,
lets those queued finish for up to ``grace`` seconds, then cuts the waits between tries
short (those alerts end CANCELLED) and returns.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from server.alerts.delivery import (
    Courier,
    Delivery,
    DeliveryStatus,
    HttpTransport,
    Policy,
    Transport,
)
from server.alerts.errors import WebhookUrlError
from server.alerts.events import findings, fired
from server.alerts.messages import Alert, compose
from server.alerts.model import AlertSettings, RunReport
from server.alerts.urls import WebhookSettings, WebhookUrl, mask, validate_webhook_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Job:
    url: WebhookUrl
    alert: Alert
    future: Future[Delivery]


class AlertPoster:
    """Posts alerts in the background (see the module docstring).

    ``settings``: the allowed hosts and how hard to try (:class:`server.config.Settings`
    or :class:`~server.alerts.model.AlertConfig`); ``workers`` threads, started at the
    first alert; at most ``backlog`` alerts queued or in flight (more are DROPPED);
    ``on_delivery`` is called with every outcome (to keep an outbox), on a worker thread,
    or on the caller's for an alert never queued (refused, dropped); it should be quick.
    ``transport`` and ``rng`` are for tests."""

    def __init__(
        self,
        settings: WebhookSettings,
        *,
        workers: int = 2,
        backlog: int = 100,
        on_delivery: Callable[[Delivery], None] | None = None,
        transport: Transport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._workers = max(1, workers)
        self._backlog = max(1, backlog)
        self._on_delivery = on_delivery
        self._stop = threading.Event()
        self._courier = Courier(
            Policy.of(settings),
            transport or HttpTransport(),
            wait=self._stop.wait,
            rng=rng or random.Random(),
        )
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._pending = 0
        self._closed = False

    @property
    def pending(self) -> int:
        """Alerts queued or being posted."""
        with self._lock:
            return self._pending

    def post_alerts(self, alerts: AlertSettings, report: RunReport) -> Future[Delivery] | None:
        """Queue the alert ``report`` calls for under ``alerts``; None when there is none
        to send (no webhook, or none of the chosen events fired). Never raises."""
        try:
            if alerts.webhook_url is None:
                return None
            found = findings(report)
            events = fired(alerts.on, found)
            if not events:
                return None
            text = compose(report, events, found, alerts.webhook_url.flavour)
            alert = Alert(report.spreadsheet_id, report.run_id, events, text)
            return self.post(alerts.webhook_url, alert)
        except Exception:  # an alert must never fail a run: this is a bug, logged
            log.exception("alert for %s not composed", report.spreadsheet_id)
            alert = Alert(report.spreadsheet_id, report.run_id, frozenset(), "")
            webhook = alerts.shown_url or ""
            return self._finished(_record(alert, webhook, DeliveryStatus.FAILED, "internal error"))

    def post(self, url: WebhookUrl | str, alert: Alert) -> Future[Delivery]:
        """Queue ``alert`` for ``url``, checked again against the allowed hosts (they may
        have changed since it was saved). Never raises, never waits."""
        try:
            return self._post(url, alert)
        except Exception:  # as in post_alerts: a bug, logged, never the caller's problem
            log.exception("alert for %s not queued", alert.spreadsheet_id)
            return self._finished(_record(alert, "", DeliveryStatus.FAILED, "internal error"))

    def _post(self, url: WebhookUrl | str, alert: Alert) -> Future[Delivery]:
        raw = url.reveal() if isinstance(url, WebhookUrl) else url
        try:
            checked = validate_webhook_url(raw, self._settings)
        except WebhookUrlError as err:
            return self._finished(_record(alert, mask(raw), DeliveryStatus.REFUSED, err.message))
        future: Future[Delivery] = Future()
        with self._lock:
            refusal = self._admit()
            if refusal is None:  # queued under the lock: always ahead of close()'s sentinels
                self._queue.put(_Job(checked, alert, future))
        if refusal is not None:
            return self._finished(_record(alert, checked.masked, *refusal), future)
        return future

    def _admit(self) -> tuple[DeliveryStatus, str] | None:
        """Room for one more alert (under the lock): None, or why not."""
        if self._closed:
            return DeliveryStatus.CANCELLED, "the server is stopping"
        if self._pending >= self._backlog:
            return DeliveryStatus.DROPPED, f"{self._pending} alerts already waiting"
        self._pending += 1
        while len(self._threads) < self._workers:
            thread = threading.Thread(
                target=self._work, name=f"alerts-{len(self._threads) + 1}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return None

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                if self._stop.is_set():
                    delivery = _record(
                        job.alert, job.url.masked, DeliveryStatus.CANCELLED, "the server stopped"
                    )
                else:
                    delivery = self._courier.deliver(job.url, job.alert)
            except Exception:  # deliver does not raise; if it ever did, the thread lives on
                log.exception("alert for %s: posting failed", job.alert.spreadsheet_id)
                delivery = _record(
                    job.alert, job.url.masked, DeliveryStatus.FAILED, "internal error"
                )
            self._finished(delivery, job.future)
            with self._lock:
                self._pending -= 1
                self._lock.notify_all()

    def _finished(
        self, delivery: Delivery, future: Future[Delivery] | None = None
    ) -> Future[Delivery]:
        _log_outcome(delivery)
        future = future or Future()
        future.set_result(delivery)
        if self._on_delivery is not None:
            try:
                self._on_delivery(delivery)
            except Exception:
                log.exception("alert for %s: on_delivery failed", delivery.spreadsheet_id)
        return future

    def close(self, grace: float = 5.0) -> None:
        """Stop (see the module docstring); waits at most about ``grace`` seconds."""
        deadline = time.monotonic() + grace
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while self._pending and (left := deadline - time.monotonic()) > 0:
                self._lock.wait(left)
            threads = list(self._threads)
        self._stop.set()
        for _ in threads:
            self._queue.put(None)
        for thread in threads:
            thread.join(max(0.1, deadline - time.monotonic()))

    def __enter__(self) -> AlertPoster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _record(alert: Alert, webhook: str, status: DeliveryStatus, detail: str) -> Delivery:
    """A Delivery that was never tried."""
    events = tuple(sorted(alert.events, key=lambda e: e.value))
    return Delivery(
        alert.spreadsheet_id,
        alert.run_id,
        webhook,
        events,
        status,
        attempts=0,
        detail=detail,
        http_status=None,
        elapsed=0.0,
        text=alert.text,
    )


def _log_outcome(delivery: Delivery) -> None:
    level = logging.INFO if delivery.sent else logging.WARNING
    log.log(
        level,
        "alert for %s (run %s, %s) to %s: %s after %d tries in %.2f s: %s",
        delivery.spreadsheet_id,
        delivery.run_id or "-",
        ",".join(e.value for e in delivery.events) or "-",
        delivery.webhook,
        delivery.status.value,
        delivery.attempts,
        delivery.elapsed,
        delivery.detail,
    )
