"""The schedule under Node with the Apps Script stand-ins: saving it installs exactly one
time-driven trigger (the stand-in keeps Apps Script's add-on rules: one per user and
document, at most hourly), and the trigger function, run as Apps Script runs it (no UI,
maybe no document), reads the saved settings, skips the days that are not due and starts
a run with trigger SCHEDULE against a fake backend.

Which days are due was worked out by hand from a calendar (weekdays in the comments)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.addon.fake_backend import FakeBackend
from tests.addon.harness import (
    LEGACY_PREFIX,
    SETTINGS_KEY,
    AddonRunner,
    Outcome,
    legacy_settings_properties,
    settings_properties,
)

pytestmark = pytest.mark.node

TOKEN = "user-oauth-token-123"
ME = "analyst@example.com"
HANDLER = "runScheduledClassification"
ENTRY = "SALES_VERDICTS_SCHEDULE."


def sheet() -> str:
    return "sheet-" + uuid.uuid4().hex[:10]


def save(
    addon: AddonRunner,
    form: dict[str, Any],
    *,
    spreadsheet_id: str = "spreadsheet-1",
    **options: Any,
) -> Outcome:
    options.setdefault("userEmail", ME)
    options.setdefault("timeZone", "Europe/London")
    return addon.run(
        [{"call": "saveSettings", "args": [form]}],
        spreadsheetId=spreadsheet_id,
        oauthToken=TOKEN,
        **options,
    )


# -- saving a schedule installs its trigger ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("HOURLY", {"everyHours": 1}),
        ("DAILY", {"everyDays": 1, "atHour": 7, "inTimezone": "Europe/London"}),
        ("WEEKLY", {"everyDays": 1, "atHour": 7, "inTimezone": "Europe/London"}),
        ("CLOSE", {"everyDays": 1, "atHour": 7, "inTimezone": "Europe/London"}),
    ],
)
def test_saving_a_schedule_installs_one_trigger(
    addon: AddonRunner, kind: str, spec: dict[str, Any]
) -> None:
    outcome = save(
        addon,
        {"backendUrl": "https://verdicts.example.com", "schedule": kind, "scheduleHour": "7"},
    )
    assert outcome.steps[0]["result"]["ok"] is True
    [trigger] = outcome.triggers
    assert trigger["handler"] == HANDLER
    assert trigger["user"] == ME
    assert trigger["documentId"] == "spreadsheet-1"
    assert trigger["spec"] == spec
    saved = outcome.settings()
    assert saved["schedule"] == kind
    assert saved["scheduleHour"] == 7
    assert saved["timeZone"] == "Europe/London", "the spreadsheet's own zone"
    assert saved["scheduleOwner"] == ME
    # What the trigger needs when it runs without the document.
    entry = json.loads(outcome.user_properties[ENTRY + "spreadsheet-1"])
    assert entry["spreadsheetId"] == "spreadsheet-1"
    assert entry["triggerUid"] == trigger["uid"]
    assert entry["settings"]["schedule"] == kind


def test_saving_again_replaces_the_trigger_and_leaves_other_peoples(addon: AddonRunner) -> None:
    theirs = {
        "uid": "t-theirs",
        "handler": HANDLER,
        "user": "cfo@example.com",
        "documentId": "spreadsheet-1",
        "spec": {},
    }
    mine = {
        "uid": "t-mine",
        "handler": HANDLER,
        "user": ME,
        "documentId": "spreadsheet-1",
        "spec": {"everyHours": 1},
    }
    elsewhere = {
        "uid": "t-other-sheet",
        "handler": HANDLER,
        "user": ME,
        "documentId": "sheet-x",
        "spec": {},
    }
    outcome = save(
        addon,
        {"backendUrl": "https://verdicts.example.com", "schedule": "CLOSE", "scheduleHour": "5"},
        triggers=[theirs, mine, elsewhere],
    )
    assert outcome.steps[0]["result"]["ok"] is True
    log = outcome.record["triggerLog"]
    assert [entry["op"] for entry in log] == ["delete", "create"]
    assert log[0]["uid"] == "t-mine"
    uids = [t["uid"] for t in outcome.triggers]
    assert uids[:2] == ["t-theirs", "t-other-sheet"]
    [new] = [t for t in outcome.triggers if t["uid"] not in ("t-theirs", "t-other-sheet")]
    assert new["user"] == ME
    assert new["documentId"] == "spreadsheet-1"
    assert new["spec"]["atHour"] == 5


def test_turning_the_schedule_off_removes_the_trigger(addon: AddonRunner) -> None:
    mine = {
        "uid": "t-mine",
        "handler": HANDLER,
        "user": ME,
        "documentId": "spreadsheet-1",
        "spec": {},
    }
    outcome = save(
        addon,
        {"schedule": "OFF"},
        triggers=[mine],
        documentProperties=settings_properties(
            backendUrl="https://verdicts.example.com", schedule="DAILY"
        ),
        userProperties={
            ENTRY + "spreadsheet-1": json.dumps(
                {"spreadsheetId": "spreadsheet-1", "triggerUid": "t-mine", "settings": {}}
            )
        },
    )
    assert outcome.steps[0]["result"]["ok"] is True
    assert outcome.triggers == []
    assert outcome.settings()["schedule"] == "OFF"
    assert outcome.settings()["scheduleOwner"] == ""
    assert ENTRY + "spreadsheet-1" not in outcome.user_properties


def test_a_trigger_google_refuses_leaves_the_settings_unsaved(addon: AddonRunner) -> None:
    """An add-on has one time-driven trigger per user and document: one made by something
    else (an older version's handler) makes Apps Script refuse a second."""
    older = {
        "uid": "t-old",
        "handler": "somethingOlder",
        "user": ME,
        "documentId": "spreadsheet-1",
        "spec": {},
    }
    outcome = save(
        addon,
        {"backendUrl": "https://verdicts.example.com", "schedule": "DAILY"},
        triggers=[older],
    )
    result = outcome.steps[0]["result"]
    assert result["ok"] is False
    assert "too many time-based triggers" in result["errors"]["schedule"]
    assert outcome.settings() == {}
    assert [t["uid"] for t in outcome.triggers] == ["t-old"]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"schedule": "EVERY_MINUTE"}, "schedule"),
        ({"schedule": "DAILY", "scheduleHour": "24"}, "scheduleHour"),
        ({"schedule": "DAILY", "backendUrl": ""}, "backendUrl"),
    ],
)
def test_a_schedule_that_cannot_run_is_not_saved(
    addon: AddonRunner, form: dict[str, str], field: str
) -> None:
    outcome = save(addon, form)
    result = outcome.steps[0]["result"]
    assert result["ok"] is False
    assert field in result["errors"]
    assert outcome.triggers == []
    assert outcome.settings() == {}


