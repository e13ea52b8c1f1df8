"""A request without any token whose document or variables are wrong (an ``Int`` out of
range, an unknown enum value, an unknown fragment) is ``BAD_INPUT``, never ``INTERNAL``
with an ERROR traceback or a raw ``KeyError`` text (issue 13)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.api.test_hostile_input import client, post
from tests.support.asgi import AsgiClient

__all__ = ["client"]

# -- wrong documents and variables, no token --------------------------------------------------

WRONG: dict[str, tuple[str, dict[str, Any]]] = {
    "an Int variable out of range": (
        'query($n: Int!) { runs(spreadsheetId: "sheet-1", limit: $n) { id } }',
        {"n": 2**40},
    ),
    "an unknown enum value": (
        "mutation($o: ClassifyOptions) { classifyQuarter(spreadsheetId: "
        '"sheet-1", options: $o) { id } }',
        {"o": {"comparison": "NEXT_YEAR"}},
    ),
    "an unknown enum literal": (
        'mutation { classifyQuarter(spreadsheetId: "sheet-1", '
        "options: { comparison: NEXT_YEAR }) { id } }",
        {},
    ),
    "an unknown fragment": ('{ latestRun(spreadsheetId: "sheet-1") { ...Nowhere } }', {}),
    "a fragment on an unknown type": (
        '{ latestRun(spreadsheetId: "sheet-1") { ...F } } fragment F on Nothing { id }',
        {},
    ),
    "a variable of an unknown type": (
        'query($x: Nope) { latestRun(spreadsheetId: "s") { id } }',
        {},
    ),
    "a null for a non-null variable": (
        'query($n: Int!) { runs(spreadsheetId: "sheet-1", limit: $n) { id } }',
        {"n": None},
    ),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_a_wrong_document_or_variable_without_a_token_is_bad_input(
    client: AsgiClient, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    document, variables = WRONG[case]
    with caplog.at_level(logging.INFO):
        answer = post(client, document, variables, None)
    assert answer.get("data") is None, answer
    codes = {e["extensions"]["code"] for e in answer["errors"]}
    assert codes == {"BAD_INPUT"}, answer
    for error in answer["errors"]:
        assert "KeyError" not in error["message"]
        assert not error["message"].startswith("'"), error
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records
    ]


def test_the_document_s_fault_says_so_in_its_reason(client: AsgiClient) -> None:
    unknown_fragment = post(client, *WRONG["an unknown fragment"], None)
    assert unknown_fragment["errors"][0]["extensions"]["reason"] == "INVALID_QUERY"
    out_of_range = post(client, *WRONG["an Int variable out of range"], None)
    assert out_of_range["errors"][0]["extensions"]["reason"] == "INVALID_VARIABLES"
