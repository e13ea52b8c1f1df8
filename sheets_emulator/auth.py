"""Who is calling: bearer tokens, the OAuth JWT-bearer token endpoint, Google-style ID tokens.

* Bearer tokens map to an account e-mail (registered with ``--token TOKEN=EMAIL``, the
  controls, or issued by the token endpoint). No token → 401 ``CREDENTIALS_MISSING``; an
  unknown or expired one → 401 ``ACCESS_TOKEN_TYPE_UNSUPPORTED``, as Google answers.
* ``POST /token`` with ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` checks the
  assertion's RS256 signature against the public keys registered for the service account
  named by its ``iss``, its audience (this endpoint's URL, or Google's
  ``https://oauth2.googleapis.com/token``), ``iat``/``exp`` (at most one hour), and answers
  ``{"access_token", "expires_in", "token_type"}`` — or ``{"id_token"}`` when the assertion
  carries ``target_audience``, as Google does.
* ID tokens are RS256 JWTs signed by the emulator's own key, whose self-signed certificate
  ``GET /oauth2/v1/certs`` serves as ``{kid: PEM}``; ``google.oauth2.id_token.verify_token``
  accepts them with ``certs_url`` pointing there.

Tokens are never logged and never echoed in error messages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sheets_emulator.errors import (
    INVALID_CREDENTIALS,
    MISSING_CREDENTIALS,
    OAuthError,
    unauthenticated,
)
from sheets_emulator.state import EmulatorState, ServiceAccountKey

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
ISSUER = "https://accounts.google.com"
TOKEN_LIFETIME = 3599


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_pem: str
    certificate_pem: str


def caller(state: EmulatorState, authorization: str | None) -> str:
    """The account behind an ``Authorization`` header; raises the API's 401 otherwise."""
    if not authorization:
        raise unauthenticated(MISSING_CREDENTIALS, "CREDENTIALS_MISSING")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated(INVALID_CREDENTIALS, "ACCESS_TOKEN_TYPE_UNSUPPORTED")
    email = state.token_email(token.strip())
    if email is None:
        raise unauthenticated(INVALID_CREDENTIALS, "ACCESS_TOKEN_TYPE_UNSUPPORTED")
    return email


# --- keys -------------------------------------------------------------------------------------


def signing_key(state: EmulatorState) -> SigningKey:
    """The emulator's ID-token signing key, made on first use (a 2048-bit RSA key)."""
    with state.lock:
        if state.signing_key is None:
            state.signing_key = _new_signing_key()
        key: SigningKey = state.signing_key
        return key


def _new_signing_key() -> SigningKey:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheets-emulator id tokens")])
    start = datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key_id = hashlib.sha1(cert_pem.encode(), usedforsecurity=False).hexdigest()
    return SigningKey(key_id, private_pem, cert_pem)


def certs(state: EmulatorState) -> dict[str, str]:
    key = signing_key(state)
    return {key.key_id: key.certificate_pem}


def service_account_key(info: Mapping[str, Any]) -> ServiceAccountKey:
    """A service account to accept at ``/token``, from a key file's JSON (``client_email`` +
    ``private_key``, the public half is derived) or from ``{"email", "certificate" |
    "public_key", "key_id"?}``."""
    email = info.get("client_email") or info.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise ValueError("a service account needs an e-mail (client_email or email)")
    key_id = info.get("private_key_id") or info.get("key_id")
    public = info.get("certificate") or info.get("public_key")
    if not public and info.get("private_key"):
        from cryptography.hazmat.primitives import serialization

        private = serialization.load_pem_private_key(str(info["private_key"]).encode(), None)
        public = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
    if not isinstance(public, str) or "-----BEGIN" not in public:
        raise ValueError("a service account needs a PEM certificate, public key or private key")
    return ServiceAccountKey(email, public, str(key_id) if key_id else None)


# --- tokens -----------------------------------------------------------------------------------


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
    state.add_token(token, issuer, expires_in=TOKEN_LIFETIME + 1)
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


def mint_id_token(
    state: EmulatorState,
    email: str,
    audience: str,
    *,
    hosted_domain: str | None = None,
    expires_in: int = 3600,
) -> str:
    """A Google-style ID token for ``email``, signed with the emulator's key."""
    from google.auth import crypt, jwt

    key = signing_key(state)
    issued = int(time.time())
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "azp": audience,
        "aud": audience,
        "sub": str(int(hashlib.sha256(email.lower().encode()).hexdigest(), 16) % 10**21),
        "email": email,
        "email_verified": True,
        "iat": issued,
        "exp": issued + int(expires_in),
    }
    if hosted_domain:
        payload["hd"] = hosted_domain
    signer = crypt.RSASigner.from_string(key.private_pem, key.key_id)  # type: ignore[no-untyped-call]
    token: bytes = jwt.encode(signer, payload)  # type: ignore[no-untyped-call]
    return token.decode()
