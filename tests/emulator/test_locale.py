"""The spreadsheet's locale and time zone: set at creation, by updateSpreadsheetProperties and
by seeding; read back with ``fields=properties(locale,timeZone)``."""

from __future__ import annotations

import httpx

from tests.emulator.conftest import ANA, ANA_TOKEN
from tests.support.emulator import EmulatorHandle

AUTH = {"Authorization": f"Bearer {ANA_TOKEN}"}
FIELDS = {"fields": "properties(locale,timeZone)"}


def _properties(emulator: EmulatorHandle, sid: str) -> dict[str, str]:
    answer = httpx.get(f"{emulator.url}/v4/spreadsheets/{sid}", params=FIELDS, headers=AUTH)
    assert answer.status_code == 200, answer.text
    properties: dict[str, str] = answer.json()["properties"]
    return properties


def test_a_new_spreadsheet_reports_what_the_real_api_reports(emulator: EmulatorHandle) -> None:
    # the recordings: a spreadsheet created through the API is en_US, Etc/GMT
    created = httpx.post(
        f"{emulator.url}/v4/spreadsheets", json={"properties": {"title": "New"}}, headers=AUTH
    ).json()
    assert _properties(emulator, created["spreadsheetId"]) == {
        "locale": "en_US",
        "timeZone": "Etc/GMT",
    }
    book = emulator.gspread_client(ANA_TOKEN).create("Through Drive")
    assert _properties(emulator, book.id) == {"locale": "en_US", "timeZone": "Etc/GMT"}


def test_locale_and_time_zone_at_creation(emulator: EmulatorHandle) -> None:
    created = httpx.post(
        f"{emulator.url}/v4/spreadsheets",
        json={"properties": {"title": "UK", "locale": "en_GB", "timeZone": "Europe/London"}},
        headers=AUTH,
    ).json()
    assert created["properties"]["locale"] == "en_GB"
    assert _properties(emulator, created["spreadsheetId"]) == {
        "locale": "en_GB",
        "timeZone": "Europe/London",
    }


def test_update_spreadsheet_properties(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Moving", {})
    answer = httpx.post(
        f"{emulator.url}/v4/spreadsheets/{sid}:batchUpdate",
        json={
            "requests": [
                {
                    "updateSpreadsheetProperties": {
                        "properties": {"locale": "de_DE", "timeZone": "Europe/Berlin"},
                        "fields": "locale,timeZone",
                    }
                }
            ]
        },
        headers=AUTH,
    )
    assert answer.json()["replies"] == [{}]
    assert _properties(emulator, sid) == {"locale": "de_DE", "timeZone": "Europe/Berlin"}


def test_seeded_locale_and_time_zone(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(
        ANA, "Seeded", {"Plan": [["04/03/2025"]]}, locale="en_GB", time_zone="Europe/London"
    )
    assert _properties(emulator, sid) == {"locale": "en_GB", "timeZone": "Europe/London"}
    default = emulator.state.create_spreadsheet(ANA, "Default", {})
    assert _properties(emulator, default) == {"locale": "en_US", "timeZone": "Etc/GMT"}
    # seeded text stays text, whatever the locale
    assert emulator.state.values(sid, "Plan") == [["04/03/2025"]]
