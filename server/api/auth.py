"""Who may do what (README, "Who may do what"): an ``Authorization`` header becomes a
:class:`Caller`.

* User mode (default): the header carries the caller's Google OAuth access token; the
  Sheets API is called with it, so Google decides what the caller may open.
* Service-account mode: the header carries a Google-signed ID token
  (``ScriptApp.getIdentityToken()``), verified with google-auth against the configured
  audience; an allow-list of domains decides who may call: the e-mail's domain and the
  token's hosted-domain claim (``hd``, set for Google Workspace accounts only) must both
  be on it. What each caller may do with a sheet is :mod:`server.service.access`.

Tokens never appear in logs or messages: failures say what to do, not what was sent.
"""

from __future__ import annotations

import abc
import base64
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import anyio.to_thread
import requests
from google.auth import exceptions as google_exceptions
from google.auth import jwt

from server.api.errors import FORBIDDEN, UNAUTHENTICATED, ApiError
from server.cache import TtlCache
from server.quoting import quoted
from server.service import Caller
from sheets_adapter.port import ServiceAccountAuth, UserToken

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer ...`` header, or an UNAUTHENTICATED error."""
    if not authorization or not authorization.strip():
        raise ApiError(
            UNAUTHENTICATED,
            "Sign-in required: send the header 'Authorization: Bearer <token>' "
            "(the add-on does this for you).",
        )
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 8192 or " " in token:
        raise ApiError(
            UNAUTHENTICATED,
            "The Authorization header must be 'Bearer <token>' with a single Google token.",
        )
    return token


class Authenticator(abc.ABC):
    @abc.abstractmethod
    async def authenticate(self, authorization: str | None) -> Caller: ...


class UserTokenAuthenticator(Authenticator):
    """User mode: the bearer token is the caller's OAuth access token."""

    async def authenticate(self, authorization: str | None) -> Caller:
        return Caller(auth=UserToken(bearer_token(authorization)))


class CertificateCache:
    """Google's ID-token signing certificates ``{kid: x509 PEM}``, kept for an hour (Google
    rotates keys over days), fetched again sooner, at most once a minute, for a key id
    they do not hold."""

    def __init__(
        self,
        url: str,
        session: requests.Session,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._session = session
        self._clock = clock
        # one entry: (fetched at, certificates)
        self._cache: TtlCache[str, tuple[float, Mapping[str, str]]] = TtlCache(ttl, 1, clock)
        self._fetching = threading.Lock()  # one fetch at a time; the others wait for it

    def get(self, kid: str | None) -> Mapping[str, str]:
        with self._fetching:
            entry = self._cache.get(self._url)
            if entry is not None:
                fetched_at, certs = entry
                if kid is None or kid in certs or self._clock() - fetched_at <= 60:
                    return certs
            response = self._session.get(self._url, timeout=(3, 10))
            response.raise_for_status()
            document = response.json()
            if not isinstance(document, dict):
                raise ValueError("certificate document is not an object")
            certs = {str(k): str(v) for k, v in document.items()}
            self._cache.put(self._url, (self._clock(), certs))
            return certs


def _kid(token: str) -> str | None:
    try:
        header_segment = token.split(".", 1)[0]
        header = json.loads(
            base64.urlsafe_b64decode(header_segment + "=" * (-len(header_segment) % 4))
        )
    except (ValueError, UnicodeDecodeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return str(kid) if kid is not None else None


class IdTokenAuthenticator(Authenticator):
    """Service-account mode: verify a Google ID token, then the caller's e-mail domain."""

    def __init__(
        self,
        *,
        audience: str,
        allowed_domains: Sequence[str],
        certs: CertificateCache,
        clock_skew: int = 10,
    ) -> None:
        self._audience = audience
        self._domains = frozenset(d.lower() for d in allowed_domains)
        self._certs = certs
        self._skew = clock_skew

    def verify(self, token: str) -> Mapping[str, object]:
        """The token's claims, checked; blocking (may fetch certificates)."""
        try:
            certs = self._certs.get(_kid(token))
        except (requests.RequestException, ValueError):
            raise ApiError(
                UNAUTHENTICATED,
                "Could not fetch Google's token-signing certificates to check your sign-in; "
                "try again in a minute.",
            ) from None
        try:
            claims: Mapping[str, object] = jwt.decode(  # type: ignore[no-untyped-call]
                token,
                certs=dict(certs),
                audience=self._audience,
                clock_skew_in_seconds=self._skew,
            )
        except (ValueError, google_exceptions.GoogleAuthError):
            # The library's message can quote the token: never pass it on.
            raise ApiError(
                UNAUTHENTICATED,
                "Your Google identity token was refused (expired, malformed, or issued for "
                "another application). Reload the spreadsheet and try again.",
            ) from None
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise ApiError(UNAUTHENTICATED, "The identity token was not issued by Google.")
        return claims

    async def authenticate(self, authorization: str | None) -> Caller:
        token = bearer_token(authorization)
        claims = await anyio.to_thread.run_sync(self.verify, token)
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise ApiError(
                UNAUTHENTICATED,
                "The identity token carries no e-mail address: the add-on needs the "
                "userinfo.email scope.",
            )
        if claims.get("email_verified") is not True:
            raise ApiError(FORBIDDEN, f"The Google account {quoted(email)} has no verified e-mail.")
        shown = quoted(email)
        domain = email.rsplit("@", 1)[1].lower()
        allowed = ", ".join(sorted(self._domains))
        if domain not in self._domains:
            raise ApiError(
                FORBIDDEN,
                f"{shown} may not use this backend: only accounts of {allowed} are allowed. "
                "Ask your administrator.",
            )
        hosted = claims.get("hd")
        if not isinstance(hosted, str) or hosted.lower() not in self._domains:
            # A personal Google account registered with a work address has no hd claim:
            # the address alone does not make it the company's account.
            raise ApiError(
                FORBIDDEN,
                f"{shown} is not signed in with a Google Workspace account of {allowed} "
                "(a personal Google account with a work address is not one). Sign in with "
                "your work account.",
            )
        return Caller(auth=ServiceAccountAuth(caller_email=email), email=email)
