"""Webhook URLs sealed for the store: unreadable without the key, rotatable, and the keys
themselves never printed."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from server.alerts import AlertConfig, Sealer, SealingError, SealingKeys, validate_webhook_url
from server.config import Settings, SettingsError

SECRET = "xq7Lk2P9zR4mW8vN3bT6yH1c"
URL = validate_webhook_url(
    f"https://hooks.slack.com/services/T0123ABCD/B0456EFGH/{SECRET}", AlertConfig()
)
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_sealed_url_holds_no_part_of_it_and_opens_again() -> None:
    sealer = Sealer(SealingKeys([OLD]))
    sealed = sealer.seal(URL)
    assert sealed.startswith("fernet:")
    assert SECRET[:8] not in sealed
    assert "hooks.slack.com" not in sealed
    assert sealer.open(sealed) == URL.reveal()
    assert sealer.seal(URL) != sealed  # a fresh IV each time


def test_keys_rotate_new_first_and_old_rows_still_open() -> None:
    sealed_with_old = Sealer(SealingKeys([OLD])).seal(URL)
    rotating = Sealer(SealingKeys([NEW, OLD]))
    assert rotating.open(sealed_with_old) == URL.reveal()
    resealed = rotating.reseal(sealed_with_old)
    assert Sealer(SealingKeys([NEW])).open(resealed) == URL.reveal()
    with pytest.raises(SealingError, match="SALES_VERDICTS_WEBHOOK_KEYS") as refused:
        Sealer(SealingKeys([NEW])).open(sealed_with_old)
    assert SECRET not in str(refused.value)


def test_without_keys_urls_are_stored_plain_and_can_be_sealed_later() -> None:
    plain = Sealer(None)
    assert not plain.encrypts
    stored = plain.seal(URL)
    assert stored == "plain:" + URL.reveal()
    assert plain.open(stored) == URL.reveal()
    sealed = Sealer(SealingKeys([NEW])).reseal(stored)
    assert sealed.startswith("fernet:")
    with pytest.raises(SealingError, match="is not set"):
        plain.open(sealed)
    with pytest.raises(SealingError, match="neither sealed nor plain"):
        plain.open(URL.reveal())


def test_the_keys_setting_is_checked_and_never_printed() -> None:
    settings = Settings.from_env({"SALES_VERDICTS_WEBHOOK_KEYS": f" {NEW} ,{OLD}"})
    assert settings.webhook_keys == SealingKeys([NEW, OLD])
    assert NEW not in repr(settings)
    assert "SealingKeys(2 keys)" in repr(settings)
    assert Settings.from_env({}).webhook_keys is None
    with pytest.raises(SettingsError, match="SALES_VERDICTS_WEBHOOK_KEYS") as refused:
        Settings.from_env({"SALES_VERDICTS_WEBHOOK_KEYS": "hunter2-not-a-key"})
    assert "hunter2" not in str(refused.value)
    assert "Fernet keys" in str(refused.value)
