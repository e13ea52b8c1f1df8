"""The add-on in service-account mode against the backend in service-account mode: the
add-on sends ScriptApp.getIdentityToken() (a Google-signed ID token, minted here by the
emulator); the backend checks it and reads and writes the sheet as its service account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.addon.harness import AddonRunner, Outcome, prompt, settings_properties
from tests.support.backend import (
    ALLOWED_DOMAIN,
    OWNER,
    OWNER_EMAIL,
    SERVICE_ACCOUNT,
    Stack,
    demo_tabs,
    id_token,
    seed,
    service_account_backend,
    share,
)

pytestmark = [pytest.mark.node, pytest.mark.e2e]

assert OWNER_EMAIL.endswith("@" + ALLOWED_DOMAIN)


@pytest.fixture(scope="module")
def sa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with service_account_backend(tmp_path_factory.mktemp("service-account")) as running:
        yield running


def classify(
    addon: AddonRunner,
    stack: Stack,
    spreadsheet_id: str,
    identity: str,
    auth_mode: str = "SERVICE_ACCOUNT",
) -> Outcome:
    return addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        spreadsheetId=spreadsheet_id,
        oauthToken=OWNER,
        identityToken=identity,
        documentProperties=settings_properties(backendUrl=stack.graphql, authMode=auth_mode),
        prompts=[prompt("")],
        sheetsApi={"url": stack.emulator.url, "token": OWNER},
    )


def shared_spreadsheet(stack: Stack) -> str:
    spreadsheet_id = seed(stack.emulator.url, demo_tabs())
    share(stack.emulator.url, spreadsheet_id, SERVICE_ACCOUNT)
    return spreadsheet_id


def test_classify_with_the_identity_token(addon: AddonRunner, sa_stack: Stack) -> None:
    spreadsheet_id = shared_spreadsheet(sa_stack)
    token = id_token(sa_stack, OWNER_EMAIL)
    outcome = classify(addon, sa_stack, spreadsheet_id, token)
    assert outcome.alerts == []
    assert [f["token"] for f in outcome.fetches] == ["identity"]
    assert outcome.toasts[-1].startswith("Total ")
    assert outcome.record["activeSheet"] == "Summary"
    assert token not in outcome.raw
    assert token not in sa_stack.api.output()


def test_identity_token_for_another_audience_is_unauthenticated(
    addon: AddonRunner, sa_stack: Stack
) -> None:
    spreadsheet_id = shared_spreadsheet(sa_stack)
    token = id_token(
        sa_stack, OWNER_EMAIL, audience="someone-elses-client.apps.googleusercontent.com"
    )
    outcome = classify(addon, sa_stack, spreadsheet_id, token)
    assert "could not verify who you are" in outcome.only_alert()


def test_a_domain_that_is_not_allowed_is_forbidden(addon: AddonRunner, sa_stack: Stack) -> None:
    spreadsheet_id = shared_spreadsheet(sa_stack)
    token = id_token(sa_stack, "visitor@elsewhere.example.net")
    outcome = classify(addon, sa_stack, spreadsheet_id, token)
    alert = outcome.only_alert()
    assert "allow your domain" in alert
    assert ALLOWED_DOMAIN in alert, "the backend's detail says which domain may"


def test_a_spreadsheet_not_shared_with_the_service_account_is_forbidden(
    addon: AddonRunner, sa_stack: Stack
) -> None:
    spreadsheet_id = seed(sa_stack.emulator.url, demo_tabs())
    outcome = classify(addon, sa_stack, spreadsheet_id, id_token(sa_stack, OWNER_EMAIL))
    alert = outcome.only_alert()
    assert "Share the spreadsheet with the service account" in alert
    assert SERVICE_ACCOUNT in alert, "the backend's detail says whom to share it with"


def test_user_mode_against_a_service_account_backend_points_to_the_setting(
    addon: AddonRunner, sa_stack: Stack
) -> None:
    spreadsheet_id = shared_spreadsheet(sa_stack)
    outcome = classify(addon, sa_stack, spreadsheet_id, "", auth_mode="USER")
    assert [f["token"] for f in outcome.fetches] == ["oauth"]
    assert "Settings › Sign-in" in outcome.only_alert()
