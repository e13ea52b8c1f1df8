"""Posting one alert: bounded retries with jittered exponential backoff, a time budget,
and an outcome instead of an exception.

:meth:`Courier.deliver` tries up to ``webhook_attempts`` times within ``webhook_budget`` seconds,
each try at most ``webhook_timeout`` seconds. It tries again on 429 (waiting what
``Retry-After`` asks, when that fits in the budget), on 5xx and 408, on timeouts and on
connection errors; it stops at once on any other answer (Slack's ``404 no_service``,
``410 channel_is_archived``, ``403 action_prohibited``, ``400 invalid_payload``; Chat's
403/404), since trying again cannot help: the detail then says what to do. Redirects are
not followed (the next hop might be a host off the list). Between tries it waits
``backoff × 2^(n−1)`` seconds, capped at :data:`BACKOFF_CAP`, half of it jittered so that
alerts of a burst spread out.

The HTTP client is the standard library's ``http.client``, one connection per try, on
purpose: ``httpx`` and ``urllib3`` log every request's full URL (at INFO and DEBUG), and
here the URL is the secret; ``http.client`` logs nothing, follows no redirect and reads
no proxy from the environment.
"""

from __future__ import annotations

import email.utils
import enum
import http.client
import json
import logging
import random
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from server.alerts.messages import Alert
from server.alerts.model import AlertOn
from server.alerts.urls import WebhookSettings, WebhookUrl

log = logging.getLogger(__name__)

BACKOFF_CAP = 8.0  # seconds: the longest wait between two tries (Retry-After aside)
MAX_ANSWER = 2048  # bytes of an answer read for its error text
USER_AGENT = "sales-verdicts-alerts/1"
_RETRY_STATUS = frozenset({408, 429})
_SLACK_ERROR = re.compile(r"[a-z_]{2,40}")


class DeliveryStatus(enum.Enum):
    SENT = "SENT"  # the webhook answered 2xx
    FAILED = "FAILED"  # refused, or gave up after retries or at the budget
    REFUSED = "REFUSED"  # the URL is not allowed (not sent anywhere)
    DROPPED = "DROPPED"  # too many alerts waiting (not sent)
    CANCELLED = "CANCELLED"  # the server stopped before it was sent


@dataclass(frozen=True)
class Delivery:
    """What became of one alert: the outbox record a caller may keep.

    ``webhook`` is masked; ``detail`` is a sentence a person can act on; ``http_status``
    the last answer's status (None: no answer); ``elapsed`` seconds spent."""

    spreadsheet_id: str
    run_id: str | None
    webhook: str
    events: tuple[AlertOn, ...]
    status: DeliveryStatus
    attempts: int
    detail: str
    http_status: int | None
    elapsed: float
    text: str

    @property
    def sent(self) -> bool:
        return self.status is DeliveryStatus.SENT


@dataclass(frozen=True)
class Answer:
    """A webhook's HTTP answer: status, ``Retry-After`` in seconds, the start of the body."""

    status: int
    retry_after: float | None = None
    body: str = ""


