"""Who is behind a user's OAuth access token: Google's OpenID Connect ``userinfo``.

``GET https://www.googleapis.com/oauth2/v3/userinfo`` with the token answers
``{"sub", "email", "email_verified"}`` (the e-mail when the token carries the
``userinfo.email`` scope, as the add-on's does); with ``SHEETS_EMULATOR_HOST`` set the
request goes to the emulator, which answers the same. A token Google refuses is
:class:`~sheets_adapter.errors.Unauthenticated`; 429 and 5xx are retried as every call
is (:mod:`sheets_adapter.calls`).

gspread's own ``request`` is not used: its error type expects the Sheets API's error
object, and userinfo answers OAuth's ``{"error": "invalid_request", ...}``.
"""

from __future__ import annotations

from typing import Any

from gspread.http_client import HTTPClient

from sheets_adapter.calls import ApiCaller
from sheets_adapter.errors import Unauthenticated
from sheets_adapter.port import UserToken
from sheets_adapter.retry import Transient

USERINFO_URL = "https://www.googleapis.com/oauth2/v3/userinfo"


def email_behind(api: ApiCaller, auth: UserToken) -> str | None:
    """The token's verified e-mail, or None when Google does not give one."""

    def op(http: HTTPClient) -> Any:
        response = http.session.request("GET", USERINFO_URL, timeout=http.timeout)
        if response.status_code in (401, 403):
            raise Unauthenticated(
                None,
                "Google did not accept your access token (it is missing, expired or "
                "revoked). Reload the add-on or sign in again, then retry.",
                status=response.status_code,
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(response.status_code, f"HTTP {response.status_code}")
        if response.status_code != 200:
            return {}
        return response.json()

    answer = api.call("", auth, "read", op)
    email = answer.get("email") if isinstance(answer, dict) else None
    if not isinstance(email, str) or "@" not in email or answer.get("email_verified") is False:
        return None
    return email
