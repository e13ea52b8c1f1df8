"""The alerts' values: what a sheet subscribes to, what a run reports, what changed."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from server.alerts.urls import DEFAULT_HOSTS, WebhookUrl
from server.classification.model import Flag, QuarterVerdict

# the domain's value, named here too (a change between two runs is what alerts are about)
from server.classification.model import VerdictChange as VerdictChange


class AlertOn(enum.Enum):
    """The events a spreadsheet's alerts are sent for (GraphQL ``AlertOn``)."""

    NEW_HARD_MISS = "NEW_HARD_MISS"  # a group (or the total) newly in Hard Miss
    FLAG_RAISED = "FLAG_RAISED"  # a flag newly raised on a group and quarter
    RUN_FAILED = "RUN_FAILED"  # a run ended FAILED
    EVERY_RUN = "EVERY_RUN"  # every run that ends, whatever it found


DEFAULT_ON: tuple[AlertOn, ...] = (AlertOn.NEW_HARD_MISS, AlertOn.RUN_FAILED)


@dataclass(frozen=True)
class AlertSettings:
    """One spreadsheet's alerts (what ``setAlerts`` stores): where and on what. No URL: no
    alerts. ``str``/``repr`` show the URL masked (it is a :class:`WebhookUrl`)."""

    spreadsheet_id: str
    webhook_url: WebhookUrl | None = None
    on: frozenset[AlertOn] = frozenset(DEFAULT_ON)

    @property
    def shown_url(self) -> str | None:
        """The URL as the API shows it back (``AlertSettings.webhookUrl``): masked."""
        return None if self.webhook_url is None else self.webhook_url.masked


@dataclass(frozen=True)
class FlagRaised:
    """Flags on a group and quarter that the earlier run did not have."""

    group: str | None
    quarter: str
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class RunReport:
    """What the alerts need to know of a run that ended.

    ``verdicts``: this run's (every group and quarter up to ``quarter``; empty for a failed
    run); ``previous``: those of the previous *successful* run of the same sheet and
    quarter, or None when there is none. ``error`` set means the run FAILED (code and
    message, as ``ClassificationRun.error``). ``title`` is the spreadsheet's name when
    known; ``label`` the quarter as the sheet writes it (``FY26 Q4``)."""

    spreadsheet_id: str
    quarter: str
    verdicts: tuple[QuarterVerdict, ...] = ()
    previous: tuple[QuarterVerdict, ...] | None = None
    error: str | None = None
    run_id: str | None = None
    title: str | None = None
    label: str = ""
    currency: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class AlertConfig:
    """The alerts' settings as plain values (it satisfies
    :class:`~server.alerts.urls.WebhookSettings`, as :class:`server.config.Settings`
    does). Defaults are the settings' defaults."""

    webhook_hosts: tuple[str, ...] = DEFAULT_HOSTS
    webhook_attempts: int = 4
    webhook_backoff: float = 0.5
    webhook_timeout: float = 10.0
    webhook_budget: float = 60.0


def subscriptions(on: Collection[AlertOn | str]) -> frozenset[AlertOn]:
    """``on`` as a set of :class:`AlertOn` (names accepted, as stored)."""
    return frozenset(o if isinstance(o, AlertOn) else AlertOn(o) for o in on)
