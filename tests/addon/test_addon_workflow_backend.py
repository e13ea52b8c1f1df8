"""The quarter-close workflow of the add-on against the REAL backend: the add-on's .gs code
under Node (addon/test/scenario.js), its UrlFetchApp making real HTTP calls to
``sales-verdicts serve`` on top of ``sales-verdicts emulator`` (processes, see
tests/support/backend.py). What the fake backend of test_addon_runs.py scripts, here the
real one does: a run answered RUNNING and followed with the sidebar's own waits (2 s, 3 s,
4.5 s … for real) to SUCCEEDED; the quarter list; the schedule's trigger function starting
a run with the saved settings; History listing both, with who and how; alerts kept by the
backend and shown masked."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from gspread.utils import ValueInputOption

from server.cli import demo_data
from tests.addon.harness import AddonRunner, Outcome, settings_properties
from tests.support.backend import OWNER, OWNER_EMAIL, Stack, demo_tabs, gspread_client, seed

pytestmark = [pytest.mark.node, pytest.mark.e2e]

RUN = """
query Run($id: ID!) {
  run(id: $id) {
    id status error caller trigger quarter optionsJson startedAt finishedAt
    current { group verdict }
  }
}
"""
# The add-on's own waits are the ones checked here; how long it waits for the first answer
# is cut to 1 s so that a run of a few seconds comes back RUNNING (the contract's 20 s is
# the same code path, and test_addon_runs.py checks the value sent).
SHORT_WAIT = "RUN_WAIT_SECONDS = 1"
# Every Sheets API call answered 800 ms late: a run of the demo takes a few seconds.
LATENCY_MS = 800


def canonical(index: int) -> str:
    year, q = demo_data.QUARTERS[index]
    return f"{year}-Q{q}"


def expected_total_verdict(index: int) -> str:
    """The company total's verdict, worked from demo_data's table (docs/rules.md §1)."""
    plan = sum(demo_data.PLAN_K[r][index] for r in demo_data.REGIONS)
    booked = sum(demo_data.BOOKED_K[r][index] for r in demo_data.REGIONS)
    baseline = sum(demo_data.BOOKED_K[r][index - 1] for r in demo_data.REGIONS)
    if booked >= plan:
        return "BEAT"
    return "SOFT_MISS" if booked > baseline else "HARD_MISS"


def sidebar(
    addon: AddonRunner,
    stack: Stack,
    spreadsheet_id: str,
    steps: list[dict[str, Any]],
    **options: Any,
) -> Outcome:
    """The sidebar's server functions called as google.script.run calls them."""
    options.setdefault("documentProperties", settings_properties(backendUrl=stack.graphql))
    return addon.run(
        steps,
        spreadsheetId=spreadsheet_id,
        oauthToken=OWNER,
        userEmail=OWNER_EMAIL,
        timeout=180,
        **options,
    )


def wait_for_run(stack: Stack, run_id: str, seconds: float = 90) -> dict[str, Any]:
    """``run(id)`` asked until the run is over (what a later sidebar would find)."""
    deadline = time.monotonic() + seconds
    while True:
        run: dict[str, Any] = stack.query(RUN, {"id": run_id})["run"]
        if run["status"] != "RUNNING" or time.monotonic() > deadline:
            return run
        time.sleep(0.5)


@pytest.fixture
def slow_google(stack: Stack) -> Any:
    stack.faults(0.0, latency_ms=LATENCY_MS)
    try:
        yield
    finally:
        stack.faults(0.0)


def test_the_quarter_list_is_the_sheets_quarters_newest_first(
    addon: AddonRunner, stack: Stack
) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    answer = sidebar(addon, stack, spreadsheet_id, [{"call": "getQuarters"}]).steps[0]["result"]
    assert answer["ok"] is True, answer
    quarters = answer["quarters"]
    listed = [q["quarter"] for q in quarters]
    wanted = [canonical(i) for i in reversed(range(len(demo_data.QUARTERS)))]
    # Every quarter of the demo, newest first (a quarter in progress would lead the list).
    assert [q for q in listed if q in wanted] == wanted
    assert listed == sorted(listed, reverse=True)
    ended = [q for q in quarters if not q["inProgress"] and q["classifiable"]]
    assert answer["defaultQuarter"] == ended[0]["quarter"] == canonical(-1)
    assert all(q["label"] for q in quarters)


