"""The add-on under Node against the real backend: ``sales-verdicts emulator`` and
``sales-verdicts serve`` as processes, spreadsheets seeded with gspread, and the
add-on's UrlFetchApp making real HTTP calls. Every error code is provoked for real."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.cli import demo_data
from tests.addon.harness import AddonRunner, Outcome, settings_properties
from tests.support.backend import (
    OTHER,
    OWNER,
    Stack,
    backend,
    demo_tabs,
    seed,
)

pytestmark = [pytest.mark.node, pytest.mark.e2e]

LABELS = {"BEAT": "Beat", "SOFT_MISS": "Soft Miss", "HARD_MISS": "Hard Miss"}
LATEST = """
query Latest($spreadsheetId: ID!) {
  latestRun(spreadsheetId: $spreadsheetId) {
    id quarter summaryTab
    current { group quarter verdict flags }
  }
}
"""


def quarter_label(index: int) -> str:
    year, q = demo_data.QUARTERS[index]
    return f"{year}-Q{q}"


def expected_total_verdict(index: int) -> str:
    """The company total's verdict, worked from demo_data's hand-made table with the rules
    of docs/rules.md §1 (the rejected "#REF!" and "TBD" deals are not in the table)."""
    plan = sum(demo_data.PLAN_K[r][index] for r in demo_data.REGIONS)
    booked = sum(demo_data.BOOKED_K[r][index] for r in demo_data.REGIONS)
    baseline = sum(demo_data.BOOKED_K[r][index - 1] for r in demo_data.REGIONS)
    if booked >= plan:
        return "BEAT"
    return "SOFT_MISS" if booked > baseline else "HARD_MISS"


def headline(quarter: str, verdict: str, flags: list[str]) -> str:
    text = f"Total {quarter}: {LABELS[verdict]}"
    if flags:
        text += " — " + ", ".join(f.lower().replace("_", " ") for f in flags)
    return text


def classify(
    addon: AddonRunner,
    stack: Stack,
    spreadsheet_id: str,
    *,
    token: str = OWNER,
    settings: dict[str, str] | None = None,
    steps: list[dict[str, Any]] | None = None,
    url: str | None = None,
) -> Outcome:
    return addon.run(
        [*(steps or []), {"call": "classifyQuarterFromMenu"}],
        spreadsheetId=spreadsheet_id,
        oauthToken=token,
        documentProperties=settings_properties(backendUrl=url or stack.graphql, **(settings or {})),
        sheetsApi={"url": stack.emulator.url, "token": OWNER},
    )


def assert_no_token_leaks(outcome: Outcome, stack: Stack) -> None:
    for secret in (OWNER, OTHER):
        assert secret not in outcome.raw, "a token reached what the user sees or the logs"
        assert secret not in stack.api.output(), "a token reached the backend's log"


def test_classify_quarter_toasts_the_totals_verdict_and_opens_the_summary(
    addon: AddonRunner, stack: Stack
) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    outcome = classify(addon, stack, spreadsheet_id)

    assert outcome.alerts == []
    latest = len(demo_data.QUARTERS) - 1
    quarter = quarter_label(latest)
    verdict = expected_total_verdict(latest)
    run = stack.query(LATEST, {"spreadsheetId": spreadsheet_id})["latestRun"]
    total = next(v for v in run["current"] if v["group"] is None)
    assert run["quarter"] == quarter
    assert total["verdict"] == verdict
    toast = outcome.toasts[-1]
    assert toast.splitlines()[0] == headline(quarter, verdict, total["flags"])
    assert "rejected" in toast, "the demo's broken cells are announced"
    assert outcome.record["activeSheet"] == run["summaryTab"] == "Summary"
    [fetch] = outcome.fetches
    assert fetch["status"] == 200
    assert fetch["token"] == "oauth"
    assert outcome.user_properties == {}
    assert_no_token_leaks(outcome, stack)


def start(addon: AddonRunner, stack: Stack, spreadsheet_id: str, quarter: str) -> dict[str, Any]:
    """The sidebar's Classify button with ``quarter`` picked from the list."""
    outcome = addon.run(
        [{"call": "startClassification", "args": [quarter]}],
        spreadsheetId=spreadsheet_id,
        oauthToken=OWNER,
        documentProperties=settings_properties(backendUrl=stack.graphql),
    )
    answer: dict[str, Any] = outcome.steps[0]["result"]
    return answer


