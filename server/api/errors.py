"""How failures reach API callers: GraphQL errors with ``extensions.code``.

Expected failures are translated once, here, into :class:`ApiError` with one of the
codes of ``docs/api-contract.graphql``::

    ApiError(code)
      UNAUTHENTICATED       no or bad credentials (token missing, expired, refused)
      FORBIDDEN             the caller may not open the spreadsheet or call the API
      NOT_FOUND             the spreadsheet or a tab does not exist
      BAD_INPUT             the request or the sheet cannot be classified as it is
      RATE_LIMITED          Google's quota ran out and retries did not get through in time
      UPSTREAM_UNAVAILABLE  Google did not answer in time

Anything else is a bug: it is logged with its traceback and the request id, and the
caller gets "Unexpected error" with ``code: INTERNAL`` and that request id.

A run refused after its tabs were read keeps their data issues (:attr:`ApiError.issues`):
the API answers the first 50 in ``extensions.issues`` (see :mod:`server.api.serialize`),
the CLI prints them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionContext

from server.alerts import WebhookUrlError
from server.classification import ClassificationError, ColumnNotFound, HeaderNotFound
from server.quoting import clean
from server.service import AccessDenied, Failure, RunFailed, TooManyRuns
from server.store.errors import LockTimeout, StoreUnavailable
from sheets_adapter import errors as sheets
from sheets_adapter.csv_files import CsvFileError
from sheets_adapter.ids import InvalidSpreadsheetId

if TYPE_CHECKING:
    from server.classification import DataIssue

log = logging.getLogger("server.api")

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
BAD_INPUT = "BAD_INPUT"
RATE_LIMITED = "RATE_LIMITED"
UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
INTERNAL = "INTERNAL"
CODES = frozenset(
    {UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_INPUT, RATE_LIMITED, UPSTREAM_UNAVAILABLE}
)
#: ``extensions.reason`` of a query that did not parse or validate (its code is BAD_INPUT)
INVALID_QUERY = "INVALID_QUERY"
#: ``extensions.reason`` of variables that do not fit the document (its code is BAD_INPUT)
INVALID_VARIABLES = "INVALID_VARIABLES"


class ApiError(Exception):
    """An expected failure with a code and a message a person can act on."""

    def __init__(self, code: str, message: str, issues: tuple[DataIssue, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extensions: dict[str, Any] = {"code": code}
        self.issues = issues  # the data issues of a refused run (SPEC 2.5)


def translate(err: Exception) -> ApiError | None:
    """The API error for an expected exception, or None for a bug. A run that ended FAILED
    is its cause's error, with the run's id in ``extensions.runId``."""
    if isinstance(err, RunFailed):
        cause = err.__cause__
        api = translate(cause) if isinstance(cause, Exception) else None
        if api is None:
            code, _, message = (err.run.error or "INTERNAL: the run failed").partition(": ")
            api = ApiError(code if code in CODES else INTERNAL, message)
        api.extensions["runId"] = err.run.id
        return api
    return _translate(err)


def _translate(err: Exception) -> ApiError | None:
    match err:
        case ApiError():
            return err
        case sheets.Unauthenticated():
            return ApiError(UNAUTHENTICATED, str(err))
        case sheets.PermissionDenied() | AccessDenied():
            return ApiError(FORBIDDEN, str(err))
        case sheets.SpreadsheetNotFound() | sheets.TabNotFound():
            return ApiError(NOT_FOUND, str(err))
        case sheets.RateLimited():
            return ApiError(RATE_LIMITED, str(err))
        case sheets.UpstreamUnavailable():
            return ApiError(UPSTREAM_UNAVAILABLE, str(err))
        case sheets.BadRequest() | CsvFileError() | InvalidSpreadsheetId():
            return ApiError(BAD_INPUT, str(err))
        case HeaderNotFound() | ColumnNotFound() | ClassificationError():
            return ApiError(BAD_INPUT, str(err), err.issues)
    return _translate_run(err)


def _translate_run(err: Exception) -> ApiError | None:
    """Failures of the run's own machinery: the store, the queue, the limits, alerts."""
    match err:
        case StoreUnavailable():
            log.error("the run store failed: %.500r", str(err.__cause__ or err))
            return ApiError(
                UPSTREAM_UNAVAILABLE, "The run store is not reachable right now; try again shortly."
            )
        case LockTimeout():
            return ApiError(
                RATE_LIMITED,
                "Another classification of this spreadsheet is still running; "
                "try again when it has finished.",
            )
        case TooManyRuns():
            return ApiError(RATE_LIMITED, str(err))
        case WebhookUrlError():
            return ApiError(BAD_INPUT, err.message)
    return None


