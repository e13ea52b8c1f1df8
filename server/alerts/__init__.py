"""Alerts: a Slack or Google Chat message when a run finds news, posted in the background.

A spreadsheet's :class:`AlertSettings` (a webhook URL and the :class:`AlertOn` events
chosen) and a :class:`RunReport` of a run that ended go to
:meth:`AlertPoster.post_alerts`, which decides, composes and queues the message and
answers at once; the posting retries with backoff within a time budget, on threads of its
own, and never fails or delays the run.

* :mod:`~server.alerts.urls` — :func:`validate_webhook_url`, :class:`WebhookUrl` (a URL
  typed as a secret), :func:`mask`, the allowed hosts;
* :mod:`~server.alerts.model` — the values: :class:`AlertOn`, :class:`AlertSettings`,
  :class:`RunReport`, :class:`VerdictChange`, :class:`FlagRaised`, :class:`AlertConfig`;
* :mod:`~server.alerts.events` — what moved between two runs and which events fire (pure);
* :mod:`~server.alerts.messages` — the text (pure);
* :mod:`~server.alerts.delivery` — one alert posted: retries, backoff, budget, outcome;
* :mod:`~server.alerts.poster` — :class:`AlertPoster`: the background threads;
* :mod:`~server.alerts.sealing` — :class:`Sealer`: URLs encrypted for the store;
* :mod:`~server.alerts.errors` — the exceptions.

A layer beside the adapters: it uses the domain's types and nothing of the store, the
Sheets adapter or the entry points, and reads no settings (its callers hand them over).
"""

from __future__ import annotations

from server.alerts.delivery import Delivery, DeliveryStatus
from server.alerts.errors import AlertsError, WebhookUrlError
from server.alerts.events import Findings, findings, fired, raised_flags, verdict_changes
from server.alerts.messages import Alert, compose, sheet_link
from server.alerts.model import (
    DEFAULT_ON,
    AlertConfig,
    AlertOn,
    AlertSettings,
    FlagRaised,
    RunReport,
    VerdictChange,
    subscriptions,
)
from server.alerts.poster import AlertPoster
from server.alerts.sealing import Sealer, SealingError, SealingKeys
from server.alerts.urls import (
    DEFAULT_HOSTS,
    Flavour,
    WebhookSettings,
    WebhookUrl,
    mask,
    parse_hosts,
    validate_webhook_url,
)

__all__ = [
    "DEFAULT_HOSTS",
    "DEFAULT_ON",
    "Alert",
    "AlertConfig",
    "AlertOn",
    "AlertPoster",
    "AlertSettings",
    "AlertsError",
    "Delivery",
    "DeliveryStatus",
    "Findings",
    "FlagRaised",
    "Flavour",
    "RunReport",
    "Sealer",
    "SealingError",
    "SealingKeys",
    "VerdictChange",
    "WebhookSettings",
    "WebhookUrl",
    "WebhookUrlError",
    "compose",
    "findings",
    "fired",
    "mask",
    "parse_hosts",
    "raised_flags",
    "sheet_link",
    "subscriptions",
    "validate_webhook_url",
    "verdict_changes",
]
