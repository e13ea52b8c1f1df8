"""One alert's delivery, with a scripted transport and a clock that only moves when the
code waits: which answers are tried again, how long it waits, when it gives up."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from server.alerts import AlertConfig, AlertOn, DeliveryStatus, WebhookUrl, validate_webhook_url
from server.alerts.delivery import (
    BACKOFF_CAP,
    Answer,
    Courier,
    Delivery,
    Policy,
    TransportFailure,
    parse_retry_after,
)
from server.alerts.messages import Alert

URL = validate_webhook_url(
    "https://hooks.slack.com/services/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", AlertConfig()
)
ALERT = Alert("1AbC", "run-1", frozenset({AlertOn.NEW_HARD_MISS}), "EMEA turned Hard Miss")
POLICY = Policy(attempts=4, backoff=1.0, timeout=10.0, budget=60.0)


class Script:
    """Answers (or failures) in order; every try costs ``cost`` seconds of the clock."""

    def __init__(self, outcomes: Sequence[Answer | TransportFailure], cost: float = 0.1) -> None:
        self.outcomes = list(outcomes)
        self.cost = cost
        self.now = 0.0
        self.waits: list[float] = []
        self.timeouts: list[float] = []
        self.bodies: list[bytes] = []

    def post(self, url: WebhookUrl, body: bytes, timeout: float) -> Answer:
        assert url == URL
        self.bodies.append(body)
        self.timeouts.append(timeout)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, TransportFailure):
            self.now += timeout if outcome.timed_out else self.cost
            raise outcome
        self.now += self.cost
        return outcome

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return False

    def deliver(self, policy: Policy = POLICY, seed: int = 7) -> Delivery:
        courier = Courier(policy, self, self.wait, clock=lambda: self.now, rng=random.Random(seed))
        return courier.deliver(URL, ALERT)


def test_sent_at_the_first_try() -> None:
    script = Script([Answer(200, body="ok")])
    delivery = script.deliver()
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.sent
    assert (delivery.attempts, delivery.http_status, script.waits) == (1, 200, [])
    assert script.bodies == [b'{"text": "EMEA turned Hard Miss"}']
    assert delivery.webhook == "https://hooks.slack.com/services/T012…/…"
    assert delivery.events == (AlertOn.NEW_HARD_MISS,)
    assert (delivery.spreadsheet_id, delivery.run_id) == ("1AbC", "run-1")


def test_failures_are_tried_again_with_growing_jittered_waits() -> None:
    failures: list[Answer | TransportFailure] = [
        Answer(500),
        Answer(503),
        TransportFailure("ConnectionRefusedError"),
    ]
    script = Script([*failures, Answer(200)])
    delivery = script.deliver()
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.attempts == 4
    assert len(script.waits) == 3
    for n, waited in enumerate(script.waits):
        assert 2**n / 2 <= waited <= 2**n
    assert delivery.elapsed == pytest.approx(sum(script.waits) + 0.4)


def test_waits_are_capped_and_spread_out() -> None:
    policy = Policy(attempts=10, backoff=1.0, timeout=1.0, budget=600.0)
    rng = random.Random(1)
    late = [policy.delay(9, rng) for _ in range(200)]
    assert all(BACKOFF_CAP / 2 <= d <= BACKOFF_CAP for d in late)
    assert len({round(d, 3) for d in late}) > 150
    assert policy.delay(1, rng) <= 1.0


def test_retry_after_is_waited_when_it_is_longer() -> None:
    script = Script([Answer(429, retry_after=7.0, body="rate_limited"), Answer(200)])
    delivery = script.deliver()
    assert delivery.status is DeliveryStatus.SENT
    assert script.waits == [7.0]


def test_a_retry_after_beyond_the_budget_gives_up_at_once() -> None:
    script = Script([Answer(429, retry_after=3600.0, body="rate_limited")])
    delivery = script.deliver()
    assert delivery.status is DeliveryStatus.FAILED
    assert (delivery.attempts, delivery.http_status, script.waits) == (1, 429, [])
    assert "60 s budget" in delivery.detail
    assert "HTTP 429 rate_limited (rate limited)" in delivery.detail


def test_the_budget_bounds_tries_that_time_out() -> None:
    policy = Policy(attempts=10, backoff=1.0, timeout=10.0, budget=25.0)
    script = Script([TransportFailure("no answer", timed_out=True)] * 10)
    delivery = script.deliver(policy)
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.elapsed <= 25.0
    assert script.timeouts[0] == 10.0
    assert all(t <= 10.0 for t in script.timeouts)
    assert "budget" in delivery.detail
    assert "no answer" in delivery.detail


def test_the_last_try_never_waits_past_the_budget() -> None:
    policy = Policy(attempts=10, backoff=0.5, timeout=10.0, budget=12.0)
    script = Script([TransportFailure("no answer", timed_out=True), Answer(500), Answer(200)])
    delivery = script.deliver(policy)
    # the first try took 10 s: the second gets what is left of the budget, not 10 s
    assert script.timeouts[1] == pytest.approx(12.0 - 10.0 - script.waits[0])
    assert delivery.status is DeliveryStatus.SENT


def test_attempts_are_bounded() -> None:
    script = Script([Answer(502)] * 4)
    delivery = script.deliver()
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == 4
    assert len(script.waits) == 3
    assert delivery.detail.startswith("gave up after 4 tries; the last: HTTP 502")


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (Answer(404, body="no_service"), "HTTP 404 no_service: the webhook was removed"),
        (Answer(410, body="channel_is_archived"), "HTTP 410 channel_is_archived"),
        (Answer(403, body="action_prohibited"), "HTTP 403 action_prohibited: the webhook may not"),
        (Answer(400, body="invalid_payload"), "HTTP 400 invalid_payload: the chat service refused"),
        (Answer(302), "HTTP 302: redirects are not followed"),
        (
            Answer(404, body='{"error": {"code": 404, "message": "x", "status": "NOT_FOUND"}}'),
            "HTTP 404 NOT_FOUND",
        ),
    ],
)
def test_answers_that_another_try_cannot_change_stop_at_once(answer: Answer, says: str) -> None:
    script = Script([answer, Answer(200)])
    delivery = script.deliver()
    assert delivery.status is DeliveryStatus.FAILED
    assert (delivery.attempts, delivery.http_status) == (1, answer.status)
    assert says in delivery.detail
    assert script.waits == []


def test_a_stopping_poster_cancels_the_wait() -> None:
    script = Script([Answer(500), Answer(200)])
    courier = Courier(POLICY, script, lambda _seconds: True, clock=lambda: script.now)
    delivery = courier.deliver(URL, ALERT)
    assert delivery.status is DeliveryStatus.CANCELLED
    assert delivery.attempts == 1


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    when = datetime(2030, 1, 1, 0, 0, 30, tzinfo=UTC)
    now = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after(format_datetime(when, usegmt=True), now=now) == 30.0
