"""What ``sales-verdicts classify`` prints: the pace of the quarter in progress, each
group's why beside its verdict, amounts in the reporting currency, how each tab was
read, in 100 columns; and a refused run's data issues (stderr, and ``--json``)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from server.api.serialize import run_answer
from server.classification import ClassifyOptions
from server.cli.demo_data import demo_tabs
from server.cli.terminal import print_run
from server.service import Caller, ClassificationService, ClassifyRequest
from server.store.memory import MemoryRunStore
from sheets_adapter.port import UserToken
from tests.corpus.load import CASES, load_case
from tests.support.fakes import FakeSheets
from tests.support.processes import SALES_VERDICTS

WIDTH = 100


def printed(slug: str, quarter: str | None = None, **options: Any) -> str:
    """The terminal output of one run of a corpus case, on a 100-column console."""
    case = load_case(CASES / f"{slug}.json")
    sheets = FakeSheets()
    tabs = {name: [list(row) for row in rows] for name, rows in case.tabs.items()}
    sheets.add("sheet", tabs, "t", locale=case.locale)
    service = ClassificationService(
        sheets, MemoryRunStore(), clock=lambda: datetime(2026, 1, 5, tzinfo=UTC)
    )
    asked = ClassifyOptions.from_mapping({**case.options, **options})
    run = service.classify_quarter(ClassifyRequest("sheet", quarter, asked, Caller(UserToken("t"))))
    console = Console(width=WIDTH, record=True, color_system=None)
    print_run(console, run_answer(run))
    return console.export_text()


def test_pace_why_currency_and_how_it_was_read_in_100_columns() -> None:
    out = printed("hubspot-deals-export-company-currency")  # asOf 2025-10-10: Q4 under way
    assert all(len(line) <= WIDTH for line in out.splitlines())
    lines = out.splitlines()
    assert lines[0].startswith("This quarter so far: Q4 2025, 11% elapsed on 2025-10-10")
    total = next(line for line in lines if "│ Total" in line and "$200,000" in line)
    assert "$126,900" in total  # open pipeline due in the quarter (worked in the case)
    assert "Verdicts for 2025-Q3 (Q3 2025)" in out
    # The why beside the verdict: the gap and the drivers' sentence, then the action.
    why = next(line for line in lines if line.startswith("  Total (Hard Miss"))
    assert "-$55,700 to plan" in why
    assert "3 deals (+0%), average $41k (−14%)" in why
    assert "How this was read" in out
    assert "Bookings: header on row 1, DEALS layout; 10 rows counted, 8 left out; control" in out
    assert "M 'Amount in company currency' → amount" in out
    assert "lost: Closed Lost (3)" in out
    assert "Leads: header on row 1" in out


def test_the_tables_figures_are_never_cut_in_80_columns() -> None:
    # The demo's projections carry cents ($552,134.57): rich cut them to "$552,134…" at 80,
    # and its flags to "unrealist…".
    day = date(2026, 2, 15)
    sheets = FakeSheets()
    sheets.add("demo", demo_tabs(day), "t", locale="en_US")
    service = ClassificationService(
        sheets, MemoryRunStore(), clock=lambda: datetime(2026, 2, 15, tzinfo=UTC)
    )
    run = service.classify_quarter(
        ClassifyRequest("demo", None, ClassifyOptions(), Caller(UserToken("t")))
    )
    console = Console(width=80, record=True, color_system=None)
    print_run(console, run_answer(run))
    tables = console.export_text().split("Recommended actions")[0]
    assert "This quarter so far" in tables
    assert "Verdicts for" in tables
    assert "…" not in tables
    assert all(len(line) <= 80 for line in tables.splitlines())
    projected = next(p.projected for p in run.pace if p.group is None)
    assert f"${round(projected):,}" in tables  # whole units: no false cents


def test_amounts_are_in_the_reporting_currency() -> None:
    out = printed("hubspot-uk-text-dates-en-gb")
    assert "£78,000" in out  # the 2025-Q2 plan
    assert "£77,000" in out
    assert "$" not in out.split("How this was read")[0]
    assert "control total £146,500 (GBP)" in out


def test_the_quarter_in_progress_says_so() -> None:
    out = printed("hubspot-deals-export-company-currency", "2025-Q3", asOf="2025-09-20")
    assert "Verdicts for 2025-Q3 (Q3 2025), in progress on 2025-09-20: so far" in out
    assert "This quarter so far: Q3 2025" in out
    # Asked for by name before any deal was won in it: its pace, and no empty table.
    early = printed("hubspot-deals-export-company-currency", "2025-Q4")
    assert "This quarter so far: Q4 2025" in early
    assert "No verdict for 2025-Q4 (Q4 2025), in progress on 2025-10-10: so far: no deal" in (
        " ".join(early.split())
    )
    assert "Verdicts for" not in early


def test_a_leads_control_total_is_a_count_not_money() -> None:
    out = printed("hubspot-deals-export-company-currency")
    assert (
        "Leads: header on row 1, LONG layout; 9 rows counted, 0 left out; control total 2,007"
        in (out)
    )


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SALES_VERDICTS, "classify", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": str(WIDTH)},
    )


def test_a_refused_run_prints_its_issues(tmp_path: Path) -> None:
    plan, bookings = tmp_path / "plan.csv", tmp_path / "bookings.csv"
    plan.write_text("Region,Quarter,Plan\nAMER,TBD,100\n", encoding="utf-8")
    rows = "".join("AMER,Q1 2025,#REF!\n" for _ in range(12))
    bookings.write_text("Region,Quarter,Bookings\n" + rows, encoding="utf-8")

    done = run_cli("--plan", str(plan), "--bookings", str(bookings))
    assert done.returncode == 2
    err = " ".join(done.stderr.split())
    assert "13 rows were rejected" in err
    assert "Data issues of the tabs read (13):" in err
    assert 'Plan!B2: "TBD" is not a quarter' in err
    assert 'Bookings!C2: "#REF!" is a formula error' in err
    assert "… and 3 more" in err
    assert "Traceback" not in err

    as_json = run_cli("--plan", str(plan), "--bookings", str(bookings), "--json")
    assert as_json.returncode == 2
    (error,) = json.loads(as_json.stdout)["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert error["extensions"]["issueCount"] == 13
    assert [i["cell"] for i in error["extensions"]["issues"]] == ["B2"] + [
        f"C{row}" for row in range(2, 14)
    ]
    assert "13 rows were rejected" in error["message"]
