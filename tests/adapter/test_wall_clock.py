"""A Google call's deadline is a wall-clock bound, and one budget covers every call of a
request (issue 13: a trickling upstream held a call 52.6 s against a 2 s deadline).

The upstream here is a socket server that answers a byte at a time, each byte well within
the read timeout: without a wall-clock bound, ``requests`` waits for ever.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from server import budget
from sheets_adapter.config import SheetsSettings
from sheets_adapter.errors import UpstreamUnavailable
from sheets_adapter.gspread_adapter import GspreadSheets
from sheets_adapter.port import UserToken
from sheets_adapter.retry import RetryPolicy

ANA = UserToken("token-ana")
BODY = b'{"spreadsheetId": "1abc", "properties": {"title": "t"}, "sheets": []}' * 50
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
EVERY = 0.05  # seconds between two bytes: far below any read timeout below


class Trickler:
    """Accepts connections and answers each request a byte every ``EVERY`` seconds:
    the headers too (``slow_headers``), or the headers at once and then the body."""

    def __init__(self, *, slow_headers: bool) -> None:
        self.slow_headers = slow_headers
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)  # the request (small: a GET)
            head = HEAD % len(BODY)
            slow = head + BODY if self.slow_headers else BODY
            try:
                if not self.slow_headers:
                    connection.sendall(head)
                for byte in slow:
                    if self.stopping.is_set():
                        return
                    connection.sendall(bytes([byte]))
                    time.sleep(EVERY)
            except OSError:
                return  # the client hung up: what a bounded client does

    def close(self) -> None:
        self.stopping.set()
        self.server.close()
        self.thread.join(5)


@pytest.fixture(params=["slow body", "slow headers"])
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    upstream = Trickler(slow_headers=request.param == "slow headers")
    yield upstream
    upstream.close()


def adapter(url: str, deadline: float) -> GspreadSheets:
    policy = RetryPolicy(
        base_delay=0.01,
        max_delay=0.05,
        deadline=deadline,
        connect_timeout=0.5,
        read_timeout=1.0,
        min_read_timeout=0.5,
    )
    return GspreadSheets(SheetsSettings(emulator_host=url, retry=policy), rng=random.Random(3))


def timed(work: object, give_up: float) -> tuple[float, BaseException | None]:
    """Run ``work()`` in a thread; (seconds it took, what it raised). A call that is
    still going after ``give_up`` seconds counts as taking that long."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            work()  # type: ignore[operator]
            outcome.append(None)
        except BaseException as err:  # reported to the test
            outcome.append(err)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(give_up)
    return time.monotonic() - started, outcome[0] if outcome else None


def test_a_trickling_answer_is_cut_off_at_the_deadline(trickler: Trickler) -> None:
    sheets = adapter(trickler.url, deadline=1.0)
    try:
        seconds, raised = timed(
            lambda: sheets.read("1abc", ("Plan", "Bookings"), "Summary", ANA), give_up=15
        )
    finally:
        sheets.close()
    assert seconds < 2.5, f"a 1 s deadline held the call {seconds:.1f} s"
    assert isinstance(raised, UpstreamUnavailable), repr(raised)
    assert "did not answer in time" in str(raised)


def test_one_budget_covers_every_call_of_a_request(trickler: Trickler) -> None:
    """Each call may take 20 s, but the request has 1 s in all."""
    sheets = adapter(trickler.url, deadline=20.0)

    def two_calls() -> None:
        with budget.within(1.0):
            for _ in range(2):
                with contextlib.suppress(UpstreamUnavailable):
                    sheets.read("1abc", ("Plan", "Bookings"), "Summary", ANA)
            assert budget.remaining() is not None

    try:
        seconds, raised = timed(two_calls, give_up=15)
    finally:
        sheets.close()
    assert raised is None, repr(raised)
    assert seconds < 2.5, f"a 1 s budget held two calls {seconds:.1f} s"


def test_a_call_once_the_budget_is_spent_is_not_sent() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    sheets = adapter(f"http://127.0.0.1:{server.getsockname()[1]}", deadline=20.0)
    try:
        with budget.within(0.0), pytest.raises(UpstreamUnavailable, match="in time"):
            sheets.read("1abc", ("Plan", "Bookings"), "Summary", ANA)
        server.settimeout(0.01)
        with pytest.raises(TimeoutError):
            server.accept()  # nobody connected
    finally:
        sheets.close()
        server.close()