def test_settings_saved_by_an_earlier_version_are_read_then_moved(addon: AddonRunner) -> None:
    legacy = legacy_settings_properties(
        backendUrl="https://verdicts.example.com/graphql",
        planTab="Targets",
        fiscalYearStartMonth="4",
    )
    outcome = addon.run(
        [
            {"call": "getSettings"},
            {"call": "saveSettings", "args": [{"comparison": "SAME_QUARTER_LAST_YEAR"}]},
        ],
        documentProperties=legacy,
        userEmail=ME,
    )
    read = outcome.steps[0]["result"]
    assert read["planTab"] == "Targets"
    assert read["fiscalYearStartMonth"] == 4
    assert not any(k.startswith(LEGACY_PREFIX) for k in outcome.document_properties)
    saved = outcome.settings()
    assert saved["planTab"] == "Targets"
    assert saved["comparison"] == "SAME_QUARTER_LAST_YEAR"
    assert list(outcome.document_properties) == [SETTINGS_KEY]


# -- the trigger function ------------------------------------------------------------------


def fire(
    addon: AddonRunner,
    fake: FakeBackend,
    *,
    now: str,
    schedule: str,
    fiscal_year_start_month: int = 1,
    time_zone: str = "Etc/UTC",
    spreadsheet_id: str | None = None,
    with_document: bool = True,
    owner: str = ME,
    **options: Any,
) -> Outcome:
    """The trigger firing at ``now`` for a schedule saved by ``owner``."""
    spreadsheet_id = spreadsheet_id or sheet()
    record = {
        "backendUrl": fake.url,
        "schedule": schedule,
        "scheduleHour": 6,
        "fiscalYearStartMonth": fiscal_year_start_month,
        "timeZone": time_zone,
        "scheduleOwner": owner,
        "planTab": "Targets",
    }
    entry = {"spreadsheetId": spreadsheet_id, "triggerUid": "t-1", "settings": record, "last": None}
    trigger = {
        "uid": "t-1",
        "handler": HANDLER,
        "user": ME,
        "documentId": spreadsheet_id,
        "spec": {"everyDays": 1},
    }
    options.setdefault("documentProperties", {SETTINGS_KEY: json.dumps(record)})
    return addon.run(
        [{"call": HANDLER, "event": {"triggerUid": "t-1", "authMode": "FULL"}}],
        spreadsheetId=spreadsheet_id,
        oauthToken=TOKEN,
        userEmail=ME,
        now=now,
        context="trigger",
        triggerDocument=with_document,
        triggers=[trigger],
        **{"userProperties": {ENTRY + spreadsheet_id: json.dumps(entry)}, **options},
    )


