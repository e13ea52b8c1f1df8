"""An ASGI app in process, for synchronous tests: its lifespan runs (adapters are built
and closed as in production) and requests go through ``httpx.ASGITransport``, with no
socket and no process::

    with asgi_client(create_app(settings, store_factory=...)) as client:
        assert client.get("/healthz").status_code == 200
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.applications import Starlette


class AsgiClient:
    """Synchronous calls on an ``httpx.AsyncClient``, run on the portal's event loop."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self._portal = portal
        self._client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        call = functools.partial(self._client.request, method, url, **kwargs)
        return self._portal.call(call)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@contextmanager
def asgi_client(app: Starlette) -> Iterator[AsgiClient]:
    with start_blocking_portal() as portal:
        lifespan = portal.wrap_async_context_manager(app.router.lifespan_context(app))
        with lifespan:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            )
            try:
                yield AsgiClient(portal, client)
            finally:
                portal.call(client.aclose)
