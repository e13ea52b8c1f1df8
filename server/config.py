"""Settings, declared once and read from the environment in one place.

Each setting is one field of :class:`Settings`, declared with :func:`setting`: its
environment variable, default, help text and bounds; its type is the field's annotation.
That one declaration drives the parsing (:meth:`Settings.from_env`), the checks (a bad
value stops the server with a message naming the variable) and the README's
configuration table (:func:`readme_table`, printed by ``python -m server.config``; a test
fails when the README and the declarations differ). Adding a setting is one line::

    max_widgets: int = setting("SALES_VERDICTS_MAX_WIDGETS", 10, "Most widgets.", low=1, high=99)

Types understood: ``bool``, ``int``, ``float``, ``str``, ``str | None``, ``Path | None``,
and anything else with a ``parse`` function. Nothing else in the code base reads
``os.environ`` for the backend's settings.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, Unpack

from server.alerts import DEFAULT_HOSTS, SealingKeys, parse_hosts
from server.store import DEFAULT_SQLITE_FILE
from sheets_adapter.config import normalise_emulator_host
from sheets_adapter.errors import SheetsConfigError

DEFAULT_SQLITE = f"sqlite:///{DEFAULT_SQLITE_FILE}"
GOOGLE_ID_TOKEN_CERTS = "https://www.googleapis.com/oauth2/v1/certs"  # noqa: S105 - a URL


class SettingsError(ValueError):
    """A variable has a value the backend cannot use; the message names it."""


@dataclass(frozen=True)
class Variable:
    """How one setting is read: see :func:`setting`."""

    name: str
    help: str
    low: float | None = None
    high: float | None = None
    unit: str = ""
    shown: str | None = None
    parse: Callable[[str], Any] | None = None
    secret: bool = False


class How(TypedDict, total=False):
    """The optional parts of a declaration (see :class:`Variable`)."""

    low: float
    high: float
    unit: str
    shown: str
    parse: Callable[[str], Any]
    secret: bool


def setting(name: str, default: Any, help: str, **how: Unpack[How]) -> Any:
    """Declare a field of :class:`Settings` read from variable ``name``.

    ``low``/``high`` bound numbers (``unit`` names them in messages); ``shown`` is the
    default as the README shows it when the value itself would not say it (``unset``
    is shown for None); ``parse`` reads the text when the field's type is not enough
    (it raises ``ValueError`` with what was expected); ``secret`` keeps the value out of
    error messages."""
    variable = Variable(name, help, **how)
    return dataclasses.field(default=default, metadata={"variable": variable})


def _domains(text: str) -> tuple[str, ...]:
    return tuple(d.strip().lower().lstrip("@") for d in text.split(",") if d.strip())


def _emulator(text: str) -> str | None:
    try:
        return normalise_emulator_host(text)
    except SheetsConfigError:
        raise ValueError("expected an address like http://127.0.0.1:8765") from None


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        "DATABASE_URL",
        DEFAULT_SQLITE,
        "Run store: `sqlite:///PATH` (one machine) or `postgresql://user:pass@host:5432/db` "
        "(several workers or instances; `postgres://` works too). `memory://` keeps runs in "
        "memory only.",
    )
    emulator_host: str | None = setting(
        "SHEETS_EMULATOR_HOST",
        None,
        "Send every Google API call (token exchanges included) to a Sheets API emulator, "
        "e.g. `http://127.0.0.1:8765`.",
        parse=_emulator,
    )
    service_account_file: Path | None = setting(
        "GOOGLE_APPLICATION_CREDENTIALS",
        None,
        "A service-account key file: service-account mode. Unset: user mode.",
    )
    audience: str | None = setting(
        "SALES_VERDICTS_AUDIENCE",
        None,
        "Service-account mode (required): the audience of callers' ID tokens, i.e. the "
        "add-on's OAuth client id.",
    )
    allowed_domains: tuple[str, ...] = setting(
        "SALES_VERDICTS_ALLOWED_DOMAINS",
        (),
        "Service-account mode (required): e-mail domains allowed to call, comma-separated.",
        parse=_domains,
    )
    certs_url: str = setting(
        "SALES_VERDICTS_CERTS_URL",
        GOOGLE_ID_TOKEN_CERTS,
        "Where ID-token certificates are fetched; with the emulator, its `/oauth2/v1/certs` "
        "(the default when `SHEETS_EMULATOR_HOST` is set).",
        shown="Google's",
    )
    introspection: bool = setting(
        "SALES_VERDICTS_INTROSPECTION",
        True,
        "`false` switches GraphQL introspection off (the Docker image does).",
    )
    graphiql: bool = setting("SALES_VERDICTS_GRAPHIQL", True, "`false` stops serving GraphiQL.")
    max_depth: int = setting(
        "SALES_VERDICTS_MAX_DEPTH", 10, "Largest query depth accepted.", low=3, high=100
    )
    max_aliases: int = setting(
        "SALES_VERDICTS_MAX_ALIASES", 15, "Most aliases in one document.", low=1, high=1000
    )
    max_tokens: int = setting(
        "SALES_VERDICTS_MAX_TOKENS", 2000, "Most tokens in one document.", low=100, high=100_000
    )
    max_fragment_spreads: int = setting(
        "SALES_VERDICTS_MAX_FRAGMENT_SPREADS",
        100,
        "Most fragment spreads in one document (each fragment is measured once however "
        "often it is spread).",
        low=1,
        high=10_000,
    )
    cached_documents: int = setting(
        "SALES_VERDICTS_CACHED_DOCUMENTS",
        128,
        "Parsed and validated GraphQL documents kept in memory; `0` keeps none.",
        low=0,
        high=100_000,
    )
    cached_document_bytes: int = setting(
        "SALES_VERDICTS_CACHED_DOCUMENT_BYTES",
        4096,
        "Only documents of at most this many characters are kept in that cache.",
        low=0,
        high=1_000_000,
        unit="characters",
    )
    max_body_bytes: int = setting(
        "SALES_VERDICTS_MAX_BODY_BYTES",
        262_144,
        "Largest request body accepted; a larger one gets 413 before it is read.",
        low=1024,
        high=100_000_000,
        unit="bytes",
    )
    read_timeout: float = setting(
        "SALES_VERDICTS_READ_TIMEOUT",
        10.0,
        "Seconds a client has to send a request's headers (then the connection is closed), "
        "and again its body (then 408).",
        low=0.1,
        high=600,
        unit="seconds",
    )
    keep_alive: int = setting(
        "SALES_VERDICTS_KEEP_ALIVE",
        5,
        "Seconds an idle kept-alive connection is kept open for its next request.",
        low=1,
        high=600,
        unit="seconds",
    )
    request_timeout: float = setting(
        "SALES_VERDICTS_REQUEST_TIMEOUT",
        55.0,
        "Seconds one request may take in all before it gets 504 (Apps Script gives up "
        "after about 60).",
        low=0.1,
        high=3600,
        unit="seconds",
    )
    upstream_budget: float = setting(
        "SALES_VERDICTS_UPSTREAM_BUDGET",
        50.0,
        "Seconds all the Google calls and lock waits of one request may take together (each "
        "call's own deadline is cut to what is left); keep it below "
        "`SALES_VERDICTS_REQUEST_TIMEOUT`, so the caller hears why.",
        low=0.1,
        high=3600,
        unit="seconds",
    )
    sheets_deadline: float = setting(
        "SALES_VERDICTS_SHEETS_DEADLINE",
        20.0,
        "Seconds a Google API call may take by the wall clock, retries included, before "
        "`RATE_LIMITED` / `UPSTREAM_UNAVAILABLE`.",
        low=0.001,
        high=600,
        unit="seconds",
    )
    coalesce_window: float = setting(
        "SALES_VERDICTS_COALESCE_SECONDS",
        1.0,
        "An identical classification asked this soon after one finished gets that run; `0` "
        "turns it off.",
        low=0,
        high=600,
        unit="seconds",
    )
    run_lease: float = setting(
        "SALES_VERDICTS_RUN_LEASE",
        60.0,
        "A running run's worker beats a heartbeat every quarter of this; a run whose "
        "heartbeat is older is ended FAILED (`INTERRUPTED`) by any worker (its worker died).",
        low=1,
        high=3600,
        unit="seconds",
    )
    runs_per_caller: int = setting(
        "SALES_VERDICTS_RUNS_PER_CALLER",
        4,
        "Classifications one caller may have under way at once (per worker); more get "
        "`RATE_LIMITED`.",
        low=1,
        high=1000,
    )
    run_threads: int = setting(
        "SALES_VERDICTS_RUN_THREADS",
        16,
        "Worker threads runs may do their work in at once (read, classify, write), apart "
        "from the threads that answer every other request; more runs wait without holding "
        "a thread.",
        low=1,
        high=200,
    )
    queue_timeout: float = setting(
        "SALES_VERDICTS_QUEUE_SECONDS",
        600.0,
        "Seconds a run may wait for the earlier runs of its spreadsheet before it ends "
        "FAILED (`RATE_LIMITED`).",
        low=1,
        high=86_400,
        unit="seconds",
    )
    webhook_hosts: tuple[str, ...] = setting(
        "SALES_VERDICTS_WEBHOOK_HOSTS",
        DEFAULT_HOSTS,
        "Hosts alerts may be posted to, comma-separated; https only, except loopback hosts "
        "listed here (`127.0.0.1`, `localhost`, `::1`), which may use http and any port.",
        shown=f"`{','.join(DEFAULT_HOSTS)}`",
        parse=parse_hosts,
    )
    webhook_attempts: int = setting(
        "SALES_VERDICTS_WEBHOOK_ATTEMPTS",
        4,
        "Most tries to post one alert (on 429, 5xx, timeouts and connection errors).",
        low=1,
        high=10,
    )
    webhook_backoff: float = setting(
        "SALES_VERDICTS_WEBHOOK_BACKOFF",
        0.5,
        "Seconds before the second try, doubling for each next one (at most 8, jittered; a "
        "longer `Retry-After` is waited).",
        low=0.01,
        high=60,
        unit="seconds",
    )
    webhook_timeout: float = setting(
        "SALES_VERDICTS_WEBHOOK_TIMEOUT",
        10.0,
        "Seconds one try to post an alert may wait for the chat service.",
        low=0.1,
        high=60,
        unit="seconds",
    )
    webhook_budget: float = setting(
        "SALES_VERDICTS_WEBHOOK_BUDGET",
        60.0,
        "Seconds one alert may take, tries and waits included, before it is given up.",
        low=0.1,
        high=600,
        unit="seconds",
    )
    webhook_keys: SealingKeys | None = setting(
        "SALES_VERDICTS_WEBHOOK_KEYS",
        None,
        "Fernet keys that encrypt stored webhook URLs, comma-separated, the one that seals "
        "first (to rotate, put a new key first and keep the old until the URLs are sealed "
        "again). Unset: stored as they are, protected only by the database's access.",
        parse=SealingKeys.parse,
        secret=True,
    )
    max_cells: int = setting(
        "SALES_VERDICTS_MAX_CELLS",
        10_000_000,
        "Most grid cells (rows x columns, empty ones included) of the tabs one "
        "classification reads (Google's own limit per spreadsheet is 10,000,000); a bigger "
        "sheet is refused before it is read, naming its biggest tabs.",
        low=1000,
        high=100_000_000,
        unit="cells",
    )
    max_issues: int = setting(
        "SALES_VERDICTS_MAX_ISSUES",
        1000,
        "Data issues kept and returned per run (the first ones, plus how many more of each kind).",
        low=1,
        high=1_000_000,
    )
    max_cell_text: int = setting(
        "SALES_VERDICTS_MAX_CELL_TEXT",
        500,
        "Characters of a cell's text (or a group name) kept in a stored run.",
        low=20,
        high=50_000,
        unit="characters",
    )
    runs_kept: int = setting(
        "SALES_VERDICTS_RUNS_KEPT",
        200,
        "Runs kept per spreadsheet; older ones are deleted when a run is recorded.",
        low=1,
        high=1_000_000,
    )
    access_ttl: float = setting(
        "SALES_VERDICTS_ACCESS_SECONDS",
        30.0,
        "A caller found allowed to open (or edit) a sheet is not asked about again for this "
        "long; a refusal is never kept, and runs newer than the answer are shown only after "
        "asking again.",
        low=0,
        high=3600,
        unit="seconds",
    )
    log_level: str = setting(
        "SALES_VERDICTS_LOG_LEVEL", "INFO", "Python log level.", parse=str.upper
    )

    @property
    def service_account_mode(self) -> bool:
        return self.service_account_file is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Every declared variable of ``environ`` (default: the process's), parsed and
        checked; an unset or blank variable takes the declared default."""
        env = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            variable: Variable = field.metadata["variable"]
            raw = env.get(variable.name)
            if raw is not None and raw.strip():
                values[field.name] = _parse(variable, hints[field.name], raw)
        if "certs_url" not in values and values.get("emulator_host"):
            values["certs_url"] = f"{values['emulator_host']}/oauth2/v1/certs"
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Checks across settings: service-account mode needs its key, audience and domains."""
        if self.service_account_file is None:
            return
        if not self.service_account_file.is_file():
            raise SettingsError(
                f"GOOGLE_APPLICATION_CREDENTIALS={str(self.service_account_file)!r}: no such file"
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


def _parse(variable: Variable, kind: Any, raw: str) -> Any:
    """``raw`` as the field's type, or a :class:`SettingsError` naming the variable."""
    text = raw.strip()
    try:
        if variable.parse is not None:
            return variable.parse(text)
        if kind is bool:
            return _boolean(text)
        if kind in (int, float):
            return _number(variable, kind, text)
        if kind in (str, str | None):
            return text
        if kind == Path | None:
            return Path(text)
    except ValueError as err:
        shown = "(the value is a secret, not shown)" if variable.secret else repr(raw)
        raise SettingsError(f"{variable.name}={shown}: {err}") from None
    raise TypeError(f"{variable.name}: no parser for {kind!r}; declare one with parse=")