class TransportFailure(Exception):
    """No answer: a timeout or a connection error. The message never holds the URL."""

    def __init__(self, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class Transport(Protocol):
    """Sends one POST; answers, or raises :class:`TransportFailure`."""

    def post(self, url: WebhookUrl, body: bytes, timeout: float) -> Answer: ...


class HttpTransport:
    """:class:`Transport` over ``http.client`` (see the module docstring)."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self._context = context or ssl.create_default_context()

    def post(self, url: WebhookUrl, body: bytes, timeout: float) -> Answer:
        parts = urlsplit(url.reveal())
        host = parts.hostname or ""
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            port = parts.port or 443  # explicit: http.client would read "::1" as host ":" port 1
            connection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._context
            )
        else:
            connection = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
        }
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read(MAX_ANSWER).decode("utf-8", "replace")
            retry_after = parse_retry_after(response.getheader("Retry-After"))
            return Answer(response.status, retry_after, url.scrub(text))
        except TimeoutError:
            raise TransportFailure(f"no answer within {timeout:.3g} s", timed_out=True) from None
        except (OSError, http.client.HTTPException) as err:
            reason = url.scrub(f"{type(err).__name__}: {err}".rstrip(": "))
            raise TransportFailure(reason) from None
        finally:
            connection.close()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds from now: a number of seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Policy:
    """How hard to try: from the settings (``SALES_VERDICTS_WEBHOOK_*``)."""

    attempts: int
    backoff: float
    timeout: float
    budget: float

    @classmethod
    def of(cls, settings: WebhookSettings) -> Policy:
        return cls(
            attempts=settings.webhook_attempts,
            backoff=settings.webhook_backoff,
            timeout=settings.webhook_timeout,
            budget=settings.webhook_budget,
        )

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed try number ``attempt`` (1-based): exponential, capped,
        the upper half jittered."""
        ceiling = min(max(BACKOFF_CAP, self.backoff), self.backoff * 2.0 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class _Try:
    """The outcome of one try: sent, or whether another may help and why it failed."""

    retry: bool
    detail: str
    status: int | None = None
    retry_after: float | None = None
    sent: bool = False


def _tries(n: int) -> str:
    return "1 try" if n == 1 else f"{n} tries"


def _judge(answer: Answer) -> _Try:
    status = answer.status
    said = _said(answer.body)
    what = f"HTTP {status}" + (f" {said}" if said else "")
    if status == 429:
        return _Try(True, f"{what} (rate limited)", status, answer.retry_after)
    if status in _RETRY_STATUS or status >= 500:
        return _Try(True, f"{what} (the chat service is failing)", status, answer.retry_after)
    if 300 <= status < 400:
        hint = "redirects are not followed; check the webhook URL"
    elif status in (404, 410):
        hint = "the webhook was removed, disabled or its channel archived; create a new one"
    elif status in (401, 403):
        hint = "the webhook may not post to its channel; check it in Slack or Chat"
    else:
        hint = "the chat service refused the message"
    return _Try(False, f"{what}: {hint}", status)


def _said(body: str) -> str:
    """The error word of an answer: Slack's ``no_service``, Google's ``NOT_FOUND``."""
    text = body.strip()
    if _SLACK_ERROR.fullmatch(text):
        return text
    try:
        error = json.loads(text).get("error", {})
        status = error.get("status") if isinstance(error, dict) else None
    except (ValueError, AttributeError):
        return ""
    return status if isinstance(status, str) and _SLACK_ERROR.fullmatch(status.lower()) else ""


@dataclass
class Courier:
    """Posts one alert at a time under ``policy`` (see the module docstring).

    ``wait(seconds)`` sleeps between tries and answers True when the poster is stopping
    (the alert then ends CANCELLED); ``clock`` and ``rng`` are for tests."""

    policy: Policy
    transport: Transport
    wait: Callable[[float], bool]
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def deliver(self, url: WebhookUrl, alert: Alert) -> Delivery:
        """Post ``alert`` to ``url``, trying again as the policy allows; never raises."""
        body = json.dumps(alert.body(), ensure_ascii=False).encode("utf-8")
        start = self.clock()
        deadline = start + self.policy.budget
        attempt = 0

        def done(status: DeliveryStatus, detail: str, http_status: int | None) -> Delivery:
            return Delivery(
                alert.spreadsheet_id,
                alert.run_id,
                url.masked,
                tuple(sorted(alert.events, key=lambda e: e.value)),
                status,
                attempt,
                detail,
                http_status,
                self.clock() - start,
                alert.text,
            )

        while True:
            attempt += 1
            timeout = max(0.001, min(self.policy.timeout, deadline - self.clock()))
            outcome = self._try(url, body, timeout)
            if outcome.sent:
                return done(DeliveryStatus.SENT, outcome.detail, outcome.status)
            if not outcome.retry:
                return done(DeliveryStatus.FAILED, outcome.detail, outcome.status)
            if attempt >= self.policy.attempts:
                detail = f"gave up after {_tries(attempt)}; the last: {outcome.detail}"
                return done(DeliveryStatus.FAILED, detail, outcome.status)
            pause = self.policy.delay(attempt, self.rng)
            if outcome.retry_after is not None:
                pause = max(pause, outcome.retry_after)
            if self.clock() + pause >= deadline:
                detail = (
                    f"gave up after {_tries(attempt)}: the next would pass the "
                    f"{self.policy.budget:g} s budget; the last: {outcome.detail}"
                )
                return done(DeliveryStatus.FAILED, detail, outcome.status)
            log.info(
                "alert for %s to %s: try %d failed (%s); again in %.2f s",
                alert.spreadsheet_id,
                url,
                attempt,
                outcome.detail,
                pause,
            )
            if self.wait(pause):
                return done(DeliveryStatus.CANCELLED, "the server stopped first", outcome.status)

    def _try(self, url: WebhookUrl, body: bytes, timeout: float) -> _Try:
        """One POST and what came of it."""
        try:
            answer = self.transport.post(url, body, timeout)
        except TransportFailure as failure:
            return _Try(True, failure.reason)
        if 200 <= answer.status < 300:
            return _Try(False, f"HTTP {answer.status}", answer.status, sent=True)
        return _judge(answer)
