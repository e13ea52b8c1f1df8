"""Pure ASGI middleware around the API routes: fault injection, added latency, request log.

Only Sheets and Drive calls (``/v4/``, ``/drive/``, ``/upload/``) are faulted or delayed; the
OAuth endpoints are logged but never faulted; controls and ``/healthz`` are neither. Faults
answer before the request reaches the API, so a faulted write changes nothing. The log never
holds tokens: the ``Authorization`` header and request bodies are not recorded, and token
values in the query (``access_token=``, ``id_token=``) are replaced by ``REDACTED``.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sheets_emulator.errors import ApiError, Internal, ResourceExhausted, Unavailable
from sheets_emulator.http.common import json_response
from sheets_emulator.http.errors import flavour
from sheets_emulator.state import EmulatorState

_API_PREFIXES = ("/v4/", "/drive/", "/upload/")
_OAUTH_PATHS = ("/token", "/tokeninfo", "/oauth2/")
_SECRET_PARAM = re.compile(r"(?:(?<=^)|(?<=&))(access_token|id_token|key)=[^&]*", re.IGNORECASE)


def _api(path: str) -> str | None:
    if path.startswith(_API_PREFIXES) or path == "/v4/spreadsheets":
        return "drive" if path.startswith(("/drive/", "/upload/")) else "sheets"
    if path.startswith(_OAUTH_PATHS):
        return "oauth"
    return None


def _scrubbed(query: str) -> str:
    """The query string as logged: token values (``access_token=``, ``id_token=``) hidden."""
    if not _SECRET_PARAM.search(query):
        return query
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=REDACTED", query)


def fault(status: int, method: str, path: str) -> ApiError:
    """The error Google answers with under load or failure."""
    if status == 429:
        if flavour(path) == "drive":
            return ResourceExhausted("User rate limit exceeded.", reason="userRateLimitExceeded")
        kind = "Read" if method == "GET" else "Write"
        return ResourceExhausted(
            f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per "
            "minute per user' of service 'sheets.googleapis.com' for consumer "
            "'project_number:000000000000'.",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                        "service": "sheets.googleapis.com",
                    },
                }
            ],
        )
    if status == 503:
        return Unavailable("The service is currently unavailable.")
    return Internal("Internal error encountered.")


class ApiMiddleware:
    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = _api(path)
        if api is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "logged": False}
        status, latency = self.state.draw_fault() if api != "oauth" else (None, 0.0)

        def log() -> None:
            if seen["logged"]:
                return
            seen["logged"] = True
            self.state.record(
                {
                    "method": scope["method"],
                    "path": path,
                    "query": _scrubbed(scope.get("query_string", b"").decode("latin-1")),
                    "status": seen["status"],
                    "api": api,
                    "caller": scope.get("state", {}).get("caller"),
                    "faulted": status is not None,
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                }
            )

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                log()  # before the client can see the end of the answer
            await send(message)

        if latency:
            await anyio.sleep(latency)
        try:
            if status is not None:
                error = fault(status, scope["method"], path)
                response = json_response(error.body(flavour(path)), error.code)
                await response(scope, receive, recording_send)
            else:
                await self.app(scope, receive, recording_send)
        finally:
            log()
