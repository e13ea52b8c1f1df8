"""What one HTTP request may take: body size, body time and total time (pure ASGI).

:class:`RequestGuard` reads the request body itself, before the app sees any of it:

* a ``Content-Length`` over ``max_body`` is refused with 413 before a byte of the body
  is read; a body without one (chunked), or longer than it said, is counted as it
  arrives and refused with 413 at the first byte over the limit (Starlette has no
  limit of its own: a 10 MB body would otherwise be read whole, then parsed);
* the body must arrive within ``read_timeout`` seconds, or the answer is 408 (a client
  that trickles it forever holds nothing); the headers' own deadline is the server's
  (:mod:`server.api.connections`);
* the whole request, app included, gets ``request_timeout`` seconds; past it the caller
  gets 504 (a classification under way carries on, and ``latestRun`` shows it).

Every refusal is a JSON GraphQL-style error with ``extensions.code``, and closes the
connection (an unread body cannot be skipped on a kept-alive one).
"""

from __future__ import annotations

import anyio
import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api.errors import BAD_INPUT, UPSTREAM_UNAVAILABLE

BODY_TOO_LARGE = "BODY_TOO_LARGE"
BODY_TOO_SLOW = "BODY_TOO_SLOW"


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason


async def answer_error(send: Send, refused: _Refused) -> None:
    extensions = {"code": refused.code}
    if refused.reason:
        extensions["reason"] = refused.reason
    body = orjson.dumps({"errors": [{"message": refused.message, "extensions": extensions}]})
    await send(
        {
            "type": "http.response.start",
            "status": refused.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int = 262_144,
        read_timeout: float = 10.0,
        request_timeout: float = 55.0,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.request_timeout = request_timeout

    def _too_large(self) -> _Refused:
        return _Refused(
            413,
            BAD_INPUT,
            f"The request body is larger than {self.max_body:,} bytes; a GraphQL request "
            "to this backend is a few kilobytes. Send a smaller document.",
            BODY_TOO_LARGE,
        )

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None when the client went away."""
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        with anyio.move_on_after(self.read_timeout) as waited:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    raise self._too_large()
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
        assert waited.cancelled_caught
        raise _Refused(
            408,
            BAD_INPUT,
            f"The request body did not arrive within {self.read_timeout:g} seconds.",
            BODY_TOO_SLOW,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
        except _Refused as refused:
            await answer_error(send, refused)
            return
        if body is None:
            return
        await self._run(scope, body, receive, send)

    async def _run(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
        delivered = False
        started = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with anyio.move_on_after(self.request_timeout) as deadline:
            await self.app(scope, replay, tracked)
        if deadline.cancelled_caught and not started:
            await answer_error(
                send,
                _Refused(
                    504,
                    UPSTREAM_UNAVAILABLE,
                    f"The request took longer than {self.request_timeout:g} seconds and was "
                    "stopped. A classification carries on: ask for the latest run in a "
                    "minute.",
                ),
            )
