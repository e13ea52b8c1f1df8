"""A service-account key made up for a test: RSA key, self-signed certificate, key file.

Shared by every test area that signs in as a service account (adapter, emulator, add-on).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class GeneratedKey:
    email: str
    key_id: str
    private_pem: str
    certificate_pem: str

    def info(self, token_uri: str) -> dict[str, str]:
        """The key as Google's console downloads it (JSON), with ``token_uri`` replaced."""
        return {
            "type": "service_account",
            "project_id": "sales-verdicts-test",
            "private_key_id": self.key_id,
            "private_key": self.private_pem,
            "client_email": self.email,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "universe_domain": "googleapis.com",
        }

    def key_file(self, folder: Path, token_uri: str) -> Path:
        """The key written to ``folder`` as a JSON key file."""
        path = folder / f"{self.key_id}.json"
        path.write_text(json.dumps(self.info(token_uri)))
        return path


def make_key(email: str = "verdicts@sales-verdicts-test.iam.gserviceaccount.com") -> GeneratedKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, email)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return GeneratedKey(
        email=email,
        key_id=secrets.token_hex(20),
        private_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )
