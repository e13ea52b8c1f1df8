"""The request guard in process, driven with raw ASGI messages (issue 13): a body over the
limit is refused before it is read whole, however it is sent; a body that never finishes
gets 408; a request that takes too long gets 504."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import orjson
import pytest
from starlette.types import Message, Receive, Scope, Send

from server.api.app import create_app
from server.api.guard import RequestGuard
from server.config import Settings
from server.store import open_store
from tests.support.asgi import AsgiClient, asgi_client
from tests.support.fakes import FakeSheets

LIMIT = 1000


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads the body as Starlette does and answers its length and hash."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/slow":
        await anyio.sleep(10)
    answer = orjson.dumps({"length": len(body), "body": body[:20].decode()})
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": answer})


def scope_of(path: str = "/", length: int | None = None) -> Scope:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    return {"type": "http", "method": "POST", "path": path, "headers": headers}


class Client:
    """Feeds chunks as ``http.request`` messages; counts how many were read."""

    def __init__(self, chunks: list[bytes], stall: bool = False) -> None:
        self.chunks = chunks
        self.stall = stall
        self.read = 0

    async def receive(self) -> Message:
        if self.read < len(self.chunks):
            self.read += 1
            more = self.read < len(self.chunks) or self.stall
            return {"type": "http.request", "body": self.chunks[self.read - 1], "more_body": more}
        await anyio.sleep(3600)  # a client that never sends the rest
        raise AssertionError("unreachable")


async def call(guard: RequestGuard, scope: Scope, client: Client) -> tuple[int, dict[str, Any]]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await guard(scope, client.receive, send)
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, orjson.loads(body)


def guarded(**limits: Any) -> RequestGuard:
    return RequestGuard(echo, **{"max_body": LIMIT, **limits})


def test_a_body_under_the_limit_reaches_the_app_whole() -> None:
    client = Client([b"a" * 600, b"b" * 400])
    status, answer = anyio.run(call, guarded(), scope_of(length=1000), client)
    assert (status, answer["length"]) == (200, 1000)


def test_a_declared_length_over_the_limit_is_refused_before_any_byte_is_read() -> None:
    client = Client([b"x" * 10_000_000])
    status, answer = anyio.run(call, guarded(), scope_of(length=10_000_000), client)
    assert status == 413
    assert client.read == 0
    error = answer["errors"][0]
    assert error["extensions"] == {"code": "BAD_INPUT", "reason": "BODY_TOO_LARGE"}
    assert "1,000 bytes" in error["message"]


@pytest.mark.parametrize("declared", [None, 10], ids=["chunked", "lying length"])
def test_a_body_longer_than_the_limit_is_refused_at_the_first_chunk_over_it(
    declared: int | None,
) -> None:
    client = Client([b"x" * 400] * 1000)  # 400 KB in all, sent 400 bytes at a time
    status, _ = anyio.run(call, guarded(), scope_of(length=declared), client)
    assert status == 413
    assert client.read == 3, "reading stopped at the limit"


def test_a_body_that_never_finishes_gets_408() -> None:
    client = Client([b"{"], stall=True)

    async def within_a_second() -> tuple[int, dict[str, Any]]:
        with anyio.fail_after(1):
            return await call(guarded(read_timeout=0.2), scope_of(length=500), client)

    status, answer = anyio.run(within_a_second)
    assert status == 408
    assert answer["errors"][0]["extensions"]["reason"] == "BODY_TOO_SLOW"


def test_a_request_over_its_time_gets_504() -> None:
    client = Client([b"{}"])
    status, answer = anyio.run(
        call, guarded(request_timeout=0.2), scope_of("/slow", length=2), client
    )
    assert status == 504
    assert answer["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"


# -- through the app ---------------------------------------------------------------------------


@pytest.fixture
def client() -> Iterator[AsgiClient]:
    app = create_app(
        Settings(database_url="memory://", max_body_bytes=4096),
        sheets_factory=lambda _: FakeSheets(),
        store_factory=open_store,
    )
    with asgi_client(app) as running:
        yield running


def test_the_app_refuses_a_big_body_with_a_json_error_and_the_request_id(
    client: AsgiClient,
) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }", "pad": "x" * 5000})
    assert response.status_code == 413
    assert response.headers["x-request-id"]
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    small = client.post("/graphql", json={"query": "{ __typename }"})
    assert small.json() == {"data": {"__typename": "Query"}}


def test_the_app_refuses_a_chunked_big_body(client: AsgiClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    response = client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
