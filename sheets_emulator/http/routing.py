"""Routes as a table named by API method, matched on the raw path as Google's frontends do.

A route is ``(method, template, name, endpoint)``::

    Route("POST", "/v4/spreadsheets/{spreadsheetId}/values/{range}:append",
          "sheets.spreadsheets.values.append", values_append)

A template is a path with ``{name}`` parameters and, at its end, an optional custom verb
(``:append``, ``:batchGet``, ``:batchUpdate``). A parameter matches one path segment with no
``:`` in it, except ``{range}`` and ``{path}``, which match the rest of the path, ``/`` and
``:`` included (a sheet named ``a/b`` stays part of the range; ``A1:B2`` sent unencoded stays
one range). Matching runs on the raw, still percent-encoded path, so an encoded colon
(``%3A``) inside a range is never taken for a verb; parameters are decoded afterwards.

Which route answers:

* templates ending in a verb are tried before the others, so ``…/values/A1:append`` is the
  ``append`` verb and never a range named ``A1:append``;
* the first template whose pattern matches the path owns it. If none of its routes has the
  request's method, only the catch-all routes (method ``*``) are tried: an unknown method on
  a known path answers like an unknown path.

The endpoint is called with a Starlette ``Request`` whose ``path_params`` hold the decoded
parameters and whose ``scope["route_name"]`` is the route's API method name.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from sheets_emulator.errors import NotFound

Endpoint = Callable[[Request], Awaitable[Response]]
ANY = "*"
_MULTI_SEGMENT = frozenset({"range", "path"})
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Route:
    """One API method: HTTP method (``*`` for any), path template, name, endpoint."""

    method: str
    template: str
    name: str
    endpoint: Endpoint


@dataclass
class _Pattern:
    template: str
    regex: re.Pattern[str]
    has_verb: bool
    routes: dict[str, Route] = field(default_factory=dict)

    def route_for(self, method: str) -> Route | None:
        found = self.routes.get(method)
        if found is None and method == "HEAD":
            found = self.routes.get("GET")
        return found


def compile_template(template: str) -> re.Pattern[str]:
    """The regular expression a template stands for (see the module docstring)."""
    out = ["^"]
    position = 0
    for match in _PARAM.finditer(template):
        out.append(re.escape(template[position : match.start()]))
        name = match.group(1)
        body = ".+" if name in _MULTI_SEGMENT else "[^/:]+"
        out.append(f"(?P<{name}>{body})")
        position = match.end()
    out.append(re.escape(template[position:]))
    out.append("$")
    return re.compile("".join(out))


def _has_verb(template: str) -> bool:
    last = template.rsplit("/", 1)[-1]
    return ":" in _PARAM.sub("", last)


class RouteTable:
    """The routes of one app, resolved as the module docstring says."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes: tuple[Route, ...] = tuple(routes)
        patterns: dict[str, _Pattern] = {}
        for route in self.routes:
            pattern = patterns.get(route.template)
            if pattern is None:
                pattern = patterns[route.template] = _Pattern(
                    route.template, compile_template(route.template), _has_verb(route.template)
                )
            if route.method in pattern.routes:
                raise ValueError(f"two routes for {route.method} {route.template}")
            pattern.routes[route.method] = route
        ordered = sorted(patterns.values(), key=lambda p: not p.has_verb)  # stable
        self._patterns: Sequence[_Pattern] = ordered

    def resolve(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for ``method`` on ``raw_path`` and its decoded parameters, or ``None``."""
        owned = False
        for pattern in self._patterns:
            match = pattern.regex.match(raw_path)
            if match is None:
                continue
            route = None if owned else pattern.route_for(method)
            route = route or pattern.routes.get(ANY)
            if route is not None:
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
            owned = True
        return None

    def names(self) -> list[str]:
        return [route.name for route in self.routes]


class TableRoute(BaseRoute):
    """Starlette's view of a :class:`RouteTable`: it takes every HTTP request, answers the
    API's 404 for those no route serves (raised, so the app's error handlers render it)."""

    def __init__(self, table: RouteTable) -> None:
        self.table = table

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            return Match.FULL, {}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path")
        path = raw.decode("latin-1") if isinstance(raw, bytes) else scope["path"]
        path = path.split("?", 1)[0]
        found = self.table.resolve(scope["method"], path)
        if found is None:
            raise NotFound(f"The Sheets API emulator has no {scope['method']} {scope['path']}")
        route, params = found
        scope["path_params"] = params
        scope["route_name"] = route.name
        response = await route.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
