"""Two server processes on one PostgreSQL: runs are shared, and the advisory lock keeps
them from writing the same Summary at once."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.api import documents
from server.cli.demo_data import LATEST, QUARTERS, label
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
