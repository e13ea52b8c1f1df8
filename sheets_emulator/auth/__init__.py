"""Who is calling: bearer tokens, the OAuth token endpoint, ID tokens, userinfo/tokeninfo.

* :mod:`~sheets_emulator.auth.tokens` — the account behind an ``Authorization`` header
  (Google's 401s otherwise);
* :mod:`~sheets_emulator.auth.oauth` — ``POST /token``, the JWT-bearer grant of service
  accounts (signatures checked);
* :mod:`~sheets_emulator.auth.id_tokens` — the emulator's signing key, its certificates and
  the ID tokens it mints; the service-account keys it accepts;
* :mod:`~sheets_emulator.auth.userinfo` — ``userinfo`` and ``tokeninfo``: the e-mail behind
  a token, as Google answers it;
* :mod:`~sheets_emulator.auth.endpoints` — their HTTP handlers.

Tokens are never logged and never echoed in error messages.
"""

from __future__ import annotations

from sheets_emulator.auth.id_tokens import certs, mint_id_token, service_account_key, signing_key
from sheets_emulator.auth.oauth import exchange
from sheets_emulator.auth.tokens import bearer, caller

__all__ = [
    "bearer",
    "caller",
    "certs",
    "exchange",
    "mint_id_token",
    "service_account_key",
    "signing_key",
]