def test_classify_a_quarter_picked_from_the_list(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    index = len(demo_data.QUARTERS) - 2
    answer = start(addon, stack, spreadsheet_id, quarter_label(index))
    assert answer["ok"] is True, answer
    run = answer["run"]
    assert run["status"] == "SUCCEEDED", "the demo is classified well within the 20 s wait"
    assert run["quarter"] == quarter_label(index)
    total = next(v for v in run["current"] if v["group"] is None)
    assert total["verdict"] == expected_total_verdict(index)


def test_the_sidebar_gets_the_latest_run(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    classify(addon, stack, spreadsheet_id)
    outcome = addon.run(
        [{"call": "getLatestRun"}],
        spreadsheetId=spreadsheet_id,
        oauthToken=OWNER,
        documentProperties=settings_properties(backendUrl=stack.graphql),
    )
    answer = outcome.steps[0]["result"]
    assert answer["ok"] is True
    ours = stack.query(LATEST, {"spreadsheetId": spreadsheet_id})["latestRun"]
    assert answer["run"]["id"] == ours["id"]
    assert [v["group"] for v in answer["run"]["current"]] == [v["group"] for v in ours["current"]]
    assert answer["run"]["issues"], "the demo has rejected cells"


def test_settings_are_saved_and_used(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs(plan_tab="Targets FY25"))
    # With the default settings the Plan tab is missing: the sentence names it.
    missing = classify(addon, stack, spreadsheet_id)
    alert = missing.only_alert()
    assert "A tab Sales Verdicts reads was not found" in alert
    assert "'Plan'" in alert, "the backend's detail names the missing tab"
    assert "Settings" in alert
    # Saved through the Settings dialog's server function, then used by Classify quarter.
    outcome = classify(
        addon,
        stack,
        spreadsheet_id,
        steps=[
            {
                "call": "saveSettings",
                "args": [{"planTab": "Targets FY25", "summaryTab": "Verdicts"}],
            }
        ],
    )
    assert outcome.steps[0]["result"]["ok"] is True
    assert outcome.alerts == []
    assert outcome.fetches[0]["variables"]["options"]["planTab"] == "Targets FY25"
    assert outcome.record["activeSheet"] == "Verdicts"
    assert outcome.toasts[-1].startswith("Total ")


def test_a_slow_answer_is_noted_in_the_toast(addon: AddonRunner, stack: Stack) -> None:
    """UrlFetchApp waits about a minute and Apps Script 6: a slow run says so. (The
    stand-in's clock moves 45 s on during the real call.)"""
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    began = time.monotonic()
    outcome = addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        spreadsheetId=spreadsheet_id,
        oauthToken=OWNER,
        documentProperties=settings_properties(backendUrl=stack.graphql),
        fetchDelayMs=45_000,
    )
    real = time.monotonic() - began  # the real call's own time is added to the 45 s
    assert outcome.alerts == []
    toast = outcome.toasts[-1]
    assert toast.startswith("Total ")
    took = re.search(r"That took (\d+) s", toast)
    assert took is not None, toast
    assert 45 <= int(took.group(1)) <= 45 + math.ceil(real)


# -- every error code, provoked for real ---------------------------------------------------


def test_unknown_token_is_unauthenticated(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    outcome = classify(addon, stack, spreadsheet_id, token="expired-or-revoked-token")
    alert = outcome.only_alert()
    assert "sign-in has expired or was refused" in alert
    assert "expired-or-revoked-token" not in outcome.raw


def test_another_users_spreadsheet_is_forbidden(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    outcome = classify(addon, stack, spreadsheet_id, token=OTHER)
    assert "edit access" in outcome.only_alert()
    assert_no_token_leaks(outcome, stack)


def test_unknown_spreadsheet_is_not_found(addon: AddonRunner, stack: Stack) -> None:
    outcome = classify(addon, stack, "1NoSuchSpreadsheet0000000000000000000000000")
    assert "cannot find this spreadsheet" in outcome.only_alert()


def test_a_quarter_without_bookings_is_bad_input(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    answer = start(addon, stack, spreadsheet_id, "2031-Q2")
    assert answer["ok"] is False
    assert "cannot be classified as it is" in answer["message"]
    assert "2031" in answer["message"], "the backend's message names the quarter"


def test_a_document_the_backend_rejects_says_versions_differ(
    addon: AddonRunner, stack: Stack
) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    # An add-on built against another version of the schema asks for a field that is gone.
    older = {"eval": "CLASSIFY_DOCUMENT = CLASSIFY_DOCUMENT.replace('summaryTab', 'summarySheet')"}
    outcome = classify(addon, stack, spreadsheet_id, steps=[older])
    alert = outcome.only_alert()
    assert "different versions" in alert
    assert "summarySheet" in alert


def test_a_wrong_path_on_the_backend_is_not_a_backend(addon: AddonRunner, stack: Stack) -> None:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    outcome = classify(addon, stack, spreadsheet_id, url=f"{stack.api.url}/graph")
    assert outcome.fetches[0]["status"] == 404
    assert "no Sales Verdicts backend" in outcome.only_alert()


@pytest.fixture(scope="module")
def faulty_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Google answering 429/5xx to everything, and a backend that gives up after 2 s."""
    with backend(
        tmp_path_factory.mktemp("faulty"),
        env={"SALES_VERDICTS_SHEETS_DEADLINE": "2"},
    ) as running:
        yield running


@pytest.mark.parametrize(
    ("status", "code_words"),
    [
        (429, "limiting how often"),
        (500, "did not answer in time"),
        (503, "did not answer in time"),
    ],
)
def test_google_failing_gives_rate_limited_or_upstream_unavailable(
    addon: AddonRunner, faulty_stack: Stack, status: int, code_words: str
) -> None:
    spreadsheet_id = seed(faulty_stack.emulator.url, demo_tabs())
    faulty_stack.faults(1.0, statuses=[status])
    try:
        outcome = addon.run(
            [{"call": "classifyQuarterFromMenu"}],
            spreadsheetId=spreadsheet_id,
            oauthToken=OWNER,
            documentProperties=settings_properties(backendUrl=faulty_stack.graphql),
        )
    finally:
        faulty_stack.faults(0.0)
    assert code_words in outcome.only_alert()


def test_a_broken_run_store_is_upstream_unavailable(addon: AddonRunner, tmp_path: Path) -> None:
    """The backend's own database failing is UPSTREAM_UNAVAILABLE too; the sentence covers it
    and the backend's detail says which."""
    # No coalescing: the second click must reach the (broken) store, not reuse the first run.
    with backend(tmp_path, env={"SALES_VERDICTS_COALESCE_SECONDS": "0"}) as own:
        spreadsheet_id = seed(own.emulator.url, demo_tabs())
        assert classify(addon, own, spreadsheet_id).alerts == []
        for path in tmp_path.glob("runs-*.sqlite3*"):
            if path.is_file():
                path.write_bytes(b"this is not a database" * 500)
        outcome = classify(addon, own, spreadsheet_id)
    alert = outcome.only_alert()
    assert "did not answer in time" in alert
    assert "run store" in alert
