"""Connection-level timeouts of the served app (issue 13): an idle kept-alive connection
is closed after ``SALES_VERDICTS_KEEP_ALIVE`` seconds, a connection whose headers never
finish after ``SALES_VERDICTS_READ_TIMEOUT``."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from server.api import connections
from server.cli.threads import ServerThread


async def ok(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerThread]:
    monkeypatch.setenv("SALES_VERDICTS_KEEP_ALIVE", "1")
    monkeypatch.setenv("SALES_VERDICTS_READ_TIMEOUT", "1")
    connections._read_timeout.cache_clear()
    server = ServerThread(
        Starlette(routes=[Route("/", ok)]), options=connections.uvicorn_options()
    ).start()
    yield server
    server.stop()
    connections._read_timeout.cache_clear()


def closed_after(sock: socket.socket, give_up: float = 10) -> float:
    """Seconds until the server closes ``sock`` (reading whatever it sends meanwhile)."""
    started = time.monotonic()
    sock.settimeout(give_up)
    while sock.recv(65536):
        pass
    return time.monotonic() - started


def test_the_settings_reach_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALES_VERDICTS_KEEP_ALIVE", "7")
    options = connections.uvicorn_options()
    assert options["timeout_keep_alive"] == 7
    assert options["http"] is connections.TimedH11Protocol


def test_an_idle_kept_alive_connection_is_closed(served: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        seconds = closed_after(sock)
    assert seconds < 3, f"an idle connection was kept {seconds:.1f} s"


def test_headers_that_never_finish_close_the_connection(served: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        seconds = closed_after(sock)
    assert seconds < 3, f"unfinished headers held the connection {seconds:.1f} s"
