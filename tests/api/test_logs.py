"""Credentials are scrubbed from every log line; ordinary log text is left alone."""

from __future__ import annotations

import logging

import pytest

from server.logs import REDACTED, RedactSecrets, log_config, redact

SECRET = "ya29.a0AfB_byC9-secret-0123456789"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6ImFAYi5jIn0.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (f'"GET /graphql?access_token={SECRET}&query=x HTTP/1.1" 200', "&query=x HTTP/1.1"),
        (f"Authorization: Bearer {SECRET}", "Authorization: Bearer "),
        ("authorization: bearer opaque-token-1234, next", ", next"),
        (f"refused {SECRET} for sheet 1AbC", "for sheet 1AbC"),
        (f"id_token={JWT}", "id_token="),
        (f"assertion {JWT} sent", " sent"),
        ("grant_type=jwt&assertion=abc.def.ghi", "grant_type=jwt&assertion="),
        ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- done", " done"),
    ],
)
def test_credentials_are_redacted(line: str, kept: str) -> None:
    scrubbed = redact(line)
    assert REDACTED in scrubbed
    assert kept in scrubbed
    for secret in (SECRET, JWT, "opaque-token-1234", "abc.def.ghi", "MIIE"):
        assert secret not in scrubbed


@pytest.mark.parametrize(
    "line",
    [
        "request=5f2c graphql error code=NOT_FOUND: Spreadsheet 1XCQg does not exist",
        "max_tokens=2000 max_depth=10",
        '"GET /v4/spreadsheets/142lHEifdVuK_8PanwPeyJ?includeGridData=false HTTP/1.1" 200',
        "classified 2025-Q4 for analyst@example.com in 0.41 s",
    ],
)
def test_ordinary_lines_are_kept(line: str) -> None:
    assert redact(line) == line


def test_the_filter_scrubs_arguments_and_tracebacks() -> None:
    try:
        raise RuntimeError(f"upstream said Bearer {SECRET}")
    except RuntimeError as err:
        record = logging.LogRecord(
            "server", logging.ERROR, __file__, 1, "token %s for %s", (SECRET, "ana"), None
        )
        record.exc_info = (type(err), err, err.__traceback__)
    assert RedactSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert SECRET not in text
    assert "for ana" in text
    assert "RuntimeError" in text


def test_every_handler_of_the_server_config_redacts() -> None:
    config = log_config("debug")
    assert config["root"]["level"] == "DEBUG"
    for handler in config["handlers"].values():
        assert "redact" in handler["filters"]
