"""Fixtures of the alerts' tests: a webhook receiver over real HTTP, settings that reach it,
and verdicts built in one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.alerts import AlertConfig
from server.classification.model import Flag, QuarterVerdict, Verdict
from tests.support.webhooks import WebhookReceiver

# Timings small enough for tests, the default hosts plus the receiver's loopback address.
LOCAL = AlertConfig(
    webhook_hosts=("hooks.slack.com", "chat.googleapis.com", "127.0.0.1"),
    webhook_attempts=4,
    webhook_backoff=0.05,
    webhook_timeout=2.0,
    webhook_budget=5.0,
)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as hook:
        yield hook


def qv(
    group: str | None,
    verdict: Verdict,
    quarter: str = "2025-Q4",
    flags: tuple[Flag, ...] = (),
    plan: float | None = 200_000.0,
    bookings: float | None = 142_000.0,
) -> QuarterVerdict:
    """A verdict with the figures a message quotes (attainment and gap from the two)."""
    attainment = None if plan in (None, 0) or bookings is None else bookings / plan
    gap = None if plan is None or bookings is None else bookings - plan
    return QuarterVerdict(
        group=group,
        quarter=quarter,
        plan=plan,
        bookings=bookings,
        baseline=None,
        attainment=attainment,
        growth=None,
        verdict=verdict,
        flags=flags,
        action="",
        gap=gap,
    )
