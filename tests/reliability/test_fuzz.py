"""API fuzzing: schemathesis reads the live server's schema (introspection over HTTP) and
generates queries and mutations for every operation (``classifyQuarter``, ``latestRun``,
``runs``); each one is sent to the running server: no answer may be a 5xx or carry
``INTERNAL``, and every answer must keep the schema's contract (schemathesis's response
checks: a JSON GraphQL answer, no null in a non-null field).

A third of the generated calls are pointed at a real spreadsheet the caller owns, so the
fuzzer reaches the classification and the history as well as the not-found paths.

(schemathesis's pytest plugin cannot resolve a lazy schema under pytest 9, so the test
draws from each operation's hypothesis strategy itself.)
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis import Case
from schemathesis.schemas import BaseSchema

from server.cli.demo_data import demo_tabs
from tests.reliability.conftest import PROFILE, Tally, trials
from tests.support.backend import OWNER, Stack, seed

pytestmark = pytest.mark.e2e

EXAMPLES = trials(100, 400)  # per operation
OPERATIONS = ["Mutation.classifyQuarter", "Query.latestRun", "Query.runs"]
AUTH = {"Authorization": f"Bearer {OWNER}"}


@pytest.fixture(scope="module")
def demo_sheet(stack: Stack) -> str:
    return seed(stack.emulator.url, demo_tabs())


@pytest.fixture(scope="module")
def live_schema(stack: Stack) -> BaseSchema:
    return schemathesis.graphql.from_url(stack.graphql, headers=AUTH)


def test_the_live_schema_has_every_operation(live_schema: BaseSchema) -> None:
    labels = {result.ok().label for result in live_schema.get_all_operations()}  # type: ignore[union-attr]
    assert set(OPERATIONS) <= labels, labels


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_generated_request_gets_a_5xx_or_an_internal_error(
    label: str, live_schema: BaseSchema, demo_sheet: str, tally: Tally
) -> None:
    operation = live_schema.find_operation_by_label(label)
    assert operation is not None, label
    sent: list[str] = []

    @settings(PROFILE, max_examples=EXAMPLES)
    @given(case=operation.as_strategy())
    def fuzz(case: Case[Any]) -> None:
        if isinstance(case.body, str) and zlib.crc32(case.body.encode()) % 3 == 0:
            case.body = with_spreadsheet(case.body, demo_sheet)
        response = case.call(headers=AUTH, timeout=60)
        sent.append(str(case.body))
        tally.count("api_fuzzing", "tried")
        tally.count("api_fuzzing", f"tried_{label}")
        if response.status_code >= 500:
            tally.count("api_fuzzing", "server_errors")
        assert response.status_code < 500, (case.body, response.text)
        body = response.json()
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        if "INTERNAL" in codes:
            tally.count("api_fuzzing", "internal_errors")
        assert "INTERNAL" not in codes, (case.body, body)
        outcome = (
            "answered_with_data" if body.get("data") else f"refused_{codes[0] if codes else ''}"
        )
        tally.count("api_fuzzing", outcome)
        # schemathesis's contract checks: JSON, a GraphQL answer, no null in a non-null field
        # (its not_a_server_error check counts every coded error as a failure, so it is left out)
        live_schema.validate_response(operation, response, case=case)

    fuzz()
    assert len(sent) >= EXAMPLES, f"{label}: only {len(sent)} requests were generated"
    assert any(demo_sheet in body for body in sent), "some calls reached a real spreadsheet"


def with_spreadsheet(query: str, spreadsheet_id: str) -> str:
    """The generated document, its first ``spreadsheetId`` argument set to ``spreadsheet_id``."""
    return re.sub(
        r'spreadsheetId:\s*"(?:[^"\\]|\\.)*"',
        f'spreadsheetId: "{spreadsheet_id}"',
        query,
        count=1,
    )