@pytest.mark.usefixtures("slow_google")
def test_a_run_answered_running_is_followed_to_succeeded_and_history_lists_it(
    addon: AddonRunner, stack: Stack
) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    index = len(demo_data.QUARTERS) - 2
    quarter = canonical(index)
    outcome = sidebar(
        addon,
        stack,
        spreadsheet_id,
        [
            {"eval": SHORT_WAIT},
            {"follow": "startClassification", "args": [quarter], "realTime": True},
            {"call": "getHistory"},
            {"call": "getLatestRun"},
        ],
    )
    followed = outcome.steps[1]["result"]
    first, last, checks = followed["first"], followed["last"], followed["checks"]

    # The backend answered within the wait with the run still going; the add-on said when
    # to check (2 s), and checked with the sidebar's waits until the run was over.
    assert first["ok"] is True, first
    assert first["run"]["status"] == "RUNNING"
    assert first["nextDelayMs"] == 2000
    run_id = first["run"]["id"]
    assert checks, "the run was over before the first check: the test proves nothing"
    assert [c["status"] for c in checks[:-1]] == ["RUNNING"] * (len(checks) - 1)
    assert checks[-1]["status"] == "SUCCEEDED"
    delays = [c["delayMs"] for c in checks]
    assert delays == [2000, 3000, 4500, 5000, 5000, 5000, 5000, 5000][: len(delays)]
    assert last["nextDelayMs"] is None

    # What the sidebar then shows is the backend's run: that quarter, every group, the total
    # verdict worked by hand from the demo's table.
    shown = last["run"]
    assert shown["id"] == run_id
    assert shown["status"] == "SUCCEEDED"
    assert shown["quarter"] == quarter
    stored = stack.query(RUN, {"id": run_id})["run"]
    assert [v["group"] for v in shown["current"]] == [v["group"] for v in stored["current"]]
    total = next(v for v in shown["current"] if v["group"] is None)
    assert total["verdict"] == expected_total_verdict(index)
    # Recorded with who asked (the e-mail behind the token, from Google's userinfo) and how.
    assert stored["caller"] == OWNER_EMAIL
    assert stored["trigger"] == "MENU"
    assert stored["finishedAt"] is not None

    # History: this run first, as the History view shows it.
    history = outcome.steps[2]["result"]
    assert history["ok"] is True, history
    newest = history["runs"][0]
    assert (newest["id"], newest["status"], newest["quarter"]) == (run_id, "SUCCEEDED", quarter)
    assert newest["caller"] == OWNER_EMAIL
    assert newest["trigger"] == "MENU"
    assert newest["startedAt"]
    assert newest["error"] is None
    # A sidebar opened afterwards shows it too.
    latest = outcome.steps[3]["result"]
    assert latest["ok"] is True
    assert latest["run"]["id"] == run_id
    assert "newest" not in latest


def test_a_second_run_lists_what_changed_since_the_first(addon: AddonRunner, stack: Stack) -> None:
    """Two runs of one quarter with a data change between: History says which verdicts
    moved (the backend's ``changes``), newest first."""
    tabs = demo_tabs()
    spreadsheet_id = seed(stack.emulator.url, tabs)
    index = len(demo_data.QUARTERS) - 1
    quarter = canonical(index)
    first = sidebar(
        addon, stack, spreadsheet_id, [{"follow": "startClassification", "args": [quarter]}]
    )
    before = first.steps[0]["result"]["last"]["run"]
    assert before["status"] == "SUCCEEDED", before
    total_before = next(v for v in before["current"] if v["group"] is None)["verdict"]
    assert total_before == expected_total_verdict(index) != "BEAT"

    # Every region's plan for that quarter cut to 1: the total beats it now.
    plan = [list(row) for row in tabs["Plan"]]
    header = next(row for row in plan if row and row[0] == "Region")
    column = header.index(demo_data.fiscal_label(demo_data.QUARTERS[index]))
    for row in plan:
        if row and row[0] in demo_data.REGIONS:
            row[column] = 1
    book = gspread_client(stack.emulator.url, OWNER).open_by_key(spreadsheet_id)
    book.worksheet("Plan").update(plan, "A1", value_input_option=ValueInputOption.raw)
    # The same classification asked within SALES_VERDICTS_COALESCE_SECONDS (1 s) of the
    # first one's end gets that run back: ask after the window.
    time.sleep(1.5)

    outcome = sidebar(
        addon,
        stack,
        spreadsheet_id,
        [{"follow": "startClassification", "args": [quarter]}, {"call": "getHistory"}],
    )
    after = outcome.steps[0]["result"]["last"]["run"]
    assert after["status"] == "SUCCEEDED", after
    assert next(v for v in after["current"] if v["group"] is None)["verdict"] == "BEAT"
    runs = outcome.steps[1]["result"]["runs"]
    assert [r["id"] for r in runs[:2]] == [after["id"], before["id"]]
    # Exactly the verdicts of that quarter that were not Beat moved, each to Beat.
    moved = {(c["group"], c["quarter"], c["before"], c["after"]) for c in runs[0]["changes"]}
    assert moved == {
        (v["group"], quarter, v["verdict"], "BEAT")
        for v in before["current"]
        if v["verdict"] != "BEAT"
    }
    assert (None, quarter, total_before, "BEAT") in moved
    # The sheet's first run had nothing before it: each verdict is new (before: null).
    assert {(c["group"], c["before"], c["after"]) for c in runs[1]["changes"]} == {
        (v["group"], None, v["verdict"]) for v in before["current"]
    }


