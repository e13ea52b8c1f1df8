"""The OAuth token endpoint: ``POST /token`` (``https://oauth2.googleapis.com/token``).

The JWT-bearer grant (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``) checks the
assertion's RS256 signature against the public keys registered for the service account named
by its ``iss``, its audience (this endpoint's URL, or Google's
``https://oauth2.googleapis.com/token``), ``iat``/``exp`` (at most one hour), and answers
``{"access_token", "expires_in", "token_type"}`` — or ``{"id_token"}`` when the assertion
carries ``target_audience``, as Google does. The token keeps the assertion's ``scope`` (what
``tokeninfo`` answers). Errors are ``{"error", "error_description"}``.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

from sheets_emulator.auth.id_tokens import mint_id_token
from sheets_emulator.errors import OAuthError
from sheets_emulator.state import EmulatorState, subject_id

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
TOKEN_LIFETIME = 3599


def _segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    if not isinstance(decoded, dict):
        raise ValueError("not an object")
    return decoded


def exchange(state: EmulatorState, form: Mapping[str, str], token_url: str) -> dict[str, Any]:
    """The OAuth token endpoint (JWT-bearer grant for service accounts)."""
    grant = form.get("grant_type")
    if grant != JWT_BEARER:
        raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant or ''}")
    assertion = form.get("assertion") or ""
    try:
        claims = _segment(assertion, 1)
        header = _segment(assertion, 0)
    except (ValueError, IndexError):
        raise OAuthError("invalid_request", "Invalid JWT: malformed assertion.") from None
    issuer = str(claims.get("iss", ""))
    with state.lock:
        keys = [k for k in state.service_accounts if k.email.lower() == issuer.lower()]
    if not keys:
        raise OAuthError("invalid_grant", "Invalid grant: account not found")
    if header.get("alg") != "RS256":
        raise OAuthError("invalid_grant", "Invalid JWT Signature.")
    kid = header.get("kid")
    candidates = [k for k in keys if k.key_id in (None, kid)] or keys
    signed, _, encoded = assertion.rpartition(".")
    try:
        signature = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        raise OAuthError("invalid_grant", "Invalid JWT Signature.") from None
    if not any(_verifies(key.public_pem, signed, signature) for key in candidates):
        raise OAuthError("invalid_grant", "Invalid JWT Signature.")
    verified = claims
    _check_times(verified)
    audience = verified.get("aud")
    if audience not in (token_url, GOOGLE_TOKEN_URI):
        raise OAuthError("invalid_grant", "Invalid JWT: Failed audience check.")
    subject = verified.get("sub")
    if subject not in (None, issuer):
        raise OAuthError(
            "unauthorized_client",
            "Client is unauthorized to retrieve access tokens using this method, "
            "or client not authorized for any of the scopes requested.",
        )
    if verified.get("target_audience"):
        return {"id_token": mint_id_token(state, issuer, str(verified["target_audience"]))}
    token = "ya29.emulator-" + secrets.token_urlsafe(32)
    scope = verified.get("scope")
    state.add_token(
        token,
        issuer,
        expires_in=TOKEN_LIFETIME + 1,
        scope=str(scope) if scope else None,
        client_id=subject_id(issuer),
    )
    return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}


def _verifies(public_pem: str, signed: str, signature: bytes) -> bool:
    from google.auth import crypt

    verifier = crypt.RSAVerifier.from_string(public_pem)  # type: ignore[no-untyped-call]
    return bool(verifier.verify(signed.encode(), signature))


def _check_times(claims: Mapping[str, Any]) -> None:
    now = time.time()
    try:
        issued, expires = float(claims["iat"]), float(claims["exp"])
    except (KeyError, TypeError, ValueError):
        raise OAuthError("invalid_grant", "Invalid JWT: iat and exp are required.") from None
    if expires <= issued or expires - issued > 3600 or issued > now + 300 or expires < now - 300:
        raise OAuthError(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
            "timeframe. Check your iat and exp values in the JWT claim.",
        )
