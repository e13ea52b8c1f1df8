"""The OAuth endpoints Google serves from its own hosts, on the emulator's origin.

==============================================  ============================================
``POST /token``                                 ``https://oauth2.googleapis.com/token``
``GET /oauth2/v1/certs``                        ``https://www.googleapis.com/oauth2/v1/certs``
``GET|POST /oauth2/v3/userinfo``                ``https://www.googleapis.com/oauth2/v3/userinfo``
``GET|POST /tokeninfo``                         ``https://oauth2.googleapis.com/tokeninfo``
``GET|POST /oauth2/v3/tokeninfo``               ``https://www.googleapis.com/oauth2/v3/tokeninfo``
==============================================  ============================================

A client that rewrites Google's hosts to the emulator's address (``SHEETS_EMULATOR_HOST``)
reaches each at the same path.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator.auth import id_tokens, oauth, userinfo
from sheets_emulator.auth.tokens import bearer
from sheets_emulator.http.common import json_response, off_loop, state_of

_NO_STORE = {"Cache-Control": "no-store"}


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(raw, keep_blank_values=True))


async def token(request: Request) -> Response:
    fields = await _form(request)
    url = str(request.url.replace(query=""))
    state = state_of(request)
    answer = await off_loop(lambda: oauth.exchange(state, fields, url))
    return json_response(answer, headers=_NO_STORE)


async def certs(request: Request) -> Response:
    state = state_of(request)
    return json_response(await off_loop(lambda: id_tokens.certs(state)))


async def user_info(request: Request) -> Response:
    """``oauth2.userinfo`` (v3): the token from the header, or ``access_token=``."""
    token = bearer(request.headers.get("authorization"))
    if token is None:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await _form(request))
        token = params.get("access_token") or None
    state = state_of(request)
    answer = userinfo.userinfo(state, token)
    request.state.caller = state.token_email(token) if token else None
    return json_response(answer, headers=_NO_STORE)


async def token_info(request: Request) -> Response:
    """``tokeninfo``: ``access_token=`` or ``id_token=``, in the query or a form body."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update(await _form(request))
    state = state_of(request)
    answer = await off_loop(lambda: userinfo.tokeninfo(state, params))
    return json_response(answer, headers=_NO_STORE)
