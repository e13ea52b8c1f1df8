"""The ``sales-verdicts`` command line as a user runs it (real processes)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from server.cli.demo_data import EXPECTED, LATEST
from server.cli.threads import free_port
from tests.support.backend import OWNER, backend, demo_tabs, seed
from tests.support.processes import SALES_VERDICTS

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "examples" / "plan.csv"
BOOKINGS = ROOT / "examples" / "bookings.csv"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SALES_VERDICTS, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_local_mode_prints_the_run_as_the_api_would(tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    done = run(
        "classify",
        "--plan",
        str(PLAN),
        "--bookings",
        str(BOOKINGS),
        "--json",
        "--summary-csv",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == {
        "id",
        "spreadsheetId",
        "quarter",
        "classifiedAt",
        "summaryTab",
        "current",
        "verdicts",
        "issues",
        "quarterLabel",
        "asOf",
        "currency",
        "inQuarter",
        "pace",
        "inputs",
        "status",
        "error",
        "caller",
        "changes",
        "startedAt",
        "finishedAt",
        "trigger",
        "optionsJson",
        "issueCounts",
        "issuesOmitted",
    }
    assert answer["status"] == "SUCCEEDED"
    assert answer["trigger"] == "CLI"
    assert answer["caller"] == "local"
    assert answer["quarter"] == "2025-Q4"
    assert answer["current"][0]["group"] is None
    assert {v["quarter"] for v in answer["current"]} == {"2025-Q4"}
    assert any(i["message"].startswith("Bookings!") for i in answer["issues"])
    summary = out.read_text(encoding="utf-8").splitlines()
    assert summary[0].startswith("Group,Quarter,Plan,Bookings")
    assert summary[1].startswith("Total,2024-Q1")


def test_the_table_shows_every_group_and_action() -> None:
    done = run("classify", "--plan", str(PLAN), "--bookings", str(BOOKINGS), "--quarter", "Q3 2025")
    assert done.returncode == 0, done.stderr
    assert "Verdicts for 2025-Q3" in done.stdout
    for group in ("Total", "AMER", "EMEA"):
        assert group in done.stdout
    assert "Recommended actions" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--quarter", "2035-Q1"], "2024-Q1 to 2025-Q4"),
        (["--fiscal-year-start-month", "13"], "fiscalYearStartMonth"),
        (["--plan-tab", "Plan", "--summary-tab", "Plan"], "different"),
    ],
)
def test_bad_input_exits_2_with_a_sentence(args: list[str], words: str) -> None:
    done = run("classify", "--plan", str(PLAN), "--bookings", str(BOOKINGS), *args)
    assert done.returncode == 2
    assert words in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr


def test_a_missing_file_is_named() -> None:
    done = run("classify", "--plan", "nope.csv", "--bookings", str(BOOKINGS))
    assert done.returncode == 2
    assert "nope.csv" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.e2e
def test_classify_a_spreadsheet_through_the_emulator(tmp_path: Path) -> None:
    with backend(tmp_path) as stack:
        sheet = seed(stack.emulator.url, demo_tabs())
        env = {
            "PATH": "/usr/bin:/bin",
            "SHEETS_EMULATOR_HOST": stack.emulator.url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "SALES_VERDICTS_TOKEN": OWNER,
        }
        done = run("classify", sheet, "--json", env=env)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        verdicts = {(v["group"], v["quarter"]): v["verdict"] for v in answer["verdicts"]}
        for key, verdict in EXPECTED.items():
            assert verdicts[key] == verdict
        no_token = run("classify", sheet, env={k: v for k, v in env.items() if "TOKEN" not in k})
        assert no_token.returncode == 2
        assert "access token" in no_token.stderr


@pytest.mark.e2e
def test_the_demo_classifies_and_prints_where_to_go_next() -> None:
    port, emulator_port = free_port(), free_port()
    done = run("demo", "--no-serve", "--port", str(port), "--emulator-port", str(emulator_port))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Verdicts for {LATEST}" in done.stdout
    assert f"http://127.0.0.1:{port}/graphql" in done.stdout
    assert "Bearer demo-token" in done.stdout
    assert "Hard Miss" in done.stdout
