"""Caller input that is long or multi-line, in process (issue 13).

What a caller sent is echoed in messages and logs quoted, shortened and with control
characters escaped: a huge id is not a huge log line, a newline cannot forge one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from server.api import documents
from server.api.app import create_app
from server.cli.demo_data import demo_tabs
from server.config import Settings
from server.store import open_store
from tests.support.asgi import AsgiClient, asgi_client
from tests.support.fakes import FakeSheets

SHEET = "sheet-1"
ANA = {"Authorization": "Bearer token-ana"}
FORGED = "\n2026-12-01 12:00:00 INFO server.api: request=admin granted"
HUGE = "x" * 300_000


@pytest.fixture
def client() -> Iterator[AsgiClient]:
    sheets = FakeSheets()
    sheets.add(SHEET, demo_tabs(), "token-ana")
    app = create_app(
        Settings(database_url="memory://", max_body_bytes=4_000_000),
        sheets_factory=lambda _: sheets,
        store_factory=open_store,
    )
    with asgi_client(app) as running:
        yield running


def post(
    client: AsgiClient, document: str, variables: dict[str, Any], headers: dict[str, str] | None
) -> dict[str, Any]:
    response = client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers or {}
    )
    assert response.status_code == 200, response.text[:300]
    answer: dict[str, Any] = response.json()
    return answer


CLASSIFY_WITH = """
mutation($id: ID!, $quarter: String, $options: ClassifyOptions) {
  classifyQuarter(spreadsheetId: $id, quarter: $quarter, options: $options) { id }
}
"""

HOSTILE: dict[str, dict[str, Any]] = {
    "quarter": {"id": SHEET, "quarter": "2025-Q9" + FORGED + HUGE},
    "plan tab": {"id": SHEET, "options": {"planTab": "Plan" + FORGED + HUGE}},
    "summary tab": {"id": SHEET, "options": {"summaryTab": "S" + FORGED + HUGE}},
    "group by": {"id": SHEET, "options": {"groupBy": ["Region" + FORGED + "y" * 150]}},
    "spreadsheet id": {"id": "1Ab" + FORGED + HUGE},
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_caller_input_is_echoed_short_and_on_one_line(
    client: AsgiClient, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        answer = post(client, CLASSIFY_WITH, HOSTILE[case], ANA)
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "BAD_INPUT", error
    message = error["message"]
    assert len(message) < 600, f"{case}: a {len(message):,}-character message"
    assert "\n" not in message, message
    assert "\r" not in message, message
    assert "request=admin granted" not in message or "\\n" in message, message
    for record in caplog.records:
        line = record.getMessage()
        assert len(line) < 2_000, f"{case}: a {len(line):,}-character log line"
        assert "\n2026-12-01" not in line, f"{case}: a forged log line: {line[:200]!r}"


def test_a_quarter_asked_of_a_stored_run_is_echoed_short(client: AsgiClient) -> None:
    post(client, documents.CLASSIFY, {"spreadsheetId": SHEET}, ANA)
    answer = post(
        client,
        'query($q: String) { latestRun(spreadsheetId: "sheet-1") { verdicts(quarter: $q) '
        "{ quarter } } }",
        {"q": "Q9" + FORGED + HUGE},
        ANA,
    )
    message = answer["errors"][0]["message"]
    assert answer["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert len(message) < 600, message[:300]
    assert "\n" not in message, message[:300]
