"""Webhook URLs: checked against the allowed hosts, and kept as secrets.

A Slack or Google Chat incoming webhook URL *is* its credential: whoever holds it can
post to the channel. Slack's secret is its path (``/services/T…/B…/…``), Google Chat's
the ``key`` and ``token`` of its query. So a URL is held as a :class:`WebhookUrl`, whose
``repr``, ``str`` and format (so every log line, exception and f-string) show it masked:
``https://hooks.slack.com/services/T0AB…/…``; :meth:`WebhookUrl.reveal` is called only to
send it or to store it.

:func:`validate_webhook_url` is the one way in: https only, to a host on
``SALES_VERDICTS_WEBHOOK_HOSTS`` (loopback hosts listed there may also use http and any
port: tests and local receivers), no user name or password, no port but 443, no IP
address that is not loopback, at most :data:`MAX_URL_LENGTH` characters, and for Slack
and Google Chat the shape their incoming webhooks have. A refusal is a
:class:`WebhookUrlError` whose message says what to do.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Iterable
from typing import Protocol, final
from urllib.parse import parse_qsl, urlsplit

from server.alerts.errors import WebhookUrlError

MAX_URL_LENGTH = 2048
SLACK_HOST = "hooks.slack.com"
CHAT_HOST = "chat.googleapis.com"
DEFAULT_HOSTS = (SLACK_HOST, CHAT_HOST)

_SLACK_PREFIX = "/services/"
_CHAT_PREFIX = "/v1/spaces/"
_SLACK_PATH = re.compile(r"/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+/?")
_CHAT_PATH = re.compile(r"/v1/spaces/[A-Za-z0-9_-]+/messages")
_HOST_NAME = re.compile(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
_NUMERIC_HOST = re.compile(r"((0x[0-9a-f]*|[0-9]+)\.?){1,4}")  # 127.1, 2130706433, 0x7f.1
_SHOWN = 4  # characters of the first secret segment kept in a mask
ELLIPSIS = "…"


class WebhookSettings(Protocol):
    """What the alerts read of the settings; :class:`server.config.Settings` has it, and so
    has :class:`server.alerts.AlertConfig` (for callers and tests without the environment)."""

    @property
    def webhook_hosts(self) -> tuple[str, ...]: ...
    @property
    def webhook_attempts(self) -> int: ...
    @property
    def webhook_backoff(self) -> float: ...
    @property
    def webhook_timeout(self) -> float: ...
    @property
    def webhook_budget(self) -> float: ...


class Flavour(enum.Enum):
    """Which chat service a URL posts to: it decides how message text is escaped."""

    SLACK = "slack"
    GOOGLE_CHAT = "google_chat"


@final
class WebhookUrl:
    """A checked webhook URL that never shows its secret part (see the module docstring).

    Built only by :func:`validate_webhook_url`. Equal when the URLs are equal."""

    __slots__ = ("_host", "_loopback", "_url")

    def __init__(self, url: str, host: str, loopback: bool) -> None:
        self._url = url
        self._host = host
        self._loopback = loopback

    def reveal(self) -> str:
        """The URL itself, secret included: only to send a message or to store it."""
        return self._url

    @property
    def masked(self) -> str:
        return mask(self._url)

    @property
    def host(self) -> str:
        return self._host

    @property
    def is_loopback(self) -> bool:
        return self._loopback

    @property
    def flavour(self) -> Flavour:
        path = urlsplit(self._url).path
        if self._host == CHAT_HOST or path.startswith(_CHAT_PREFIX):
            return Flavour.GOOGLE_CHAT
        return Flavour.SLACK

    def secrets(self) -> tuple[str, ...]:
        """The secret pieces of the URL (path segments, query values), longest first: what
        must never appear in a log line; see :meth:`scrub`."""
        parts = urlsplit(self._url)
        path = parts.path
        for prefix in (_SLACK_PREFIX, _CHAT_PREFIX, "/"):
            if path.startswith(prefix):
                path = path[len(prefix) :]
                break
        pieces = [p for p in path.split("/") if p and p != "messages"]
        pieces += [value for _, value in parse_qsl(parts.query) if value]
        return tuple(sorted({p for p in pieces if len(p) >= _SHOWN}, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """``text`` with every secret piece of this URL replaced by ``…`` (for answers and
        errors that might echo the URL back)."""
        for piece in self.secrets():
            text = text.replace(piece, ELLIPSIS)
        return text

    def __repr__(self) -> str:
        return f"WebhookUrl({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WebhookUrl) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)


def mask(url: str | WebhookUrl) -> str:
    """``url`` as it may be shown (in the API, the add-on, logs): scheme, host and port,
    the public start of the path and the first characters of the next segment; every
    other path segment and every query value is ``…``.

    ``https://hooks.slack.com/services/T0AB…/…``,
    ``https://chat.googleapis.com/v1/spaces/AAAA…/…?key=…&token=…``."""
    text = url.reveal() if isinstance(url, WebhookUrl) else url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "[webhook URL]"
    if not parts.scheme or not parts.hostname:
        return "[webhook URL]"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown = f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
    path = parts.path or "/"
    prefix = next(p for p in (_SLACK_PREFIX, _CHAT_PREFIX, "/") if path.startswith(p))
    segments = path[len(prefix) :].split("/")
    shown += prefix
    if segments[0]:
        shown += segments[0][:_SHOWN] + ELLIPSIS
    if len(segments) > 1:
        shown += "/" + ELLIPSIS
    if parts.query:
        names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
        shown += "?" + "&".join(f"{_safe_name(n)}={ELLIPSIS}" for n in names)
    return shown


