"""Every Google API call of the adapter goes through :meth:`ApiCaller.call`.

It lends a gspread client for the credentials, sets the ``(connect, read)`` timeout,
retries transient failures (see :mod:`sheets_adapter.retry`) and translates gspread,
requests and google-auth errors into :mod:`sheets_adapter.errors`, once, here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import google.auth.exceptions
import gspread
import orjson
import requests
from gspread.http_client import HTTPClient

from sheets_adapter.config import SheetsSettings
from sheets_adapter.errors import (
    BadRequest,
    GoogleSheetsError,
    PermissionDenied,
    RateLimited,
    SheetsConfigError,
    SpreadsheetNotFound,
    Unauthenticated,
    UpstreamUnavailable,
)
from sheets_adapter.port import ServiceAccountAuth, SheetsAuth, UserToken
from sheets_adapter.retry import Exhausted, RequestCounter, Retrier, Transient, parse_retry_after
from sheets_adapter.transport import (
    GoogleSession,
    SessionPool,
    load_service_account,
    user_credentials,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

GENERIC_403 = "The caller does not have permission"
QUOTA_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
RETRYABLE_NETWORK = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    requests.exceptions.JSONDecodeError,
    orjson.JSONDecodeError,  # a values.batchGet answer cut short (sheets_adapter.values)
    google.auth.exceptions.TransportError,
)


class RangeNotFound(BadRequest):
    """A 400 "Unable to parse range": a tab the request named is gone."""


class ApiCaller:
    """Credentials, sessions, retries and error translation for one adapter."""

    def __init__(self, settings: SheetsSettings, retrier: Retrier) -> None:
        self.settings = settings
        self.counter = RequestCounter()
        self._retrier = retrier
        self._pool = SessionPool(settings.pool_size)
        self._sa = (
            load_service_account(settings.service_account_file)
            if settings.service_account_file is not None
            else None
        )
        self._sa_lock = threading.Lock()

    @property
    def service_account_email(self) -> str | None:
        return None if self._sa is None else str(self._sa.service_account_email)

    def identity(self, auth: SheetsAuth) -> str:
        """A non-secret key for the credentials ``auth`` stands for (caches are per key)."""
        if isinstance(auth, UserToken):
            if not auth.access_token:
                raise Unauthenticated(None, "No Google access token was sent. Sign in and retry.")
            return auth.identity
        if self._sa is None:
            raise SheetsConfigError(
                "Service-account mode is not configured: set GOOGLE_APPLICATION_CREDENTIALS "
                "to the service account's key file."
            )
        return f"sa:{self.service_account_email}"

    def _maker(self, auth: SheetsAuth) -> Callable[[], gspread.Client]:
        host = self.settings.emulator_host

        def make() -> gspread.Client:
            if isinstance(auth, UserToken):
                session = GoogleSession(
                    user_credentials(auth.access_token),
                    emulator_host=host,
                    counter=self.counter,
                    refresh_lock=None,
                )
            else:
                credentials = self._sa
                if credentials is None:  # identity() has already refused this
                    raise SheetsConfigError("Service-account mode is not configured.")
                session = GoogleSession(
                    credentials,
                    emulator_host=host,
                    counter=self.counter,
                    refresh_lock=self._sa_lock,
                )
            return gspread.Client(auth=None, session=session)  # type: ignore[arg-type]

        return make

    def call(
        self,
        spreadsheet_id: str,
        auth: SheetsAuth,
        action: str,
        op: Callable[[HTTPClient], T],
    ) -> T:
        """Run ``op`` with retries; ``action`` is "read" or "write" (it shapes messages)."""
        key = self.identity(auth)
        make = self._maker(auth)

        def attempt(timeout: tuple[float, float]) -> T:
            try:
                with self._pool.lease(key, make) as client:
                    client.http_client.set_timeout(timeout)
                    return op(client.http_client)
            except gspread.exceptions.APIError as err:
                raise self._api_error(err, spreadsheet_id, auth, action) from None
            except google.auth.exceptions.RefreshError as err:
                if getattr(err, "retryable", False):
                    raise Transient(None, "the token endpoint failed") from None
                raise self._refused(err, spreadsheet_id) from None
            except RETRYABLE_NETWORK as err:
                raise Transient(None, type(err).__name__) from None

        def give_up(exhausted: Exhausted) -> Exception:
            return self._exhausted(exhausted, spreadsheet_id)

        return self._retrier.run(attempt, give_up)

    # -- translation ---------------------------------------------------------------------

    def _api_error(
        self,
        err: gspread.exceptions.APIError,
        spreadsheet_id: str,
        auth: SheetsAuth,
        action: str,
    ) -> Exception:
        response = err.response
        status = response.status_code
        error: Mapping[str, Any] = err.error if isinstance(err.error, Mapping) else {}
        parsed = isinstance(error.get("code"), int) and error.get("code") != -1
        said = str(error.get("message") or "").strip()[:500] if parsed else ""
        reasons = {
            str(e.get("reason"))
            for e in error.get("errors") or ()
            if isinstance(e, Mapping) and e.get("reason")
        }
        quota_403 = status == 403 and (
            error.get("status") == "RESOURCE_EXHAUSTED" or bool(reasons & QUOTA_REASONS)
        )
        if status in self._retrier.policy.retry_statuses or quota_403:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return Transient(429 if quota_403 else status, f"HTTP {status}", retry_after)
        suffix = f" (Google said: {said})" if said else ""
        if status == 401:
            return Unauthenticated(spreadsheet_id, self._unauthenticated_text(auth), status=401)
        if status == 403:
            text = self._denied_text(spreadsheet_id, auth, action)
            if said and said != GENERIC_403:
                text += suffix
            return PermissionDenied(spreadsheet_id, text, status=403)
        if status == 404:
            return SpreadsheetNotFound(spreadsheet_id, status=404)
        if status == 400 and "unable to parse range" in said.casefold():
            return RangeNotFound(
                spreadsheet_id, f"Google could not find a range{suffix}.", status=400
            )
        return BadRequest(
            spreadsheet_id,
            f"Google Sheets rejected the request to {action} spreadsheet "
            f"{spreadsheet_id}{suffix or f' (HTTP {status})'}.",
            status=status,
        )

    def _unauthenticated_text(self, auth: SheetsAuth) -> str:
        if isinstance(auth, ServiceAccountAuth):
            return (
                f"Google did not accept the access token of service account "
                f"{self.service_account_email}. Check that its key is still valid."
            )
        return (
            "Google did not accept your access token (it is missing, expired or revoked). "
            "Reload the add-on or sign in again, then retry."
        )

    def _denied_text(self, spreadsheet_id: str, auth: SheetsAuth, action: str) -> str:
        if isinstance(auth, ServiceAccountAuth):
            who = f"The service account {self.service_account_email}"
            fix = f"Share the spreadsheet with {self.service_account_email} as an editor."
        else:
            who = "Your Google account"
            fix = "Ask its owner to share it with you as an editor."
        if action == "write":
            return (
                f"{who} can open spreadsheet {spreadsheet_id} but not edit it, so the "
                f"Summary tab cannot be written. {fix}"
            )
        return f"{who} cannot open spreadsheet {spreadsheet_id}. {fix}"

    def _refused(
        self, err: google.auth.exceptions.RefreshError, spreadsheet_id: str
    ) -> GoogleSheetsError:
        reason = err.args[0] if err.args and isinstance(err.args[0], str) else "refused"
        log.warning("service-account token exchange refused: %s", reason[:200])
        return Unauthenticated(
            spreadsheet_id,
            f"Google refused the credentials of service account {self.service_account_email} "
            f"({reason[:200]}). Check GOOGLE_APPLICATION_CREDENTIALS: the key may have been "
            "deleted or disabled.",
        )

    @staticmethod
    def _exhausted(exhausted: Exhausted, spreadsheet_id: str) -> GoogleSheetsError:
        last = exhausted.decisive
        what = f"HTTP {last.status}" if last.status is not None else last.detail
        if last is not exhausted.last:  # the final attempt only ran out of the time left
            what = f"{what}, then {exhausted.last.detail} as the time ran out"
        counts = f"{exhausted.attempts} attempts over {exhausted.elapsed:.1f} s; last: {what}"
        if exhausted.retry_after_too_long and last.retry_after is not None:
            waited = f"Google asked to wait {last.retry_after:.0f} s before trying again"
        else:
            waited = ""
        if last.status == 429:
            return RateLimited(
                spreadsheet_id,
                f"Google Sheets' request quota is used up for now ({counts}). "
                f"{waited + '. ' if waited else ''}Wait a minute and try again.",
                status=429,
                attempts=exhausted.attempts,
                elapsed=exhausted.elapsed,
            )
        return UpstreamUnavailable(
            spreadsheet_id,
            f"Google Sheets did not answer in time ({counts}). "
            f"{waited + '. ' if waited else ''}Try again in a few minutes.",
            status=last.status,
            attempts=exhausted.attempts,
            elapsed=exhausted.elapsed,
        )

    def close(self) -> None:
        self._pool.close()