def describe_failure(err: BaseException) -> Failure:
    """How a run that did not succeed is recorded (``CODE: message``), coded as the API
    codes errors; a bug is logged here with its traceback."""
    api = translate(err) if isinstance(err, Exception) else None
    if api is None:
        log.error("a run failed unexpectedly", exc_info=(type(err), err, err.__traceback__))
        return Failure(INTERNAL, f"Unexpected error ({type(err).__name__}); it has been logged.")
    return Failure(api.code, api.message, api.issues)


@contextmanager
def api_errors() -> Iterator[None]:
    """Translate expected exceptions raised inside the block into :class:`ApiError`."""
    try:
        yield
    except ApiError:
        raise
    except Exception as err:
        api = translate(err)
        if api is None:
            raise
        raise api from err


def _request_id(execution_context: ExecutionContext | None) -> str | None:
    context = getattr(execution_context, "context", None)
    return getattr(context, "request_id", None)


def is_request_error(error: GraphQLError) -> bool:
    """A variable that does not fit the document (an ``Int`` out of range, an unknown
    enum value, a null for a non-null type): graphql-core's coercion error, raised before
    any field ran (so with no path)."""
    return error.path is None and isinstance(error.original_error, GraphQLError)


def is_shown(error: GraphQLError) -> bool:
    """Parse/validation errors and :class:`ApiError` are shown as they are."""
    return error.original_error is None or isinstance(error.original_error, ApiError)


def is_expected(error: GraphQLError) -> bool:
    """Not a bug: shown as it is, or a request error (shown as ``BAD_INPUT``)."""
    return is_shown(error) or is_request_error(error)


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Log expected failures briefly and bugs with their traceback, both with the request id."""
    rid = _request_id(execution_context)
    for error in errors:
        if is_expected(error):
            code = (error.extensions or {}).get("code", INVALID_QUERY)
            log.info("request=%s graphql error code=%s: %s", rid, code, clean(error.message))
        else:
            original = error.original_error
            log.error(
                "request=%s unexpected error at %s",
                rid,
                error.path,
                exc_info=(type(original), original, original.__traceback__)
                if original is not None
                else None,
            )


def with_codes(response: GraphQLHTTPResponse) -> GraphQLHTTPResponse:
    """Every error of an answer with an ``extensions.code``: what has none by now is a
    query that did not parse or validate (syntax, unknown field, depth, aliases, tokens),
    which is ``BAD_INPUT`` with ``reason: INVALID_QUERY`` (so a client can tell "your
    document is wrong" from "your sheet is"). Bugs were masked as ``INTERNAL`` already."""
    for error in response.get("errors") or []:
        if isinstance(error, dict):
            extensions = dict(error.get("extensions") or {})
            if not extensions.get("code"):
                extensions.update(code=BAD_INPUT, reason=INVALID_QUERY)
            error["extensions"] = extensions
    return response


class LoggedMaskErrors(MaskErrors):
    """Masks unexpected errors; the caller gets the request id to quote to support.
    Variables that do not fit the document are ``BAD_INPUT`` with reason
    ``INVALID_VARIABLES`` and graphql-core's message (it quotes values shortened)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not is_shown(e))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if is_request_error(error):
            return GraphQLError(
                message=clean(error.message, 500),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                original_error=None,
                extensions={"code": BAD_INPUT, "reason": INVALID_VARIABLES},
            )
        rid = _request_id(self.execution_context)
        return GraphQLError(
            message=f"Unexpected error (request {rid}). It has been logged; "
            "please try again or quote the request id to support.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": INTERNAL, "requestId": rid},
        )
