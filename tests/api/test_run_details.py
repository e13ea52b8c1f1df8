"""The new parts of a run over GraphQL, in process: the options that reach the reader,
the drivers, gap and label of each verdict, pace, how the tabs were read; and a refused
run's data issues in ``extensions.issues`` (the first 50)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from server.api import documents
from server.cli.demo_data import demo_tabs
from tests.api.test_app import ANA, SHEET, client_for, post
from tests.corpus.load import CASES, load_case
from tests.support.asgi import AsgiClient
from tests.support.fakes import FakeSheets


@pytest.fixture
def sheets() -> FakeSheets:
    fake = FakeSheets()
    fake.add(SHEET, demo_tabs(), "token-ana")
    case = load_case(CASES / "hubspot-deals-export-company-currency.json")
    fake.add("hubspot", {t: [list(r) for r in rows] for t, rows in case.tabs.items()}, "token-ana")
    rejected = [["Region", "Quarter", "Bookings"]] + [["AMER", "Q1 2025", "#REF!"]] * 60
    fake.add("broken", {"Plan": [["Region", "Quarter", "Plan"]], "Bookings": rejected}, "token-ana")
    return fake


@pytest.fixture
def client(sheets: FakeSheets) -> Iterator[AsgiClient]:
    yield from client_for(sheets)


def classify(client: AsgiClient, sheet: str, **variables: Any) -> dict[str, Any]:
    return post(client, documents.CLASSIFY, {"spreadsheetId": sheet, **variables})


def test_the_options_reach_the_reader_and_the_run_shows_what_it_read(
    client: AsgiClient,
) -> None:
    answer = classify(client, "hubspot", options={"asOf": "2025-10-10"})
    assert "errors" not in answer, answer
    run = answer["data"]["classifyQuarter"]
    assert (run["quarter"], run["quarterLabel"], run["asOf"]) == (
        "2025-Q3",
        "Q3 2025",
        "2025-10-10",
    )
    assert (run["currency"], run["inQuarter"]) == ("USD", False)
    total = run["current"][0]
    # Worked by hand in the case: 124,300 booked against a 180,000 plan.
    assert (total["bookings"], total["plan"], total["gap"]) == (124_300, 180_000, -55_700)
    assert total["label"] == "Q3 2025"
    assert total["drivers"]["deals"] == 3
    assert total["drivers"]["cause"] == "SMALLER_DEALS"
    assert total["drivers"]["leads"] is not None  # the Leads tab was read
    assert total["drivers"]["explanation"]
    assert [p["quarter"] for p in run["pace"]] == ["2025-Q4"]
    assert run["pace"][0]["asOf"] == "2025-10-10"
    bookings = next(r for r in run["inputs"] if r["tab"] == "Bookings")
    roles = {c["header"]: c["role"] for c in bookings["columns"]}
    assert roles["Amount in company currency"] == "amount"
    assert bookings["rowsCounted"] == 10
    assert {lo["reason"] for lo in bookings["leftOut"]} >= {"lost: Closed Lost"}

    # The override reaches the reader: asked for the raw Amount, it counts that column, and
    # the 50,000 CAD deal (no Rates tab) is refused instead of added as if it were USD.
    raw = classify(client, "hubspot", options={"asOf": "2025-10-10", "amountColumn": "Amount"})
    run = raw["data"]["classifyQuarter"]
    first = next(v for v in run["verdicts"] if v["quarter"] == "2025-Q1")
    assert first["bookings"] == 42_000 + 24_500 + 38_000
    assert any("CAD" in i["message"] for i in run["issues"])


def test_the_quarter_in_progress_when_asked_for(client: AsgiClient) -> None:
    answer = classify(client, SHEET, quarter="2025-Q4", options={"asOf": "2025-11-20"})
    run = answer["data"]["classifyQuarter"]
    assert run["inQuarter"] is True
    assert all(v["inProgress"] for v in run["current"])
    assert run["pace"][0]["group"] is None
    assert 0 < run["pace"][0]["elapsed"] < 1


def test_invalid_new_options_are_bad_input(client: AsgiClient) -> None:
    answer = classify(client, SHEET, options={"asOf": "next Tuesday"})
    assert answer["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "asOf" in answer["errors"][0]["message"]
    answer = classify(client, SHEET, options={"dateColumn": "Signed On"})
    assert answer["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "Signed On" in answer["errors"][0]["message"]


def test_a_refused_run_delivers_its_first_50_issues(client: AsgiClient) -> None:
    answer = classify(client, "broken")
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert "60 rows were rejected" in error["message"]
    issues = error["extensions"]["issues"]
    assert len(issues) == 50
    assert error["extensions"]["issueCount"] == 60
    assert issues[0] == {
        "tab": "Bookings",
        "row": 2,
        "column": "Bookings",
        "value": "#REF!",
        "message": issues[0]["message"],
        "severity": "ERROR",
        "cell": "C2",
    }
    assert "#REF!" in issues[0]["message"]
    assert [i["row"] for i in issues] == list(range(2, 52))


def test_a_refusal_before_any_row_was_read_has_no_issues(client: AsgiClient) -> None:
    answer = post(client, documents.CLASSIFY, {"spreadsheetId": SHEET, "quarter": "2035-Q1"})
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    # The demo's broken cells come with the refusal of an unknown quarter too.
    assert any("#REF!" in i["value"] for i in error["extensions"]["issues"] if i["value"])
    unauthorised = post(client, documents.CLASSIFY, {"spreadsheetId": "nope"}, headers=ANA)
    assert "issues" not in unauthorised["errors"][0]["extensions"]
