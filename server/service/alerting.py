"""Alerts wired to runs: each spreadsheet's settings kept with its webhook URL sealed, and
after every run that ended (SUCCEEDED or FAILED, interrupted runs included) the message
its settings ask for, posted off the request path.

:meth:`Alerting.save` checks a URL against the allowed hosts
(:func:`~server.alerts.validate_webhook_url`, a refusal is ``WebhookUrlError``) and
stores it sealed (:class:`~server.alerts.Sealer`); :meth:`Alerting.view` shows it back
masked, never in clear. :meth:`Alerting.post` (blocking, called on a worker thread after
the run's caller was answered) reads the settings, opens the URL and hands the run's
:class:`~server.alerts.RunReport` to :meth:`~server.alerts.AlertPoster.post_alerts`,
which queues the message and returns at once: a slow, failing or hanging webhook never
delays or fails a run. Nothing here raises: a problem is logged (the URL masked).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from server.alerts import (
    DEFAULT_ON,
    AlertOn,
    AlertPoster,
    AlertSettings,
    RunReport,
    Sealer,
    SealingError,
    WebhookSettings,
    WebhookUrlError,
    mask,
    subscriptions,
    validate_webhook_url,
)
from server.store.errors import StoreError
from server.store.port import RunStore, StoredAlerts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertsView:
    """A spreadsheet's alerts as the API shows them (``AlertSettings``): the URL masked."""

    spreadsheet_id: str
    webhook: str | None
    on: tuple[AlertOn, ...]


def _ordered(on: Collection[AlertOn]) -> tuple[AlertOn, ...]:
    return tuple(event for event in AlertOn if event in on)


class Alerting:
    def __init__(
        self,
        store: RunStore,
        sealer: Sealer,
        hosts: WebhookSettings,
        poster: AlertPoster | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._hosts = hosts
        self._poster = poster
        self._clock = clock

    def view(self, spreadsheet_id: str) -> AlertsView | None:
        stored = self._store.alert_settings(spreadsheet_id)
        if stored is None:
            return None
        shown = None
        if stored.webhook is not None:
            try:
                shown = mask(self._sealer.open(stored.webhook))
            except SealingError as err:
                log.warning("alerts of %s: %s", spreadsheet_id, err)
                shown = "[a webhook URL that cannot be opened: set it again]"
        return AlertsView(spreadsheet_id, shown, _ordered(subscriptions(stored.on)))

    def save(
        self,
        spreadsheet_id: str,
        url: str | None,
        on: Collection[AlertOn] = DEFAULT_ON,
        *,
        by: str | None = None,
    ) -> AlertsView:
        """Keep the settings (``url`` None removes the webhook, keeping ``on``); a URL off
        the allowed hosts raises :class:`~server.alerts.WebhookUrlError` (naming the host,
        never the URL's secret parts)."""
        sealed = None
        shown = None
        if url is not None:
            checked = validate_webhook_url(url, self._hosts)
            sealed = self._sealer.seal(checked)
            shown = checked.masked
        events = _ordered(on)
        self._store.save_alert_settings(
            StoredAlerts(
                spreadsheet_id,
                sealed,
                tuple(event.value for event in events),
                self._clock(),
                by,
            )
        )
        log.info(
            "alerts of %s set by %s: %s on %s",
            spreadsheet_id,
            by or "-",
            shown or "no webhook",
            ",".join(event.value for event in events) or "nothing",
        )
        return AlertsView(spreadsheet_id, shown, events)

    def post(self, report: RunReport) -> None:
        """Queue the alert ``report`` calls for, if any (blocking: reads the settings)."""
        if self._poster is None:
            return
        try:
            settings = self._settings(report.spreadsheet_id)
        except StoreError:
            log.warning("alerts of %s not read: the run store failed", report.spreadsheet_id)
            return
        if settings is not None:
            self._poster.post_alerts(settings, report)

    def _settings(self, spreadsheet_id: str) -> AlertSettings | None:
        stored = self._store.alert_settings(spreadsheet_id)
        if stored is None or stored.webhook is None:
            return None
        try:
            url = validate_webhook_url(self._sealer.open(stored.webhook), self._hosts)
        except (SealingError, WebhookUrlError) as err:
            log.warning("alerts of %s not sent: %s", spreadsheet_id, err)
            return None
        return AlertSettings(spreadsheet_id, url, subscriptions(stored.on))
