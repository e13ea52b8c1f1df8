"""Service-account mode over HTTP: who may call (ID token, audience, domain) and what they see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.api import documents
from tests.support.backend import (
    AUDIENCE,
    OWNER,
    SERVICE_ACCOUNT,
    Stack,
    demo_tabs,
    id_token,
    seed,
    service_account_backend,
    share,
)

pytestmark = pytest.mark.e2e

ANA = "ana@example.com"
BEN = "ben@example.com"


@pytest.fixture(scope="module")
def sa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with service_account_backend(tmp_path_factory.mktemp("sa")) as running:
        yield running


@pytest.fixture(scope="module")
def shared(sa: Stack) -> str:
    sheet = seed(sa.emulator.url, demo_tabs())
    share(sa.emulator.url, sheet, SERVICE_ACCOUNT)
    return sheet


def call(stack: Stack, query: str, variables: dict[str, Any], bearer: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    body: dict[str, Any] = httpx.post(
        stack.graphql, json={"query": query, "variables": variables}, headers=headers, timeout=60
    ).json()
    return body


def code_of(answer: dict[str, Any]) -> str | None:
    errors = answer.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


def test_an_allowed_colleague_classifies_and_sees_only_their_own_runs(
    sa: Stack, shared: str
) -> None:
    ana = call(sa, documents.CLASSIFY, {"spreadsheetId": shared}, id_token(sa, ANA))
    assert code_of(ana) is None, ana
    run_id = ana["data"]["classifyQuarter"]["id"]
    mine = call(sa, documents.LATEST_RUN, {"spreadsheetId": shared}, id_token(sa, ANA))
    assert mine["data"]["latestRun"]["id"] == run_id
    theirs = call(sa, documents.LATEST_RUN, {"spreadsheetId": shared}, id_token(sa, BEN))
    assert code_of(theirs) is None
    assert theirs["data"]["latestRun"] is None
    listed = call(sa, documents.RUNS, {"spreadsheetId": shared, "limit": 10}, id_token(sa, BEN))
    assert listed["data"]["runs"] == []


@pytest.mark.parametrize(
    ("who", "audience", "code"),
    [
        ("mallory@evil.example", AUDIENCE, "FORBIDDEN"),
        (ANA, "another-client.apps.googleusercontent.com", "UNAUTHENTICATED"),
    ],
)
def test_callers_outside_the_audience_or_the_domains_are_refused(
    sa: Stack, shared: str, who: str, audience: str, code: str
) -> None:
    token = id_token(sa, who, audience=audience)
    answer = call(sa, documents.CLASSIFY, {"spreadsheetId": shared}, token)
    assert code_of(answer) == code
    assert token not in answer["errors"][0]["message"]


@pytest.mark.parametrize("bearer", [None, OWNER, "not.a.jwt", "a" * 40])
def test_anything_but_a_google_id_token_is_unauthenticated(
    sa: Stack, shared: str, bearer: str | None
) -> None:
    answer = call(sa, documents.CLASSIFY, {"spreadsheetId": shared}, bearer)
    assert code_of(answer) == "UNAUTHENTICATED"


def test_a_sheet_not_shared_with_the_service_account_is_forbidden(sa: Stack) -> None:
    private = seed(sa.emulator.url, demo_tabs())
    answer = call(sa, documents.CLASSIFY, {"spreadsheetId": private}, id_token(sa, ANA))
    assert code_of(answer) == "FORBIDDEN"
    assert SERVICE_ACCOUNT in answer["errors"][0]["message"]
