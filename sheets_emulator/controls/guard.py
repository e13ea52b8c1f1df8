"""What keeps a browser away from the test controls (``/_emulator/...``).

The controls need no token, so a web page must not be able to reach them through the
browser of someone running the emulator (``make demo``):

* **DNS rebinding**: a request whose ``Host`` header is not a loopback name or address
  (``localhost``, ``127.0.0.1`` and the rest of ``127.0.0.0/8``, ``[::1]``; any port) is
  refused, unless that host is one the emulator was told to serve the controls on (its
  explicit ``--host`` when that is not loopback).
* **Cross-site requests**: a ``POST``, ``PUT`` or ``PATCH`` must say
  ``Content-Type: application/json`` (a form or ``text/plain`` POST, which a page may send
  anywhere without asking, is refused); a ``DELETE`` with a body must too. A bodiless
  ``DELETE`` passes: browsers send none cross-site without a CORS preflight, which the
  emulator never grants.

A refused request gets 403 ``PERMISSION_DENIED`` with the reason, and never reaches the
controls. Everything outside ``/_emulator/`` is untouched.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from sheets_emulator.errors import PermissionDenied
from sheets_emulator.http.common import json_response

CONTROLS = "/_emulator/"
LOOPBACK_NAMES = frozenset({"localhost"})
_WRITES = frozenset({"POST", "PUT", "PATCH"})


def host_name(header: str) -> str:
    """``127.0.0.1:8765`` → ``127.0.0.1``; ``[::1]:8765`` → ``::1``; lower case, no final dot."""
    text = header.strip().lower()
    if text.startswith("["):
        return text[1:].partition("]")[0]
    if text.count(":") == 1:
        text = text.partition(":")[0]
    return text.rstrip(".")


def is_loopback(name: str) -> bool:
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _refusal(scope: Scope, allowed: frozenset[str]) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    host = headers.get("host")
    if host is None:
        return "The emulator's test controls need a Host header naming a loopback address."
    name = host_name(host)
    if not (is_loopback(name) or name in allowed):
        return (
            f"The emulator's test controls answer only on loopback addresses "
            f"(127.0.0.1, localhost, [::1]), not on Host {host!r}."
        )
    method = scope["method"]
    content_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    has_body = headers.get("content-length", "0").strip() not in ("", "0") or (
        "transfer-encoding" in headers
    )
    if (method in _WRITES or (method == "DELETE" and has_body)) and (
        content_type != "application/json"
    ):
        shown = content_type or "none"
        return (
            f"The emulator's test controls take JSON: {method} needs "
            f"Content-Type: application/json (got {shown})."
        )
    return None


class ControlGuard:
    """Pure ASGI middleware applying the rules of the module docstring."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.hosts = frozenset(host_name(h) for h in hosts if h)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONTROLS):
            reason = _refusal(scope, self.hosts)
            if reason is not None:
                response = json_response(PermissionDenied(reason).body(), 403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
