"""Service-account mode over HTTP: who may call (ID token, audience, domain) and what they see.

The backend reads and writes every sheet shared with its service account, so it checks
the caller's own access in the sheet's Drive permissions (issue 13, SPEC 4.5): writer
(or owner) to classify, reader or better to read runs; a domain share counts for the
caller's e-mail domain, an ``anyone`` share for everyone. A caller without access gets
``FORBIDDEN`` and learns nothing of the sheet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.api import documents
from tests.support.backend import (
    AUDIENCE,
    OWNER,
    OWNER_EMAIL,
    SERVICE_ACCOUNT,
    Stack,
    demo_tabs,
    id_token,
    seed,
    service_account_backend,
    share,
    unshare,
)

pytestmark = pytest.mark.e2e

ANA = "ana@example.com"
BEN = "ben@example.com"


@pytest.fixture(scope="module")
def sa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with service_account_backend(tmp_path_factory.mktemp("sa")) as running:
        yield running


def new_sheet(sa: Stack, *shares: tuple[str | None, str, str]) -> str:
    """A sheet owned by OWNER_EMAIL, shared with the service account and ``(who, role,
    kind)``."""
    sheet = seed(sa.emulator.url, demo_tabs())
    share(sa.emulator.url, sheet, SERVICE_ACCOUNT)
    for who, role, kind in shares:
        share(sa.emulator.url, sheet, who, role=role, kind=kind)
    return sheet


@pytest.fixture(scope="module")
def shared(sa: Stack) -> str:
    """Shared with the service account, Ana (editor) and Ben (viewer)."""
    return new_sheet(sa, (ANA, "writer", "user"), (BEN, "reader", "user"))


def call(stack: Stack, query: str, variables: dict[str, Any], bearer: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    body: dict[str, Any] = httpx.post(
        stack.graphql, json={"query": query, "variables": variables}, headers=headers, timeout=60
    ).json()
    return body


def code_of(answer: dict[str, Any]) -> str | None:
    errors = answer.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


def test_an_editor_classifies_and_a_viewer_reads_the_runs(sa: Stack, shared: str) -> None:
    ana = call(sa, documents.CLASSIFY, {"spreadsheetId": shared}, id_token(sa, ANA))
    assert code_of(ana) is None, ana
    run_id = ana["data"]["classifyQuarter"]["id"]
    mine = call(sa, documents.LATEST_RUN, {"spreadsheetId": shared}, id_token(sa, ANA))
    assert mine["data"]["latestRun"]["id"] == run_id
    viewer = call(sa, documents.LATEST_RUN, {"spreadsheetId": shared}, id_token(sa, BEN))
    assert viewer["data"]["latestRun"]["id"] == run_id, "a viewer reads the runs"
    listed = call(sa, documents.RUNS, {"spreadsheetId": shared, "limit": 10}, id_token(sa, BEN))
    assert [r["id"] for r in listed["data"]["runs"]] == [run_id]


def test_a_viewer_cannot_classify(sa: Stack, shared: str) -> None:
    answer = call(sa, documents.CLASSIFY, {"spreadsheetId": shared}, id_token(sa, BEN))
    assert code_of(answer) == "FORBIDDEN", answer
    assert "edit" in answer["errors"][0]["message"]


def test_a_colleague_without_access_learns_nothing_of_the_sheet(sa: Stack) -> None:
    sheet = new_sheet(sa)  # shared with the service account only
    before = sa.stored(sheet)["values"]
    for document, variables in (
        (documents.CLASSIFY, {"spreadsheetId": sheet}),
        (documents.LATEST_RUN, {"spreadsheetId": sheet}),
        (documents.RUNS, {"spreadsheetId": sheet, "limit": 5}),
    ):
        answer = call(sa, document, variables, id_token(sa, ANA))
        assert code_of(answer) == "FORBIDDEN", answer
        assert not any((answer.get("data") or {}).values()), answer
        text = str(answer)
        for secret in ("980000", "AMER", "EMEA", "Add-on test", "Plan", "Bookings"):
            assert secret not in text, secret
    assert sa.stored(sheet)["values"] == before, "no Summary was written for her"
    owner = call(sa, documents.CLASSIFY, {"spreadsheetId": sheet}, id_token(sa, OWNER_EMAIL))
    assert code_of(owner) is None, "its owner classifies it"


@pytest.mark.parametrize(
    ("grant", "classifies", "reads"),
    [
        (("example.com", "writer", "domain"), True, True),
        (("example.com", "reader", "domain"), False, True),
        (("other.example", "writer", "domain"), False, False),
        ((None, "reader", "anyone"), False, True),
        ((None, "writer", "anyone"), True, True),
        (("team@example.com", "writer", "group"), False, False),  # membership unknown
    ],
)
def test_domain_and_anyone_shares_count_group_shares_do_not(
    sa: Stack, grant: tuple[str | None, str, str], classifies: bool, reads: bool
) -> None:
    sheet = new_sheet(sa, grant)
    token = id_token(sa, BEN)
    classified = call(sa, documents.CLASSIFY, {"spreadsheetId": sheet}, token)
    assert (code_of(classified) is None) is classifies, classified.get("errors")
    read = call(sa, documents.RUNS, {"spreadsheetId": sheet, "limit": 5}, token)
    assert (code_of(read) is None) is reads, read.get("errors")
    if not reads:
        assert code_of(read) == "FORBIDDEN"


@pytest.mark.parametrize("hd", [None, "elsewhere.example"])
def test_an_id_token_without_the_allowed_hosted_domain_is_refused(
    sa: Stack, shared: str, hd: str | None
) -> None:
    # a personal Google account registered with a work address has no hd claim
    answer = call(sa, documents.LATEST_RUN, {"spreadsheetId": shared}, id_token(sa, ANA, hd=hd))
    assert code_of(answer) == "FORBIDDEN", answer
    assert "Workspace" in answer["errors"][0]["message"]


def test_an_unshared_colleague_never_sees_a_run_made_after_the_unshare(sa: Stack) -> None:
    sheet = new_sheet(sa, (BEN, "reader", "user"))
    first = call(sa, documents.CLASSIFY, {"spreadsheetId": sheet}, id_token(sa, OWNER_EMAIL))
    assert code_of(first) is None
    seen = call(sa, documents.LATEST_RUN, {"spreadsheetId": sheet}, id_token(sa, BEN))
    assert code_of(seen) is None  # Ben may read: a "yes" is now cached
    unshare(sa.emulator.url, sheet, BEN)
    later = call(
        sa,
        documents.CLASSIFY,
        {"spreadsheetId": sheet, "options": {"fiscalYearStartMonth": 2}},
        id_token(sa, OWNER_EMAIL),
    )
    assert code_of(later) is None
    new_id = later["data"]["classifyQuarter"]["id"]
    for document in (documents.LATEST_RUN, documents.RUNS):
        answer = call(sa, document, {"spreadsheetId": sheet, "limit": 5}, id_token(sa, BEN))
        assert new_id not in str(answer)
        assert code_of(answer) == "FORBIDDEN", answer


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
    share(sa.emulator.url, private, ANA)  # Ana may edit it: only the backend may not
    answer = call(sa, documents.CLASSIFY, {"spreadsheetId": private}, id_token(sa, ANA))
    assert code_of(answer) == "FORBIDDEN"
    assert SERVICE_ACCOUNT in answer["errors"][0]["message"]
