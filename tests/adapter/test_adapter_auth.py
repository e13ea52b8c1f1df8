"""Service-account mode through the emulator's token endpoint, and SHEETS_EMULATOR_HOST."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from server.config import Settings
from sheets_adapter.config import SheetsSettings
from sheets_adapter.errors import PermissionDenied, SheetsConfigError, Unauthenticated
from sheets_adapter.gspread_adapter import GspreadSheets
from sheets_adapter.port import ServiceAccountAuth
from tests.adapter.conftest import ANA_AUTH, FAST, classify_once, settled_log, sheets_calls
from tests.support.emulator import EmulatorHandle
from tests.support.keys import GeneratedKey, make_key

SA = ServiceAccountAuth(caller_email="ana@example.com")


def register(emu: EmulatorHandle, key: GeneratedKey) -> None:
    answer = requests.post(
        f"{emu.url}/_emulator/service-accounts",
        json={"email": key.email, "certificate": key.certificate_pem, "key_id": key.key_id},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture
def key(emu: EmulatorHandle) -> GeneratedKey:
    made = make_key()
    register(emu, made)
    return made


def sa_adapter(emu: EmulatorHandle, key_file: Path) -> GspreadSheets:
    return GspreadSheets(
        SheetsSettings(emulator_host=emu.url, service_account_file=key_file, retry=FAST)
    )


def test_service_account_logs_in_at_the_emulator_and_classifies(
    emu: EmulatorHandle, sheet: str, key: GeneratedKey, tmp_path: Path
) -> None:
    emu.state.share(sheet, key.email, "writer")
    sheets = sa_adapter(emu, key.key_file(tmp_path, f"{emu.url}/token"))
    emu.clear_log()
    classify_once(sheets, sheet, SA)
    classify_once(sheets, sheet, SA)
    log = settled_log(emu)
    tokens = [e for e in log if e["api"] == "oauth"]
    assert [(e["method"], e["path"], e["status"]) for e in tokens] == [("POST", "/token", 200)]
    api = [e for e in log if e["api"] == "sheets"]
    assert len(api) == 5  # 3 cold + 2 warm
    assert {e["caller"] for e in api} == {key.email}
    assert sheets.requests.counts()["token"] == 1


def test_a_key_with_googles_token_uri_is_sent_to_the_emulator_too(
    emu: EmulatorHandle, sheet: str, key: GeneratedKey, tmp_path: Path
) -> None:
    emu.state.share(sheet, key.email, "writer")
    sheets = sa_adapter(emu, key.key_file(tmp_path, "https://oauth2.googleapis.com/token"))
    emu.clear_log()
    classify_once(sheets, sheet, SA)
    assert [e["path"] for e in settled_log(emu) if e["api"] == "oauth"] == ["/token"]


def test_a_key_the_token_endpoint_does_not_know_is_refused(
    emu: EmulatorHandle, sheet: str, tmp_path: Path
) -> None:
    stranger = make_key("stranger@sales-verdicts-test.iam.gserviceaccount.com")
    sheets = sa_adapter(emu, stranger.key_file(tmp_path, f"{emu.url}/token"))
    with pytest.raises(Unauthenticated) as caught:
        sheets.read(sheet, ("Plan", "Bookings"), "Summary", SA)
    assert stranger.email in str(caught.value)
    assert "BEGIN" not in str(caught.value)
    assert sheets_calls(emu) == []  # no API call without a token


def test_a_service_account_without_access_is_told_whom_to_share_with(
    emu: EmulatorHandle, sheet: str, key: GeneratedKey, tmp_path: Path
) -> None:
    sheets = sa_adapter(emu, key.key_file(tmp_path, f"{emu.url}/token"))
    with pytest.raises(PermissionDenied) as caught:
        sheets.read(sheet, ("Plan", "Bookings"), "Summary", SA)
    assert f"Share the spreadsheet with {key.email}" in str(caught.value)
    assert sheets.can_open(sheet, SA) is False


def test_a_broken_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    broken = tmp_path / "key.json"
    broken.write_text('{"type": "service_account", "private_key": "-----BEGIN nonsense"}')
    with pytest.raises(SheetsConfigError) as caught:
        GspreadSheets(SheetsSettings(service_account_file=broken))
    assert "nonsense" not in str(caught.value)
    with pytest.raises(SheetsConfigError, match="no such file"):
        GspreadSheets(SheetsSettings(service_account_file=tmp_path / "missing.json"))


@pytest.fixture
def outgoing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL any requests session sends to, whatever session or adapter sends it."""
    sent: list[str] = []
    original = requests.adapters.HTTPAdapter.send

    def spy(self: Any, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(request.url))
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", spy)
    return sent


def test_sheets_emulator_host_sends_every_call_to_the_emulator(
    emu: EmulatorHandle, sheet: str, key: GeneratedKey, tmp_path: Path, outgoing: list[str]
) -> None:
    emu.state.share(sheet, key.email, "writer")
    # user mode, built from an environment mapping through the app's settings
    user = GspreadSheets.from_settings(Settings.from_env({"SHEETS_EMULATOR_HOST": emu.url}))
    classify_once(user, sheet)
    assert user.can_open(sheet, ANA_AUTH)
    # service-account mode, built from the app's settings, with Google's own token_uri
    key_file = key.key_file(tmp_path, "https://oauth2.googleapis.com/token")
    service = GspreadSheets.from_settings(
        Settings(emulator_host=emu.url, service_account_file=key_file)
    )
    classify_once(service, sheet, SA)
    assert len(outgoing) >= 3 + 1 + 3
    assert all(url.startswith(emu.url + "/") for url in outgoing), outgoing
