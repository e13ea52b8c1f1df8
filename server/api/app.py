"""The ASGI application: GraphQL on ``/graphql`` (GraphiQL from the package's own assets),
``/healthz``, built in the lifespan.

Adapters (run store, Sheets adapter, certificate cache) are built when the app
starts, never at import time, and closed when it stops.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
import orjson
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from typing_extensions import override

from server.alerts import AlertPoster, Sealer
from server.api import graphiql
from server.api.auth import (
    Authenticator,
    CertificateCache,
    IdTokenAuthenticator,
    UserTokenAuthenticator,
)
from server.api.context import Context
from server.api.errors import describe_failure, with_codes
from server.api.guard import RequestGuard
from server.api.schema import build_schema
from server.api.serialize import add_refused_issues
from server.config import Settings
from server.service import Alerting, ClassificationService, RunLimits, RunManager
from server.store import open_store
from server.store.port import RunStore
from sheets_adapter.port import SheetsPort

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"


class RequestIdMiddleware:
    """Pure ASGI middleware: every request gets an id (the caller's, if sane), echoed back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"")
        text = incoming.decode("latin-1")
        ok = 0 < len(text) <= 64 and all(c.isalnum() or c in "-_." for c in text)
        rid = text if ok else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), rid.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)


@dataclass
class Services:
    """What the lifespan builds; kept on ``app.state.services``."""

    service: ClassificationService
    authenticator: Authenticator
    runs: RunManager | None = None
    alerting: Alerting | None = None


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with the per-request context, and JSON through orjson
    (about twice as fast as the standard library on verdict-sized answers)."""

    @property
    def graphql_ide_html(self) -> str:
        """GraphiQL from the package's own assets (Strawberry's page uses a CDN)."""
        return graphiql.PAGE

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        add_refused_issues(result.errors or ())
        return with_codes(await super().process_result(request, result))

    @override
    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        services: Services = request.app.state.services
        return Context(
            service=services.service,
            runs=services.runs,
            alerting=services.alerting,
            authenticator=services.authenticator,
            authorization=request.headers.get("authorization"),
            request_id=request.scope.get("state", {}).get("request_id", ""),
        )


def build_authenticator(settings: Settings, session: requests.Session) -> Authenticator:
    if not settings.service_account_mode:
        return UserTokenAuthenticator()
    assert settings.audience is not None
    return IdTokenAuthenticator(
        audience=settings.audience,
        allowed_domains=settings.allowed_domains,
        certs=CertificateCache(settings.certs_url, session),
    )


def build_sheets(settings: Settings) -> SheetsPort:
    from sheets_adapter.gspread_adapter import GspreadSheets

    return GspreadSheets.from_settings(settings)


#: Seconds ``/healthz`` waits for the run store before saying it does not answer.
HEALTH_TIMEOUT = 3.0


async def healthz(request: Request) -> Response:
    """200 when ready; 503 with the reason when the run store does not answer, or its last
    write failed (the disk is full, say)."""
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    store = services.service.store
    try:
        with anyio.fail_after(HEALTH_TIMEOUT):
            problem = await anyio.to_thread.run_sync(store.check, abandon_on_cancel=True)
    except TimeoutError:
        problem = f"the run store did not answer within {HEALTH_TIMEOUT:g} s"
    if problem is not None:
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
    return JSONResponse({"status": "ok"})


def build_services(
    settings: Settings, sheets: SheetsPort, store: RunStore, session: requests.Session
) -> tuple[Services, AlertPoster]:
    """The service, its run lifecycle and alerts, over the adapters the lifespan opened."""
    service = ClassificationService(
        sheets,
        store,
        coalesce_window=settings.coalesce_window,
        describe=describe_failure,
        access_ttl=settings.access_ttl,
        limits=RunLimits(
            max_issues=settings.max_issues,
            max_cell_text=settings.max_cell_text,
            runs_kept=settings.runs_kept,
        ),
        budget=settings.upstream_budget,
    )
    poster = AlertPoster(settings)
    alerting = Alerting(store, Sealer(settings.webhook_keys), settings, poster, service.now)
    runs = RunManager(
        service,
        lease=settings.run_lease,
        per_caller=settings.runs_per_caller,
        queue_timeout=settings.queue_timeout,
        run_threads=settings.run_threads,
        alerting=alerting,
    )
    services = Services(
        service=service,
        authenticator=build_authenticator(settings, session),
        runs=runs,
        alerting=alerting,
    )
    return services, poster


def create_app(
    settings: Settings | None = None,
    *,
    sheets_factory: Callable[[Settings], SheetsPort] = build_sheets,
    store_factory: Callable[[str], RunStore] = open_store,
) -> Starlette:
    """The app. Factories let tests swap the adapters; production uses the defaults."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = store_factory(settings.database_url)
        session = requests.Session()
        sheets: SheetsPort | None = None
        poster: AlertPoster | None = None
        runs: RunManager | None = None
        try:
            sheets = sheets_factory(settings)
            services, poster = build_services(settings, sheets, store, session)
            runs = services.runs
            assert runs is not None
            await runs.start()
            app.state.services = services
            log.info(
                "ready: mode=%s store=%s emulator=%s worker=%s",
                "service-account" if settings.service_account_mode else "user",
                store.__class__.__name__,
                settings.emulator_host or "no",
                services.service.owner,
            )
            yield
        finally:
            if runs is not None:
                await runs.stop()
            if poster is not None:
                poster.close()
            session.close()
            if sheets is not None:
                sheets.close()
            store.close()

    schema = build_schema(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_spreads=settings.max_fragment_spreads,
        cached_documents=settings.cached_documents,
        cached_document_bytes=settings.cached_document_bytes,
        introspection=settings.introspection,
    )
    graphql = GraphQLApp(schema, graphql_ide="graphiql" if settings.graphiql else None)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    if settings.graphiql:
        routes.append(graphiql.assets())
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.documents = schema.documents  # the document cache, for tests and operators
    app.add_middleware(
        RequestGuard,
        max_body=settings.max_body_bytes,
        read_timeout=settings.read_timeout,
        request_timeout=settings.request_timeout,
    )
    app.add_middleware(RequestIdMiddleware)  # outermost: refusals carry the id too
    return app
