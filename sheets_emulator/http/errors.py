"""Errors to JSON: every :class:`~sheets_emulator.errors.EmulatorError` rendered in the format
of the API that was called (Sheets, Drive or OAuth); anything else is a bug, logged and
answered with Google's 500."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator.errors import (
    ApiError,
    EmulatorError,
    Flavour,
    InputError,
    Internal,
    InvalidArgument,
    NotFound,
    OAuthError,
)
from sheets_emulator.http.common import json_response

log = logging.getLogger("sheets_emulator")


def flavour(path: str) -> Flavour:
    return "drive" if path.startswith(("/drive/", "/upload/drive/")) else "sheets"


def error_response(request: Request, exc: Exception) -> Response:
    """Render any :class:`EmulatorError` in the format of the API that was called."""
    if isinstance(exc, OAuthError):
        return json_response(exc.body(), exc.http_status, exc.headers or None)
    if isinstance(exc, ApiError):
        return json_response(exc.body(flavour(request.url.path)), exc.code, exc.headers or None)
    if isinstance(exc, InputError):
        return error_response(request, InvalidArgument(str(exc)))
    if not isinstance(exc, EmulatorError):
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, Internal("Internal error encountered."))


async def on_error(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


async def not_found(request: Request, exc: Exception) -> Response:
    return error_response(
        request, NotFound(f"The Sheets API emulator has no {request.method} {request.url.path}")
    )