# (date at 06:30 UTC, schedule, fiscal year start month, due?)
DAYS = [
    ("2026-01-05", "CLOSE", 1, True),  # Monday, day 5 after Q4 ended
    ("2026-01-14", "CLOSE", 1, True),  # Wednesday, day 14: the window's last
    ("2026-01-15", "CLOSE", 1, False),  # Thursday, day 15
    ("2026-01-19", "CLOSE", 1, True),  # Monday: the weekly run
    ("2026-03-31", "CLOSE", 1, False),  # Tuesday, the quarter's last day
    ("2026-04-01", "CLOSE", 1, True),  # Wednesday, day 1 after Q1 ended
    # A fiscal year from February: quarters start in Feb, May, Aug and Nov.
    ("2026-01-06", "CLOSE", 2, False),  # Tuesday: January starts no quarter
    ("2026-02-03", "CLOSE", 2, True),  # Tuesday, day 3 of FQ1
    ("2026-11-14", "CLOSE", 2, True),  # Saturday, day 14 of FQ4
    ("2026-11-15", "CLOSE", 2, False),  # Sunday, day 15
    ("2026-11-16", "CLOSE", 2, True),  # Monday
    ("2026-08-10", "CLOSE", 2, True),  # Monday, day 10 of FQ3
    ("2026-07-13", "CLOSE", 2, True),  # Monday (weekly), July starts no quarter
    ("2026-01-19", "WEEKLY", 1, True),  # Monday
    ("2026-01-20", "WEEKLY", 1, False),  # Tuesday
    ("2026-01-05", "WEEKLY", 1, True),  # Monday
    ("2026-01-14", "WEEKLY", 1, False),  # Wednesday: WEEKLY has no close window
    ("2026-01-15", "DAILY", 1, True),
    ("2026-01-17", "DAILY", 1, True),  # Saturday
    ("2026-01-15", "HOURLY", 1, True),
]


@pytest.mark.parametrize(("day", "schedule", "fiscal_start", "due"), DAYS)
def test_the_trigger_runs_on_due_days_only(
    addon: AddonRunner, fake: FakeBackend, day: str, schedule: str, fiscal_start: int, due: bool
) -> None:
    spreadsheet_id = sheet()
    outcome = fire(
        addon,
        fake,
        now=f"{day}T06:30:00Z",
        schedule=schedule,
        fiscal_year_start_month=fiscal_start,
        spreadsheet_id=spreadsheet_id,
    )
    result = outcome.steps[0]["result"]
    assert result["day"] == day
    if not due:
        assert result == {"ran": False, "reason": "NOT_DUE", "day": day}
        assert outcome.fetches == []
        return
    assert result["ran"] is True
    assert result["ok"] is True
    [fetch] = outcome.fetches
    assert fetch["operationName"] == "AddonClassifyQuarter"
    assert fetch["token"] == "oauth"
    variables = fetch["variables"]
    assert variables["spreadsheetId"] == spreadsheet_id
    assert variables["quarter"] is None, "the latest quarter that has ended"
    assert variables["wait"] == 0
    assert variables["trigger"] == "SCHEDULE"
    assert variables["options"]["planTab"] == "Targets"
    assert variables["options"]["fiscalYearStartMonth"] == fiscal_start
    assert result["runId"] == fake.runs[-1].id
    assert fake.runs[-1].trigger == "SCHEDULE"
    assert outcome.record["alerts"] == []
    assert outcome.record["toasts"] == []


