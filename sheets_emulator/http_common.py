"""Shared pieces of the HTTP layer: JSON in and out, the caller, and running work off the
event loop (the state is guarded by a thread lock; big reads must not stall the server)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator import auth
from sheets_emulator.errors import (
    ApiError,
    EmulatorError,
    Flavour,
    InputError,
    Internal,
    InvalidArgument,
    OAuthError,
)
from sheets_emulator.state import EmulatorState

T = TypeVar("T")
log = logging.getLogger("sheets_emulator")
JSON_TYPE = "application/json; charset=UTF-8"


def state_of(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status_code=status, media_type=JSON_TYPE, headers=headers)


def flavour(path: str) -> Flavour:
    return "drive" if path.startswith(("/drive/", "/upload/drive/")) else "sheets"


def error_response(request: Request, exc: Exception) -> Response:
    """Render any :class:`EmulatorError` in the format of the API that was called."""
    if isinstance(exc, OAuthError):
        return json_response(exc.body(), exc.http_status)
    if isinstance(exc, ApiError):
        return json_response(exc.body(flavour(request.url.path)), exc.code, exc.headers or None)
    if isinstance(exc, InputError):
        return error_response(request, InvalidArgument(str(exc)))
    if not isinstance(exc, EmulatorError):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, Internal("Internal error encountered."))


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object in the body (an empty body is ``{}``), or the API's 400."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidArgument(
            f"Invalid JSON payload received. {err.msg if hasattr(err, 'msg') else err}."
        ) from None
    if not isinstance(body, dict):
        raise InvalidArgument(
            f"Invalid JSON payload received. Expected an object, got {type(body).__name__}."
        )
    return body


def query(request: Request) -> dict[str, str | None]:
    """Single-valued query parameters (the last one wins, as Google's frontends do)."""
    return dict(request.query_params.items())


def caller(request: Request) -> str:
    """The authenticated account; recorded for the request log."""
    email = auth.caller(state_of(request), request.headers.get("authorization"))
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