def _safe_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", name) else ELLIPSIS


def normalise_host(entry: str) -> str:
    """A host as the allow-list compares it: lower case, no brackets, no trailing dot."""
    return entry.strip().lower().strip("[]").rstrip(".")


def parse_hosts(text: str) -> tuple[str, ...]:
    """``SALES_VERDICTS_WEBHOOK_HOSTS``: comma-separated host names (or loopback
    addresses), without scheme, port or path."""
    hosts: list[str] = []
    for raw in text.split(","):
        if not raw.strip():
            continue
        host = normalise_host(raw)
        if "/" in host or "@" in host or (":" in host and _ip(host) is None):
            raise ValueError(
                f"{raw.strip()!r} is not a host name: list hosts only, e.g. "
                f"{SLACK_HOST},{CHAT_HOST}"
            )
        if _ip(host) is None and not _HOST_NAME.fullmatch(host):
            raise ValueError(f"{raw.strip()!r} is not a host name")
        if host not in hosts:
            hosts.append(host)
    return tuple(hosts)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    ip = _ip(host)
    return ip.is_loopback if ip is not None else host == "localhost"


def _allowed(settings: WebhookSettings) -> tuple[str, ...]:
    return tuple(normalise_host(h) for h in settings.webhook_hosts)


def _listed(hosts: Iterable[str]) -> str:
    return ", ".join(hosts) or "none"


def validate_webhook_url(url: str, settings: WebhookSettings) -> WebhookUrl:
    """``url`` checked and normalised (scheme and host in lower case, no default port, no
    fragment), or a :class:`WebhookUrlError` saying what is wrong and what to do."""
    text = _checked_text(url)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise WebhookUrlError(
            "malformed", "The webhook URL is not a valid URL. Copy it again from Slack or Chat."
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise WebhookUrlError(
            "scheme", "The webhook URL must start with https:// (copy it from Slack or Chat)."
        )
    if "@" in parts.netloc:
        raise WebhookUrlError(
            "credentials",
            "The webhook URL holds a user name or password (the part before @). Incoming "
            "webhook URLs need none: paste the URL exactly as Slack or Chat shows it.",
        )
    host = normalise_host(parts.hostname or "")
    loopback = _check_host(host, settings)
    if scheme == "http" and not loopback:
        raise WebhookUrlError("scheme", "The webhook URL must use https://, not http://.")
    if port is not None and not loopback and port != 443:
        raise WebhookUrlError(
            "port", f"The webhook URL names port {port}; webhook URLs use none. Remove :{port}."
        )
    _check_shape(host, parts.path, parts.query)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != (443 if scheme == "https" else 80):
        netloc += f":{port}"
    normal = f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    return WebhookUrl(normal, host, loopback)


def _checked_text(url: str) -> str:
    text = url.strip()
    if not text:
        raise WebhookUrlError("empty", "No webhook URL given: paste the incoming webhook's URL.")
    if len(text) > MAX_URL_LENGTH:
        raise WebhookUrlError(
            "length",
            f"The webhook URL is {len(text)} characters long; at most {MAX_URL_LENGTH} are "
            "accepted. Paste just the URL Slack or Chat gave you.",
        )
    if not text.isascii() or any(c.isspace() or not c.isprintable() for c in text):
        raise WebhookUrlError(
            "characters",
            "The webhook URL holds spaces, line breaks or characters a URL cannot have. "
            "Copy it again from Slack or Chat.",
        )
    return text


def _check_host(host: str, settings: WebhookSettings) -> bool:
    """Whether ``host`` is loopback; refused when it is not allowed."""
    if not host:
        raise WebhookUrlError("host", "The webhook URL has no host name.")
    ip = _ip(host)
    if (ip is not None and not ip.is_loopback) or (ip is None and _NUMERIC_HOST.fullmatch(host)):
        raise WebhookUrlError(
            "ip",
            f"The webhook URL points at an IP address ({host}); use the host name Slack or "
            f"Chat gave ({SLACK_HOST} or {CHAT_HOST}).",
        )
    allowed = _allowed(settings)
    if host not in allowed:
        raise WebhookUrlError(
            "host",
            f"Alerts may only go to {_listed(allowed)}; {host} is not one of them. Use a Slack "
            "or Google Chat incoming webhook, or ask the administrator to add the host to "
            "SALES_VERDICTS_WEBHOOK_HOSTS.",
        )
    return _is_loopback(host)


def _check_shape(host: str, path: str, query: str) -> None:
    if host == SLACK_HOST and not _SLACK_PATH.fullmatch(path):
        raise WebhookUrlError(
            "shape",
            "This is not a Slack incoming webhook URL: those look like "
            "https://hooks.slack.com/services/T…/B…/… (Slack › Apps › Incoming WebHooks).",
        )
    if host == CHAT_HOST:
        names = {name for name, value in parse_qsl(query) if value}
        if not _CHAT_PATH.fullmatch(path) or not {"key", "token"} <= names:
            raise WebhookUrlError(
                "shape",
                "This is not a Google Chat incoming webhook URL: those look like "
                "https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=… "
                "(space › Apps & integrations › Webhooks).",
            )
