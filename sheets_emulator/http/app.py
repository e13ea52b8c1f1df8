"""The emulator as a Starlette application: ``create_app`` wires state, routes and middleware.

One origin serves what Google serves from several hosts (the route table is
:mod:`sheets_emulator.http.routes`):

* ``/v4/spreadsheets...``      — ``https://sheets.googleapis.com/v4/...``
* ``/drive/v3/files...``       — ``https://www.googleapis.com/drive/v3/...``
* ``/token``, ``/tokeninfo``   — ``https://oauth2.googleapis.com/...``
* ``/oauth2/...``              — ``https://www.googleapis.com/oauth2/...`` (certs, userinfo,
  tokeninfo)
* ``/_emulator/...``, ``/healthz`` — test controls (no auth; loopback only, JSON only)

Middleware, outermost first: the controls' guard (Host and Content-Type), then the API
middleware (fault injection, latency, request log), then Starlette's error handling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware

from sheets_emulator.auth.id_tokens import service_account_key
from sheets_emulator.controls.guard import ControlGuard
from sheets_emulator.errors import EmulatorError
from sheets_emulator.http.errors import not_found, on_error
from sheets_emulator.http.middleware import ApiMiddleware
from sheets_emulator.http.routes import TABLE
from sheets_emulator.http.routing import TableRoute
from sheets_emulator.state import EmulatorState, ServiceAccountKey

__all__ = ["EmulatorState", "create_app"]

ServiceAccountInfo = Mapping[str, Any] | ServiceAccountKey


def create_app(
    state: EmulatorState | None = None,
    *,
    tokens: Mapping[str, str] = {},
    fault_rate: float = 0.0,
    latency_ms: int = 0,
    service_accounts: Iterable[ServiceAccountInfo] = (),
    control_hosts: Iterable[str] = (),
) -> Starlette:
    """The emulator app around ``state`` (a new empty one by default).

    ``tokens`` maps bearer tokens to account e-mails; ``service_accounts`` are key-file JSON
    objects (``client_email`` + ``private_key``), ``{"email", "certificate" | "public_key"}``
    objects or :class:`~sheets_emulator.state.ServiceAccountKey` whose JWTs ``POST /token``
    accepts; ``fault_rate`` (0..1) of API answers are 429/500/503 and every API answer waits
    ``latency_ms`` more. All of it stays in place across ``POST /_emulator/reset``.
    ``control_hosts`` are ``Host`` names besides loopback ones on which the test controls
    answer (``serve`` passes its non-loopback ``--host``).
    """
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError(f"fault_rate {fault_rate}: expected a share between 0 and 1")
    state = state if state is not None else EmulatorState()
    keys = [
        key if isinstance(key, ServiceAccountKey) else service_account_key(key)
        for key in service_accounts
    ]
    state.configure(
        tokens=tokens, service_accounts=keys, fault_rate=fault_rate, latency_ms=latency_ms
    )
    app = Starlette(
        routes=[TableRoute(TABLE)],
        middleware=[
            Middleware(ControlGuard, hosts=tuple(control_hosts)),
            Middleware(ApiMiddleware, state=state),
        ],
        exception_handlers={
            EmulatorError: on_error,
            404: not_found,
            405: not_found,
            Exception: on_error,  # a bug: Google's 500 in Google's format, logged
        },
    )
    app.state.emulator = state
    return app
