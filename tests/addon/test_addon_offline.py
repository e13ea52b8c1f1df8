"""The add-on under Node with Apps Script stand-ins, where no backend is needed: the menu,
settings, and failures to reach a backend at all (real sockets, no backend process)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from tests.addon.harness import AddonRunner, prompt, settings_properties

pytestmark = pytest.mark.node

MENU = [
    ("Classify quarter", "classifyQuarterFromMenu"),
    ("Show verdicts", "showVerdicts"),
    ("Settings", "showSettings"),
]
TOKEN = "user-oauth-token-123"


def menu_items(menu: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["caption"], i["functionName"]) for i in menu["items"] if "caption" in i]


@pytest.mark.parametrize("mode", ["NONE", "LIMITED", "FULL"])
def test_on_open_builds_the_addon_menu_and_only_that(addon: AddonRunner, mode: str) -> None:
    outcome = addon.run([{"call": "onOpen", "event": {"authMode": mode}}], oauthToken=TOKEN)
    [menu] = outcome.record["menus"]
    assert menu["kind"] == "addon"
    assert menu["addedToUi"]
    assert menu_items(menu) == MENU
    for _, function in MENU:
        assert function in outcome.functions, f"menu item calls missing function {function}"
    # AuthMode.NONE allows menu items only: no properties, no network, no dialogs.
    assert outcome.record["propertyAccess"] == []
    assert outcome.fetches == []
    assert outcome.alerts == []
    assert outcome.toasts == []


def test_on_install_shows_the_menu_at_once(addon: AddonRunner) -> None:
    outcome = addon.run([{"call": "onInstall", "event": {"authMode": "FULL"}}])
    [menu] = outcome.record["menus"]
    assert menu_items(menu) == MENU


def test_show_verdicts_and_settings_open_their_pages(addon: AddonRunner) -> None:
    outcome = addon.run([{"call": "showVerdicts"}, {"call": "showSettings"}])
    assert [s["file"] for s in outcome.record["sidebars"]] == ["Sidebar.html"]
    assert outcome.record["sidebars"][0]["title"] == "Sales Verdicts"
    [dialog] = outcome.record["dialogs"]
    assert dialog["file"] == "Settings.html"
    assert not dialog.get("modeless")


def test_settings_are_validated_and_nothing_invalid_is_saved(addon: AddonRunner) -> None:
    bad = {
        "backendUrl": "http://sales-verdicts.example.com/graphql",
        "authMode": "ROOT",
        "planTab": " ",
        "bookingsTab": "Bookings",
        "summaryTab": "bookings",
        "fiscalYearStartMonth": "13",
        "comparison": "LAST_WEEK",
        "groupBy": "Region, region",
    }
    outcome = addon.run([{"call": "saveSettings", "args": [bad]}])
    result = outcome.steps[0]["result"]
    assert result["ok"] is False
    assert set(result["errors"]) == set(bad) - {"bookingsTab"}
    assert "https://" in result["errors"]["backendUrl"]
    assert outcome.settings() == {}


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("https://verdicts.example.com", "https://verdicts.example.com/graphql"),
        ("https://verdicts.example.com/", "https://verdicts.example.com/graphql"),
        ("https://verdicts.example.com/api/graphql", "https://verdicts.example.com/api/graphql"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/graphql"),
    ],
)
def test_backend_address_is_normalised(addon: AddonRunner, typed: str, saved: str) -> None:
    outcome = addon.run([{"call": "saveSettings", "args": [{"backendUrl": typed}]}])
    assert outcome.steps[0]["result"]["ok"] is True
    assert outcome.settings()["backendUrl"] == saved


@pytest.mark.parametrize(
    "typed", ["verdicts.example.com/graphql", "https://verdicts/graphql", "https://u:p@x.com/"]
)
def test_backend_address_must_be_a_full_https_address(addon: AddonRunner, typed: str) -> None:
    outcome = addon.run([{"call": "saveSettings", "args": [{"backendUrl": typed}]}])
    assert outcome.steps[0]["result"]["errors"]["backendUrl"]


def test_saved_settings_come_back_in_the_form(addon: AddonRunner) -> None:
    form = {
        "backendUrl": "https://verdicts.example.com/graphql",
        "authMode": "SERVICE_ACCOUNT",
        "planTab": "Targets FY25",
        "bookingsTab": "CRM export",
        "summaryTab": "Verdicts",
        "fiscalYearStartMonth": "2",
        "comparison": "SAME_QUARTER_LAST_YEAR",
        "groupBy": " Region ,Segment,",
        "schedule": "OFF",
        "scheduleHour": "7",
    }
    outcome = addon.run([{"call": "saveSettings", "args": [form]}, {"call": "getSettingsForm"}])
    assert outcome.steps[0]["result"]["ok"] is True
    values = outcome.steps[1]["result"]["values"]
    assert values == {**form, "groupBy": "Region, Segment"}
    assert outcome.steps[1]["result"]["defaults"]["planTab"] == "Plan"


def test_a_hand_edited_bad_property_falls_back_to_its_default(addon: AddonRunner) -> None:
    stored = settings_properties(
        backendUrl="https://verdicts.example.com/graphql", fiscalYearStartMonth="fourteen"
    )
    outcome = addon.run([{"call": "getSettings"}], documentProperties=stored)
    settings = outcome.steps[0]["result"]
    assert settings["backendUrl"] == "https://verdicts.example.com/graphql"
    assert settings["fiscalYearStartMonth"] == 1


def test_classify_without_a_backend_address_points_to_settings(addon: AddonRunner) -> None:
    outcome = addon.run([{"call": "classifyQuarterFromMenu"}], oauthToken=TOKEN)
    assert "Settings" in outcome.only_alert()
    assert "backend address" in outcome.only_alert()
    assert outcome.fetches == []
    assert outcome.record["prompts"] == []


def test_no_token_from_google_says_to_authorize_again(addon: AddonRunner) -> None:
    outcome = addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        oauthToken="",
        documentProperties=settings_properties(backendUrl="https://verdicts.example.com/graphql"),
        prompts=[prompt("")],
    )
    assert outcome.fetches == []
    assert "authorize" in outcome.only_alert()


def test_service_account_mode_without_identity_token_mentions_the_email_scope(
    addon: AddonRunner,
) -> None:
    outcome = addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        oauthToken=TOKEN,
        identityToken="",
        documentProperties=settings_properties(
            backendUrl="https://verdicts.example.com/graphql", authMode="SERVICE_ACCOUNT"
        ),
        prompts=[prompt("")],
    )
    assert outcome.fetches == []
    assert "identity token" in outcome.only_alert()


# -- no HTTP answer at all: real sockets ---------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def classify_against(addon: AddonRunner, url: str, **options: Any) -> Any:
    return addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        oauthToken=TOKEN,
        documentProperties=settings_properties(backendUrl=url),
        prompts=[prompt("")],
        **options,
    )


def test_unreachable_backend(addon: AddonRunner) -> None:
    port = closed_port()
    outcome = classify_against(addon, f"http://127.0.0.1:{port}/graphql")
    [fetch] = outcome.fetches
    assert fetch["error"] == "ECONNREFUSED"
    alert = outcome.only_alert()
    assert f"127.0.0.1:{port}" in alert
    assert "cannot be reached" in alert
    assert "Total" not in " ".join(outcome.toasts)
    assert outcome.user_properties == {}, "the in-flight marker is cleared after the call"


def test_backend_domain_that_does_not_exist(addon: AddonRunner) -> None:
    outcome = classify_against(addon, "https://sales-verdicts.invalid/graphql")
    [fetch] = outcome.fetches
    assert fetch["error"] in ("ENOTFOUND", "EAI_AGAIN")
    assert "sales-verdicts.invalid" in outcome.only_alert()
    assert "does not exist" in outcome.only_alert()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers, like a hung backend."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def test_backend_that_never_answers_times_out(addon: AddonRunner, silent_server: int) -> None:
    started = time.monotonic()
    outcome = classify_against(
        addon, f"http://127.0.0.1:{silent_server}/graphql", urlFetchTimeoutMs=1500
    )
    assert time.monotonic() - started < 30
    [fetch] = outcome.fetches
    assert fetch["error"] == "TIMEOUT"
    alert = outcome.only_alert()
    assert "did not answer within 2 s" in alert
    assert "Show verdicts" in alert, "a timed-out run may still finish: say where to look"


def test_a_run_cut_by_the_six_minute_limit_is_reported_next_time(addon: AddonRunner) -> None:
    seven_minutes_ago = int((time.time() - 7 * 60) * 1000)
    marker = {"salesVerdicts.inFlight.spreadsheet-1": json.dumps({"startedAt": seven_minutes_ago})}
    outcome = addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        oauthToken=TOKEN,
        documentProperties=settings_properties(backendUrl=f"http://127.0.0.1:{closed_port()}"),
        userProperties=marker,
    )
    # First what happened last time, then this click's own outcome (no backend here).
    cut, now = outcome.alerts
    assert "6 minutes" in cut
    assert "Show verdicts" in cut
    assert "cannot be reached" in now
    assert outcome.user_properties == {}


def test_a_recent_marker_is_not_mistaken_for_a_cut_run(addon: AddonRunner) -> None:
    just_now = int(time.time() * 1000)
    marker = {"salesVerdicts.inFlight.spreadsheet-1": json.dumps({"startedAt": just_now})}
    outcome = addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        oauthToken=TOKEN,
        documentProperties=settings_properties(backendUrl=f"http://127.0.0.1:{closed_port()}"),
        userProperties=marker,
    )
    assert "cannot be reached" in outcome.only_alert()


# -- something answers, but not the backend (a proxy, a web page, a redirect), or the backend
# -- answers what it cannot be made to answer on purpose (a crash, a code from a newer version)


class _NotTheBackend(BaseHTTPRequestHandler):
    ANSWERS: ClassVar[dict[str, tuple[int, dict[str, str], str]]] = {
        "/moved": (301, {"Location": "https://elsewhere.example.com/graphql"}, ""),
        "/gateway": (502, {"Content-Type": "text/html"}, "<html><h1>502 Bad Gateway</h1></html>"),
        "/login": (403, {"Content-Type": "text/html"}, "<html>Sign in to continue</html>"),
        "/page": (200, {"Content-Type": "text/html"}, "<html><title>Welcome</title></html>"),
        # What the backend answers for a bug (server/api/errors.py, LoggedMaskErrors): a healthy
        # backend cannot be made to crash on purpose, so this stand-in answers its shape.
        "/crashed": (
            200,
            {"Content-Type": "application/json"},
            json.dumps(
                {
                    "data": None,
                    "errors": [
                        {
                            "message": "Unexpected error (request 5f2c9a1b). It has been logged;"
                            " please try again or quote the request id to support.",
                            "extensions": {"code": "INTERNAL", "requestId": "5f2c9a1b"},
                        }
                    ],
                }
            ),
        ),
        "/newer": (
            200,
            {"Content-Type": "application/json"},
            json.dumps(
                {
                    "data": None,
                    "errors": [
                        {"message": "Quota of runs used up.", "extensions": {"code": "QUOTA"}}
                    ],
                }
            ),
        ),
    }

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, headers, body = self.ANSWERS.get(self.path, (404, {}, "Not Found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        data = body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def not_the_backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotTheBackend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/moved", 301, ["redirect", "Settings"]),
        ("/gateway", 502, ["not working right now", "HTTP 502"]),
        ("/login", 403, ["refused the add-on", "HTTP 403"]),
        ("/nothing-here", 404, ["no Sales Verdicts backend", "/graphql"]),
        ("/page", 200, ["not like a Sales Verdicts backend", "/graphql"]),
        ("/crashed", 200, ["unexpected error (request 5f2c9a1b)", "send this request id"]),
        ("/newer", 200, ["refused the request (QUOTA)", "Quota of runs used up."]),
    ],
)
def test_answers_other_than_a_classification(
    addon: AddonRunner, not_the_backend: str, path: str, status: int, words: list[str]
) -> None:
    outcome = classify_against(addon, not_the_backend + path)
    [fetch] = outcome.fetches
    assert fetch["status"] == status
    assert fetch["muteHttpExceptions"] is True
    alert = outcome.only_alert()
    for word in words:
        assert word in alert
    assert TOKEN not in outcome.raw.replace(f'"oauthToken": "{TOKEN}"', "")


def test_the_request_is_a_graphql_post_with_the_users_token(
    addon: AddonRunner, not_the_backend: str
) -> None:
    outcome = classify_against(addon, not_the_backend + "/gateway")
    [fetch] = outcome.fetches
    assert fetch["method"] == "post"
    assert fetch["token"] == "oauth"
    assert fetch["operationName"] == "AddonClassifyQuarter"
    # The menu asks nothing: it classifies the latest quarter that has ended (the sidebar's
    # list picks another), waits 20 s at most, and says a person started it.
    assert outcome.record["prompts"] == []
    assert fetch["variables"] == {
        "spreadsheetId": "spreadsheet-1",
        "quarter": None,
        "wait": 20,
        "trigger": "MENU",
        "options": {
            "planTab": "Plan",
            "bookingsTab": "Bookings",
            "summaryTab": "Summary",
            "fiscalYearStartMonth": 1,
            "comparison": "PRIOR_QUARTER",
            "groupBy": None,
        },
    }


def test_service_account_mode_sends_the_identity_token(
    addon: AddonRunner, not_the_backend: str
) -> None:
    outcome = addon.run(
        [{"call": "classifyQuarterFromMenu"}],
        oauthToken=TOKEN,
        identityToken="identity-token-456",
        documentProperties=settings_properties(
            backendUrl=not_the_backend + "/gateway", authMode="SERVICE_ACCOUNT"
        ),
        prompts=[prompt("")],
    )
    assert [f["token"] for f in outcome.fetches] == ["identity"]


def test_sidebar_data_failure_is_a_message_not_an_exception(addon: AddonRunner) -> None:
    port = closed_port()
    outcome = addon.run(
        [{"call": "getLatestRun"}],
        oauthToken=TOKEN,
        documentProperties=settings_properties(backendUrl=f"http://127.0.0.1:{port}/graphql"),
    )
    result = outcome.steps[0]["result"]
    assert result["ok"] is False
    assert "cannot be reached" in result["message"]
