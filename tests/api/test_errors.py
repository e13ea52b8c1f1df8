"""Unexpected failures are masked for the caller and logged, with one request id for both."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from typing_extensions import override

from server.api import documents
from server.api.auth import UserTokenAuthenticator
from server.api.context import Context
from server.api.schema import build_schema
from server.service import ClassificationService
from server.store.memory import MemoryRunStore
from server.store.port import RunRecord
from tests.support.fakes import FakeSheets


class BrokenStore(MemoryRunStore):
    @override
    def latest(self, spreadsheet_id: str, *, caller: str | None = None) -> RunRecord | None:
        raise RuntimeError("connection string postgresql://admin:hunter2@db")


def execute(service: ClassificationService, query: str, variables: dict[str, Any]) -> Any:
    context = Context(
        service=service,
        authenticator=UserTokenAuthenticator(),
        authorization="Bearer token-ana",
        request_id="rq-1234",
    )
    return asyncio.run(
        build_schema().execute(query, variable_values=variables, context_value=context)
    )


def test_a_bug_is_masked_for_the_caller_and_logged_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sheets = FakeSheets()
    sheets.add("sheet-1", {"Plan": [], "Bookings": []}, "token-ana")
    service = ClassificationService(sheets, BrokenStore())
    with caplog.at_level(logging.INFO, logger="server.api"):
        result = execute(service, documents.LATEST_RUN, {"spreadsheetId": "sheet-1"})
    error = result.errors[0]
    assert error.extensions == {"code": "INTERNAL", "requestId": "rq-1234"}
    assert "rq-1234" in error.message
    assert "hunter2" not in error.message
    logged = [r for r in caplog.records if "rq-1234" in r.getMessage()]
    assert logged, "the failure was logged with the request id"
    assert logged[0].exc_info is not None  # with its traceback, for the developers


def test_expected_failures_keep_their_code_and_message() -> None:
    service = ClassificationService(FakeSheets(), MemoryRunStore())
    result = execute(service, documents.CLASSIFY, {"spreadsheetId": "missing-sheet"})
    error = result.errors[0]
    assert error.extensions == {"code": "NOT_FOUND"}
    assert "missing-sheet" in error.message


def test_the_caller_token_is_never_in_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    service = ClassificationService(FakeSheets(), MemoryRunStore())
    with caplog.at_level(logging.DEBUG):
        execute(service, documents.CLASSIFY, {"spreadsheetId": "missing-sheet"})
    assert caplog.records
    assert all("token-ana" not in r.getMessage() for r in caplog.records)
