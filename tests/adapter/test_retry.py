"""The bounded retry policy, with a fake clock and sleeper (no waiting)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from sheets_adapter.retry import (
    Exhausted,
    RequestCounter,
    Retrier,
    RetryPolicy,
    Transient,
    parse_retry_after,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class GaveUp(Exception):
    def __init__(self, exhausted: Exhausted) -> None:
        super().__init__("gave up")
        self.exhausted = exhausted


def retrier(fake: FakeTime, **policy: Any) -> Retrier:
    return Retrier(RetryPolicy(**policy), clock=fake.clock, sleep=fake.sleep, rng=random.Random(7))


def test_full_jitter_stays_under_the_capped_exponential() -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=4.0)
    rng = random.Random(1)
    for retry in range(12):
        ceiling = min(4.0, 0.25 * 2**retry)
        samples = [policy.backoff(retry, rng) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2  # really spread over the window


def test_succeeds_after_transient_failures() -> None:
    fake = FakeTime()
    answers: list[Exception | str] = [Transient(503, "HTTP 503"), Transient(429, "HTTP 429"), "ok"]

    def attempt(_timeout: tuple[float, float]) -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert retrier(fake).run(attempt, GaveUp) == "ok"
    assert len(fake.sleeps) == 2


def test_gives_up_at_the_deadline_without_sleeping_past_it() -> None:
    fake = FakeTime()
    starts: list[float] = []

    def attempt(_timeout: tuple[float, float]) -> str:
        starts.append(fake.now)
        fake.now += 0.1  # each attempt takes a little time
        raise Transient(503, "HTTP 503")

    with pytest.raises(GaveUp) as caught:
        retrier(fake, base_delay=0.25, max_delay=4.0, deadline=20.0).run(attempt, GaveUp)
    assert starts[-1] < 20.0  # no attempt starts after the deadline
    assert fake.now - starts[-1] == pytest.approx(0.1)  # and no sleep after the last one
    assert caught.value.exhausted.attempts == len(starts) > 3
    assert all(s <= 4.0 for s in fake.sleeps)
    assert caught.value.exhausted.last.status == 503


def test_every_attempt_has_a_connect_and_read_timeout_within_the_deadline() -> None:
    fake = FakeTime()
    seen: list[tuple[float, float]] = []

    def attempt(timeout: tuple[float, float]) -> str:
        seen.append(timeout)
        fake.now += 3
        raise Transient(None, "ReadTimeout")

    with pytest.raises(GaveUp):
        retrier(fake, deadline=10.0, connect_timeout=5.0, read_timeout=60.0).run(attempt, GaveUp)
    assert seen[0] == (5.0, 10.0)
    assert all(read <= 10.0 and connect <= read for connect, read in seen)


def test_retry_after_is_honoured() -> None:
    fake = FakeTime()
    answers: list[Exception | str] = [Transient(429, "HTTP 429", retry_after=3.0), "ok"]

    def attempt(_timeout: tuple[float, float]) -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert retrier(fake, max_delay=1.0).run(attempt, GaveUp) == "ok"
    assert fake.sleeps == [3.0]


def test_a_retry_after_beyond_the_deadline_gives_up_at_once() -> None:
    fake = FakeTime()

    def attempt(_timeout: tuple[float, float]) -> str:
        raise Transient(429, "HTTP 429", retry_after=60.0)

    with pytest.raises(GaveUp) as caught:
        retrier(fake, deadline=20.0).run(attempt, GaveUp)
    assert fake.sleeps == []
    assert caught.value.exhausted.retry_after_too_long


def test_other_errors_are_not_retried() -> None:
    fake = FakeTime()
    calls = 0

    def attempt(_timeout: tuple[float, float]) -> str:
        nonlocal calls
        calls += 1
        raise KeyError("bad")

    with pytest.raises(KeyError):
        retrier(fake).run(attempt, GaveUp)
    assert calls == 1


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") == 0.0
    now = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    date = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(date, now=now.timestamp) == pytest.approx(30.0)


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline=0)
    with pytest.raises(ValueError, match="max_delay"):
        RetryPolicy(base_delay=2, max_delay=1)


def test_request_counter() -> None:
    counter = RequestCounter()
    for kind in ("get", "values.batchGet", "batchUpdate", "token", "get"):
        counter.add(kind)
    assert counter.total == 4
    assert counter.counts()["get"] == 2
    counter.reset()
    assert counter.total == 0


def test_a_last_attempt_cut_off_by_the_deadline_keeps_googles_last_answer() -> None:
    """Quota refusals, then a final attempt that the deadline ends before any answer:
    the give-up names the quota, not the timeout our own clock caused."""
    fake = FakeTime()

    def attempt(_timeout: tuple[float, float]) -> str:
        if fake.now + 0.3 < 1.0:
            fake.now += 0.3
            raise Transient(429, "HTTP 429")
        fake.now = 1.0  # cut off exactly at the deadline
        raise Transient(None, "ReadTimeout")

    with pytest.raises(GaveUp) as caught:
        retrier(fake, base_delay=0.01, max_delay=0.01, deadline=1.0).run(attempt, GaveUp)
    exhausted = caught.value.exhausted
    assert exhausted.last.status is None
    assert exhausted.cut_short
    assert exhausted.decisive.status == 429


class WidestJitter(random.Random):
    """Every backoff takes the top of its window."""

    def uniform(self, _a: float, b: float) -> float:
        return b


def test_a_timeout_well_before_the_deadline_is_the_reason_given() -> None:
    fake = FakeTime()
    answers = [Transient(429, "HTTP 429"), Transient(None, "ReadTimeout")]

    def attempt(_timeout: tuple[float, float]) -> str:
        fake.now += 0.1
        raise answers.pop(0)

    policy = RetryPolicy(base_delay=0.6, max_delay=0.6, deadline=1.0)
    slow = Retrier(policy, clock=fake.clock, sleep=fake.sleep, rng=WidestJitter())
    with pytest.raises(GaveUp) as caught:
        slow.run(attempt, GaveUp)
    exhausted = caught.value.exhausted
    assert exhausted.attempts == 2
    assert fake.sleeps == [0.6]
    assert exhausted.last_answer is not None
    assert exhausted.last_answer.status == 429
    assert not exhausted.cut_short  # it ended at 0.8 s, then the next sleep would pass 1.0
    assert exhausted.decisive.status is None
