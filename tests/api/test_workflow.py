"""The quarter-close workflow through the app in process (the production app and lifespan
over the fake Sheets port and the in-memory store): classifyQuarter(wait) and run(id),
the history's statuses, the quarter picker, alert settings and /healthz."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from server.api import documents
from server.api.app import create_app
from server.cli import demo_data
from server.cli.demo_data import demo_tabs
from server.config import Settings
from server.store.memory import MemoryRunStore
from server.store.port import RunStore
from tests.support.asgi import AsgiClient, asgi_client
from tests.support.fakes import FakeSheets

SHEET = "sheet-1"
URL = f"https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0"
ANA = {"Authorization": "Bearer token-ana"}
BEN = {"Authorization": "Bearer token-ben"}
SLACK = "https://hooks.slack.com/services/T0AB12CD/B0EF34GH/s3cr3tT0k3nValue42"


def client_for(sheets: FakeSheets, store: RunStore | None = None) -> Iterator[AsgiClient]:
    app = create_app(
        Settings(database_url="memory://"),
        sheets_factory=lambda _: sheets,
        store_factory=lambda _: store or MemoryRunStore(),
    )
    with asgi_client(app) as client:
        yield client


@pytest.fixture
def sheets() -> FakeSheets:
    fake = FakeSheets()
    fake.add(SHEET, demo_tabs(), "token-ana")
    fake.emails["token-ana"] = "ana@example.com"
    return fake


@pytest.fixture
def client(sheets: FakeSheets) -> Iterator[AsgiClient]:
    yield from client_for(sheets)


def post(
    client: AsgiClient, document: str, variables: dict[str, Any], headers: dict[str, str] = ANA
) -> dict[str, Any]:
    response = client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def codes(answer: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in answer.get("errors") or []]


def poll(client: AsgiClient, run_id: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = post(client, documents.RUN, {"id": run_id})["data"]["run"]
        if run["status"] != "RUNNING" or time.monotonic() > deadline:
            return run
        time.sleep(0.02)


def test_a_run_answered_running_is_polled_to_succeeded(
    client: AsgiClient, sheets: FakeSheets
) -> None:
    sheets.read_gate = threading.Event()
    variables = {"spreadsheetId": URL, "wait": 0, "trigger": "schedule", "quarter": "Q3 2025"}
    started = post(client, documents.START, variables)["data"]["classifyQuarter"]
    assert started["status"] == "RUNNING"
    assert started["quarter"] == "2025-Q3"
    assert started["finishedAt"] is None
    assert started["current"] == []
    assert started["issues"] == []
    assert started["caller"] == "ana@example.com"
    assert started["trigger"] == "SCHEDULE"
    assert post(client, documents.RUN, {"id": started["id"]})["data"]["run"]["status"] == "RUNNING"
    sheets.read_gate.set()
    done = poll(client, started["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["error"] is None
    assert done["startedAt"] == started["startedAt"]
    assert done["finishedAt"]
    assert [v["group"] for v in done["current"]] == [None, "AMER", "EMEA"]
    assert '"hardMissWindow": 8' in done["optionsJson"]
    assert {(c["group"], c["before"], c["after"]) for c in done["changes"]} == {
        (None, None, "SOFT_MISS"),  # 910k of a 930k plan, up from 895k in Q2
        ("AMER", None, "BEAT"),
        ("EMEA", None, "HARD_MISS"),
    }


def test_run_is_null_for_an_unknown_id_and_for_a_caller_who_cannot_open_the_sheet(
    client: AsgiClient,
) -> None:
    done = post(client, documents.START, {"spreadsheetId": SHEET})["data"]["classifyQuarter"]
    assert done["status"] == "SUCCEEDED"
    assert post(client, documents.RUN, {"id": "0" * 32})["data"]["run"] is None
    assert post(client, documents.RUN, {"id": "x" * 5000})["data"]["run"] is None
    assert post(client, documents.RUN, {"id": done["id"]}, BEN)["data"]["run"] is None
    assert post(client, documents.RUN, {"id": done["id"]})["data"]["run"]["id"] == done["id"]


def test_refused_and_failed_runs_come_back_as_errors_the_failed_one_with_its_run(
    client: AsgiClient, sheets: FakeSheets
) -> None:
    refused = post(client, documents.START, {"spreadsheetId": SHEET, "quarter": "2031-Q1"})
    assert codes(refused) == ["BAD_INPUT"]
    assert "runId" not in refused["errors"][0]["extensions"]
    from sheets_adapter.errors import UpstreamUnavailable

    sheets.fail_write = UpstreamUnavailable(SHEET, "Google Sheets did not answer in time.")
    failed = post(client, documents.START, {"spreadsheetId": SHEET})
    assert codes(failed) == ["UPSTREAM_UNAVAILABLE"]
    run_id = failed["errors"][0]["extensions"]["runId"]
    run = post(client, documents.RUN, {"id": run_id})["data"]["run"]
    assert run["status"] == "FAILED"
    assert run["error"] == "UPSTREAM_UNAVAILABLE: Google Sheets did not answer in time."
    history = post(client, documents.HISTORY, {"spreadsheetId": SHEET, "limit": 10})
    assert [r["status"] for r in history["data"]["runs"]] == ["FAILED"]  # not the refusal
    assert post(client, documents.LATEST_RUN, {"spreadsheetId": SHEET})["data"]["latestRun"] is None


def test_a_trigger_that_is_not_known_is_bad_input_and_starts_nothing(client: AsgiClient) -> None:
    answer = post(client, documents.START, {"spreadsheetId": SHEET, "trigger": "CRON\n1"})
    assert codes(answer) == ["BAD_INPUT"]
    history = post(client, documents.HISTORY, {"spreadsheetId": SHEET, "limit": 10})
    assert history["data"]["runs"] == []


def test_the_quarter_picker_lists_the_sheets_quarters_and_writes_nothing(
    client: AsgiClient, sheets: FakeSheets
) -> None:
    # The demo spreadsheet is built for today: eight complete quarters, today's under way.
    today = date.today()
    done = demo_data.quarters(today)
    answer = post(
        client, documents.QUARTERS, {"spreadsheetId": URL, "options": {"asOf": today.isoformat()}}
    )
    quarters = answer["data"]["quarters"]
    now = demo_data.in_progress(today)
    newest = [demo_data.label(q) for q in (now, done[-1], done[-2])]
    assert [q["quarter"] for q in quarters][:3] == newest
    assert quarters[0] == {
        "quarter": demo_data.label(now),
        "label": demo_data.fiscal_label(now),  # as the sheet writes it
        "inProgress": True,
        "classifiable": True,
    }
    assert quarters[-1]["quarter"] == demo_data.label(done[0])
    assert not any(q["inProgress"] for q in quarters[1:])
    assert sheets.writes == 0
    assert (
        post(client, documents.HISTORY, {"spreadsheetId": SHEET, "limit": 5})["data"]["runs"] == []
    )
    assert codes(post(client, documents.QUARTERS, {"spreadsheetId": SHEET}, BEN)) == ["FORBIDDEN"]


def test_alerts_are_set_shown_masked_and_removed(client: AsgiClient) -> None:
    assert post(client, documents.ALERTS, {"spreadsheetId": SHEET})["data"]["alerts"] is None
    on = ["NEW_HARD_MISS", "FLAG_RAISED"]
    saved = post(
        client, documents.SET_ALERTS, {"spreadsheetId": URL, "webhookUrl": SLACK, "on": on}
    )
    shown = saved["data"]["setAlerts"]
    assert shown["spreadsheetId"] == SHEET
    assert shown["on"] == on
    assert shown["webhookUrl"].startswith("https://hooks.slack.com/services/T0AB")
    assert "s3cr3t" not in shown["webhookUrl"]
    read = post(client, documents.ALERTS, {"spreadsheetId": SHEET})["data"]["alerts"]
    assert read == shown
    removed = post(
        client, documents.SET_ALERTS, {"spreadsheetId": SHEET, "webhookUrl": None, "on": on}
    )
    assert removed["data"]["setAlerts"] == {"spreadsheetId": SHEET, "webhookUrl": None, "on": on}
    default = f'mutation {{ setAlerts(spreadsheetId: "{SHEET}") {{ on }} }}'
    assert post(client, default, {})["data"]["setAlerts"]["on"] == ["NEW_HARD_MISS", "RUN_FAILED"]


def test_a_webhook_off_the_allowed_hosts_is_refused_naming_the_host_only(
    client: AsgiClient,
) -> None:
    url = "https://evil.example.net/services/T0AB12CD/B0EF34GH/s3cr3tT0k3nValue42"
    answer = post(
        client, documents.SET_ALERTS, {"spreadsheetId": SHEET, "webhookUrl": url, "on": []}
    )
    assert codes(answer) == ["BAD_INPUT"]
    message = answer["errors"][0]["message"]
    assert "evil.example.net" in message
    assert "s3cr3t" not in message
    assert post(client, documents.ALERTS, {"spreadsheetId": SHEET})["data"]["alerts"] is None


def test_alerts_need_access_to_the_sheet(client: AsgiClient) -> None:
    answer = post(
        client, documents.SET_ALERTS, {"spreadsheetId": SHEET, "webhookUrl": SLACK, "on": []}, BEN
    )
    assert codes(answer) == ["FORBIDDEN"]
    assert codes(post(client, documents.ALERTS, {"spreadsheetId": SHEET}, BEN)) == ["FORBIDDEN"]


class BrokenStore(MemoryRunStore):
    def check(self) -> str | None:
        return "the run store's last write failed: database or disk is full"


def test_healthz_reports_a_store_that_fails(sheets: FakeSheets) -> None:
    for client in client_for(sheets, BrokenStore()):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "reason": "the run store's last write failed: database or disk is full",
        }


def test_a_caller_past_the_cap_of_runs_under_way_gets_a_clear_rate_limited(
    sheets: FakeSheets,
) -> None:
    """SALES_VERDICTS_RUNS_PER_CALLER=1: a second classification of the same caller while
    the first is under way is refused at once, naming the setting; nothing is recorded for
    it, and the first carries on to SUCCEEDED."""
    sheets.read_gate = threading.Event()
    app = create_app(
        Settings(database_url="memory://", runs_per_caller=1),
        sheets_factory=lambda _: sheets,
        store_factory=lambda _: MemoryRunStore(),
    )
    with asgi_client(app) as client:
        first = post(client, documents.START, {"spreadsheetId": SHEET, "wait": 0})
        started = first["data"]["classifyQuarter"]
        assert started["status"] == "RUNNING"
        again = post(client, documents.START, {"spreadsheetId": SHEET, "quarter": "2025-Q3"})
        assert codes(again) == ["RATE_LIMITED"]
        assert "SALES_VERDICTS_RUNS_PER_CALLER" in again["errors"][0]["message"]
        assert "1 classification under way" in again["errors"][0]["message"]
        sheets.read_gate.set()
        assert poll(client, started["id"])["status"] == "SUCCEEDED"
        history = post(client, documents.HISTORY, {"spreadsheetId": SHEET, "limit": 10})
        assert [r["id"] for r in history["data"]["runs"]] == [started["id"]]
