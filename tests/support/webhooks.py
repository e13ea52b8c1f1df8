"""A local webhook receiver over real HTTP, standing in for Slack and Google Chat.

``http.server`` on a free loopback port, in a thread of the test process (so an
end-to-end test's server process can post to it as well): it records every request and
answers ``200 ok`` as Slack does, unless told otherwise with :meth:`WebhookReceiver.reply`
(a queue of scripted answers: statuses, ``Retry-After``, delays)::

    with WebhookReceiver() as hook:
        hook.reply(Reply(500), Reply(429, retry_after="1"))
        url = hook.slack_url()            # http://127.0.0.1:PORT/services/T…/B…/<secret>
        ...
        [request] = hook.wait_for(1)
        assert "EMEA" in request.text

Alerts only go to hosts on ``SALES_VERDICTS_WEBHOOK_HOSTS``: list ``127.0.0.1`` there to
reach it.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    """One scripted answer; ``delay`` seconds before it (a slow chat service)."""

    status: int = 200
    body: bytes = b"ok"
    retry_after: str | None = None
    delay: float = 0.0
    content_type: str = "text/plain"


@dataclass(frozen=True)
class Received:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """The message's ``text``."""
        value = self.json()["text"]
        assert isinstance(value, str)
        return value


class _Ipv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class WebhookReceiver:
    """See the module docstring. Thread-safe; :meth:`close` (or the ``with`` block's end)
    stops it and cuts scripted delays short."""

    def __init__(self, host: str = HOST) -> None:
        self._lock = threading.Condition()
        self._requests: list[Received] = []
        self._replies: deque[Reply] = deque()
        self._closing = threading.Event()
        server = _Ipv6Server if ":" in host else ThreadingHTTPServer
        self._server = server((host, 0), self._handler())
        self._server.daemon_threads = True
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def slack_url(self, secret: str | None = None) -> str:
        """A Slack-shaped webhook URL on this receiver (``secret``: the last segment)."""
        secret = secret or secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
        return f"{self.base_url}/services/T0TESTTEAM/B0TESTHOOK/{secret}"

    def chat_url(self, key: str = "AIzaTestKey0123456789", token: str | None = None) -> str:
        """A Google Chat-shaped webhook URL on this receiver."""
        token = token or secrets.token_urlsafe(24)
        return f"{self.base_url}/v1/spaces/AAAATESTSPACE/messages?key={key}&token={token}"

    def reply(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order; then ``200 ok`` again."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The requests once at least ``count`` have come; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(self._requests)} webhook requests after {timeout} s, "
                        f"expected {count}"
                    )
                self._lock.wait(left)
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._replies.clear()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _record(self, request: Received) -> Reply:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()
            return self._replies.popleft() if self._replies else Reply()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = receiver._record(Received("POST", self.path, headers, body))
                if reply.delay and receiver._closing.wait(reply.delay):
                    return
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    if reply.retry_after is not None:
                        self.send_header("Retry-After", reply.retry_after)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:  # the client gave up (timed out) first
                    pass

            def do_GET(self) -> None:
                self.send_error(405)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the request line holds the webhook's secret

        return Handler
