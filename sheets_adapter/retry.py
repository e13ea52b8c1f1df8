"""Bounded retries for Google API calls, and a counter of the requests they send.

gspread 6.2's ``BackOffHTTPClient`` retries a persistent failure forever and sets no
timeout, so the adapter uses this instead: exponential backoff with full jitter
(``uniform(0, min(cap, base * 2**n))``), a cap per sleep, an overall deadline, a
``(connect, read)`` timeout on every attempt, and ``Retry-After`` honoured when the
server sends one (when that wait would pass the deadline, it gives up at once rather
than sleep for nothing). The deadline is a wall-clock bound, and one budget
(:mod:`server.budget`) caps it across every call of a request. Clock, sleeper and
random source are injected so tests run without waiting.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from server import budget

T = TypeVar("T")

#: An attempt that fails this close to the deadline (seconds) was cut off by it.
CUT_OFF_SLACK = 0.01

#: Answers worth another try: request timeout, quota, and the server-side failures.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to retry. All durations in seconds."""

    base_delay: float = 0.25
    max_delay: float = 4.0
    deadline: float = 20.0
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    min_read_timeout: float = 1.0  # the read timeout is clamped to the time left, not below this
    retry_statuses: frozenset[int] = RETRY_STATUSES

    def __post_init__(self) -> None:
        for name in ("base_delay", "max_delay", "deadline", "connect_timeout", "read_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"RetryPolicy.{name} must be a positive number of seconds")
        if self.max_delay < self.base_delay:
            raise ValueError("RetryPolicy.max_delay must be at least base_delay")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The sleep before retry number ``retry`` (0 for the first retry): full jitter."""
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** min(retry, 62)))
        return rng.uniform(0.0, ceiling)

    def timeout(self, remaining: float) -> tuple[float, float]:
        """``(connect, read)`` for one attempt with ``remaining`` seconds left."""
        read = min(self.read_timeout, max(remaining, self.min_read_timeout))
        return (min(self.connect_timeout, read), read)


class Transient(Exception):
    """One attempt failed in a way worth retrying. Internal to the adapter."""

    def __init__(self, status: int | None, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - now()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


@dataclass
class Exhausted:
    """What the retrier knows when it gives up; the adapter turns it into an exception."""

    last: Transient
    attempts: int
    elapsed: float
    retry_after_too_long: bool = False
    #: The last failure that was an answer from Google (it has a status), if any.
    last_answer: Transient | None = None
    #: The last attempt failed without an answer when the deadline cut it off: that
    #: says more about the time left than about Google.
    cut_short: bool = False

    @property
    def decisive(self) -> Transient:
        """The failure that says why the call gave up: Google's last answer when the
        final attempt merely ran out of the time left, else the last failure."""
        if self.cut_short and self.last_answer is not None:
            return self.last_answer
        return self.last


@dataclass
class Retrier:
    """Runs one operation with the policy's retries. Thread-safe (holds no per-call state)."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def run(
        self,
        attempt: Callable[[tuple[float, float]], T],
        give_up: Callable[[Exhausted], Exception],
    ) -> T:
        """Call ``attempt(timeout)`` until it returns, raises a non-:class:`Transient`
        error, or the deadline passes (then ``give_up`` builds the error to raise).

        The deadline is the policy's, or what is left of the current
        :mod:`server.budget` when that ends sooner (a budget already spent: no attempt).
        Each attempt runs within the time left, which the transport enforces as a
        wall-clock bound (:mod:`sheets_adapter.transport`)."""
        start = self.clock()
        limit = budget.capped(self.policy.deadline)
        assert limit is not None
        if limit <= 0:
            spent = Transient(None, "the request's time budget was spent before this call")
            raise give_up(Exhausted(spent, 0, 0.0))
        attempts = 0
        last_answer: Transient | None = None
        while True:
            remaining = limit - (self.clock() - start)
            attempts += 1
            timeout = self.policy.timeout(remaining)
            try:
                with budget.within(remaining):  # the transport cuts the attempt off there
                    return attempt(timeout)
            except Transient as failure:
                elapsed = self.clock() - start
                if failure.status is not None:
                    last_answer = failure
                cut_short = failure.status is None and elapsed >= limit - CUT_OFF_SLACK
                delay = self.policy.backoff(attempts - 1, self.rng)
                too_long = False
                if failure.retry_after is not None:
                    too_long = elapsed + failure.retry_after > limit
                    delay = max(delay, failure.retry_after)
                if too_long or elapsed + delay >= limit:
                    exhausted = Exhausted(
                        failure, attempts, elapsed, too_long, last_answer, cut_short
                    )
                    raise give_up(exhausted) from failure
                self.sleep(delay)


class RequestCounter:
    """Counts the HTTP requests sent (every attempt, retries included), by kind.

    Kinds: ``get`` (metadata), ``values.batchGet``, ``batchUpdate``, ``token`` (a
    service-account token exchange), ``other``. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, kind: str) -> None:
        with self._lock:
            self._counts[kind] += 1

    @property
    def total(self) -> int:
        """Requests to the Sheets API (token exchanges are not counted here)."""
        with self._lock:
            return sum(n for kind, n in self._counts.items() if kind != "token")

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def __repr__(self) -> str:
        return f"RequestCounter({self.counts()!r})"
