"""The emulator as a Starlette application: ``create_app`` wires state, routes and middleware.

One origin serves what Google serves from several hosts:

* ``/v4/spreadsheets...``      — ``https://sheets.googleapis.com/v4/...``
* ``/drive/v3/files...``       — ``https://www.googleapis.com/drive/v3/...``
* ``/token``                   — ``https://oauth2.googleapis.com/token`` (JWT-bearer grant)
* ``/oauth2/v1/certs``         — ``https://www.googleapis.com/oauth2/v1/certs`` (ID tokens)
* ``/_emulator/...``, ``/healthz`` — test controls (no auth; bind to loopback only!)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sheets_emulator import auth, http_controls, http_drive, http_sheets
from sheets_emulator.errors import EmulatorError, NotFound
from sheets_emulator.http_common import error_response
from sheets_emulator.middleware import ApiMiddleware
from sheets_emulator.state import EmulatorState, ServiceAccountKey

__all__ = ["EmulatorState", "create_app"]

ServiceAccountInfo = Mapping[str, Any] | ServiceAccountKey


async def _on_error(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(
        request, NotFound(f"The Sheets API emulator has no {request.method} {request.url.path}")
    )


def create_app(
    state: EmulatorState | None = None,
    *,
    tokens: Mapping[str, str] = {},
    fault_rate: float = 0.0,
    latency_ms: int = 0,
    service_accounts: Iterable[ServiceAccountInfo] = (),
) -> Starlette:
    """The emulator app around ``state`` (a new empty one by default).

    ``tokens`` maps bearer tokens to account e-mails; ``service_accounts`` are key-file JSON
    objects (``client_email`` + ``private_key``), ``{"email", "certificate" | "public_key"}``
    objects or :class:`~sheets_emulator.state.ServiceAccountKey` whose JWTs ``POST /token``
    accepts; ``fault_rate`` (0..1) of API answers are 429/500/503 and every API answer waits
    ``latency_ms`` more. All of it stays in place across ``POST /_emulator/reset``.
    """
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError(f"fault_rate {fault_rate}: expected a share between 0 and 1")
    state = state if state is not None else EmulatorState()
    keys = [
        key if isinstance(key, ServiceAccountKey) else auth.service_account_key(key)
        for key in service_accounts
    ]
    state.configure(
        tokens=tokens, service_accounts=keys, fault_rate=fault_rate, latency_ms=latency_ms
    )
    routes = [
        *http_controls.ROUTES,
        *http_drive.ROUTES,
        Route("/v4/spreadsheets", http_sheets.create, methods=["POST"]),
        Route(
            "/v4/spreadsheets/{rest:path}",
            http_sheets.dispatch,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(ApiMiddleware, state=state)],
        exception_handlers={
            EmulatorError: _on_error,
            404: _not_found,
            405: _not_found,
            Exception: _on_error,  # a bug: Google's 500 in Google's format, logged
        },
    )
    app.state.emulator = state
    return app