def _boolean(text: str) -> bool:
    value = text.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _number(variable: Variable, kind: type[float], text: str) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(
            "expected a whole number" if kind is int else f"expected a number of {variable.unit}"
        ) from None
    low = variable.low if variable.low is not None else float("-inf")
    high = variable.high if variable.high is not None else float("inf")
    if not low <= value <= high:
        if kind is int:
            raise ValueError(f"expected a number from {low:g} to {high:g}")
        raise ValueError(f"expected between {low:g} and {high:g} {variable.unit}".rstrip())
    return value


def readme_table() -> str:
    """The README's configuration table, from the declarations."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for field in dataclasses.fields(Settings):
        variable: Variable = field.metadata["variable"]
        meaning = variable.help
        if variable.low is not None and variable.high is not None:
            meaning += f" From {variable.low:g} to {variable.high:g} {variable.unit}".rstrip() + "."
        lines.append(f"| `{variable.name}` | {_shown(variable, field.default)} | {meaning} |")
    return "\n".join(lines)


def _shown(variable: Variable, default: object) -> str:
    if variable.shown is not None:
        return variable.shown
    if default is None or default == ():
        return "unset"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float) and default.is_integer():
        return f"`{int(default)}`"
    return f"`{default}`"


if __name__ == "__main__":
    print(readme_table())
