"""The test controls under ``/_emulator/`` and ``/healthz``.

The controls need no token and are never faulted: anyone who reaches them can read every
spreadsheet, mint tokens and ID tokens. Bind the emulator to loopback (the default) and never
expose it; :mod:`sheets_emulator.controls.guard` keeps browsers out (loopback ``Host`` and
JSON bodies only).

============================================  ==============================================
``GET /healthz``                              200 when ready
``GET /_emulator/requests``                   request log (method, path, query, status, ...)
``DELETE /_emulator/requests``                clear the log
``POST /_emulator/reset``                     forget everything but start-up configuration
``POST /_emulator/tokens``                    ``{"token", "email", "expires_in"?, "scope"?}``
``DELETE /_emulator/tokens``                  ``{"token"}``
``POST /_emulator/service-accounts``          key JSON, or ``{"email", "certificate" |
                                              "public_key", "key_id"?}``
``GET|POST /_emulator/faults``                ``{"rate", "latency_ms", "statuses"?}``
``POST /_emulator/id-token``                  ``{"email", "audience", "hd"?, "expires_in"?}``
``POST /_emulator/spreadsheets``              seed: ``{"owner", "title", "tabs", "locale"?,
                                              "timeZone"?, "shares"?: [share, ...]}``
``GET /_emulator/spreadsheets/{id}``          dump: resource, stored values, permissions
``POST /_emulator/spreadsheets/{id}/share``   a share: ``{"type"?: "user" | "group",
                                              "email", "role"}``, ``{"type": "domain",
                                              "domain", "role"}`` or ``{"type": "anyone",
                                              "role"}``
============================================  ==============================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator.auth.id_tokens import mint_id_token, service_account_key
from sheets_emulator.errors import EmulatorError, InvalidArgument, NotFound
from sheets_emulator.grid.model import Permission
from sheets_emulator.http.common import json_response, off_loop, read_json, state_of
from sheets_emulator.state import EmulatorState


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"'{key}' is required (a non-empty string)")
    return value


def _optional_text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"'{key}' must be a non-empty string")
    return value


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


async def requests_log(request: Request) -> Response:
    return json_response({"requests": state_of(request).request_log()})


async def clear_requests(request: Request) -> Response:
    state_of(request).clear_log()
    return Response(status_code=204)


async def reset(request: Request) -> Response:
    state_of(request).reset()
    return Response(status_code=204)


async def add_token(request: Request) -> Response:
    body = await read_json(request)
    expires = body.get("expires_in")
    state_of(request).add_token(
        _text(body, "token"),
        _text(body, "email"),
        float(expires) if expires is not None else None,
        scope=_optional_text(body, "scope"),
    )
    return json_response({"email": body["email"]}, 201)


async def remove_token(request: Request) -> Response:
    body = await read_json(request)
    state_of(request).remove_token(_text(body, "token"))
    return Response(status_code=204)


async def service_accounts(request: Request) -> Response:
    body = await read_json(request)
    try:
        key = service_account_key(body)
    except ValueError as err:
        raise InvalidArgument(str(err)) from None
    state_of(request).add_service_account(key)
    return json_response({"email": key.email, "key_id": key.key_id}, 201)


async def faults(request: Request) -> Response:
    return json_response(dataclasses.asdict(state_of(request).faults))


async def set_faults(request: Request) -> Response:
    state = state_of(request)
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
        return mint_id_token(state, email, audience, hosted_domain=hd, expires_in=expires)

    return json_response({"id_token": await off_loop(mint)})


def _share(state: EmulatorState, spreadsheet_id: str, share: Any) -> Permission:
    """One share object (see the table above) applied to a spreadsheet."""
    if not isinstance(share, dict):
        raise InvalidArgument("a share is an object: {type, role, email | domain}")
    kind = str(share.get("type") or "user")
    if kind == "domain":
        who: str | None = share.get("domain") or share.get("email")
    elif kind == "anyone":
        who = None
    else:
        who = _text(share, "email")
    discoverable = share.get("allowFileDiscovery")
    try:
        return state.share(
            spreadsheet_id,
            who,
            _text(share, "role"),
            type=kind,
            discoverable=None if discoverable is None else bool(discoverable),
        )
    except KeyError:
        raise NotFound(f"No spreadsheet {spreadsheet_id}") from None
    except ValueError as err:
        raise InvalidArgument(str(err)) from None


async def seed(request: Request) -> Response:
    body = await read_json(request)
    tabs = body.get("tabs") or {}
    if not isinstance(tabs, dict) or not all(isinstance(rows, list) for rows in tabs.values()):
        raise InvalidArgument("'tabs' must map tab titles to lists of rows")
    shares = body.get("shares") or []
    if not isinstance(shares, list):
        raise InvalidArgument("'shares' must be a list of shares")
    owner = _text(body, "owner")
    locale, time_zone = _optional_text(body, "locale"), _optional_text(body, "timeZone")
    state = state_of(request)

    def create() -> str:
        try:
            spreadsheet_id = state.create_spreadsheet(
                owner,
                str(body.get("title") or "Untitled spreadsheet"),
                tabs,
                locale=locale,
                time_zone=time_zone,
                consume=True,
            )
        except (TypeError, ValueError) as err:
            raise InvalidArgument(str(err)) from None
        try:
            for share in shares:
                _share(state, spreadsheet_id, share)
        except EmulatorError:
            state.delete(spreadsheet_id)
            raise
        return spreadsheet_id

    return json_response({"spreadsheetId": await off_loop(create)}, 201)


async def dump(request: Request) -> Response:
    state = state_of(request)
    spreadsheet_id = request.path_params["spreadsheetId"]
    try:
        return json_response(await off_loop(lambda: state.dump(spreadsheet_id)))
    except KeyError:
        raise NotFound(f"No spreadsheet {spreadsheet_id}") from None


async def share(request: Request) -> Response:
    body = await read_json(request)
    perm = _share(state_of(request), request.path_params["spreadsheetId"], body)
    return json_response(perm.resource(), 201)
