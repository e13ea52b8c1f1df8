"""The sidebar in headless Chromium, its google.script.run bridged to the add-on itself (the
.gs files under the Apps Script stand-ins), which calls a fake backend answering per the
workflow contract: a run followed to its result, a failed run, a sidebar opened on a run
going on, a run followed until the page gives up; the quarter list, pace, drivers, trends,
History, and data issues that select their cells. One browser for the whole module.

The page may check on a run faster here than the add-on does (POLL_FIRST_MS = 300 instead
of 2 s): test_addon_runs.py checks the add-on's own timing under Node."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.addon.fake_backend import (
    CHANGES,
    CURRENT,
    ISSUES,
    LATEST_ENDED,
    PACE,
    QUARTERS,
    TRENDS,
    FakeBackend,
    Script,
    verdict_of,
)
from tests.addon.harness import require_chromium, require_node_modules
from tests.addon.pages import browse_with, contrast, keep_screenshot

pytestmark = [pytest.mark.node, pytest.mark.browser]

TOKEN = "user-oauth-token-123"
FAILURE = "BAD_INPUT: 'Bookings' has no amount that could be read (2 rows rejected)."
UPSTREAM = "UPSTREAM_UNAVAILABLE: Google Sheets did not answer within 20 s (3 tries)."
NAMES = ["Total" if row["group"] is None else row["group"] for row in CURRENT]
VERDICT_WORDS = {"BEAT": "Beat", "SOFT_MISS": "Soft Miss", "HARD_MISS": "Hard Miss"}
CAUSE_WORDS = {"LOWER_WIN_RATE": "Lower win rate", "SMALLER_DEALS": "Smaller deals"}


def sheet() -> str:
    return "sheet-" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def seen(fake: FakeBackend, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_node_modules("playwright-core")
    require_chromium()
    tmp = tmp_path_factory.mktemp("sidebar-workflow")
    poll, failed, reopen, capped = sheet(), sheet(), sheet(), sheet()
    # Earlier runs of the sheet the History view shows: one by the schedule, one that failed.
    fake.seed_run(poll, quarter="2026-Q2", trigger="SCHEDULE", ago=timedelta(days=92, hours=3))
    fake.seed_run(
        poll, trigger="SCHEDULE", outcome="FAILED", error=UPSTREAM, ago=timedelta(hours=26)
    )
    fake.script(poll, Script(checks=11))  # about 6 s of checks: long enough to say "still working"
    fake.script(failed, Script(checks=1, outcome="FAILED", error=FAILURE))
    fake.script(reopen, Script(checks=6))
    fake.script(capped, Script(checks=None))
    config = {
        "backend": fake.url,
        "token": TOKEN,
        "evals": ["POLL_FIRST_MS = 300", "POLL_MAX_MS = 600"],
        "flows": {
            "poll": {
                "spreadsheetId": poll,
                "screenshot": str(tmp / "sidebar-pace.png"),
                "historyScreenshot": str(tmp / "sidebar-history.png"),
            },
            "failed": {"spreadsheetId": failed},
            "reopen": {"spreadsheetId": reopen},
            "capped": {"spreadsheetId": capped, "evals": ["POLL_LIMIT_MS = 2500"]},
        },
    }
    result = browse_with("workflow", config, tmp)
    result["tmp"] = tmp
    result["sheets"] = {"poll": poll, "failed": failed, "reopen": reopen, "capped": capped}
    return result


def test_the_quarter_list_marks_the_quarter_in_progress_and_picks_the_latest_ended(
    seen: dict[str, Any],
) -> None:
    opened = seen["poll"]["opened"]
    options = opened["options"]
    assert [o["value"] for o in options] == [q for q, *_ in QUARTERS]
    for option, (quarter, label, in_progress, classifiable) in zip(options, QUARTERS, strict=True):
        assert option["text"].startswith(f"{label} ({quarter})")
        assert option["inProgress"] is in_progress
        assert ("in progress" in option["text"]) is in_progress
        assert option["disabled"] is (not classifiable)
    assert opened["quarter"] == LATEST_ENDED
    # The sheet's earlier successful run is on show when the sidebar opens: the quarter in
    # progress first, then the verdicts of the quarter that run classified.
    assert opened["headings"][:2] == ["This quarter so far: FY27 Q3", "Verdicts for FY27 Q1"]


def test_the_sidebar_follows_a_run_to_its_result(seen: dict[str, Any], fake: FakeBackend) -> None:
    flow = seen["poll"]
    assert flow["problems"] == []
    starts = [c for c in flow["calls"] if c["name"] == "startClassification"]
    assert [c["args"] for c in starts] == [[LATEST_ENDED]]
    # While the run goes on: where it stands, and for how long (seconds since it started).
    progress = flow["progress"]
    assert progress["done"] is True
    assert progress["seen"][0].startswith("Reading your tabs for FY27 Q2…")
    working = [t for t in progress["seen"] if "still working" in t]
    assert working, progress["seen"]
    seconds = [int(m.group(1)) for t in working if (m := re.search(r"still working, (\d+) s", t))]
    assert seconds == sorted(seconds)
    assert seconds[0] >= 5
    # It checked on the run until it was done: checks numbered 1, 2, 3 …
    polls = [c["args"] for c in flow["calls"] if c["name"] == "pollRun"]
    assert [a[1] for a in polls] == list(range(1, len(polls) + 1))
    assert len(polls) == 12, "11 answers RUNNING, then the one that is done"
    elapsed = [a[2] for a in polls]
    assert elapsed == sorted(elapsed)
    [run_id] = {a[0] for a in polls}
    [run] = [r for r in fake.runs if r.id == run_id]
    assert (run.spreadsheet_id, run.trigger, run.status) == (
        seen["sheets"]["poll"],
        "MENU",
        "SUCCEEDED",
    )

    done = flow["done"]
    assert done["status"] == "Classified FY27 Q2."
    assert done["progressHidden"] is True
    assert done["error"] == ""
    assert done["headings"] == [
        "This quarter so far: FY27 Q3",
        "Verdicts for FY27 Q2",
        "Changed since the previous run",
        "Data issues (3)",
    ]
    assert "by analyst@example.com" in done["meta"]
    assert "from the sheet" in done["meta"]
    assert "amounts in USD" in done["meta"]


def test_each_card_shows_the_gap_the_why_and_a_trend(seen: dict[str, Any]) -> None:
    cards = seen["poll"]["done"]["cards"]
    assert [c["heading"] for c in cards] == NAMES
    for card, row in zip(cards, CURRENT, strict=True):
        verdict = verdict_of(row)
        assert card["verdict"] == verdict
        figures = dict(card["figures"])
        assert list(figures) == ["Plan", "Bookings", "Gap", "Attainment", "Growth"]
        gap = row["bookings"] - row["plan"]
        assert figures["Gap"].startswith("+$" if gap > 0 else "−$"), figures
        assert figures["Plan"].startswith("$")
        # The trend: the group's last six quarters, this one outlined, each named in words.
        trend = card["trend"]
        assert [t["verdict"] for t in trend] == TRENDS[row["group"]][-6:]
        assert [t["current"] for t in trend] == [False] * 5 + [True]
        assert trend[-1]["label"] == f"FY27 Q2: {VERDICT_WORDS[verdict]}"
        drivers = row["drivers"]
        if drivers is None:
            assert card["why"] is None
        else:
            # The likely cause in words first, then the figures behind it.
            cause = CAUSE_WORDS.get(drivers["cause"])
            assert card["why"] == " ".join(filter(None, ["Why:", cause, drivers["explanation"]])), (
                card["why"]
            )
            assert card["cause"] == drivers["cause"]
        assert card["action"] == row["action"]
        assert card["width"] <= 300


def test_the_pace_of_the_quarter_in_progress_total_first(seen: dict[str, Any]) -> None:
    done = seen["poll"]["done"]
    assert done["paceHeading"] == "This quarter so far: FY27 Q3"
    assert done["paceMeta"] == "On Nov 15, 2026, 50% of the quarter had gone."
    assert [p["group"] for p in done["pace"]] == NAMES
    for shown, pace in zip(done["pace"], PACE, strict=True):
        coverage = round((pace["booked"] + pace["pipeline"]) / pace["plan"] * 100)
        on_pace = round(pace["projected"] / pace["plan"] * 100)
        assert f"Outlook: {VERDICT_WORDS[pace['outlook']]}" in shown["text"]
        assert f"coverage {coverage}%" in shown["text"]
        assert f"plan ({on_pace}%)" in shown["text"]
    assert "back-loaded" in done["paceNote"]
    assert done["changes"] == [
        f"{c['group'] or 'Total'}: {VERDICT_WORDS[c['before']]} → {VERDICT_WORDS[c['after']]}"
        for c in CHANGES
    ]
    assert done["scrollWidth"] <= done["clientWidth"] == 300
    keep_screenshot(seen["tmp"] / "sidebar-pace.png", "sidebar-pace.png")


def test_a_data_issue_clicked_selects_its_cell(seen: dict[str, Any]) -> None:
    flow = seen["poll"]
    issues = flow["done"]["issues"]
    assert len(issues) == len(ISSUES)
    assert all(i["isButton"] for i in issues)
    assert issues[0]["text"].startswith("Bookings!C14")
    # Where each issue is, said once: the button names it, the message then says what.
    assert issues[0]["text"] == 'Bookings!C14 "#REF!" is a formula error, row skipped'
    assert issues[2]["text"] == "Bookings row 40 " + ISSUES[2]["message"].removeprefix("Bookings: ")
    assert flow["jumped"] == {"status": "Selected Bookings!C14.", "activeRange": "Bookings!C14"}
    assert flow["jumpedRow"] == "Bookings!A40:Z40", "an issue without a cell selects its row"
    jumps = [c["args"] for c in flow["calls"] if c["name"] == "jumpToIssue"]
    assert jumps == [["Bookings", 14, "C"], ["Bookings", 40, None]]


def test_the_history_view_lists_who_when_how_and_what_changed(seen: dict[str, Any]) -> None:
    history = seen["poll"]["history"]
    assert history["visible"] is True
    assert history["verdictsHidden"] is True
    assert history["pressed"] == "true"
    runs = history["runs"]
    assert [(r["status"], r["chip"]) for r in runs] == [
        ("SUCCEEDED", "Done"),
        ("FAILED", "Failed"),
        ("SUCCEEDED", "Done"),
    ]
    assert [r["title"] for r in runs] == ["FY27 Q2", "FY27 Q2", "FY27 Q1"]
    assert "analyst@example.com" in runs[0]["meta"]
    assert "from the sheet" in runs[0]["meta"]
    assert "on schedule" in runs[1]["meta"]
    assert "on schedule" in runs[2]["meta"]
    assert runs[1]["error"] == UPSTREAM
    for shown in runs:  # each status chip readable (WCAG AA)
        assert contrast(shown["chipColor"], shown["chipBackground"]) >= 4.5
    assert runs[0]["changes"] == ["EMEA: Soft Miss → Hard Miss", "Total: Soft Miss → Hard Miss"]
    assert history["scrollWidth"] <= history["clientWidth"] == 300
    keep_screenshot(seen["tmp"] / "sidebar-history.png", "sidebar-history.png")


def test_a_failed_run_says_why_and_its_issues_select_their_cells(seen: dict[str, Any]) -> None:
    flow = seen["failed"]
    assert flow["problems"] == []
    state = flow["state"]
    assert "failed: " + FAILURE in state["error"]
    assert state["outcomeIssues"][0].startswith("Bookings!C14")
    assert len(state["outcomeIssues"]) == 2
    assert flow["activeRange"] == "Bookings!C14"
    assert state["progressHidden"] is True


def test_a_sidebar_opened_while_a_run_goes_on_follows_it(seen: dict[str, Any]) -> None:
    flow = seen["reopen"]
    assert flow["problems"] == []
    assert flow["startedStatus"] == "RUNNING"
    assert flow["progress"]["done"] is True
    assert flow["progress"]["seen"][0].startswith("Reading your tabs for FY27 Q2")
    assert [c["heading"] for c in flow["state"]["cards"]] == NAMES


def test_a_run_followed_past_the_limit_is_left_going_with_a_word(seen: dict[str, Any]) -> None:
    flow = seen["capped"]
    assert flow["problems"] == []
    state = flow["state"]
    assert "stopped checking" in state["error"]
    assert "carries on in the backend" in state["error"]
    assert state["progressHidden"] is True
    assert flow["checks"] >= 3


def test_screenshots_were_made(seen: dict[str, Any]) -> None:
    for name in ("sidebar-pace.png", "sidebar-history.png"):
        assert Path(seen["tmp"] / name).stat().st_size > 10_000
