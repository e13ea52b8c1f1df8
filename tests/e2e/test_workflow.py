"""The quarter-close workflow end to end: the emulator and the server as real processes,
gspread editing the sheet, a local webhook receiver over HTTP standing in for Slack.

One stack serves the module (alerts go to 127.0.0.1 only; retries kept short); the
emulator's added latency makes runs slow enough to be answered RUNNING. The restart test
starts servers of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gspread.utils import ValueInputOption

from server.api import documents
from server.cli.demo_data import LATEST, QUARTERS, first_day, won_row
from tests.support.backend import (
    OWNER,
    OWNER_EMAIL,
    Stack,
    backend,
    demo_tabs,
    error_code,
    gspread_client,
    seed,
)
from tests.support.processes import sales_verdicts
from tests.support.webhooks import Reply, WebhookReceiver

pytestmark = pytest.mark.e2e

FAST_ALERTS = {
    "SALES_VERDICTS_WEBHOOK_HOSTS": "hooks.slack.com,chat.googleapis.com,127.0.0.1",
    "SALES_VERDICTS_WEBHOOK_ATTEMPTS": "3",
    "SALES_VERDICTS_WEBHOOK_BACKOFF": "0.05",
    "SALES_VERDICTS_WEBHOOK_TIMEOUT": "1",
    "SALES_VERDICTS_WEBHOOK_BUDGET": "3",
    "SALES_VERDICTS_COALESCE_SECONDS": "0",
}
#: A 70k EMEA deal closed in the demo's latest quarter (worked out in
#: tests/service/test_runs.py): EMEA goes from Hard Miss (335k of 400k) to Beat (405k),
#: the company from Soft Miss (935k of 980k, up from 910k) to Beat (1,005k).
BIG_DEAL = won_row("D-7777", "EMEA", first_day(QUARTERS[-1]) + timedelta(days=44), 70000)


@pytest.fixture(scope="module")
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with backend(tmp_path_factory.mktemp("workflow"), env=FAST_ALERTS) as running:
        yield running


@contextmanager
def slow(stack: Stack, latency_ms: int = 400) -> Iterator[None]:
    """Every Google answer ``latency_ms`` late (the emulator's latency control)."""
    stack.faults(0.0, latency_ms=latency_ms)
    try:
        yield
    finally:
        stack.faults(0.0)


def start(stack: Stack, sheet: str, **variables: Any) -> dict[str, Any]:
    answer = stack.answer(documents.START, {"spreadsheetId": sheet, **variables})
    assert not answer.get("errors"), answer
    run: dict[str, Any] = answer["data"]["classifyQuarter"]
    return run


def poll(stack: Stack, run_id: str, url: str | None = None, timeout: float = 30) -> dict[str, Any]:
    """``run(id)`` every 100 ms until it is no longer RUNNING (``url``: ask that server)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = stack.answer(documents.RUN, {"id": run_id}) if url is None else ask(url, run_id)
        run: dict[str, Any] = answer["data"]["run"]
        if run["status"] != "RUNNING":
            return run
        assert time.monotonic() < deadline, f"still RUNNING after {timeout} s: {run}"
        time.sleep(0.1)


def ask(url: str, run_id: str) -> dict[str, Any]:
    import httpx

    body: dict[str, Any] = httpx.post(
        f"{url}/graphql",
        json={"query": documents.RUN, "variables": {"id": run_id}},
        headers={"Authorization": f"Bearer {OWNER}"},
        timeout=30,
    ).json()
    return body


def set_alerts(stack: Stack, sheet: str, url: str, *on: str) -> None:
    answer = stack.answer(
        documents.SET_ALERTS, {"spreadsheetId": sheet, "webhookUrl": url, "on": list(on)}
    )
    assert not answer.get("errors"), answer


def test_a_run_answered_running_is_polled_to_succeeded(stack: Stack) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    with slow(stack):
        started = start(stack, sheet, wait=0, trigger="MENU")
        assert started["status"] == "RUNNING"
        assert started["current"] == []
        assert started["finishedAt"] is None
        done = poll(stack, started["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["id"] == started["id"]
    assert [v["group"] for v in done["current"]] == [None, "AMER", "EMEA"]
    summary = stack.stored(sheet)["values"]["Summary"]
    header = next(i for i, row in enumerate(summary) if row[:1] == ["Group"])  # below the pace
    assert summary[header + 1][0] == "Total"
    # the history and the sidebar's latest run name the run by the id run(id) knows
    latest = stack.answer(documents.LATEST_RUN, {"spreadsheetId": sheet})["data"]["latestRun"]
    assert latest["id"] == done["id"]
    history = stack.answer(documents.HISTORY, {"spreadsheetId": sheet, "limit": 5})
    assert [r["id"] for r in history["data"]["runs"]] == [done["id"]]
    assert history["data"]["runs"][0]["status"] == "SUCCEEDED"


def test_caller_options_and_changes_after_a_data_change(stack: Stack) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    first = start(stack, sheet)
    assert first["status"] == "SUCCEEDED"
    tab = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet).worksheet("Bookings")
    tab.append_row(BIG_DEAL, value_input_option=ValueInputOption.raw)
    options = {"hardMissWindow": 6}
    second = start(stack, sheet, options=options, trigger="MENU")
    assert second["status"] == "SUCCEEDED"
    assert second["caller"] == OWNER_EMAIL
    assert second["trigger"] == "MENU"
    assert '"hardMissWindow": 6' in second["optionsJson"]
    assert second["changes"] == [
        {"group": None, "quarter": LATEST, "before": "SOFT_MISS", "after": "BEAT"},
        {"group": "EMEA", "quarter": LATEST, "before": "HARD_MISS", "after": "BEAT"},
    ]
    history = stack.answer(documents.HISTORY, {"spreadsheetId": sheet, "limit": 5})
    assert [r["id"] for r in history["data"]["runs"]] == [second["id"], first["id"]]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("NEW_HARD_MISS", "EMEA is *Hard Miss*"),
        ("FLAG_RAISED", "*Consecutive Hard Miss*"),
        ("EVERY_RUN", "EMEA is *Hard Miss*"),
    ],
)
def test_an_alert_is_received_for_each_event_of_a_run(
    stack: Stack, hook: WebhookReceiver, event: str, expected: str
) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    hook.reset()
    set_alerts(stack, sheet, hook.slack_url(), event)
    start(stack, sheet)
    [received] = hook.wait_for(1)
    assert expected in received.text
    assert f"https://docs.google.com/spreadsheets/d/{sheet}/edit" in received.text
    assert LATEST in received.text


def test_a_failed_run_is_alerted_and_a_host_off_the_list_gets_nothing(
    stack: Stack, hook: WebhookReceiver
) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    hook.reset()
    with WebhookReceiver("localhost") as elsewhere, slow(stack):  # loopback, off the list
        off_list = stack.answer(
            documents.SET_ALERTS,
            {"spreadsheetId": sheet, "webhookUrl": elsewhere.slack_url(), "on": ["EVERY_RUN"]},
        )
        assert error_code(off_list) == "BAD_INPUT"
        assert "localhost" in off_list["errors"][0]["message"]
        set_alerts(stack, sheet, hook.slack_url(), "RUN_FAILED")
        started = start(stack, sheet, quarter="2031-Q1", wait=0)
        failed = poll(stack, started["id"])
        assert failed["status"] == "FAILED"
        assert failed["error"].startswith("BAD_INPUT: ")
        [received] = hook.wait_for(1)
        assert "the run failed" in received.text
        assert "2031-Q1" in received.text
        assert elsewhere.requests == []


def test_a_failing_or_hanging_webhook_neither_fails_nor_delays_the_run(
    stack: Stack, hook: WebhookReceiver
) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    start(stack, sheet)  # the metadata is cached: the next runs cost the same
    began = time.monotonic()
    start(stack, sheet)
    quiet = time.monotonic() - began
    hook.reset()
    hook.reply(Reply(500), Reply(500), Reply(500), Reply(200, delay=30))
    set_alerts(stack, sheet, hook.slack_url(), "EVERY_RUN")
    for _ in range(2):
        began = time.monotonic()
        run = start(stack, sheet)
        took = time.monotonic() - began
        assert run["status"] == "SUCCEEDED"
        assert took < quiet + 1.0, f"{took:.2f} s with a failing webhook, {quiet:.2f} s without"
    assert len(hook.wait_for(4)) >= 4  # tried again (three 500s), then left hanging


def test_the_webhook_url_is_shown_masked_and_never_logged(
    stack: Stack, hook: WebhookReceiver
) -> None:
    """Set, shown, posted to, failing (logged as a failure): the secret part of the URL
    is in none of the answers and none of the server's log lines."""
    sheet = seed(stack.emulator.url, demo_tabs())
    hook.reset()
    url = hook.slack_url()
    secret = url.rsplit("/", 1)[1]
    hook.reply(Reply(500), Reply(500), Reply(500))
    set_alerts(stack, sheet, url, "EVERY_RUN")
    shown = stack.answer(documents.ALERTS, {"spreadsheetId": sheet})["data"]["alerts"]
    assert shown["webhookUrl"] != url
    assert secret not in shown["webhookUrl"]
    assert shown["webhookUrl"].startswith("http://127.0.0.1:")
    start(stack, sheet)
    assert len(hook.wait_for(3)) == 3  # every attempt failed: the failure is logged
    deadline = time.monotonic() + 5
    while "FAILED after 3 tries" not in stack.api.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = stack.api.output()
    assert "FAILED after 3 tries" in log, "the failed posting is logged (to a masked URL)"
    assert secret not in log
    assert url not in log


@pytest.mark.parametrize(
    "store", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_server_killed_mid_run_leaves_the_run_failed_with_a_reason(
    tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    """Killed (SIGKILL: no shutdown of its own) while a run waits on Google: the server
    started in its place ends that run FAILED with the reason, from the store."""
    database = (
        f"sqlite:///{tmp_path / 'runs.sqlite3'}"
        if store == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    env = {"SALES_VERDICTS_RUN_LEASE": "2", "DATABASE_URL": database}
    with backend(tmp_path, env=env) as first:
        sheet = seed(first.emulator.url, demo_tabs())
        first.faults(0.0, latency_ms=1500)
        started = start(first, sheet, wait=1)
        assert started["status"] == "RUNNING"
        first.api.kill()
        first.faults(0.0)
        again = {
            "SHEETS_EMULATOR_HOST": first.emulator.url,
            "GOOGLE_APPLICATION_CREDENTIALS": "",
            **env,
        }
        with sales_verdicts(["serve"], tmp_path, env=again, name="restarted") as restarted:
            ended = poll(first, started["id"], url=restarted.url, timeout=20)
    assert ended["status"] == "FAILED"
    assert ended["error"].startswith("INTERRUPTED: the server running it stopped")
    assert ended["finishedAt"]
