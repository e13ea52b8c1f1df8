"""What a GraphQL document may cost before any resolver runs (issue 13, SPEC 4.5).

The depth and alias limits walk each fragment once however often it is spread, so a
document whose fragments each spread the next one twice costs linear time, not 2^n;
the number of fragment spreads in a document is capped; and only small documents are
kept in the parse/validation cache."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from server.api.app import create_app
from server.cli.demo_data import demo_tabs
from server.config import Settings
from server.store import open_store
from tests.support.asgi import AsgiClient, asgi_client
from tests.support.fakes import FakeSheets

SHEET = "sheet-1"
ANA = {"Authorization": "Bearer token-ana"}


def fan_out(fragments: int, selection: str = "__typename", on: str = "Query") -> str:
    """``{ ...F0 }`` where each fragment spreads the next one twice: 2^n paths, n fragments."""
    parts = []
    for i in range(fragments):
        inner = f"...F{i + 1} ...F{i + 1}" if i < fragments - 1 else selection
        parts.append(f"fragment F{i} on {on} {{ {inner} }}")
    return "query Fan { ...F0 } " + " ".join(parts)


def app_client(**settings: Any) -> Iterator[AsgiClient]:
    sheets = FakeSheets()
    sheets.add(SHEET, demo_tabs(), "token-ana")
    app = create_app(
        Settings(database_url="memory://", **settings),
        sheets_factory=lambda _: sheets,
        store_factory=open_store,
    )
    with asgi_client(app) as client:
        client.documents = app.state.documents  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def client() -> Iterator[AsgiClient]:
    yield from app_client()


def ask(client: AsgiClient, document: str, headers: dict[str, str] | None = None) -> Any:
    response = client.post("/graphql", json={"query": document}, headers=headers or {})
    assert response.status_code == 200, response.text[:300]
    return response.json()


#: A walk that followed every spread would take 2^24 steps over 24 fragments (about a
#: minute here); a linear one takes milliseconds. The bound sits far from both, so a
#: loaded machine cannot fail a linear walk and no machine can pass an exponential one.
EXPONENTIAL_WOULD_TAKE_LONGER = 5.0


def test_a_fragment_fan_out_validates_in_linear_time(client: AsgiClient) -> None:
    document = fan_out(24)
    timings: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        answer = ask(client, document + " " * len(timings))  # a new text: no cache hit
        timings.append(time.perf_counter() - started)
    assert answer == {"data": {"__typename": "Query"}}, answer
    assert min(timings) < EXPONENTIAL_WOULD_TAKE_LONGER, f"{min(timings):.1f} s, 24 fragments"


def test_depth_counts_through_fragments_each_walked_once(client: AsgiClient) -> None:
    # 13 fragments, each spread in the one before at the same level: depth 2, not 13
    parts = ["fragment D0 on ClassificationRun { id verdicts { ...D1 } }"]
    for i in range(1, 12):
        parts.append(f"fragment D{i} on QuarterVerdict {{ group ...D{i + 1} }}")
    parts.append("fragment D12 on QuarterVerdict { quarter }")
    nested = " ".join(parts)
    document = f'query Deep {{ latestRun(spreadsheetId: "{SHEET}") {{ ...D0 }} }} {nested}'
    answer = ask(client, document, ANA)
    assert answer == {"data": {"latestRun": None}}, "fragments spread at one level add none"


def test_an_operation_nested_past_the_limit_is_refused_through_fragments(
    client: AsgiClient,
) -> None:
    # The schema nests 3 deep; made-up fields past it are still measured, and the depth
    # error names the limit.
    inner = "x"
    for i in range(11):
        inner = f"f{i} {{ {inner} }}"
    answer = ask(
        client,
        f'query Deep {{ latestRun(spreadsheetId: "{SHEET}") {{ ...R }} }} '
        f"fragment R on ClassificationRun {{ current {{ {inner} }} }}",
    )
    messages = " ".join(e["message"] for e in answer["errors"])
    assert "'Deep' exceeds maximum operation depth of 10" in messages, messages
    assert answer["errors"][0]["extensions"]["code"] == "BAD_INPUT"


def test_aliases_are_counted_every_time_their_fragment_is_spread(client: AsgiClient) -> None:
    fragment = "fragment A on Query { a: __typename b: __typename c: __typename }"
    spreads = " ".join(["...A"] * 6)  # 18 aliases in all: over the default 15
    answer = ask(client, f"query {{ {spreads} }} {fragment}")
    messages = " ".join(e["message"] for e in answer["errors"])
    assert "18 aliases found. Allowed: 15" in messages, messages
    fine = ask(client, f"query {{ ...A ...A }} {fragment}")  # 6 aliases
    assert "errors" not in fine, fine


def test_aliases_through_a_fan_out_are_refused_quickly(client: AsgiClient) -> None:
    document = fan_out(24, selection="a: __typename")  # 2^23 aliases
    started = time.perf_counter()
    answer = ask(client, document)
    assert time.perf_counter() - started < EXPONENTIAL_WOULD_TAKE_LONGER
    messages = " ".join(e["message"] for e in answer["errors"])
    assert "aliases found. Allowed: 15" in messages, messages


def test_fragment_spreads_per_document_are_capped() -> None:
    for client in app_client(max_fragment_spreads=10):
        fragment = "fragment T on Query { __typename }"
        over = ask(client, "query { " + " ".join(["...T"] * 11) + " } " + fragment)
        messages = " ".join(e["message"] for e in over["errors"])
        assert "11 fragment spreads found. Allowed: 10" in messages, messages
        assert over["errors"][0]["extensions"]["reason"] == "INVALID_QUERY"
        under = ask(client, "query { " + " ".join(["...T"] * 10) + " } " + fragment)
        assert under == {"data": {"__typename": "Query"}}


def test_fragment_cycles_and_unknown_fragments_are_refused_not_crashed(client: AsgiClient) -> None:
    cycle = ask(
        client,
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }",
    )
    assert cycle["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert any("A" in e["message"] for e in cycle["errors"])
    unknown = ask(client, "query { ...Nowhere }")
    assert unknown["errors"][0]["extensions"] == {"code": "BAD_INPUT", "reason": "INVALID_QUERY"}
    assert "Unknown fragment" in unknown["errors"][0]["message"]


def test_only_small_documents_are_kept_in_the_cache() -> None:
    for client in app_client(cached_document_bytes=4096, cached_documents=50):
        documents = client.documents  # type: ignore[attr-defined]
        small = [f"query Small{i} {{ __typename }}" for i in range(5)]
        for document in small + small:
            assert ask(client, document) == {"data": {"__typename": "Query"}}
        assert len(documents) == 5, "each small document is kept once"
        padding = "#" + "x" * 10_000 + "\n"  # a comment: a big text, a small document
        for i in range(20):
            big = f"{padding}query Big{i} {{ __typename }}"
            assert ask(client, big) == {"data": {"__typename": "Query"}}
        assert len(documents) == 5, "no big document was kept"


def test_identical_documents_arriving_together_are_looked_at_once() -> None:
    import asyncio

    import httpx

    from server.api.gate import DocumentCache

    looks: list[str] = []
    original = DocumentCache.look

    def counted(self: DocumentCache, text: str, *args: Any) -> Any:
        looks.append(text)
        return original(self, text, *args)

    sheets = FakeSheets()
    app = create_app(
        Settings(database_url="memory://"),
        sheets_factory=lambda _: sheets,
        store_factory=open_store,
    )

    async def burst() -> list[Any]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                posts = [
                    client.post("/graphql", json={"query": "query Burst { __typename }"})
                    for _ in range(20)
                ]
                return [r.json() for r in await asyncio.gather(*posts)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DocumentCache, "look", counted)
        answers = asyncio.run(burst())
    assert answers == [{"data": {"__typename": "Query"}}] * 20
    assert looks == ["query Burst { __typename }"], f"looked at {len(looks)} times"