def test_the_schedules_trigger_starts_a_run_with_the_saved_settings(
    addon: AddonRunner, stack: Stack
) -> None:
    """Settings saved through the dialog's server function install the trigger; the trigger
    function, run as Apps Script runs it (no UI, its own event), starts a run with those
    settings (wait 0, trigger SCHEDULE); the backend finishes it; History lists it."""
    spreadsheet_id = seed(stack.emulator.url, demo_tabs(plan_tab="Targets FY25"))
    saved = sidebar(
        addon,
        stack,
        spreadsheet_id,
        [
            {
                "call": "saveSettings",
                "args": [
                    {
                        "backendUrl": stack.graphql,
                        "planTab": "Targets FY25",
                        "summaryTab": "Verdicts",
                        "schedule": "DAILY",
                        "scheduleHour": "7",
                    }
                ],
            }
        ],
        documentProperties={},
    )
    assert saved.steps[0]["result"]["ok"] is True, saved.steps[0]["result"]
    [trigger] = saved.triggers
    assert trigger["handler"] == "runScheduledClassification"

    fired = sidebar(
        addon,
        stack,
        spreadsheet_id,
        [
            {
                "call": "runScheduledClassification",
                "event": {"triggerUid": trigger["uid"], "authMode": "FULL"},
            }
        ],
        documentProperties=saved.document_properties,
        userProperties=saved.user_properties,
        triggers=saved.triggers,
        context="trigger",
    )
    result = fired.steps[0]["result"]
    assert result["ran"] is True, result
    assert result["ok"] is True, result
    [start] = fired.fetches
    assert start["variables"]["wait"] == 0
    assert start["variables"]["trigger"] == "SCHEDULE"
    assert start["status"] == 200

    run = wait_for_run(stack, result["runId"])
    assert run["status"] == "SUCCEEDED", run
    assert run["trigger"] == "SCHEDULE"
    assert run["caller"] == OWNER_EMAIL
    assert run["quarter"] == canonical(-1), "the latest quarter that has ended"
    options = json.loads(run["optionsJson"])
    assert options["planTab"] == "Targets FY25"
    assert options["summaryTab"] == "Verdicts"
    assert "Verdicts" in stack.stored(spreadsheet_id)["values"], "the Summary was written"

    history = sidebar(
        addon,
        stack,
        spreadsheet_id,
        [{"call": "getHistory"}],
        documentProperties=saved.document_properties,
    ).steps[0]["result"]
    newest = history["runs"][0]
    assert (newest["id"], newest["trigger"], newest["status"]) == (
        result["runId"],
        "SCHEDULE",
        "SUCCEEDED",
    )


def test_alerts_are_kept_by_the_backend_and_shown_masked(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    secret = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/s3cr3tS3cr3tS3cr3t"
    outcome = sidebar(
        addon,
        stack,
        spreadsheet_id,
        [
            {"call": "getAlerts"},
            {
                "call": "saveAlerts",
                "args": [{"webhookUrl": secret, "on": ["NEW_HARD_MISS", "EVERY_RUN"]}],
            },
            {"call": "getAlerts"},
            {
                "call": "saveAlerts",
                "args": [
                    {"webhookUrl": "https://hooks.evil.example.net/x/y", "on": ["RUN_FAILED"]}
                ],
            },
            {"call": "removeAlertsWebhook"},
            {"call": "getAlerts"},
        ],
    )
    before, saved, read, refused, removed, after = (s["result"] for s in outcome.steps)
    assert before["ok"] is True, before
    assert before["alerts"]["webhookUrl"] is None
    assert saved["ok"] is True, saved
    assert read["alerts"]["on"] == ["NEW_HARD_MISS", "EVERY_RUN"]
    masked = read["alerts"]["webhookUrl"]
    assert masked.startswith("https://hooks.slack.com/")
    assert "s3cr3t" not in masked
    # A host off the backend's allow-list: refused, the host named, nothing changed.
    assert refused["ok"] is False
    assert "hooks.evil.example.net" in json.dumps(refused)
    assert removed["ok"] is True, removed
    assert after["alerts"]["webhookUrl"] is None
    assert after["alerts"]["on"] == ["NEW_HARD_MISS", "EVERY_RUN"], "the events are kept"
    assert "s3cr3t" not in stack.api.output(), "the webhook's secret reached the backend's log"
