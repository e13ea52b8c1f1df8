"""Webhook URLs sealed for the store, so that a database dump, a backup or a read-only
replica does not hand out the right to post to a team's channel.

:class:`Sealer` encrypts with Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``)
under the keys of ``SALES_VERDICTS_WEBHOOK_KEYS``: the first key seals, every key opens,
so a key is rotated by putting the new one first and dropping the old one once every
stored URL has been sealed again (:meth:`Sealer.reseal`). Without keys, URLs are stored
as they are (marked ``plain:``) and only the database's own access control protects
them: fine for a laptop, not for production. A sealed value is text; it names its scheme
(``fernet:`` or ``plain:``), so keys can be added later and old rows still open.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from server.alerts.errors import AlertsError
from server.alerts.urls import WebhookUrl

SEALED = "fernet:"
PLAIN = "plain:"


class SealingError(AlertsError):
    """A stored URL that cannot be opened (a key missing or wrong, or not a sealed value);
    the message names the setting, never the value."""


class SealingKeys:
    """``SALES_VERDICTS_WEBHOOK_KEYS``: Fernet keys, comma-separated, the sealing one
    first. Typed as a secret: its ``repr`` shows how many keys there are, not them."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = tuple(keys)

    @classmethod
    def parse(cls, text: str) -> SealingKeys:
        keys = tuple(k.strip() for k in text.split(",") if k.strip())
        for key in keys:
            try:
                Fernet(key)
            except ValueError:
                raise ValueError(
                    "expected Fernet keys (32 url-safe base64-encoded bytes each), e.g. from "
                    "python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'"
                ) from None
        return cls(keys)

    def __repr__(self) -> str:
        count = len(self.keys)
        return f"SealingKeys({count} key{'' if count == 1 else 's'})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SealingKeys) and other.keys == self.keys

    def __hash__(self) -> int:
        return hash(self.keys)


class Sealer:
    """Seals webhook URLs for the store and opens them again (see the module docstring)."""

    def __init__(self, keys: SealingKeys | None) -> None:
        fernets = [Fernet(k) for k in keys.keys] if keys is not None else []
        self._fernet = MultiFernet(fernets) if fernets else None

    @property
    def encrypts(self) -> bool:
        return self._fernet is not None

    def seal(self, url: WebhookUrl) -> str:
        if self._fernet is None:
            return PLAIN + url.reveal()
        return SEALED + self._fernet.encrypt(url.reveal().encode()).decode("ascii")

    def open(self, stored: str) -> str:
        """The URL in ``stored``, to be checked again with
        :func:`~server.alerts.urls.validate_webhook_url` before use."""
        if stored.startswith(PLAIN):
            return stored[len(PLAIN) :]
        if not stored.startswith(SEALED):
            raise SealingError("a stored webhook URL is neither sealed nor plain")
        if self._fernet is None:
            raise SealingError(
                "a stored webhook URL is sealed, and SALES_VERDICTS_WEBHOOK_KEYS is not set"
            )
        try:
            return self._fernet.decrypt(stored[len(SEALED) :].encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise SealingError(
                "a stored webhook URL does not open with SALES_VERDICTS_WEBHOOK_KEYS "
                "(was the key that sealed it removed?)"
            ) from None

    def reseal(self, stored: str) -> str:
        """``stored`` sealed again under the first key (rotation); plain values get sealed
        when there are keys."""
        plain = self.open(stored)
        if self._fernet is None:
            return PLAIN + plain
        return SEALED + self._fernet.encrypt(plain.encode()).decode("ascii")
