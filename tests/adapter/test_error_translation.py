"""Google's answers become the adapter's exceptions once, with actionable messages.

The answers here are the real API's bodies (from ``tests/emulator/recordings/``);
the same mapping runs over HTTP against the emulator in ``test_adapter_emulator``.
"""

from __future__ import annotations

import json
import random
from typing import Any

import gspread
import pytest
import requests

from sheets_adapter.calls import ApiCaller, RangeNotFound
from sheets_adapter.config import SheetsSettings
from sheets_adapter.errors import (
    BadRequest,
    GoogleSheetsError,
    PermissionDenied,
    RateLimited,
    SpreadsheetNotFound,
    Unauthenticated,
    UpstreamUnavailable,
)
from sheets_adapter.port import ServiceAccountAuth, UserToken
from sheets_adapter.retry import Exhausted, Retrier, Transient

TOKEN = UserToken("ya29.secret-token-value")


def api_error(
    status: int, body: Any, headers: dict[str, str] | None = None
) -> gspread.exceptions.APIError:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers.update(headers or {})
    return gspread.exceptions.APIError(response)


def google(status: int, message: str, state: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": state}}


@pytest.fixture
def caller() -> ApiCaller:
    return ApiCaller(SheetsSettings(), Retrier(rng=random.Random(1)))


def translate(
    caller: ApiCaller, err: gspread.exceptions.APIError, action: str = "read"
) -> Exception:
    return caller._api_error(err, "sheet-1", TOKEN, action)


def test_404_403_401(caller: ApiCaller) -> None:
    err = translate(
        caller, api_error(404, google(404, "Requested entity was not found.", "NOT_FOUND"))
    )
    assert isinstance(err, SpreadsheetNotFound)
    assert "sheet-1" in str(err)
    assert "/d/" in str(err)
    err = translate(
        caller,
        api_error(403, google(403, "The caller does not have permission", "PERMISSION_DENIED")),
    )
    assert isinstance(err, PermissionDenied)
    assert "share" in str(err).lower()
    err = translate(
        caller,
        api_error(403, google(403, "The caller does not have permission", "PERMISSION_DENIED")),
        "write",
    )
    assert "not edit" in str(err)
    err = translate(
        caller,
        api_error(
            401, google(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
        ),
    )
    assert isinstance(err, Unauthenticated)
    for e in (err,):
        assert TOKEN.access_token not in str(e)
        assert TOKEN.access_token not in repr(e)


def test_other_400s_carry_googles_message(caller: ApiCaller) -> None:
    message = (
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document."
    )
    err = translate(caller, api_error(400, google(400, message, "INVALID_ARGUMENT")), "write")
    assert isinstance(err, BadRequest)
    assert message in str(err)
    err = translate(
        caller, api_error(400, google(400, "Unable to parse range: 'Gone'", "INVALID_ARGUMENT"))
    )
    assert isinstance(err, RangeNotFound)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(caller: ApiCaller, status: int) -> None:
    err = translate(caller, api_error(status, "<html>proxy error</html>", {"Retry-After": "2"}))
    assert isinstance(err, Transient)
    assert err.status == status
    assert err.retry_after == 2.0


def test_a_quota_403_is_a_rate_limit(caller: ApiCaller) -> None:
    body = {
        "error": {
            "code": 403,
            "message": "Rate Limit Exceeded",
            "errors": [{"reason": "rateLimitExceeded"}],
        }
    }
    err = translate(caller, api_error(403, body))
    assert isinstance(err, Transient)
    assert err.status == 429


def test_giving_up_names_the_cause(caller: ApiCaller) -> None:
    limited = caller._exhausted(Exhausted(Transient(429, "HTTP 429"), 6, 19.5), "sheet-1")
    assert isinstance(limited, RateLimited)
    assert "6 attempts" in str(limited)
    assert limited.spreadsheet_id == "sheet-1"
    down = caller._exhausted(Exhausted(Transient(None, "ReadTimeout"), 3, 20.0), "sheet-1")
    assert isinstance(down, UpstreamUnavailable)
    assert "ReadTimeout" in str(down)
    waited = caller._exhausted(Exhausted(Transient(503, "HTTP 503", 120.0), 1, 0.1, True), "s")
    assert "120 s" in str(waited)
    quota = Transient(429, "HTTP 429")
    cut = Exhausted(Transient(None, "ReadTimeout"), 18, 0.6, last_answer=quota, cut_short=True)
    limited_then_cut = caller._exhausted(cut, "sheet-1")
    assert isinstance(limited_then_cut, RateLimited)
    assert "HTTP 429, then ReadTimeout as the time ran out" in str(limited_then_cut)


def test_service_account_mode_without_a_key_file_is_a_config_error(caller: ApiCaller) -> None:
    with pytest.raises(GoogleSheetsError.__mro__[1]):  # SheetsError
        caller.identity(ServiceAccountAuth("x@example.com"))


def test_an_empty_user_token_is_unauthenticated(caller: ApiCaller) -> None:
    with pytest.raises(Unauthenticated):
        caller.identity(UserToken(""))
