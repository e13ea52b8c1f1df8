"""Who is behind a token, asked as Google is asked: ``userinfo`` and ``tokeninfo``.

* ``GET /oauth2/v3/userinfo`` (``https://www.googleapis.com/oauth2/v3/userinfo``), with the
  token as ``Authorization: Bearer`` (or ``?access_token=``): ``{"sub", "email",
  "email_verified"}``; the e-mail only when the token carries the ``email`` (or
  ``userinfo.email``) scope, as Google answers. A missing, unknown or expired token is
  401 ``{"error": "invalid_request", "error_description": "Invalid Credentials"}``.
* ``GET|POST /tokeninfo`` (``https://oauth2.googleapis.com/tokeninfo``) and
  ``/oauth2/v3/tokeninfo`` with ``access_token=``: ``{"azp", "aud", "sub", "scope", "exp",
  "expires_in", "email", "email_verified", "access_type"}`` — numbers and booleans as
  strings, as Google's v3 endpoint prints them; with ``id_token=`` the claims of an ID token
  the emulator signed. A bad token is 400 ``{"error": "invalid_token",
  "error_description": "Invalid Value"}``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sheets_emulator.auth.id_tokens import signing_key
from sheets_emulator.errors import OAuthError
from sheets_emulator.state import EmulatorState, Token, subject_id

EMAIL_SCOPES = frozenset({"email", "https://www.googleapis.com/auth/userinfo.email"})


def _invalid_token() -> OAuthError:
    return OAuthError("invalid_token", "Invalid Value", 400)


def _unauthorized() -> OAuthError:
    return OAuthError(
        "invalid_request",
        "Invalid Credentials",
        401,
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        },
    )


def _shows_email(token: Token) -> bool:
    return bool(EMAIL_SCOPES & set(token.scope.split()))


def userinfo(state: EmulatorState, token: str | None) -> dict[str, Any]:
    """The OpenID Connect userinfo answer for an access token."""
    found = state.token_info(token) if token else None
    if found is None:
        raise _unauthorized()
    out: dict[str, Any] = {"sub": subject_id(found.email)}
    if _shows_email(found):
        out["email"] = found.email
        out["email_verified"] = True
    return out


def tokeninfo(state: EmulatorState, params: Mapping[str, str]) -> dict[str, Any]:
    """The ``tokeninfo`` answer for ``access_token=`` or ``id_token=``."""
    if params.get("id_token"):
        return _id_token_info(state, params["id_token"])
    token = params.get("access_token")
    found = state.token_info(token) if token else None
    if found is None:
        raise _invalid_token()
    now = time.time()
    expires_at = found.expires_at if found.expires_at is not None else now + 3599
    out: dict[str, Any] = {
        "azp": found.client_id,
        "aud": found.client_id,
        "sub": subject_id(found.email),
        "scope": found.scope,
        "exp": str(int(expires_at)),
        "expires_in": str(max(0, int(expires_at - now))),
    }
    if _shows_email(found):
        out["email"] = found.email
        out["email_verified"] = "true"
    out["access_type"] = "online"
    return out


def _id_token_info(state: EmulatorState, token: str) -> dict[str, Any]:
    from google.auth import exceptions, jwt

    key = signing_key(state)
    try:
        claims: dict[str, Any] = jwt.decode(  # type: ignore[no-untyped-call]
            token, certs={key.key_id: key.certificate_pem}, verify=True
        )
        header: dict[str, Any] = jwt.decode_header(token)  # type: ignore[no-untyped-call]
    except (ValueError, exceptions.GoogleAuthError):
        raise _invalid_token() from None
    out = {k: _text(v) for k, v in claims.items()}
    out.update(alg=str(header.get("alg", "RS256")), kid=str(header.get("kid", "")), typ="JWT")
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
