"""The ASGI app in process (no sockets, no processes): routes, GraphQL over POST and GET,
GraphiQL from the package's own assets, error codes and the request id.

The app is the production one (``create_app``) with its lifespan, over the in-memory run
store and the fake Sheets port."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from typing_extensions import override

from server.api import documents
from server.api.app import create_app
from server.cli.demo_data import EXPECTED, LATEST, demo_tabs
from server.config import Settings
from server.store import open_store
from server.store.memory import MemoryRunStore
from server.store.port import RunRecord
from tests.support.asgi import AsgiClient, asgi_client
from tests.support.fakes import FakeSheets

SHEET = "sheet-1"
URL = f"https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0"
ANA = {"Authorization": "Bearer token-ana"}
BEN = {"Authorization": "Bearer token-ben"}


def client_for(sheets: FakeSheets, **settings: Any) -> Iterator[AsgiClient]:
    app = create_app(
        Settings(database_url="memory://", **settings),
        sheets_factory=lambda _: sheets,
        store_factory=open_store,
    )
    with asgi_client(app) as client:
        yield client


@pytest.fixture
def sheets() -> FakeSheets:
    fake = FakeSheets()
    fake.add(SHEET, demo_tabs(), "token-ana")
    return fake


@pytest.fixture
def client(sheets: FakeSheets) -> Iterator[AsgiClient]:
    yield from client_for(sheets)


def post(
    client: AsgiClient,
    document: str,
    variables: dict[str, Any],
    headers: dict[str, str] | None = ANA,
) -> dict[str, Any]:
    response = client.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def codes(answer: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in answer.get("errors") or []]


def test_healthz(client: AsgiClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_classify_over_post_then_read_it_back_over_get(client: AsgiClient) -> None:
    run = post(client, documents.CLASSIFY, {"spreadsheetId": SHEET})["data"]["classifyQuarter"]
    assert run["quarter"] == LATEST
    verdicts = {(v["group"], v["quarter"]): v["verdict"] for v in run["verdicts"]}
    assert all(verdicts[key] == verdict for key, verdict in EXPECTED.items())
    response = client.get(
        "/graphql",
        params={"query": documents.LATEST_RUN, "variables": json.dumps({"spreadsheetId": SHEET})},
        headers=ANA,
    )
    assert response.status_code == 200
    assert response.json()["data"]["latestRun"]["id"] == run["id"]


def test_a_mutation_over_get_is_refused(client: AsgiClient) -> None:
    response = client.get(
        "/graphql",
        params={"query": documents.CLASSIFY, "variables": json.dumps({"spreadsheetId": SHEET})},
        headers=ANA,
    )
    assert response.status_code == 400
    assert "mutations are not allowed when using get" in response.text.lower()


def test_every_operation_accepts_a_pasted_spreadsheet_url(client: AsgiClient) -> None:
    run = post(client, documents.CLASSIFY, {"spreadsheetId": URL})["data"]["classifyQuarter"]
    assert run["spreadsheetId"] == SHEET
    latest = post(client, documents.LATEST_RUN, {"spreadsheetId": URL})
    assert latest["data"]["latestRun"]["id"] == run["id"]
    runs = post(client, documents.RUNS, {"spreadsheetId": URL, "limit": 5})
    assert [r["id"] for r in runs["data"]["runs"]] == [run["id"]]


@pytest.mark.parametrize("document", [documents.CLASSIFY, documents.LATEST_RUN, documents.RUNS])
@pytest.mark.parametrize("bad", ["abcé", "../../etc", "https://docs.google.com/spreadsheets/d/"])
def test_what_is_not_a_spreadsheet_id_is_bad_input_for_every_operation(
    client: AsgiClient, document: str, bad: str
) -> None:
    answer = post(client, document, {"spreadsheetId": bad, "limit": 5})
    assert codes(answer) == ["BAD_INPUT"]
    assert "is not a spreadsheet id" in answer["errors"][0]["message"]


def test_expected_failures_carry_their_code(client: AsgiClient) -> None:
    assert codes(post(client, documents.CLASSIFY, {"spreadsheetId": SHEET}, headers=None)) == [
        "UNAUTHENTICATED"
    ]
    assert codes(post(client, documents.CLASSIFY, {"spreadsheetId": SHEET}, headers=BEN)) == [
        "FORBIDDEN"
    ]
    assert codes(post(client, documents.LATEST_RUN, {"spreadsheetId": SHEET}, headers=BEN)) == [
        "FORBIDDEN"
    ]
    assert codes(post(client, documents.CLASSIFY, {"spreadsheetId": "missing"})) == ["NOT_FOUND"]
    quarter = post(client, documents.CLASSIFY, {"spreadsheetId": SHEET, "quarter": "2035-Q1"})
    assert codes(quarter) == ["BAD_INPUT"]
    broken = post(client, "query { latestRun(", {})
    assert broken["errors"][0]["extensions"] == {"code": "BAD_INPUT", "reason": "INVALID_QUERY"}


class BrokenStore(MemoryRunStore):
    @override
    def latest(self, spreadsheet_id: str, *, caller: str | None = None) -> RunRecord | None:
        raise RuntimeError("connection string postgresql://admin:hunter2@db")


def test_a_bug_is_internal_with_the_request_id_of_the_response(sheets: FakeSheets) -> None:
    app = create_app(
        Settings(database_url="memory://"),
        sheets_factory=lambda _: sheets,
        store_factory=lambda _: BrokenStore(),
    )
    with asgi_client(app) as client:
        response = client.post(
            "/graphql",
            json={"query": documents.LATEST_RUN, "variables": {"spreadsheetId": SHEET}},
            headers=ANA,
        )
    error = response.json()["errors"][0]
    rid = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": rid}
    assert "hunter2" not in response.text


def test_the_request_id_is_echoed_when_sane_and_made_up_otherwise(client: AsgiClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123.x"}).headers[
        "x-request-id"
    ] == ("abc-123.x")
    made_up = client.get("/healthz", headers={"X-Request-ID": "no spaces; <script>"})
    assert re.fullmatch(r"[0-9a-f]{16}", made_up.headers["x-request-id"])
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def page_urls(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]*)"', html)


def test_graphiql_loads_only_assets_the_app_serves(client: AsgiClient) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = [u for u in page_urls(page.text) if not u.startswith("data:")]
    assert len(urls) == 4, urls  # graphiql's script and style, react, react-dom
    for url in urls:
        assert url.startswith("/"), url  # same origin: a path,
        assert not url.startswith("//"), url  # not a scheme-relative address
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
        expected = "text/css" if url.endswith(".css") else "javascript"
        assert expected in asset.headers["content-type"], url
    assert "https://" not in page.text
    assert "http://" not in page.text


def test_graphiql_can_be_switched_off(sheets: FakeSheets) -> None:
    for client in client_for(sheets, graphiql=False):
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql.min.js" not in page.text
        assert client.get("/static/graphiql/graphiql.min.js").status_code == 404
