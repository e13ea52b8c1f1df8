"""Who may call: bearer tokens, sharing roles, service-account JWT login, ID tokens."""

from __future__ import annotations

import time
from typing import Any

import gspread
import httpx
import pytest
from google.auth import exceptions as auth_exceptions
from google.auth import jwt
from google.auth.transport.requests import Request
from google.oauth2 import id_token, service_account

from tests.emulator.conftest import ANA, ANA_TOKEN, BO, BO_TOKEN
from tests.support.emulator import EmulatorHandle

SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]
ROBOT = "robot@sales-verdicts.iam.gserviceaccount.com"


def _api_error(call: Any) -> dict[str, Any]:
    with pytest.raises(gspread.exceptions.APIError) as caught:
        call()
    error: dict[str, Any] = dict(caught.value.error)
    return error


def test_no_token_is_401_unauthenticated(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Private", {})
    error = _api_error(lambda: emulator.gspread_client(None).open_by_key(sid))
    assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")
    assert error["message"].startswith("Request is missing required authentication credential.")
    assert error["details"][0]["reason"] == "CREDENTIALS_MISSING"


def test_unknown_token_is_401_and_never_logged(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Private", {})
    error = _api_error(lambda: emulator.gspread_client("not-a-real-token").open_by_key(sid))
    assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")
    assert error["message"].startswith("Request had invalid authentication credentials.")
    assert "not-a-real-token" not in str(emulator.request_log())


def test_other_user_gets_403_and_unknown_spreadsheet_404(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Private", {})
    session = emulator.session(BO_TOKEN)
    answer = session.get(f"https://sheets.googleapis.com/v4/spreadsheets/{sid}")
    assert answer.status_code == 403
    assert answer.json() == {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }
    missing = session.get("https://sheets.googleapis.com/v4/spreadsheets/no-such-id")
    assert missing.json() == {
        "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    }


@pytest.mark.parametrize("role", ["reader", "commenter"])
def test_readers_and_commenters_cannot_write(emulator: EmulatorHandle, role: str) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Shared", {"Data": [["x"]]})
    emulator.state.share(sid, BO, role)
    sh = emulator.gspread_client(BO_TOKEN).open_by_key(sid)
    assert sh.sheet1.acell("A1").value == "x"
    error = _api_error(lambda: sh.batch_update({"requests": [{"addSheet": {}}]}))
    assert (error["code"], error["status"]) == (403, "PERMISSION_DENIED")
    assert emulator.state.values(sid, "Data") == [["x"]]


def test_drive_hides_files_the_caller_cannot_see(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Private", {})
    answer = emulator.session(BO_TOKEN).delete(f"https://www.googleapis.com/drive/v3/files/{sid}")
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["message"] == f"File not found: {sid}."
    assert error["errors"][0]["reason"] == "notFound"
    emulator.state.share(sid, BO, "writer")
    answer = emulator.session(BO_TOKEN).delete(f"https://www.googleapis.com/drive/v3/files/{sid}")
    assert answer.status_code == 403
    assert answer.json()["error"]["errors"][0]["reason"] == "insufficientFilePermissions"


def test_service_account_logs_in_with_a_jwt_at_the_token_endpoint(
    emulator: EmulatorHandle,
) -> None:
    info = emulator.service_account_info(ROBOT)
    credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        info, scopes=SCOPES
    )
    gc = gspread.Client(auth=None, session=emulator.authorized_session(credentials))  # type: ignore[arg-type]
    sh = gc.create("Made by the robot")
    assert credentials.token is not None
    assert credentials.token.startswith("ya29.")
    assert sh.list_permissions()[0]["emailAddress"] == ROBOT
    token_calls = [r for r in emulator.request_log() if r["path"] == "/token"]
    assert [(r["method"], r["status"], r["api"]) for r in token_calls] == [("POST", 200, "oauth")]


def test_a_jwt_signed_with_another_key_is_refused(emulator: EmulatorHandle) -> None:
    emulator.service_account_info(ROBOT)  # registers the robot's real key
    impostor = dict(emulator.service_account_info("someone@else.iam.gserviceaccount.com"))
    impostor["client_email"] = ROBOT
    credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        impostor, scopes=SCOPES
    )
    with pytest.raises(auth_exceptions.RefreshError, match="Invalid JWT Signature"):
        credentials.refresh(Request())


def _assertion(info: dict[str, str], **claims: Any) -> str:
    signer = service_account.Credentials.from_service_account_info(info).signer  # type: ignore[no-untyped-call]
    now = int(time.time())
    payload = {"iss": info["client_email"], "aud": info["token_uri"], "iat": now, "exp": now + 600}
    payload.update(claims)
    encoded: bytes = jwt.encode(signer, payload)  # type: ignore[no-untyped-call]
    return encoded.decode()


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"aud": "https://example.com/token"}, "Invalid JWT: Failed audience check."),
        ({"iat": 1_000, "exp": 1_600}, "Invalid JWT: Token must be a short-lived token"),
        ({"exp": int(time.time()) + 7200}, "Invalid JWT: Token must be a short-lived token"),
    ],
)
def test_token_endpoint_checks_audience_and_times(
    emulator: EmulatorHandle, claims: dict[str, Any], error: str
) -> None:
    info = emulator.service_account_info(ROBOT)
    answer = httpx.post(
        f"{emulator.url}/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": _assertion(info, **claims),
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert answer.json()["error_description"].startswith(error)


def test_unknown_grant_type(emulator: EmulatorHandle) -> None:
    answer = httpx.post(f"{emulator.url}/token", data={"grant_type": "password"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_id_tokens_verify_with_google_auth_against_the_certs_endpoint(
    emulator: EmulatorHandle,
) -> None:
    minted = httpx.post(
        f"{emulator.url}/_emulator/id-token",
        json={"email": ANA, "audience": "addon-client-id", "hd": "example.com"},
    ).json()["id_token"]
    claims = id_token.verify_token(
        minted,
        Request(),
        audience="addon-client-id",
        certs_url=f"{emulator.url}/oauth2/v1/certs",
    )
    assert claims["iss"] == "https://accounts.google.com"
    assert (claims["email"], claims["email_verified"], claims["hd"]) == (ANA, True, "example.com")
    with pytest.raises(ValueError, match="audience"):
        id_token.verify_token(
            minted, Request(), audience="other", certs_url=f"{emulator.url}/oauth2/v1/certs"
        )


def test_expired_id_token_is_refused(emulator: EmulatorHandle) -> None:
    minted = httpx.post(
        f"{emulator.url}/_emulator/id-token",
        json={"email": ANA, "audience": "aud", "expires_in": -3600},
    ).json()["id_token"]
    with pytest.raises(ValueError, match="expired"):
        id_token.verify_token(
            minted, Request(), audience="aud", certs_url=f"{emulator.url}/oauth2/v1/certs"
        )


def test_service_account_id_token_via_target_audience(emulator: EmulatorHandle) -> None:
    info = emulator.service_account_info(ROBOT)
    credentials = service_account.IDTokenCredentials.from_service_account_info(  # type: ignore[no-untyped-call]
        info, target_audience="https://backend.example.com"
    )
    credentials.refresh(Request())
    claims = id_token.verify_token(
        credentials.token,
        Request(),
        audience="https://backend.example.com",
        certs_url=f"{emulator.url}/oauth2/v1/certs",
    )
    assert claims["email"] == ROBOT


def test_tokens_registered_at_runtime(emulator: EmulatorHandle) -> None:
    answer = httpx.post(
        f"{emulator.url}/_emulator/tokens", json={"token": "fresh", "email": "cy@example.com"}
    )
    assert answer.status_code == 201
    sh = emulator.gspread_client("fresh").create("Cy's")
    assert sh.list_permissions()[0]["emailAddress"] == "cy@example.com"
    httpx.request("DELETE", f"{emulator.url}/_emulator/tokens", json={"token": "fresh"})
    error = _api_error(lambda: emulator.gspread_client("fresh").open_by_key(sh.id))
    assert error["code"] == 401
    assert emulator.gspread_client(ANA_TOKEN).create("still fine").title == "still fine"
