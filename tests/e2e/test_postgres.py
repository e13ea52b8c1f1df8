"""Two server processes on one PostgreSQL: runs are shared, and the advisory lock keeps
them from writing the same Summary at once."""

from __future__ import annotations

import concurrent.futures
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.api import documents
from server.cli.demo_data import LATEST, QUARTERS, first_day, label, won_row
from tests.support.backend import OWNER, backend, demo_tabs, gspread_client, seed
from tests.support.processes import sales_verdicts

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def post(url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {OWNER}"},
        timeout=60,
    ).json()
    return body


def test_two_workers_share_runs_and_never_interleave_writes(
    tmp_path: Path, postgres_url: str
) -> None:
    env = {"DATABASE_URL": postgres_url}
    with backend(tmp_path, env=env) as first:
        second_env = {
            "SHEETS_EMULATOR_HOST": first.emulator.url,
            "DATABASE_URL": postgres_url,
            "GOOGLE_APPLICATION_CREDENTIALS": "",
        }
        with sales_verdicts(["serve"], tmp_path, env=second_env, name="second") as second:
            sheet = seed(first.emulator.url, demo_tabs())
            # Different quarters, so the two processes run two real classifications.
            asks = [(first.api.url, LATEST), (second.url, label(QUARTERS[-2]))] * 3
            with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
                answers = list(
                    pool.map(
                        lambda ask: post(
                            ask[0],
                            documents.CLASSIFY,
                            {"spreadsheetId": sheet, "quarter": ask[1]},
                        ),
                        asks,
                    )
                )
            assert all(not a.get("errors") for a in answers), answers
            ids = {a["data"]["classifyQuarter"]["id"] for a in answers}
            # Each process ran each quarter at least once; all were recorded in one store.
            listed = post(second.url, documents.RUNS, {"spreadsheetId": sheet, "limit": 50})
            assert ids <= {r["id"] for r in listed["data"]["runs"]}
            newest = listed["data"]["runs"][0]
            seen_by_first = post(first.api.url, documents.LATEST_RUN, {"spreadsheetId": sheet})
            assert seen_by_first["data"]["latestRun"]["id"] == newest["id"]
            # The Summary is whole: one header, one run line, the quarter of the newest run.
            rows = gspread_client(first.emulator.url, OWNER).open_by_key(sheet)
            summary = rows.worksheet("Summary").get_all_values()
            assert [r[:2] for r in summary].count(["Group", "Quarter"]) == 1
            run_lines = [r for r in summary if r and r[0].startswith("Classified at")]
            assert len(run_lines) == 1
            assert newest["quarter"] in " ".join(run_lines[0])


def poll(url: str, run_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = post(url, documents.RUN, {"id": run_id})["data"]["run"]
        if run["status"] != "RUNNING":
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.1)


def test_any_worker_answers_run_for_another_workers_run(tmp_path: Path, postgres_url: str) -> None:
    with backend(tmp_path, env={"DATABASE_URL": postgres_url}) as first:
        second_env = {
            "SHEETS_EMULATOR_HOST": first.emulator.url,
            "DATABASE_URL": postgres_url,
            "GOOGLE_APPLICATION_CREDENTIALS": "",
        }
        with sales_verdicts(["serve"], tmp_path, env=second_env, name="second") as second:
            sheet = seed(first.emulator.url, demo_tabs())
            first.faults(0.0, latency_ms=400)  # slow enough to be answered RUNNING
            for starter, poller in ((first.api.url, second.url), (second.url, first.api.url)):
                started = post(starter, documents.START, {"spreadsheetId": sheet, "wait": 0})
                run = started["data"]["classifyQuarter"]
                assert run["status"] == "RUNNING"
                seen = post(poller, documents.RUN, {"id": run["id"]})["data"]["run"]
                assert seen["id"] == run["id"]
                assert seen["status"] in ("RUNNING", "SUCCEEDED")
                done = poll(poller, run["id"])
                assert done["status"] == "SUCCEEDED"
                assert done["current"], "the other worker shows the verdicts"
                for url in (starter, poller):  # both name it by the same id
                    latest = post(url, documents.LATEST_RUN, {"spreadsheetId": sheet})
                    assert latest["data"]["latestRun"]["id"] == run["id"]
                    history = post(url, documents.HISTORY, {"spreadsheetId": sheet, "limit": 1})
                    assert history["data"]["runs"][0]["id"] == run["id"]
            first.faults(0.0)


def test_a_sum_past_numeric_18_2_is_refused_before_the_summary_is_written(
    tmp_path: Path, postgres_url: str
) -> None:
    """Each cell is under the 1e15 cap, eleven of them in one group's quarter are past
    what NUMERIC(18, 2) holds: the run is refused naming the group, nothing is written
    and nothing recorded (before: the Summary was written, then the store refused)."""
    tabs = demo_tabs()
    day = first_day(QUARTERS[-1]) + timedelta(days=33)  # in the demo's latest quarter
    big = [won_row(f"D-9{i}", "EMEA", day, 9.9e14) for i in range(11)]
    tabs["Bookings"] = tabs["Bookings"] + big
    with backend(tmp_path, env={"DATABASE_URL": postgres_url}) as stack:
        sheet = seed(stack.emulator.url, tabs)
        answer = stack.answer(documents.START, {"spreadsheetId": sheet, "wait": 20})
        assert answer["errors"][0]["extensions"]["code"] == "BAD_INPUT"
        message = answer["errors"][0]["message"]
        assert f"group 'EMEA' in {LATEST}" in message
        assert "nothing was written" in message
        assert "Summary" not in stack.stored(sheet)["values"]
        history = stack.answer(documents.HISTORY, {"spreadsheetId": sheet, "limit": 5})
        assert history["data"]["runs"] == []
        assert httpx.get(f"{stack.api.url}/healthz", timeout=10).status_code == 200
