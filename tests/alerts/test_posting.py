"""Alerts posted over real HTTP to a local webhook receiver: delivered, tried again,
given up within the budget, never sent off the list, never blocking, never raising, and
never logging the URL's secret."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from server.alerts import (
    AlertConfig,
    AlertOn,
    AlertPoster,
    AlertSettings,
    Delivery,
    DeliveryStatus,
    RunReport,
    validate_webhook_url,
)
from server.alerts.messages import Alert
from server.classification.model import Verdict
from server.config import Settings
from tests.alerts.conftest import LOCAL, qv
from tests.support.webhooks import Reply, WebhookReceiver

H, S = Verdict.HARD_MISS, Verdict.SOFT_MISS
REPORT = RunReport(
    "1AbCdEfGhIjK",
    "2025-Q4",
    verdicts=(qv(None, S, bookings=190_000), qv("EMEA", H)),
    previous=(qv(None, S, bookings=190_000), qv("EMEA", S)),
    run_id="run-7",
    title="Q4 Plan",
)
ALERT = Alert("1AbCdEfGhIjK", "run-7", frozenset({AlertOn.EVERY_RUN}), "hello")


def settings_for(url: str, *on: AlertOn) -> AlertSettings:
    return AlertSettings("1AbCdEfGhIjK", validate_webhook_url(url, LOCAL), frozenset(on))


def test_an_alert_is_delivered_as_json_text(receiver: WebhookReceiver) -> None:
    url = receiver.slack_url()
    outbox: list[Delivery] = []
    with AlertPoster(LOCAL, on_delivery=outbox.append) as poster:
        future = poster.post_alerts(settings_for(url, AlertOn.NEW_HARD_MISS), REPORT)
        assert future is not None
        delivery = future.result(timeout=10)
    assert delivery.status is DeliveryStatus.SENT
    assert (delivery.attempts, delivery.http_status) == (1, 200)
    assert delivery.events == (AlertOn.NEW_HARD_MISS,)
    assert outbox == [delivery]
    [request] = receiver.requests
    assert request.method == "POST"
    assert request.target == urlsplit(url).path
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json() == {"text": delivery.text}
    assert "🔴 EMEA turned *Hard Miss* (was Soft Miss) — 71% of plan, $58k short" in request.text
    assert "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjK/edit" in request.text


def test_a_chat_webhook_gets_chat_escaping_and_its_key_and_token(
    receiver: WebhookReceiver,
) -> None:
    url = receiver.chat_url()
    report = dataclasses.replace(
        REPORT, verdicts=(qv("<users/all>", H),), previous=(qv("<users/all>", S),)
    )
    with AlertPoster(LOCAL) as poster:
        future = poster.post_alerts(settings_for(url, AlertOn.NEW_HARD_MISS), report)
        assert future is not None
        assert future.result(timeout=10).sent
    [request] = receiver.requests
    assert parse_qs(urlsplit(request.target).query) == parse_qs(urlsplit(url).query)
    assert "‹users/all› turned *Hard Miss*" in request.text


def test_nothing_is_posted_without_a_webhook_or_news(receiver: WebhookReceiver) -> None:
    quiet = dataclasses.replace(REPORT, previous=REPORT.verdicts)
    with AlertPoster(LOCAL) as poster:
        assert poster.post_alerts(AlertSettings("1AbCdEfGhIjK"), REPORT) is None
        assert (
            poster.post_alerts(settings_for(receiver.slack_url(), AlertOn.NEW_HARD_MISS), quiet)
            is None
        )
        assert poster.pending == 0
    assert receiver.requests == []


def test_failures_are_tried_again_until_delivered(receiver: WebhookReceiver) -> None:
    receiver.reply(
        Reply(500, b"rollup_error"), Reply(429, b"rate_limited", retry_after="0"), Reply(503)
    )
    with AlertPoster(LOCAL) as poster:
        delivery = poster.post(receiver.slack_url(), ALERT).result(timeout=10)
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.attempts == 4
    requests = receiver.requests
    assert len(requests) == 4
    assert len({r.body for r in requests}) == 1
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    for n, gap in enumerate(gaps):  # each wait at least half its exponential ceiling
        assert gap >= LOCAL.webhook_backoff * 2**n / 2


def test_a_retry_after_is_waited(receiver: WebhookReceiver) -> None:
    receiver.reply(Reply(429, b"rate_limited", retry_after="1"))
    with AlertPoster(LOCAL) as poster:
        delivery = poster.post(receiver.slack_url(), ALERT).result(timeout=10)
    assert delivery.sent
    first, second = receiver.requests
    assert second.at - first.at >= 0.95


def test_a_persistent_failure_gives_up_within_the_budget_without_raising(
    receiver: WebhookReceiver,
) -> None:
    config = dataclasses.replace(LOCAL, webhook_attempts=10, webhook_budget=1.5)
    receiver.reply(*[Reply(500, b"rollup_error")] * 50)
    with AlertPoster(config) as poster:
        started = time.monotonic()
        future = poster.post(receiver.slack_url(), ALERT)
        assert time.monotonic() - started < 0.1  # queued, not sent, on return
        delivery = future.result(timeout=10)
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.elapsed <= 1.5
    assert 2 <= delivery.attempts == len(receiver.requests) <= 10
    assert "HTTP 500 rollup_error" in delivery.detail


def test_a_slow_chat_service_never_holds_the_caller(receiver: WebhookReceiver) -> None:
    config = dataclasses.replace(LOCAL, webhook_timeout=0.3, webhook_budget=1.2)
    receiver.reply(*[Reply(delay=5)] * 10)
    with AlertPoster(config) as poster:
        started = time.monotonic()
        future = poster.post_alerts(settings_for(receiver.slack_url(), AlertOn.EVERY_RUN), REPORT)
        assert time.monotonic() - started < 0.1
        assert future is not None
        delivery = future.result(timeout=10)
        waited = time.monotonic() - started
    assert delivery.status is DeliveryStatus.FAILED
    assert "no answer within" in delivery.detail
    assert waited < 1.2 + 1.0


def test_a_webhook_that_is_gone_is_not_tried_again(receiver: WebhookReceiver) -> None:
    receiver.reply(Reply(404, b"no_service"))
    with AlertPoster(LOCAL) as poster:
        delivery = poster.post(receiver.slack_url(), ALERT).result(timeout=10)
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "HTTP 404 no_service: the webhook was removed" in delivery.detail
    assert len(receiver.requests) == 1


def test_hosts_off_the_list_are_never_contacted(receiver: WebhookReceiver) -> None:
    saved = settings_for(receiver.slack_url(), AlertOn.EVERY_RUN)  # checked when allowed
    production = AlertConfig()  # the default list: Slack and Chat only
    with AlertPoster(production) as poster:
        by_settings = poster.post_alerts(saved, REPORT)
        assert by_settings is not None
        refused = [by_settings.result(timeout=1), poster.post(receiver.chat_url(), ALERT).result(1)]
        refused.append(poster.post(f"https://127.0.0.1:{receiver.port}/x", ALERT).result(1))
    for delivery in refused:
        assert delivery.status is DeliveryStatus.REFUSED
        assert delivery.attempts == 0
        assert "Alerts may only go to hooks.slack.com, chat.googleapis.com" in delivery.detail
    time.sleep(0.2)
    assert receiver.requests == []


def test_the_backlog_is_bounded(receiver: WebhookReceiver) -> None:
    receiver.reply(*[Reply(delay=0.5)] * 3)
    with AlertPoster(LOCAL, workers=1, backlog=2) as poster:
        futures = [poster.post(receiver.slack_url(), ALERT) for _ in range(3)]
        dropped = futures[2].result(timeout=0.1)
        assert dropped.status is DeliveryStatus.DROPPED
        assert [f.result(timeout=10).status for f in futures[:2]] == [DeliveryStatus.SENT] * 2
    assert len(receiver.requests) == 2


def test_close_cuts_waits_short_and_refuses_new_alerts(receiver: WebhookReceiver) -> None:
    config = dataclasses.replace(LOCAL, webhook_backoff=30, webhook_budget=600)
    receiver.reply(*[Reply(503)] * 5)
    poster = AlertPoster(config)
    future = poster.post(receiver.slack_url(), ALERT)
    receiver.wait_for(1)
    started = time.monotonic()
    poster.close(grace=0.2)
    assert time.monotonic() - started < 3
    delivery = future.result(timeout=5)
    assert delivery.status is DeliveryStatus.CANCELLED
    assert delivery.attempts == 1
    late = poster.post(receiver.slack_url(), ALERT).result(timeout=1)
    assert late.status is DeliveryStatus.CANCELLED
    assert len(receiver.requests) == 1


def test_close_lets_queued_alerts_finish_within_the_grace(receiver: WebhookReceiver) -> None:
    receiver.reply(Reply(delay=0.3))
    poster = AlertPoster(LOCAL)
    future = poster.post(receiver.slack_url(), ALERT)
    poster.close(grace=5)
    assert future.done()
    assert future.result().sent


def test_a_failing_outbox_or_a_bug_never_reaches_the_caller(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_outbox(_delivery: Delivery) -> None:
        raise RuntimeError("outbox table is gone")

    def broken_compose(*_args: object) -> str:
        raise ZeroDivisionError("a bug")

    with AlertPoster(LOCAL, on_delivery=broken_outbox) as poster:
        settings = settings_for(receiver.slack_url(), AlertOn.EVERY_RUN)
        first = poster.post_alerts(settings, REPORT)
        assert first is not None
        assert first.result(timeout=10).sent
        monkeypatch.setattr("server.alerts.poster.compose", broken_compose)
        second = poster.post_alerts(settings, REPORT)
        assert second is not None
        assert second.result(timeout=1).status is DeliveryStatus.FAILED
        nonsense = poster.post(None, ALERT)  # type: ignore[arg-type]
        assert nonsense.result(timeout=1).status is DeliveryStatus.FAILED
    assert "on_delivery failed" in caplog.text
    assert "ZeroDivisionError" in caplog.text
    assert len(receiver.requests) == 1


def test_the_servers_settings_drive_a_poster(receiver: WebhookReceiver) -> None:
    settings = Settings.from_env({"SALES_VERDICTS_WEBHOOK_HOSTS": "127.0.0.1"})
    with AlertPoster(settings) as poster:
        assert poster.post(receiver.slack_url(), ALERT).result(timeout=10).sent


def test_no_secret_reaches_the_logs(
    receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    slack = receiver.slack_url("S3cretSlackPathPart0123456")
    chat = receiver.chat_url(key="AIzaSecretChatKey987654", token="secretChatToken-123_456")
    secrets = ["S3cretSlackPathPart0123456", "AIzaSecretChatKey987654", "secretChatToken-123_456"]
    receiver.reply(Reply(500, b"rollup_error"), Reply(404, b"no_service"), Reply(503), Reply(410))
    outcomes: list[Delivery] = []
    with caplog.at_level(logging.DEBUG), AlertPoster(LOCAL, on_delivery=outcomes.append) as poster:
        for url in (slack, chat, slack + "x", "http://127.0.0.2:9/" + secrets[0]):
            poster.post(url, ALERT).result(timeout=10)
        poster.post(validate_webhook_url(chat, LOCAL), ALERT).result(timeout=10)
    statuses = [o.status for o in outcomes]
    assert statuses == [
        DeliveryStatus.FAILED,
        DeliveryStatus.FAILED,
        DeliveryStatus.SENT,
        DeliveryStatus.REFUSED,
        DeliveryStatus.SENT,
    ]
    assert "try 1 failed (HTTP 500 rollup_error" in caplog.text
    assert "http://127.0.0.1:" in caplog.text  # the logs still say where, masked
    shown = caplog.text + repr(outcomes) + "".join(r.getMessage() for r in caplog.records)
    for secret in secrets:
        for start in range(len(secret) - 8):
            assert secret[start : start + 9] not in shown, secret


def test_an_ipv6_loopback_receiver_is_reached() -> None:
    try:
        hook = WebhookReceiver("::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    config = dataclasses.replace(LOCAL, webhook_hosts=("::1",))
    with hook, AlertPoster(config) as poster:
        delivery = poster.post(hook.slack_url(), ALERT).result(timeout=10)
        assert delivery.sent
        assert delivery.webhook.startswith(f"http://[::1]:{hook.port}/services/")
        assert len(hook.requests) == 1
