"""The settings dialog in headless Chromium, with the add-on's own server code answering."""

from __future__ import annotations

import pytest

from tests.addon.pages import browse

pytestmark = [pytest.mark.node, pytest.mark.browser]


def test_settings_dialog_validates_and_saves_with_the_keyboard() -> None:
    result = browse("settings")
    assert result["problems"] == []
    assert all(field["label"] for field in result["labelled"]), result["labelled"]

    invalid = result["invalid"]
    assert invalid["stored"] == {}, "nothing is saved while a field is invalid"
    assert set(invalid["invalid"]) == {"backendUrl", "summaryTab"}
    assert "https://" in invalid["backendUrlError"]
    assert invalid["summaryTabError"]
    assert invalid["focused"] == "backendUrl", "focus moves to the first field to fix"
    assert invalid["status"].startswith("Not saved")

    saved = result["saved"]
    assert saved["invalid"] == []
    assert saved["closed"] == 1
    stored = {k.removeprefix("salesVerdicts."): v for k, v in saved["stored"].items()}
    assert stored["backendUrl"] == "https://verdicts.example.com/graphql"
    assert stored["planTab"] == "Targets FY25"
    assert stored["summaryTab"] == "Verdicts"
    assert stored["fiscalYearStartMonth"] == "2"
    assert stored["authMode"] == "SERVICE_ACCOUNT"
    assert stored["groupBy"] == "Region, Segment"
