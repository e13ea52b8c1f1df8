"""Google failing and the server dying: the Summary is always the old one or the new one,
whole, and Plan and Bookings are never touched.

- The emulator answers a share of the Sheets requests with 429, 500 or 503 (Google's own
  error bodies) and adds latency to every answer. Each classification must succeed within
  the adapter's retry deadline or end as ``RATE_LIMITED`` / ``UPSTREAM_UNAVAILABLE``. The
  Bookings tab alternates between two versions, so "the new Summary" and "the old Summary"
  differ, and after every call the Summary is compared with both, cell for cell.
- The server is killed with SIGKILL at points spread over a slow classification (metadata,
  read, write); then a new server on the same run store classifies successfully.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from gspread.utils import ValueInputOption

from server.api import documents
from server.cli import demo_data
from server.cli.demo_data import demo_tabs
from tests.reliability.conftest import Tally, trials
from tests.support.backend import (
    OWNER,
    Stack,
    backend,
    emulator_command,
    gspread_client,
    seed,
)
from tests.support.processes import sales_verdicts

pytestmark = pytest.mark.e2e

Grid = list[list[Any]]
FAST = {"SALES_VERDICTS_COALESCE_SECONDS": "0"}  # every call is a classification of its own
DEADLINE = 4  # seconds the adapter keeps retrying (SALES_VERDICTS_SHEETS_DEADLINE)
#: A big EMEA deal won 40 days into the demo's latest complete quarter: version B of Bookings.
EXTRA_DEAL = dict(
    zip(
        demo_data.BOOKINGS_HEADER,
        ["P. Dubois", "Initech", "Initech - big one", "EMEA", "New Customer", "Closed Won"],
        strict=False,
    )
) | {
    "Amount": 750000,
    "Close Date": demo_data.serial(demo_data.first_day(demo_data.QUARTERS[-1]) + timedelta(40)),
}


def bookings(version: str) -> Grid:
    rows = demo_tabs()["Bookings"]
    extra = [EXTRA_DEAL.get(h, "") if version == "B" else "" for h in demo_data.BOOKINGS_HEADER]
    return [*rows, extra]


def set_bookings(stack: Stack, sheet: str, version: str) -> None:
    """Replace the Bookings tab's values (faults must be off: this is the user typing)."""
    tab = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet).worksheet("Bookings")
    tab.update(bookings(version), "A1", value_input_option=ValueInputOption.raw)


def summary(stack: Stack, sheet: str) -> Grid | None:
    """The Summary tab's stored values, the "Classified at" time blanked; None when absent."""
    rows: Grid | None = stack.stored(sheet)["values"].get("Summary")
    if rows is None:
        return None
    return [
        ["Classified at (UTC)", "*", *r[2:]] if r[:1] == ["Classified at (UTC)"] else r
        for r in rows
    ]


def inputs(stack: Stack, sheet: str) -> dict[str, Grid]:
    values = stack.stored(sheet)["values"]
    return {title: values[title] for title in ("Plan", "Bookings")}


def classify(stack: Stack, sheet: str, timeout: float = 120) -> dict[str, Any]:
    return stack.answer(documents.CLASSIFY, {"spreadsheetId": sheet}, timeout=timeout)


def reference_summaries(stack: Stack, sheet: str) -> dict[str, Grid]:
    """The Summary each Bookings version gives when nothing fails."""
    expected: dict[str, Grid] = {}
    for version in ("A", "B"):
        set_bookings(stack, sheet, version)
        assert not classify(stack, sheet).get("errors")
        written = summary(stack, sheet)
        assert written is not None
        expected[version] = written
    assert expected["A"] != expected["B"], "the two versions give different Summaries"
    return expected


# -- Google failing --------------------------------------------------------------------------


def _call_kind(path: str) -> str:
    """Which of a run's Google calls a request was an attempt of."""
    if path.endswith(":batchUpdate"):
        return "write"
    if "userinfo" in path:
        return "who asked"
    return "values" if "/values" in path else "tab list"


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {**FAST, "SALES_VERDICTS_SHEETS_DEADLINE": str(DEADLINE)}
    with backend(tmp_path_factory.mktemp("faults"), env=env) as running:
        yield running
        running.faults(0)


