"""The sidebar in headless Chromium (playwright-core driving /usr/bin/chromium) with a real
run: classified by the real backend, fetched by the add-on's getLatestRun."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.addon.harness import (
    ROOT,
    AddonRunner,
    require_chromium,
    require_node_modules,
    settings_properties,
)
from tests.addon.pages import browse, contrast, family
from tests.support.backend import OWNER, Stack, demo_tabs, seed

pytestmark = [pytest.mark.node, pytest.mark.browser, pytest.mark.e2e]

SCREENSHOT = ROOT / "docs" / "sidebar.png"
# Hue family each verdict's card is drawn in (text labels carry the same meaning).
VERDICT_COLOURS = {"BEAT": "green", "SOFT_MISS": "amber", "HARD_MISS": "red"}


@pytest.fixture(scope="module")
def latest_run_answer(stack: Stack, addon: AddonRunner) -> dict[str, Any]:
    """What the add-on's getLatestRun hands the sidebar after a real classification."""
    require_node_modules("playwright-core")
    require_chromium()
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    settings = settings_properties(backendUrl=stack.graphql)
    outcome = addon.run(
        [{"call": "classifyQuarterFromMenu"}, {"call": "getLatestRun"}, {"call": "getQuarters"}],
        spreadsheetId=spreadsheet_id,
        oauthToken=OWNER,
        documentProperties=settings,
    )
    assert outcome.alerts == []
    answer: dict[str, Any] = outcome.steps[1]["result"]
    assert answer["ok"] is True
    quarters = outcome.steps[2]["result"]
    assert quarters["ok"] is True
    answer["quarterList"] = quarters
    return answer


def test_sidebar_shows_a_real_run(latest_run_answer: dict[str, Any], tmp_path: Path) -> None:
    answer_file = tmp_path / "answer.json"
    answers = {
        "getLatestRun": {k: v for k, v in latest_run_answer.items() if k != "quarterList"},
        "getQuarters": latest_run_answer["quarterList"],
    }
    answer_file.write_text(json.dumps({"answers": answers}), encoding="utf-8")
    screenshot = tmp_path / "sidebar.png"
    result = browse("sidebar", str(answer_file), str(screenshot))
    run = latest_run_answer["run"]
    seen = result["seen"]
    assert result["problems"] == []

    # One card per group (company total first), each named by a heading.
    cards = seen["cards"]
    expected_names = [v["group"] if v["group"] is not None else "Total" for v in run["current"]]
    assert [c["heading"] for c in cards] == expected_names
    assert all(c["labelledBy"] == c["heading"] for c in cards)
    assert [tag for tag, _ in seen["headings"]][:2] == ["H1", "H2"]

    for card, verdict in zip(cards, run["current"], strict=True):
        # Colour by verdict, and the verdict in words too.
        assert card["verdict"] == verdict["verdict"]
        words = verdict["verdict"].replace("_", " ").lower()
        assert card["label"].lower() == words
        colour = VERDICT_COLOURS.get(verdict["verdict"], "grey")
        assert family(card["border"]) == colour, card
        assert family(card["background"]) == colour, card
        # WCAG AA: text 4.5:1 on the card and on the verdict label; the border 3:1.
        assert contrast(card["color"], card["background"]) >= 4.5
        assert contrast(card["labelColor"], card["labelBackground"]) >= 4.5
        assert contrast(card["border"], seen["bodyBackground"]) >= 3
        # Flags as badges, in words.
        assert [b["text"].lower() for b in card["badges"]] == [
            f.replace("_", " ").lower() for f in verdict["flags"]
        ]
        for badge in card["badges"]:
            assert contrast(badge["color"], badge["background"]) >= 4.5
        assert card["action"] == verdict["action"]
        assert card["width"] <= 300

    # The quarter in progress is shown only when there is something to say about it (the
    # demo's data stops at its last quarter: nothing booked, no plan, no pipeline).
    pace = run.get("pace") or []
    informative = any(
        p["plan"] is not None or p["booked"] > 0 or (p["pipeline"] or 0) > 0 for p in pace
    )
    shown_pace = any(text.startswith("This quarter so far") for _, text in seen["headings"])
    assert shown_pace is informative, pace

    # The data issues, each with its cell.
    issues = run["issues"]
    assert issues, "the demo spreadsheet has rejected cells"
    assert seen["issuesHeading"] == f"Data issues ({len(issues)})"
    assert len(seen["issues"]) == min(len(issues), 50)
    for shown, issue in zip(seen["issues"], issues, strict=False):
        where = f"{issue['tab']}!{issue['cell']}" if issue["cell"] else f"{issue['tab']} row "
        assert shown["text"].startswith(where)
        assert shown["severity"] == issue["severity"]

    # Fits the 300 px sidebar; loading and errors are announced.
    assert seen["scrollWidth"] <= seen["clientWidth"] == 300
    assert {"status", "error"} <= set(seen["liveRegions"])
    assert seen["landmarks"] == ["HEADER", "MAIN"]

    # Refresh is reachable by keyboard, shows its focus, and reloads.
    focus = result["focus"]
    assert focus["id"] == "refresh"
    assert focus["tag"] == "BUTTON"
    assert focus["outlineStyle"] != "none"
    assert float(focus["outlineWidth"].removesuffix("px")) >= 2
    assert contrast(focus["outlineColor"], seen["bodyBackground"]) >= 3
    assert contrast(focus["color"], focus["background"]) >= 4.5
    assert result["loadingStatus"] == "Loading the latest verdicts…"
    # Opening and Refresh each load the latest run and the quarter list.
    assert result["after"]["calls"] == ["getLatestRun", "getQuarters"] * 2
    assert result["after"]["cards"] == len(cards)
    assert result["after"]["stillFocused"] == "refresh"

    # Errors in an alert region; the empty state; group names are text, never markup.
    assert result["error"] == {
        "text": "The backend at example.com cannot be reached.",
        "role": "alert",
        "visible": True,
    }
    assert result["empty"]["text"] == "No verdicts yet. Pick a quarter above and press Classify."
    assert result["hostile"]["images"] == 0

    assert screenshot.stat().st_size > 10_000
    if not SCREENSHOT.exists() or os.environ.get("SALES_VERDICTS_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(screenshot, SCREENSHOT)
