"""Keys: the emulator's own ID-token signing key, and the service-account keys it accepts.

ID tokens are RS256 JWTs signed by the emulator's key, whose self-signed certificate
``GET /oauth2/v1/certs`` serves as ``{kid: PEM}``; ``google.oauth2.id_token.verify_token``
accepts them with ``certs_url`` pointing there. Service accounts are registered with their
public key (or certificate) so the token endpoint can check their JWT signatures.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sheets_emulator.state import EmulatorState, ServiceAccountKey, subject_id

ISSUER = "https://accounts.google.com"


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_pem: str
    certificate_pem: str


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
        "sub": subject_id(email),
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
