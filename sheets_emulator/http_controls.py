"""Test controls under ``/_emulator/``, the OAuth endpoints and ``/healthz``.

The controls need no token and are never faulted: anyone who reaches them can read every
spreadsheet, mint tokens and ID tokens. Bind the emulator to loopback (the default) and never
expose it.

============================================  ==============================================
``GET /healthz``                              200 when ready
``GET /_emulator/requests``                   request log (method, path, query, status, ...)
``DELETE /_emulator/requests``                clear the log
``POST /_emulator/reset``                     forget everything but start-up configuration
``POST /_emulator/tokens``                    ``{"token", "email", "expires_in"?}``
``DELETE /_emulator/tokens``                  ``{"token"}``
``POST /_emulator/service-accounts``          key JSON, or ``{"email", "certificate" |
                                              "public_key", "key_id"?}``
``GET|POST /_emulator/faults``                ``{"rate", "latency_ms", "statuses"?}``
``POST /_emulator/id-token``                  ``{"email", "audience", "hd"?, "expires_in"?}``
``POST /_emulator/spreadsheets``              seed: ``{"owner", "title", "tabs"}``
``GET /_emulator/spreadsheets/{id}``          dump: resource, stored values, permissions
``POST /_emulator/spreadsheets/{id}/share``   ``{"email", "role", "type"?}``
``POST /token``                               OAuth JWT-bearer grant (service accounts)
``GET /oauth2/v1/certs``                      ``{kid: x509 PEM}`` of the ID-token key
============================================  ==============================================
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sheets_emulator import auth
from sheets_emulator.errors import InvalidArgument, NotFound
from sheets_emulator.http_common import json_response, off_loop, read_json, state_of


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"'{key}' is required (a non-empty string)")
    return value


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


async def requests_log(request: Request) -> Response:
    state = state_of(request)
    if request.method == "DELETE":
        state.clear_log()
        return Response(status_code=204)
    return json_response({"requests": state.request_log()})


async def reset(request: Request) -> Response:
    state_of(request).reset()
    return Response(status_code=204)


async def tokens(request: Request) -> Response:
    body = await read_json(request)
    state = state_of(request)
    if request.method == "DELETE":
        state.remove_token(_text(body, "token"))
        return Response(status_code=204)
    expires = body.get("expires_in")
    state.add_token(
        _text(body, "token"), _text(body, "email"), float(expires) if expires is not None else None
    )
    return json_response({"email": body["email"]}, 201)


async def service_accounts(request: Request) -> Response:
    body = await read_json(request)
    try:
        key = auth.service_account_key(body)
    except ValueError as err:
        raise InvalidArgument(str(err)) from None
    state_of(request).add_service_account(key)
    return json_response({"email": key.email, "key_id": key.key_id}, 201)


async def faults(request: Request) -> Response:
    state = state_of(request)
    if request.method == "POST":
        body = await read_json(request)
        try:
            state.set_faults(
                float(body.get("rate", 0.0)),
                int(body.get("latency_ms", 0)),
                [int(s) for s in body["statuses"]] if body.get("statuses") else None,
            )
        except (TypeError, ValueError) as err:
            raise InvalidArgument(str(err)) from None
    return json_response(dataclasses.asdict(state.faults))


async def id_token(request: Request) -> Response:
    body = await read_json(request)
    state = state_of(request)
    email, audience = _text(body, "email"), _text(body, "audience")
    hd = body.get("hd")
    expires = int(body.get("expires_in") or 3600)

    def mint() -> str:
        return auth.mint_id_token(state, email, audience, hosted_domain=hd, expires_in=expires)

    return json_response({"id_token": await off_loop(mint)})


async def seed(request: Request) -> Response:
    body = await read_json(request)
    tabs = body.get("tabs") or {}
    if not isinstance(tabs, dict):
        raise InvalidArgument("'tabs' must map tab titles to lists of rows")
    spreadsheet_id = state_of(request).create_spreadsheet(
        _text(body, "owner"), str(body.get("title") or "Untitled spreadsheet"), tabs
    )
    return json_response({"spreadsheetId": spreadsheet_id}, 201)


async def dump(request: Request) -> Response:
    state = state_of(request)
    spreadsheet_id = request.path_params["spreadsheet_id"]
    try:
        return json_response(await off_loop(lambda: state.dump(spreadsheet_id)))
    except KeyError:
        raise NotFound(f"No spreadsheet {spreadsheet_id}") from None


async def share(request: Request) -> Response:
    body = await read_json(request)
    state = state_of(request)
    try:
        perm = state.share(
            request.path_params["spreadsheet_id"],
            _text(body, "email"),
            _text(body, "role"),
            type=str(body.get("type") or "user"),
        )
    except KeyError:
        raise NotFound(f"No spreadsheet {request.path_params['spreadsheet_id']}") from None
    except ValueError as err:
        raise InvalidArgument(str(err)) from None
    return json_response(perm.resource(), 201)


async def token(request: Request) -> Response:
    raw = (await request.body()).decode("utf-8", errors="replace")
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    url = str(request.url.replace(query=""))
    state = state_of(request)
    answer = await off_loop(lambda: auth.exchange(state, fields, url))
    return json_response(answer, headers={"Cache-Control": "no-store"})


async def certs(request: Request) -> Response:
    state = state_of(request)
    return json_response(await off_loop(lambda: auth.certs(state)))


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/_emulator/requests", requests_log, methods=["GET", "DELETE"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/tokens", tokens, methods=["POST", "DELETE"]),
    Route("/_emulator/service-accounts", service_accounts, methods=["POST"]),
    Route("/_emulator/faults", faults, methods=["GET", "POST"]),
    Route("/_emulator/id-token", id_token, methods=["POST"]),
    Route("/_emulator/spreadsheets", seed, methods=["POST"]),
    Route("/_emulator/spreadsheets/{spreadsheet_id}", dump, methods=["GET"]),
    Route("/_emulator/spreadsheets/{spreadsheet_id}/share", share, methods=["POST"]),
    Route("/token", token, methods=["POST"]),
    Route("/oauth2/v1/certs", certs, methods=["GET"]),
]
