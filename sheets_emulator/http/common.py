"""Shared pieces of the HTTP layer: JSON in and out, query parameters, the caller, and running
work off the event loop (the state is guarded by a thread lock; big reads must not stall the
server)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator.auth.tokens import caller as token_caller
from sheets_emulator.errors import InvalidArgument
from sheets_emulator.grid.seed import gc_paused
from sheets_emulator.state import EmulatorState

T = TypeVar("T")
JSON_TYPE = "application/json; charset=UTF-8"


def state_of(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def dumps(body: Any) -> bytes:
    """Compact UTF-8 JSON (orjson; the standard library for what orjson refuses, such as
    integers beyond 64 bits)."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def parse_json(raw: bytes) -> dict[str, Any]:
    """A JSON object from a request body (an empty body is ``{}``), or the API's 400."""
    if not raw.strip():
        return {}
    try:
        with gc_paused():
            body = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise InvalidArgument(f"Invalid JSON payload received. {err.msg}.") from None
    if not isinstance(body, dict):
        raise InvalidArgument(
            f"Invalid JSON payload received. Expected an object, got {type(body).__name__}."
        )
    return body


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object in the body (an empty body is ``{}``), or the API's 400. The body is
    read once and not kept (a seeded 10-million-cell tab is a 100 MB body); big ones are
    parsed off the event loop."""
    chunks = [chunk async for chunk in request.stream()]
    raw = b"".join(chunks)
    del chunks
    if len(raw) > 1 << 20:
        return await off_loop(lambda: parse_json(raw))
    return parse_json(raw)


def query(request: Request) -> dict[str, str | None]:
    """Single-valued query parameters (the last one wins, as Google's frontends do)."""
    return dict(request.query_params.items())


def caller(request: Request) -> str:
    """The authenticated account; recorded for the request log."""
    email = token_caller(state_of(request), request.headers.get("authorization"))
    request.state.caller = email
    return email


async def off_loop(work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread (it takes the state lock itself)."""
    return await anyio.to_thread.run_sync(work)


async def locked(
    request: Request, work: Callable[[EmulatorState], Any], status: int = 200
) -> Response:
    """Run ``work(state)`` under the state lock in a worker thread; answer its JSON."""
    state = state_of(request)

    def run() -> Response:
        with state.lock:
            result = work(state)
        if result is None:
            return Response(status_code=204)
        return json_response(result, status)

    return await off_loop(run)
