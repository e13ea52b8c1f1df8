"""Bearer tokens: who is behind an ``Authorization`` header.

Tokens map to an account e-mail (registered with ``--token TOKEN=EMAIL``, the controls, or
issued by the token endpoint). No token → 401 ``CREDENTIALS_MISSING``; an unknown or expired
one → 401 ``ACCESS_TOKEN_TYPE_UNSUPPORTED``, as Google answers. Tokens are never logged and
never echoed in error messages.
"""

from __future__ import annotations

from sheets_emulator.errors import INVALID_CREDENTIALS, MISSING_CREDENTIALS, unauthenticated
from sheets_emulator.state import EmulatorState


def bearer(authorization: str | None) -> str | None:
    """The token of a ``Bearer`` header, ``None`` for any other header or none."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def caller(state: EmulatorState, authorization: str | None) -> str:
    """The account behind an ``Authorization`` header; raises the API's 401 otherwise."""
    if not authorization:
        raise unauthenticated(MISSING_CREDENTIALS, "CREDENTIALS_MISSING")
    token = bearer(authorization)
    email = state.token_email(token) if token is not None else None
    if email is None:
        raise unauthenticated(INVALID_CREDENTIALS, "ACCESS_TOKEN_TYPE_UNSUPPORTED")
    return email
