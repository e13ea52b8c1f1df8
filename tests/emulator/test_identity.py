"""Who is behind a token, asked the way the backend asks Google: userinfo and tokeninfo, at
the paths Google serves them, reached through the adapter's host rewriting."""

from __future__ import annotations

import time

import httpx
import pytest
import requests
from google.oauth2 import service_account

from sheets_adapter.transport import redirect
from sheets_emulator.state import subject_id
from tests.emulator.conftest import ANA, ANA_TOKEN
from tests.support.emulator import EmulatorHandle

USERINFO = "https://www.googleapis.com/oauth2/v3/userinfo"
TOKENINFOS = (
    "https://oauth2.googleapis.com/tokeninfo",
    "https://www.googleapis.com/oauth2/v3/tokeninfo",
)
ROBOT = "robot@sales-verdicts.iam.gserviceaccount.com"


def test_userinfo_names_the_account_behind_the_token(emulator: EmulatorHandle) -> None:
    url = redirect(USERINFO, emulator.url)
    assert url == f"{emulator.url}/oauth2/v3/userinfo"
    answer = requests.get(url, headers={"Authorization": f"Bearer {ANA_TOKEN}"}, timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"sub": subject_id(ANA), "email": ANA, "email_verified": True}
    assert answer.json()["sub"].isdigit()
    by_query = httpx.get(url, params={"access_token": ANA_TOKEN})
    assert by_query.json()["email"] == ANA
    entry = emulator.request_log()[-1]
    assert (entry["path"], entry["api"], entry["caller"], entry["status"]) == (
        "/oauth2/v3/userinfo",
        "oauth",
        ANA,
        200,
    )
    assert by_query.status_code == 200
    assert ANA_TOKEN not in str(emulator.request_log())
    assert emulator.request_log()[-1]["query"] == "access_token=REDACTED"


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_userinfo_refuses_a_bad_token_as_google_does(
    emulator: EmulatorHandle, header: str | None
) -> None:
    answer = httpx.get(
        f"{emulator.url}/oauth2/v3/userinfo",
        headers={"Authorization": header} if header else {},
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_request", "error_description": "Invalid Credentials"}
    assert answer.headers["www-authenticate"].startswith(
        'Bearer realm="https://accounts.google.com/"'
    )


def test_expired_tokens_are_refused(emulator: EmulatorHandle) -> None:
    emulator.state.add_token("short", ANA, expires_in=-1)
    answer = httpx.get(
        f"{emulator.url}/oauth2/v3/userinfo", headers={"Authorization": "Bearer short"}
    )
    assert answer.status_code == 401
    info = httpx.get(f"{emulator.url}/tokeninfo", params={"access_token": "short"})
    assert info.status_code == 400


def test_without_the_email_scope_there_is_no_email(emulator: EmulatorHandle) -> None:
    added = httpx.post(
        f"{emulator.url}/_emulator/tokens",
        json={
            "token": "narrow",
            "email": "cy@example.com",
            "scope": "https://www.googleapis.com/auth/spreadsheets",
        },
    )
    assert added.status_code == 201
    answer = httpx.get(
        f"{emulator.url}/oauth2/v3/userinfo", headers={"Authorization": "Bearer narrow"}
    )
    assert answer.json() == {"sub": subject_id("cy@example.com")}
    info = httpx.get(f"{emulator.url}/tokeninfo", params={"access_token": "narrow"}).json()
    assert "email" not in info
    assert info["scope"] == "https://www.googleapis.com/auth/spreadsheets"


@pytest.mark.parametrize("google_url", TOKENINFOS)
def test_tokeninfo_answers_like_googles_v3_endpoint(
    emulator: EmulatorHandle, google_url: str
) -> None:
    emulator.state.add_token("hour", ANA, expires_in=3600)
    url = redirect(f"{google_url}?access_token=hour", emulator.url)
    assert url.startswith(emulator.url)
    info = requests.get(url, timeout=10).json()
    assert set(info) == {
        "azp",
        "aud",
        "sub",
        "scope",
        "exp",
        "expires_in",
        "email",
        "email_verified",
        "access_type",
    }
    assert (info["email"], info["email_verified"], info["sub"]) == (ANA, "true", subject_id(ANA))
    assert info["azp"] == info["aud"]
    assert "https://www.googleapis.com/auth/userinfo.email" in info["scope"].split()
    assert 3590 <= int(info["expires_in"]) <= 3600
    assert abs(int(info["exp"]) - (time.time() + 3600)) < 10
    posted = httpx.post(redirect(google_url, emulator.url), data={"access_token": "hour"})
    assert posted.json()["email"] == ANA


@pytest.mark.parametrize("params", [{}, {"access_token": "nope"}, {"id_token": "a.b.c"}])
def test_tokeninfo_refuses_a_bad_token(emulator: EmulatorHandle, params: dict[str, str]) -> None:
    answer = httpx.get(f"{emulator.url}/tokeninfo", params=params)
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_token", "error_description": "Invalid Value"}


def test_tokeninfo_of_an_id_token(emulator: EmulatorHandle) -> None:
    token = httpx.post(
        f"{emulator.url}/_emulator/id-token",
        json={"email": ANA, "audience": "https://backend.example", "hd": "example.com"},
    ).json()["id_token"]
    info = httpx.get(f"{emulator.url}/oauth2/v3/tokeninfo", params={"id_token": token}).json()
    assert (info["email"], info["aud"], info["hd"], info["email_verified"]) == (
        ANA,
        "https://backend.example",
        "example.com",
        "true",
    )
    assert info["iss"] == "https://accounts.google.com"


def test_a_service_account_token_shows_its_own_scopes(emulator: EmulatorHandle) -> None:
    info = emulator.service_account_info(ROBOT)
    scopes = ["https://www.googleapis.com/auth/spreadsheets"]
    credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
        info, scopes=scopes
    )
    session = emulator.authorized_session(credentials)
    answer = session.get(USERINFO, timeout=10)
    assert answer.json() == {"sub": subject_id(ROBOT)}
    token = credentials.token
    details = httpx.get(f"{emulator.url}/tokeninfo", params={"access_token": token}).json()
    assert details["scope"] == scopes[0]
    assert details["sub"] == subject_id(ROBOT)
