"""Runs that outlive a request, under Node with the Apps Script stand-ins, against a fake
backend answering per the workflow contract (tests/addon/fake_backend.py): starting a run,
following it as the sidebar does (the stand-ins' clock moves on by each wait), the quarter
list, the History view, jumping to a data issue's cell, and alerts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.addon.fake_backend import (
    CHANGES,
    CURRENT,
    HISTORY,
    ISSUES,
    LATEST_ENDED,
    QUARTERS,
    TRENDS,
    FakeBackend,
    Script,
    verdict_of,
)
from tests.addon.harness import AddonRunner, Outcome, settings_properties

pytestmark = pytest.mark.node

TOKEN = "user-oauth-token-123"


def sheet() -> str:
    return "sheet-" + uuid.uuid4().hex[:10]


def run_addon(
    addon: AddonRunner,
    fake: FakeBackend,
    spreadsheet_id: str,
    steps: list[dict[str, Any]],
    **options: Any,
) -> Outcome:
    settings = options.pop("settings", {})
    return addon.run(
        steps,
        spreadsheetId=spreadsheet_id,
        oauthToken=TOKEN,
        documentProperties=settings_properties(backendUrl=fake.url, **settings),
        **options,
    )


# -- following a run ------------------------------------------------------------------------


def test_a_run_answered_running_twice_is_followed_to_its_result(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    fake.script(spreadsheet_id, Script(checks=2))
    outcome = run_addon(
        addon, fake, spreadsheet_id, [{"follow": "startClassification", "args": ["2026-Q2"]}]
    )
    followed = outcome.steps[0]["result"]
    first, last = followed["first"], followed["last"]
    assert first["ok"] is True
    assert first["run"]["status"] == "RUNNING"
    assert first["nextDelayMs"] == 2000
    # RUNNING twice, then SUCCEEDED; the waits grow 2 s → 3 s → 4.5 s.
    assert [(c["attempt"], c["delayMs"], c["status"]) for c in followed["checks"]] == [
        (1, 2000, "RUNNING"),
        (2, 3000, "RUNNING"),
        (3, 4500, "SUCCEEDED"),
    ]
    assert followed["waitedMs"] == 9500
    assert last["nextDelayMs"] is None
    run = last["run"]
    assert run["status"] == "SUCCEEDED"
    assert run["quarter"] == "2026-Q2"
    assert [v["group"] for v in run["current"]] == [row["group"] for row in CURRENT]
    assert [v["verdict"] for v in run["current"]] == [verdict_of(row) for row in CURRENT]
    assert run["current"][0]["drivers"]["cause"] == "LOWER_WIN_RATE"
    assert run["pace"][0]["group"] is None
    # One start, three checks; the start asked for that quarter, waited 20 s, said MENU.
    assert fake.operations(spreadsheet_id) == [
        "AddonClassifyQuarter",
        "AddonRun",
        "AddonRun",
        "AddonRun",
    ]
    [start] = [f for f in outcome.fetches if f["operationName"] == "AddonClassifyQuarter"]
    assert start["variables"]["quarter"] == "2026-Q2"
    assert start["variables"]["wait"] == 20
    assert start["variables"]["trigger"] == "MENU"


def test_a_failed_run_stops_the_checks_and_says_why(addon: AddonRunner, fake: FakeBackend) -> None:
    spreadsheet_id = sheet()
    error = "UPSTREAM_UNAVAILABLE: Google Sheets did not answer within 20 s (3 tries)."
    fake.script(spreadsheet_id, Script(checks=1, outcome="FAILED", error=error))
    outcome = run_addon(
        addon, fake, spreadsheet_id, [{"follow": "startClassification", "args": [""]}]
    )
    followed = outcome.steps[0]["result"]
    assert [c["status"] for c in followed["checks"]] == ["RUNNING", "FAILED"]
    last = followed["last"]
    assert last["ok"] is True
    assert last["nextDelayMs"] is None
    assert last["run"]["status"] == "FAILED"
    assert last["run"]["error"] == error
    assert last["run"]["current"] == []
    assert fake.operations(spreadsheet_id).count("AddonRun") == 2


def test_a_run_that_never_finishes_is_followed_for_ten_minutes_then_left(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    fake.script(spreadsheet_id, Script(checks=None))
    outcome = run_addon(
        addon, fake, spreadsheet_id, [{"follow": "startClassification", "args": [""]}]
    )
    followed = outcome.steps[0]["result"]
    checks = followed["checks"]
    # Worked by hand: 2 + 3 + 4.5 s, then 118 waits of 5 s (to 599.5 s), then the last
    # 0.5 s up to the 10 minutes, where the check answers "stop": 122 checks in all.
    delays = [c["delayMs"] for c in checks]
    assert delays[:4] == [2000, 3000, 4500, 5000]
    assert delays[3:-1] == [5000] * 118
    assert delays[-1] == 500
    assert len(checks) == 122
    assert followed["waitedMs"] == 10 * 60 * 1000
    assert all(c["status"] == "RUNNING" for c in checks)
    last = followed["last"]
    assert last["ok"] is True
    assert last["nextDelayMs"] is None
    assert last["run"]["status"] == "RUNNING"
    assert "still going after 10 minutes" in last["message"]
    assert "carries on" in last["message"]


def test_a_page_closed_mid_run_loses_nothing(addon: AddonRunner, fake: FakeBackend) -> None:
    """The page that started the run goes away; the sidebar opened again finds the run
    going and follows it to its end."""
    spreadsheet_id = sheet()
    fake.script(spreadsheet_id, Script(checks=3))
    started = run_addon(
        addon, fake, spreadsheet_id, [{"call": "startClassification", "args": [""]}]
    )
    run_id = started.steps[0]["result"]["run"]["id"]
    assert started.steps[0]["result"]["run"]["status"] == "RUNNING"

    reopened = run_addon(addon, fake, spreadsheet_id, [{"follow": "getLatestRun"}])
    followed = reopened.steps[0]["result"]
    assert followed["first"]["run"] is None, "no run of this sheet has succeeded yet"
    assert followed["first"]["newest"]["id"] == run_id
    assert followed["first"]["newest"]["status"] == "RUNNING"
    assert followed["first"]["nextDelayMs"] == 2000
    # The fake answers run(id) RUNNING three times, then SUCCEEDED.
    assert [c["status"] for c in followed["checks"]] == ["RUNNING"] * 3 + ["SUCCEEDED"]
    assert followed["last"]["run"]["id"] == run_id


def test_the_sidebar_opens_on_the_latest_success_and_a_newer_failure(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    run_addon(addon, fake, spreadsheet_id, [{"call": "startClassification", "args": [""]}])
    fake.script(spreadsheet_id, Script(checks=0, outcome="FAILED", error="BAD_INPUT: no header"))
    run_addon(addon, fake, spreadsheet_id, [{"call": "startClassification", "args": [""]}])
    outcome = run_addon(addon, fake, spreadsheet_id, [{"call": "getLatestRun"}])
    answer = outcome.steps[0]["result"]
    assert answer["run"]["status"] == "SUCCEEDED"
    assert answer["newest"]["status"] == "FAILED"
    assert answer["newest"]["error"] == "BAD_INPUT: no header"
    assert answer["newest"]["issues"] == ISSUES[:2]
    assert "nextDelayMs" not in answer
    assert len(outcome.fetches) == 1, "both in one request"


def test_a_run_done_within_the_wait_comes_back_whole(addon: AddonRunner, fake: FakeBackend) -> None:
    spreadsheet_id = sheet()
    outcome = run_addon(
        addon, fake, spreadsheet_id, [{"call": "startClassification", "args": [""]}]
    )
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is True
    assert "nextDelayMs" not in answer
    assert answer["run"]["status"] == "SUCCEEDED"
    assert answer["run"]["quarter"] == LATEST_ENDED
    assert len(answer["run"]["issues"]) == len(ISSUES)
    assert fake.operations(spreadsheet_id) == ["AddonClassifyQuarter", "AddonRun"]


def test_a_refused_run_brings_its_data_issues(addon: AddonRunner, fake: FakeBackend) -> None:
    spreadsheet_id = sheet()
    fake.script(spreadsheet_id, Script(refuse="Nothing to classify: 2 rows were rejected."))
    outcome = run_addon(
        addon, fake, spreadsheet_id, [{"call": "startClassification", "args": [""]}]
    )
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is False
    assert "Nothing to classify" in answer["message"]
    assert answer["issues"] == ISSUES[:2]


def test_a_quarter_not_from_the_list_is_refused_before_any_call(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    outcome = run_addon(
        addon, fake, spreadsheet_id, [{"call": "startClassification", "args": ["Q3 or so"]}]
    )
    assert outcome.steps[0]["result"]["ok"] is False
    assert outcome.fetches == []


def test_the_menu_hands_a_run_still_going_to_the_sidebar(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    fake.script(spreadsheet_id, Script(checks=5))
    outcome = run_addon(addon, fake, spreadsheet_id, [{"call": "classifyQuarterFromMenu"}])
    assert outcome.alerts == []
    assert "Still classifying FY27 Q2" in outcome.toasts[-1]
    assert [s["file"] for s in outcome.record["sidebars"]] == ["Sidebar.html"]
    assert outcome.record["activeSheet"] is None, "no Summary to open yet"


def test_the_menu_says_why_a_run_failed(addon: AddonRunner, fake: FakeBackend) -> None:
    spreadsheet_id = sheet()
    fake.script(
        spreadsheet_id,
        Script(checks=0, outcome="FAILED", error="BAD_INPUT: 'Bookings' has no header row."),
    )
    outcome = run_addon(addon, fake, spreadsheet_id, [{"call": "classifyQuarterFromMenu"}])
    alert = outcome.only_alert()
    assert "The run failed: 'Bookings' has no header row." in alert
    assert "Fix what is named above" in alert


# -- what the sidebar gets ------------------------------------------------------------------


def test_each_group_carries_its_trend_of_the_last_six_quarters(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    outcome = run_addon(
        addon,
        fake,
        spreadsheet_id,
        [
            {"call": "startClassification", "args": [LATEST_ENDED]},
            {"call": "startClassification", "args": ["2025-Q2"]},
        ],
    )
    latest = outcome.steps[0]["result"]["run"]
    assert "verdicts" not in latest, "the full list stays in Apps Script"
    for verdict in latest["current"]:
        trend = verdict["trend"]
        # The 8 ended quarters, the last 6 kept, oldest first, ending at the run's quarter.
        assert [t["quarter"] for t in trend] == HISTORY[-6:]
        assert [t["verdict"] for t in trend] == TRENDS[verdict["group"]][-6:]
        assert trend[-1]["verdict"] == verdict["verdict"]
    early = outcome.steps[1]["result"]["run"]
    assert [t["quarter"] for t in early["current"][0]["trend"]] == ["2024-Q4", "2025-Q1", "2025-Q2"]


def test_the_quarter_list_defaults_to_the_latest_ended_quarter(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    outcome = run_addon(
        addon,
        fake,
        spreadsheet_id,
        [{"call": "getQuarters"}],
        settings={"fiscalYearStartMonth": "2", "planTab": "Targets"},
    )
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is True
    assert [q["quarter"] for q in answer["quarters"]] == [q for q, *_ in QUARTERS]
    assert answer["quarters"][0]["inProgress"] is True
    assert answer["defaultQuarter"] == LATEST_ENDED
    [fetch] = outcome.fetches
    assert fetch["operationName"] == "AddonQuarters"
    assert fetch["variables"]["options"]["fiscalYearStartMonth"] == 2
    assert fetch["variables"]["options"]["planTab"] == "Targets"


def test_the_history_lists_runs_newest_first_with_who_and_what_changed(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    fake.script(spreadsheet_id, Script(checks=0))
    run_addon(addon, fake, spreadsheet_id, [{"call": "startClassification", "args": ["2026-Q1"]}])
    fake.script(spreadsheet_id, Script(checks=0, outcome="FAILED", error="INTERRUPTED: restarted"))
    run_addon(addon, fake, spreadsheet_id, [{"call": "startClassification", "args": [""]}])
    outcome = run_addon(addon, fake, spreadsheet_id, [{"call": "getHistory"}])
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is True
    runs = answer["runs"]
    assert [(r["status"], r["quarter"]) for r in runs] == [
        ("FAILED", LATEST_ENDED),
        ("SUCCEEDED", "2026-Q1"),
    ]
    assert runs[0]["error"] == "INTERRUPTED: restarted"
    assert all(r["caller"] == "analyst@example.com" and r["trigger"] == "MENU" for r in runs)
    assert [c["group"] for c in runs[1]["changes"]] == [c["group"] for c in CHANGES]
    assert outcome.fetches[0]["variables"]["limit"] == 20


def test_without_a_backend_address_every_sidebar_call_points_to_settings(
    addon: AddonRunner,
) -> None:
    calls = ["getLatestRun", "getQuarters", "getHistory", "getAlerts"]
    outcome = addon.run(
        [{"call": name} for name in calls]
        + [{"call": "startClassification", "args": [""]}, {"call": "pollRun", "args": ["x", 1, 0]}],
        oauthToken=TOKEN,
    )
    for step in outcome.steps:
        assert step["result"]["ok"] is False
        assert "Settings" in step["result"]["message"]
    assert outcome.fetches == []


# -- jumping to a data issue's cell ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "selected"),
    [
        (["Bookings", 14, "C"], "Bookings!C14"),
        (["Bookings", 40, None], "Bookings!A40:Z40"),  # no column: the whole row
        (["Plan", 3, "d"], "Plan!D3"),
        (["Plan", 3, "AA"], "Plan!A3:Z3"),  # a column the tab no longer has: the row
    ],
)
def test_a_data_issue_jumps_to_its_cell(addon: AddonRunner, args: list[Any], selected: str) -> None:
    outcome = addon.run(
        [{"call": "jumpToIssue", "args": args}], sheetNames=["Plan", "Bookings", "Summary"]
    )
    answer = outcome.steps[0]["result"]
    assert answer == {"ok": True, "cell": selected}
    assert outcome.record["activeRange"] == selected
    assert outcome.record["activeSheet"] == args[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["Deals", 2, "A"], 'no tab named "Deals"'),
        (["Bookings", 1001, "A"], "Row 1001 is outside"),
        (["Bookings", 0, "A"], "outside"),
        (["Bookings", 2.5, "A"], "outside"),
        ([None, 2, "A"], "no tab named"),
    ],
)
def test_a_data_issue_whose_cell_is_gone_says_so(
    addon: AddonRunner, args: list[Any], words: str
) -> None:
    outcome = addon.run([{"call": "jumpToIssue", "args": args}], sheetNames=["Plan", "Bookings"])
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is False
    assert words in answer["message"]
    assert outcome.record["activeRange"] is None


# -- alerts ---------------------------------------------------------------------------------

SLACK = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/s3cr3tT0k3nV4lue"


def test_alerts_are_saved_shown_masked_changed_and_removed(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    outcome = run_addon(
        addon,
        fake,
        spreadsheet_id,
        [
            {"call": "getAlerts"},
            {
                "call": "saveAlerts",
                "args": [{"webhookUrl": SLACK, "on": ["NEW_HARD_MISS", "EVERY_RUN"]}],
            },
            {"call": "getAlerts"},
            # Other events: the URL is pasted again (the add-on never has the saved one).
            {
                "call": "saveAlerts",
                "args": [{"webhookUrl": f" {SLACK} ", "on": ["RUN_FAILED", "FLAG_RAISED"]}],
            },
            {"call": "removeAlertsWebhook"},
        ],
    )
    none, saved, shown, changed, removed = (s["result"] for s in outcome.steps)
    assert none == {
        "ok": True,
        "alerts": {"webhookUrl": None, "on": ["NEW_HARD_MISS", "RUN_FAILED"]},
    }
    assert saved["ok"] is True
    assert saved["alerts"]["on"] == ["NEW_HARD_MISS", "EVERY_RUN"]
    masked = saved["alerts"]["webhookUrl"]
    assert masked.startswith("https://hooks.slack.com/services/")
    assert "s3cr3t" not in masked
    assert shown["alerts"] == saved["alerts"]
    # Events in the contract's order.
    assert changed["alerts"] == {"webhookUrl": masked, "on": ["FLAG_RAISED", "RUN_FAILED"]}
    sets = [f["variables"] for f in outcome.fetches if f["operationName"] == "AddonSetAlerts"]
    assert [v["webhookUrl"] for v in sets] == [SLACK, SLACK, None]
    # Removing keeps the events the backend had.
    assert removed["alerts"] == {"webhookUrl": None, "on": ["FLAG_RAISED", "RUN_FAILED"]}
    assert sets[2]["on"] == ["FLAG_RAISED", "RUN_FAILED"]
    assert "s3cr3t" not in "".join(entry["text"] for entry in outcome.record["logs"])


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (
            {"webhookUrl": "http://hooks.slack.com/services/T/B/x", "on": ["RUN_FAILED"]},
            "webhookUrl",
            "Paste the whole",
        ),
        (
            {"webhookUrl": "hooks.slack.com/services/T/B/x", "on": ["RUN_FAILED"]},
            "webhookUrl",
            "Paste the whole",
        ),
        (
            {"webhookUrl": "https://hooks.slack.com/" + "x" * 2100, "on": ["RUN_FAILED"]},
            "webhookUrl",
            "too long",
        ),
        ({"webhookUrl": SLACK, "on": []}, "on", "at least one event"),
        ({"webhookUrl": "  ", "on": ["RUN_FAILED"]}, "webhookUrl", "Paste the webhook address"),
        ({"webhookUrl": SLACK, "on": ["EVERY_HOUR"]}, "on", "Unknown event"),
    ],
)
def test_alert_settings_the_add_on_can_tell_are_wrong_never_leave_it(
    addon: AddonRunner, fake: FakeBackend, form: dict[str, Any], field: str, words: str
) -> None:
    outcome = run_addon(addon, fake, sheet(), [{"call": "saveAlerts", "args": [form]}])
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is False
    assert words in answer["errors"][field]
    assert outcome.fetches == []


def test_a_webhook_host_the_backend_does_not_allow_is_named(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    url = "https://hooks.evil.example.com/services/T0/B0/leak"
    outcome = run_addon(
        addon,
        fake,
        sheet(),
        [{"call": "saveAlerts", "args": [{"webhookUrl": url, "on": ["RUN_FAILED"]}]}],
    )
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is False
    assert "hooks.evil.example.com" in answer["errors"]["webhookUrl"]
    assert "leak" not in answer["errors"]["webhookUrl"]
