"""The emulator's answers that are not successes, rendered in Google's JSON error formats.

One hierarchy; every error carries what its JSON body needs as attributes::

    EmulatorError                    any answer that is not a success
    ├── ApiError                     Sheets v4 / Drive v3: {"error": {"code", "message", "status"}}
    │   ├── InvalidArgument          400 INVALID_ARGUMENT
    │   ├── Unauthenticated          401 UNAUTHENTICATED
    │   ├── PermissionDenied         403 PERMISSION_DENIED
    │   ├── NotFound                 404 NOT_FOUND
    │   ├── ResourceExhausted        429 RESOURCE_EXHAUSTED   (fault injection)
    │   ├── Internal                 500 INTERNAL             (fault injection)
    │   └── Unavailable              503 UNAVAILABLE          (fault injection)
    ├── OAuthError                   OAuth endpoints (token, userinfo, tokeninfo):
    │                                {"error", "error_description"}
    └── InputError                   (internal) input that does not parse; the API layer turns
        │                            it into an InvalidArgument with the real API's text
        ├── A1Error                  text that is not a range in A1 notation
        ├── MaskError                a field mask that does not parse
        └── RequestFailed            an invalid batchUpdate subrequest (message: the reason)

Sheets errors carry ``details`` (``google.rpc.BadRequest`` / ``ErrorInfo``) where the real API
sends them; Drive errors add the legacy ``errors`` list (``domain``, ``reason``, ``location``)
that Drive v3 still sends and gspread's retry logic reads.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

Flavour = Literal["sheets", "drive"]

MISSING_CREDENTIALS = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
NO_PERMISSION = "The caller does not have permission"
ENTITY_NOT_FOUND = "Requested entity was not found."


class EmulatorError(Exception):
    """Base of every error answer; ``http_status`` is the HTTP status code."""

    http_status: int = 500


class ApiError(EmulatorError):
    """An error of the Sheets or Drive API, rendered as ``{"error": {...}}``."""

    code: ClassVar[int] = 500
    status: ClassVar[str] = "INTERNAL"
    drive_reason: ClassVar[str] = "internalError"

    def __init__(
        self,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        reason: str | None = None,
        location: str | None = None,
        location_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.reason = reason or self.drive_reason
        self.location = location
        self.location_type = location_type
        self.headers = headers or {}
        self.http_status = self.code

    def body(self, flavour: Flavour = "sheets") -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if flavour == "drive":
            item: dict[str, Any] = {
                "message": self.message,
                "domain": "usageLimits" if self.code == 429 else "global",
                "reason": self.reason,
            }
            if self.location:
                item["location"] = self.location
                item["locationType"] = self.location_type or "parameter"
            error["errors"] = [item]
        error["status"] = self.status
        if self.details and flavour == "sheets":
            error["details"] = self.details
        return {"error": error}


class InvalidArgument(ApiError):
    code = 400
    status = "INVALID_ARGUMENT"
    drive_reason = "badRequest"


class Unauthenticated(ApiError):
    code = 401
    status = "UNAUTHENTICATED"
    drive_reason = "authError"


class PermissionDenied(ApiError):
    code = 403
    status = "PERMISSION_DENIED"
    drive_reason = "insufficientFilePermissions"


class NotFound(ApiError):
    code = 404
    status = "NOT_FOUND"
    drive_reason = "notFound"


class ResourceExhausted(ApiError):
    code = 429
    status = "RESOURCE_EXHAUSTED"
    drive_reason = "rateLimitExceeded"


class Internal(ApiError):
    code = 500
    status = "INTERNAL"
    drive_reason = "internalError"


class Unavailable(ApiError):
    code = 503
    status = "UNAVAILABLE"
    drive_reason = "backendError"


class OAuthError(EmulatorError):
    """An answer of the OAuth token endpoint: ``{"error": ..., "error_description": ...}``."""

    def __init__(
        self,
        error: str,
        description: str,
        http_status: int = 400,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.http_status = http_status
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description}


def bad_request_field(field: str, description: str) -> InvalidArgument:
    """A 400 with the ``google.rpc.BadRequest`` detail the API adds to JSON payload errors."""
    return InvalidArgument(
        description,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": description}],
            }
        ],
    )


def unauthenticated(message: str, reason: str) -> Unauthenticated:
    """A 401 as Google sends it: ``ErrorInfo`` detail and a ``WWW-Authenticate`` header."""
    return Unauthenticated(
        message,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": "sheets.googleapis.com"},
            }
        ],
        location="Authorization",
        location_type="header",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def invalid_request(index: int, kind: str, message: str) -> InvalidArgument:
    """The API's text for a failing ``spreadsheets.batchUpdate`` subrequest."""
    return InvalidArgument(f"Invalid requests[{index}].{kind}: {message}")


class InputError(EmulatorError, ValueError):
    """Input that does not parse; never sent as is (the API layer words the answer)."""

    http_status = 400


class A1Error(InputError):
    """Text that is not a range in A1 notation."""


class MaskError(InputError):
    """A field mask that does not parse."""


class RequestFailed(InputError):
    """An invalid ``spreadsheets.batchUpdate`` subrequest; the message is the API's reason."""
