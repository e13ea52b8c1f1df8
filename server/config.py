"""Settings, read from the environment in one place.

Every variable the backend understands is listed in :data:`VARIABLES` (the README's
configuration table is generated from the same descriptions). Nothing else in the
code base reads ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SQLITE = "sqlite:///sales-verdicts.sqlite3"
GOOGLE_ID_TOKEN_CERTS = "https://www.googleapis.com/oauth2/v1/certs"  # noqa: S105 - a URL

#: name -> (default shown in docs, description)
VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        DEFAULT_SQLITE,
        "Run store. `sqlite:///PATH` (default: a file in the working directory) or "
        "`postgresql://user:pass@host:5432/db` (PostgreSQL, for several workers or instances).",
    ),
    "SHEETS_EMULATOR_HOST": (
        "unset",
        "Send every Google API call to a Sheets API emulator, e.g. `http://127.0.0.1:8765`.",
    ),
    "GOOGLE_APPLICATION_CREDENTIALS": (
        "unset",
        "Path of a service-account key (JSON). Set: service-account mode (the backend reads "
        "and writes as the service account; callers send Google ID tokens). Unset: user mode "
        "(callers send their own OAuth access token).",
    ),
    "SALES_VERDICTS_AUDIENCE": (
        "unset",
        "Service-account mode: the audience ID tokens must carry (the add-on's OAuth client id). "
        "Required in that mode.",
    ),
    "SALES_VERDICTS_ALLOWED_DOMAINS": (
        "unset",
        "Service-account mode: comma-separated e-mail domains allowed to call, e.g. "
        "`example.com,example.co.uk`. Required in that mode.",
    ),
    "SALES_VERDICTS_CERTS_URL": (
        "Google's",
        "Where ID-token signing certificates are fetched (x509 PEM by key id). Default "
        "Google's; with the emulator, the emulator's `/oauth2/v1/certs`.",
    ),
    "SALES_VERDICTS_INTROSPECTION": (
        "true",
        "`false` switches GraphQL introspection off (recommended in production).",
    ),
    "SALES_VERDICTS_GRAPHIQL": ("true", "`false` stops serving GraphiQL on `GET /graphql`."),
    "SALES_VERDICTS_MAX_DEPTH": ("10", "Largest query depth accepted."),
    "SALES_VERDICTS_MAX_ALIASES": ("15", "Most aliases accepted in one document."),
    "SALES_VERDICTS_MAX_TOKENS": ("2000", "Most tokens accepted in one document."),
    "SALES_VERDICTS_SHEETS_DEADLINE": (
        "20",
        "Seconds a Google API call may take, retries included, before the API answers "
        "RATE_LIMITED or UPSTREAM_UNAVAILABLE.",
    ),
    "SALES_VERDICTS_COALESCE_SECONDS": (
        "1",
        "A classification asked again (same sheet, quarter, options and caller) within this "
        "many seconds of one that just finished gets that run instead of a new one; `0` "
        "turns it off. Requests that overlap always share one run.",
    ),
    "SALES_VERDICTS_LOG_LEVEL": ("INFO", "Python log level."),
}


class SettingsError(ValueError):
    """A variable has a value the backend cannot use; the message names it."""


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r}: expected true or false")


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r}: expected a number from {low} to {high}")
    return value


def _float(environ: Mapping[str, str], name: str, default: float, low: float = 0.001) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a number of seconds") from None
    if not low <= value <= 600:
        raise SettingsError(f"{name}={raw!r}: expected between {low:g} and 600 seconds")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_SQLITE
    emulator_host: str | None = None
    service_account_file: Path | None = None
    audience: str | None = None
    allowed_domains: tuple[str, ...] = ()
    certs_url: str = GOOGLE_ID_TOKEN_CERTS
    introspection: bool = True
    graphiql: bool = True
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    sheets_deadline: float = 20.0
    coalesce_window: float = 1.0
    log_level: str = "INFO"

    @property
    def service_account_mode(self) -> bool:
        return self.service_account_file is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        emulator = (env.get("SHEETS_EMULATOR_HOST") or "").strip().rstrip("/") or None
        if emulator is not None and "://" not in emulator:
            emulator = f"http://{emulator}"
        key_file = (env.get("GOOGLE_APPLICATION_CREDENTIALS") or "").strip() or None
        domains = tuple(
            d.strip().lower().lstrip("@")
            for d in (env.get("SALES_VERDICTS_ALLOWED_DOMAINS") or "").split(",")
            if d.strip()
        )
        audience = (env.get("SALES_VERDICTS_AUDIENCE") or "").strip() or None
        certs_default = (
            f"{emulator}/oauth2/v1/certs" if emulator is not None else GOOGLE_ID_TOKEN_CERTS
        )
        settings = cls(
            database_url=(env.get("DATABASE_URL") or "").strip() or DEFAULT_SQLITE,
            emulator_host=emulator,
            service_account_file=Path(key_file) if key_file else None,
            audience=audience,
            allowed_domains=domains,
            certs_url=(env.get("SALES_VERDICTS_CERTS_URL") or "").strip() or certs_default,
            introspection=_bool(env, "SALES_VERDICTS_INTROSPECTION", True),
            graphiql=_bool(env, "SALES_VERDICTS_GRAPHIQL", True),
            max_depth=_int(env, "SALES_VERDICTS_MAX_DEPTH", 10, 3, 100),
            max_aliases=_int(env, "SALES_VERDICTS_MAX_ALIASES", 15, 1, 1000),
            max_tokens=_int(env, "SALES_VERDICTS_MAX_TOKENS", 2000, 100, 100_000),
            sheets_deadline=_float(env, "SALES_VERDICTS_SHEETS_DEADLINE", 20.0),
            coalesce_window=_float(env, "SALES_VERDICTS_COALESCE_SECONDS", 1.0, low=0.0),
            log_level=(env.get("SALES_VERDICTS_LOG_LEVEL") or "INFO").strip().upper(),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.service_account_mode:
            assert self.service_account_file is not None
            if not self.service_account_file.is_file():
                raise SettingsError(
                    f"GOOGLE_APPLICATION_CREDENTIALS={str(self.service_account_file)!r}: "
                    "no such file"
                )
            if not self.audience:
                raise SettingsError(
                    "SALES_VERDICTS_AUDIENCE is required in service-account mode "
                    "(the add-on's OAuth client id, the audience of its ID tokens)"
                )
            if not self.allowed_domains:
                raise SettingsError(
                    "SALES_VERDICTS_ALLOWED_DOMAINS is required in service-account mode "
                    "(the e-mail domains allowed to call, e.g. example.com)"
                )