@pytest.mark.parametrize(("rate", "runs"), [(0.3, trials(8, 40)), (0.95, trials(3, 12))])
def test_under_injected_faults_the_summary_is_the_old_or_the_new_one_whole(
    faulty: Stack, tally: Tally, rate: float, runs: int
) -> None:
    sheet = seed(faulty.emulator.url, {"Plan": demo_tabs()["Plan"], "Bookings": bookings("A")})
    expected = reference_summaries(faulty, sheet)
    before = summary(faulty, sheet)  # version B's, the last reference run
    scenario = f"faults_{round(rate * 100)}pct"
    outcomes: dict[str, int] = {}
    for i in range(runs):
        version = "A" if i % 2 == 0 else "B"
        set_bookings(faulty, sheet, version)
        typed = inputs(faulty, sheet)
        faulty.clear_google_requests()
        faulty.faults(rate, latency_ms=40, statuses=[429, 500, 503])
        started = time.monotonic()
        answer = classify(faulty, sheet)
        took = time.monotonic() - started
        faulty.faults(0)

        log = faulty.google_requests()
        tally.count(scenario, "tried")
        tally.count(scenario, "google_requests", len(log))
        tally.count(scenario, "google_requests_faulted", sum(1 for e in log if e["faulted"]))
        after = summary(faulty, sheet)
        whole = after in (before, expected[version])
        if not whole:
            tally.count(scenario, "summary_half_written")
        if inputs(faulty, sheet) != typed:
            tally.count(scenario, "input_tabs_changed")
        assert whole, f"run {i}: the Summary is neither the old one nor the new one"
        assert inputs(faulty, sheet) == typed, "Plan and Bookings untouched"

        if answer.get("errors"):
            code = answer["errors"][0]["extensions"]["code"]
            if code not in ("RATE_LIMITED", "UPSTREAM_UNAVAILABLE"):
                tally.count(scenario, "internal_errors")
            assert code in ("RATE_LIMITED", "UPSTREAM_UNAVAILABLE"), answer
            assert "try again" in answer["errors"][0]["message"].lower()
            # The deadline is each Google call's (retries included): a run that got the
            # tab list (the access check) or the values before failing had that many calls.
            calls = len({_call_kind(e["path"]) for e in log})
            assert took < DEADLINE * max(calls, 1) + 3, (
                f"gave up after {took:.1f} s, past {calls} calls' {DEADLINE} s deadlines"
            )
            outcome = code.lower()
        else:
            assert after == expected[version], "a successful run wrote its own Summary"
            outcome = "succeeded"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        tally.count(scenario, outcome)
        before = after
    if rate <= 0.3:
        assert outcomes.get("succeeded", 0) >= runs // 2, outcomes


# -- the server killed -----------------------------------------------------------------------

#: When to kill, in seconds after the call, with 300 ms of latency on every Google answer:
#: during the metadata read, during the values read, while the write is in flight, after it.
KILL_AT = [0.1, 0.45, 0.75, 1.1]


def test_a_server_killed_mid_classification_leaves_a_whole_summary_and_the_next_run_succeeds(
    tmp_path: Path, tally: Tally
) -> None:
    env = {
        **FAST,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'runs.sqlite3'}",
        "GOOGLE_APPLICATION_CREDENTIALS": "",
    }
    with sales_verdicts(emulator_command(), tmp_path, name="emulator") as emulator:
        env["SHEETS_EMULATOR_HOST"] = emulator.url
        with sales_verdicts(["serve"], tmp_path, env=env, name="serve") as api:
            stack = Stack(emulator, api)
            sheet = seed(emulator.url, {"Plan": demo_tabs()["Plan"], "Bookings": bookings("A")})
            expected = reference_summaries(stack, sheet)
        rounds = [at for _ in range(trials(1, 5)) for at in KILL_AT]
        for i, kill_at in enumerate(rounds):
            version = "A" if i % 2 == 0 else "B"
            before = summary(stack, sheet)
            set_bookings(stack, sheet, version)
            typed = inputs(stack, sheet)
            with sales_verdicts(["serve"], tmp_path, env=env, name="serve") as doomed:
                stack = Stack(emulator, doomed)
                stack.faults(0, latency_ms=300)
                call = threading.Thread(target=_doomed_call, args=(stack, sheet), daemon=True)
                call.start()
                time.sleep(kill_at)
                doomed.kill()
                call.join(30)
            stack.faults(0)
            tally.count("server_killed", "tried")
            after = summary(stack, sheet)
            whole = after in (before, expected[version])
            if not whole:
                tally.count("server_killed", "summary_half_written")
            if inputs(stack, sheet) != typed:
                tally.count("server_killed", "input_tabs_changed")
            assert whole, f"killed at {kill_at} s: the Summary is neither old nor new"
            assert inputs(stack, sheet) == typed
            tally.count("server_killed", "summary_new" if after != before else "summary_old")

            with sales_verdicts(["serve"], tmp_path, env=env, name="serve") as api:
                stack = Stack(emulator, api)
                latest = stack.query(documents.LATEST_RUN, {"spreadsheetId": sheet})["latestRun"]
                assert latest is None or latest["current"], "the store holds whole runs only"
                answer = classify(stack, sheet)
                if answer.get("errors"):
                    tally.count("server_killed", "next_run_failed")
                assert not answer.get("errors"), answer
                assert summary(stack, sheet) == expected[version]
                run_id = answer["data"]["classifyQuarter"]["id"]
                latest = stack.query(documents.LATEST_RUN, {"spreadsheetId": sheet})["latestRun"]
                assert latest["id"] == run_id
                tally.count("server_killed", "next_run_succeeded")


def _doomed_call(stack: Stack, sheet: str) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server dies under it, as intended
        stack.send(documents.CLASSIFY, {"spreadsheetId": sheet}, timeout=30)
