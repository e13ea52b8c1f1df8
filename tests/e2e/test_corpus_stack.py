"""A representative handful of the corpus through the whole stack: each workbook seeded
into the Sheets API emulator with its locale, classified through GraphQL by the server
process with the case's options, and held to the same hand-worked answers as the domain
run of the corpus (:mod:`tests.corpus.checks`); the Summary tab written shows them.
A refused run answers its data issues in ``extensions.issues``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.api import documents
from tests.corpus.checks import Seen, check, check_refusal
from tests.corpus.load import CASES, Case, load_case
from tests.support.backend import OWNER, OWNER_EMAIL, Stack, backend, gspread_client

pytestmark = pytest.mark.e2e

#: One of each kind the brief names: Salesforce, HubSpot with Leads, Pipedrive with Rates,
#: a monthly plan, a pivot, a UK-locale sheet (decided by the locale alone), units flagged,
#: fiscal labels, refusals (no header, no Plan tab, two scenarios of one plan), and the
#: net amount of a NetSuite search.
HANDFUL = (
    "salesforce-opportunities-won-lost-open",
    "hubspot-deals-export-company-currency",
    "pipedrive-three-currencies-rates-tab",
    "plan-monthly-wide-text-month-headers",
    "sheets-pivot-region-totals-blank-labels",
    "dates-only-ambiguous-decided-by-en-gb-locale",
    "close-opportunities-value-in-cents",
    "fiscal-year-february-fy26-labels",
    "refused-bookings-pasted-without-header",
    "refused-plan-tab-missing",
    "plan-versions-scenario-base-upside-downside-long",
    "redteam3-netsuite-gross-net-and-tax-amounts",
)


#: How the Summary tab writes a verdict.
SHOWN = {
    "BEAT": "Beat",
    "SOFT_MISS": "Soft Miss",
    "HARD_MISS": "Hard Miss",
    "NO_PLAN": "No Plan",
    "NO_BASELINE": "No Baseline",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with backend(tmp_path_factory.mktemp("corpus-stack")) as running:
        yield running


def seed_case(stack: Stack, case: Case) -> str:
    """The case's workbook as a spreadsheet of the owner, in the case's locale (values
    stored as the case gives them: numbers, text, booleans)."""
    assert not case.csv, f"{case.slug}: CSV tabs are not seeded into a spreadsheet"
    answer = httpx.post(
        f"{stack.emulator.url}/_emulator/spreadsheets",
        json={
            "owner": OWNER_EMAIL,
            "title": case.title[:100],
            "tabs": {name: [list(row) for row in rows] for name, rows in case.tabs.items()},
            "locale": case.locale,
        },
        timeout=30,
    )
    answer.raise_for_status()
    sheet: str = answer.json()["spreadsheetId"]
    return sheet


def classify(stack: Stack, sheet: str, case: Case) -> dict[str, Any]:
    variables: dict[str, Any] = {"spreadsheetId": sheet, "options": dict(case.options)}
    if case.quarter is not None:
        variables["quarter"] = case.quarter
    return stack.answer(documents.CLASSIFY, variables)


def summary_rows(stack: Stack, sheet: str) -> list[list[str]]:
    book = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet)
    return book.worksheet("Summary").get_all_values()


@pytest.mark.parametrize("slug", HANDFUL)
def test_the_case_comes_out_as_worked_by_hand_through_the_stack(stack: Stack, slug: str) -> None:
    case = load_case(CASES / f"{slug}.json")
    sheet = seed_case(stack, case)
    answer = classify(stack, sheet, case)
    if case.expect.outcome == "refused":
        (error,) = answer["errors"]
        assert error["extensions"]["code"] in ("BAD_INPUT", "NOT_FOUND"), error
        check_refusal(case, error["message"])
        return
    assert not answer.get("errors"), answer
    run = answer["data"]["classifyQuarter"]
    check(case, Seen.from_answer(run))
    # Every hand-worked verdict is in the Summary tab the run wrote, on its group's row.
    rows = summary_rows(stack, sheet)
    for want in case.expect.verdicts:
        if want.verdict is None:
            continue
        shown = SHOWN[want.verdict]
        group = want.group or "Total"
        assert any(
            group in row and shown in row and (want.quarter in row or want.label in row)
            for row in rows
        ), f"{slug}: the Summary has no row {group} {want.quarter} {shown}"


def test_the_sheets_locale_reaches_the_reader(stack: Stack) -> None:
    """The same tabs in an en_US sheet read 06/01/2025 as 1 June: other figures."""
    case = load_case(CASES / "dates-only-ambiguous-decided-by-en-gb-locale.json")
    uk = classify(stack, seed_case(stack, case), case)["data"]["classifyQuarter"]
    us_case = dataclasses.replace(case, locale="en_US")
    us = classify(stack, seed_case(stack, us_case), us_case)["data"]["classifyQuarter"]

    def south(run: dict[str, Any]) -> dict[str, float]:
        return {v["quarter"]: v["bookings"] for v in run["verdicts"] if v["group"] == "South"}

    assert south(uk) == {"2025-Q1": 53_000, "2025-Q2": 55_000}
    assert south(us) != south(uk)


def test_a_run_refused_after_every_row_was_rejected_answers_its_issues(stack: Stack) -> None:
    broken: list[list[Any]] = [["Region", "Close Date", "Amount"]]
    broken += [["EMEA", 45_700 + i, "#REF!" if i % 2 else "#N/A"] for i in range(70)]
    answer = httpx.post(
        f"{stack.emulator.url}/_emulator/spreadsheets",
        json={
            "owner": OWNER_EMAIL,
            "title": "Every row broken",
            "tabs": {"Plan": [["Region", "Quarter", "Plan"], ["EMEA", "2025-Q1", "n/a"]]},
        },
        timeout=30,
    )
    answer.raise_for_status()
    sheet = answer.json()["spreadsheetId"]
    book = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet)
    book.add_worksheet("Bookings", rows=80, cols=3).update(broken, "A1", raw=True)

    refused = stack.answer(documents.CLASSIFY, {"spreadsheetId": sheet})
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert "Nothing to classify" in error["message"]
    issues = error["extensions"]["issues"]
    assert len(issues) == 50  # the first 50 ...
    assert error["extensions"]["issueCount"] == 71  # ... of the plan's row and 70 deals
    assert issues[0]["tab"] == "Plan"
    assert issues[0]["cell"] == "C2"
    assert {i["tab"] for i in issues[1:]} == {"Bookings"}
    assert [i["row"] for i in issues[1:4]] == [2, 3, 4]
    assert all(i["severity"] == "ERROR" and i["message"] for i in issues)
    assert "Summary" not in [ws.title for ws in book.worksheets()]  # nothing written


def test_no_quarter_ended_yet_names_the_quarter_to_ask_for(stack: Stack) -> None:
    case = load_case(CASES / "salesforce-opportunities-won-lost-open.json")
    sheet = seed_case(stack, case)
    early = {**case.options, "asOf": "2024-02-15"}
    refused = stack.answer(documents.CLASSIFY, {"spreadsheetId": sheet, "options": early})
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert "2024-Q1 is still in progress" in error["message"]
    assert "by name" in error["message"]
    # Asked for by name it is classified, marked in progress, with its pace.
    asked = stack.answer(
        documents.CLASSIFY, {"spreadsheetId": sheet, "quarter": "2024-Q1", "options": early}
    )
    assert not asked.get("errors"), asked
    run = asked["data"]["classifyQuarter"]
    assert run["inQuarter"] is True
    assert run["asOf"] == "2024-02-15"
    assert run["pace"][0]["quarter"] == "2024-Q1"
    assert all(v["inProgress"] for v in run["current"])
