"""The settings dialog in headless Chromium, its google.script.run bridged to the add-on's own
server code (the .gs files under the Apps Script stand-ins) and a fake backend: fields checked
and saved with the keyboard, a schedule saved with its trigger, alerts saved (shown back
masked) and removed. One browser for the module."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.addon.fake_backend import FakeBackend
from tests.addon.harness import SETTINGS_KEY, require_chromium, require_node_modules
from tests.addon.pages import browse_with, keep_screenshot

pytestmark = [pytest.mark.node, pytest.mark.browser]

WEBHOOK = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/s3cr3tT0k3nV4lue"
BAD_WEBHOOK = "https://hooks.evil.example.com/services/T0/B0/leak"


@pytest.fixture(scope="module")
def result(fake: FakeBackend, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_node_modules("playwright-core")
    require_chromium()
    tmp = tmp_path_factory.mktemp("settings")
    config = {
        "backend": fake.url,
        "token": "user-oauth-token-123",
        "spreadsheetId": "sheet-" + uuid.uuid4().hex[:10],
        "webhook": WEBHOOK,
        "badWebhook": BAD_WEBHOOK,
        "screenshot": str(tmp / "settings-alerts.png"),
    }
    seen = browse_with("settings", config, tmp)
    seen["tmp"] = tmp
    seen["spreadsheetId"] = config["spreadsheetId"]
    return seen


def test_settings_dialog_validates_and_saves_with_the_keyboard(
    result: dict[str, Any], fake: FakeBackend
) -> None:
    assert result["problems"] == []
    assert all(field["label"] for field in result["labelled"]), result["labelled"]

    invalid = result["invalid"]
    assert result["storedWhileInvalid"] == {}, "nothing is saved while a field is invalid"
    assert set(invalid["invalid"]) == {"backendUrl", "summaryTab"}
    assert "https://" in invalid["backendUrlError"]
    assert invalid["summaryTabError"]
    assert invalid["focused"] == "backendUrl", "focus moves to the first field to fix"
    assert invalid["status"].startswith("Not saved")

    saved = result["saved"]
    assert saved["invalid"] == []
    assert saved["closed"] == 1
    stored = json.loads(saved["stored"][SETTINGS_KEY])
    assert stored["backendUrl"] == fake.url
    assert stored["planTab"] == "Targets FY25"
    assert stored["summaryTab"] == "Verdicts"
    assert stored["fiscalYearStartMonth"] == 2
    assert stored["groupBy"] == ["Region", "Segment"]


def test_a_schedule_saved_in_the_dialog_installs_its_trigger(result: dict[str, Any]) -> None:
    saved = result["saved"]
    stored = json.loads(saved["stored"][SETTINGS_KEY])
    assert stored["schedule"] == "CLOSE"
    assert stored["scheduleHour"] == 7
    assert stored["scheduleOwner"] == "analyst@example.com"
    [trigger] = saved["triggers"]
    assert trigger["handler"] == "runScheduledClassification"
    assert trigger["documentId"] == result["spreadsheetId"]
    assert trigger["spec"] == {"everyDays": 1, "atHour": 7, "inTimezone": "Europe/London"}
    reopened = result["reopened"]
    assert (reopened["schedule"], reopened["hour"]) == ("CLOSE", "7")
    assert "runs as you (analyst@example.com)" in reopened["hint"]
    assert "Europe/London" in reopened["hint"]


def test_alerts_are_saved_shown_masked_and_removed(
    result: dict[str, Any], fake: FakeBackend
) -> None:
    assert "save its address first" in result["alertsBefore"], "no backend yet: no alerts"
    assert result["reopened"]["alerts"] == "No webhook saved: no alerts are sent."
    assert result["reopened"]["checked"] == ["NEW_HARD_MISS", "RUN_FAILED"], "the defaults"

    refused = result["refused"]
    assert "hooks.evil.example.com" in refused["error"]
    assert "leak" not in refused["error"]
    assert refused["focused"] == "webhookUrl"

    saved = result["alertsSaved"]
    assert saved["current"].startswith("Posting to https://hooks.slack.com/services/")
    assert "s3cr3t" not in saved["current"], "shown back masked"
    assert saved["field"] == "", "the secret does not stay in the form"
    assert saved["checked"] == ["NEW_HARD_MISS", "EVERY_RUN"]
    assert saved["removeVisible"] is True
    assert saved["fieldError"] == ""
    assert result["webhookInPage"] is False

    removed = result["removed"]
    assert removed["current"] == "No webhook saved: no alerts are sent."
    assert removed["checked"] == ["NEW_HARD_MISS", "EVERY_RUN"], "removing keeps the events"
    assert fake.alerts[result["spreadsheetId"]] == {
        "webhookUrl": None,
        "on": ["NEW_HARD_MISS", "EVERY_RUN"],
    }
    keep_screenshot(result["tmp"] / "settings-alerts.png", "settings-alerts.png")