def test_due_days_are_those_of_the_spreadsheets_time_zone(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    """05:00 UTC on Sunday 1 February is still Saturday 31 January in Los Angeles: with a
    fiscal year from February, 1 February is due and 31 January is not."""
    in_utc = fire(
        addon, fake, now="2026-02-01T05:00:00Z", schedule="CLOSE", fiscal_year_start_month=2
    )
    assert in_utc.steps[0]["result"]["ran"] is True
    in_la = fire(
        addon,
        fake,
        now="2026-02-01T05:00:00Z",
        schedule="CLOSE",
        fiscal_year_start_month=2,
        time_zone="America/Los_Angeles",
    )
    assert in_la.steps[0]["result"] == {"ran": False, "reason": "NOT_DUE", "day": "2026-01-31"}


def test_a_trigger_without_its_document_uses_the_copy_of_the_settings(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    spreadsheet_id = sheet()
    outcome = fire(
        addon,
        fake,
        now="2026-04-02T06:10:00Z",
        schedule="CLOSE",
        spreadsheet_id=spreadsheet_id,
        with_document=False,
    )
    result = outcome.steps[0]["result"]
    assert result["ran"] is True
    assert result["ok"] is True
    [fetch] = outcome.fetches
    assert fetch["variables"]["spreadsheetId"] == spreadsheet_id
    assert fetch["variables"]["options"]["planTab"] == "Targets"
    # The outcome is kept for Settings to show.
    entry = json.loads(outcome.user_properties[ENTRY + spreadsheet_id])
    assert entry["last"]["ok"] is True
    assert entry["last"]["runId"] == result["runId"]
    assert entry["last"]["at"] == "2026-04-02T06:10:00.000Z"


def test_a_schedule_turned_off_elsewhere_removes_its_trigger(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    outcome = fire(
        addon,
        fake,
        now="2026-04-01T06:00:00Z",
        schedule="CLOSE",
        documentProperties=settings_properties(backendUrl=fake.url, schedule="OFF"),
    )
    assert outcome.steps[0]["result"] == {"ran": False, "reason": "OFF"}
    assert outcome.triggers == []
    assert outcome.fetches == []


def test_a_trigger_superseded_by_someone_elses_schedule_removes_itself(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    outcome = fire(
        addon, fake, now="2026-04-01T06:00:00Z", schedule="DAILY", owner="cfo@example.com"
    )
    assert outcome.steps[0]["result"] == {"ran": False, "reason": "SUPERSEDED"}
    assert outcome.triggers == []
    assert outcome.fetches == []


def test_a_trigger_for_a_spreadsheet_it_no_longer_knows_removes_itself(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    outcome = fire(
        addon,
        fake,
        now="2026-04-01T06:00:00Z",
        schedule="DAILY",
        with_document=False,
        userProperties={},
    )
    assert outcome.steps[0]["result"] == {"ran": False, "reason": "UNKNOWN_SPREADSHEET"}
    assert outcome.triggers == []


def test_a_failed_start_is_logged_and_kept_for_settings(addon: AddonRunner) -> None:
    spreadsheet_id = sheet()
    record = {"backendUrl": "http://127.0.0.1:9/graphql", "schedule": "DAILY", "scheduleOwner": ME}
    entry = {"spreadsheetId": spreadsheet_id, "triggerUid": "t-1", "settings": record, "last": None}
    outcome = addon.run(
        [
            {"call": HANDLER, "event": {"triggerUid": "t-1", "authMode": "FULL"}},
            {"call": "getSettingsForm"},
        ],
        spreadsheetId=spreadsheet_id,
        oauthToken=TOKEN,
        userEmail=ME,
        now="2026-04-01T06:00:00Z",
        context="trigger",
        documentProperties={SETTINGS_KEY: json.dumps(record)},
        userProperties={ENTRY + spreadsheet_id: json.dumps(entry)},
        triggers=[
            {"uid": "t-1", "handler": HANDLER, "user": ME, "documentId": spreadsheet_id, "spec": {}}
        ],
    )
    result = outcome.steps[0]["result"]
    assert result["ran"] is True
    assert result["ok"] is False
    assert "cannot be reached" in result["message"]
    assert any("could not start" in log["text"] for log in outcome.record["logs"])
    assert outcome.steps[1]["result"]["schedule"]["last"]["message"] == result["message"]


def test_service_account_mode_sends_the_identity_token_from_the_trigger(
    addon: AddonRunner, fake: FakeBackend
) -> None:
    record = {
        "backendUrl": fake.url,
        "schedule": "HOURLY",
        "authMode": "SERVICE_ACCOUNT",
        "scheduleOwner": ME,
    }
    outcome = fire(
        addon,
        fake,
        now="2026-04-01T06:00:00Z",
        schedule="HOURLY",
        documentProperties={SETTINGS_KEY: json.dumps(record)},
        identityToken="identity-token-456",
    )
    [fetch] = outcome.fetches
    assert fetch["token"] == "identity"
    assert fake.runs[-1].caller == "vp@example.com"


def test_save_then_fire_end_to_end(addon: AddonRunner, fake: FakeBackend) -> None:
    """The trigger Settings installs is the one that runs, with the settings it saved."""
    spreadsheet_id = sheet()
    saved = save(
        addon,
        {"backendUrl": fake.url, "schedule": "WEEKLY", "scheduleHour": "8", "bookingsTab": "CRM"},
        spreadsheet_id=spreadsheet_id,
        timeZone="Asia/Tokyo",
    )
    [trigger] = saved.triggers
    fired = addon.run(
        [{"call": HANDLER, "event": {"triggerUid": trigger["uid"], "authMode": "FULL"}}],
        spreadsheetId=spreadsheet_id,
        oauthToken=TOKEN,
        userEmail=ME,
        now="2026-01-18T23:30:00Z",  # Monday 19 January, 08:30 in Tokyo
        context="trigger",
        triggerDocument=False,
        triggers=saved.triggers,
        userProperties=saved.user_properties,
    )
    result = fired.steps[0]["result"]
    assert result["day"] == "2026-01-19"
    assert result["ran"] is True
    assert result["ok"] is True
    assert fired.fetches[0]["variables"]["options"]["bookingsTab"] == "CRM"
