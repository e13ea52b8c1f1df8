"""Logging for the server and the command line, with credentials scrubbed from every line.

The server never logs a token on purpose, but a caller may put one where it will be logged
anyway: ``/graphql?access_token=ya29...`` ends up in uvicorn's access log, a library at
DEBUG level may print a header. :class:`RedactSecrets` sits on every handler and replaces
bearer tokens, Google OAuth tokens, JWTs (ID tokens, service-account assertions),
credential-named query parameters and webhook URLs' secrets (Slack's path, Google Chat's
``key`` and ``token``) with ``[redacted]`` before a line is written.

``log_config(level)`` is the ``dictConfig`` handed to uvicorn, so that each worker process
(``--workers N``) sets up the same handlers and filter when it starts.
"""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

from server.quoting import clean

REDACTED = "[redacted]"

_PATTERNS = [
    # Authorization: Bearer <anything>
    (re.compile(r"(?i)\b(bearer)\s+[^\s\"',;]+"), rf"\1 {REDACTED}"),
    # ?access_token=...&id_token=...&key=... (query strings, form bodies)
    (
        re.compile(
            r"(?i)\b(access_token|id_token|refresh_token|token|assertion|client_secret"
            r"|key|password)=([^&\s\"']+)"
        ),
        rf"\1={REDACTED}",
    ),
    # Slack webhook URLs: the path is the secret (Google Chat's key= and token= are above)
    (
        re.compile(r"(?i)\b(hooks\.slack\.com/(?:services|triggers|workflows)/)[^\s\"'<>]+"),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"(/services/)T[A-Z0-9]{4,}/B[A-Z0-9]{4,}/[A-Za-z0-9]{8,}"), rf"\1{REDACTED}"),
    # Google OAuth access and refresh tokens
    (re.compile(r"\bya29\.[\w.\-]+"), REDACTED),
    (re.compile(r"\b1//[\w.\-]{20,}"), REDACTED),
    # JWTs: ID tokens, service-account assertions
    (re.compile(r"\beyJ[\w\-]+\.[\w\-]+\.[\w\-]*"), REDACTED),
    # PEM private keys
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
        REDACTED,
    ),
]


def redact(text: str) -> str:
    """``text`` with every credential-looking part replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _argument(value: object) -> object:
    """A log line's argument: credentials scrubbed, and text on one line of bounded length
    (:func:`server.quoting.clean`), so a caller's input can neither forge a line nor make
    a 10 MB one."""
    return clean(redact(value)) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Scrubs credentials from a record's message, its arguments and its traceback text;
    the arguments are also kept to one bounded line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_argument(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _argument(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_config(level: str) -> dict[str, Any]:
    """The whole logging setup as a ``dictConfig``: our lines and uvicorn's, all scrubbed."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "server.logs.RedactSecrets"}},
        "formatters": {
            "plain": {"format": FORMAT},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(asctime)s %(levelname)s access: %(client_addr)s "%(request_line)s" '
                "%(status_code)s",
                "use_colors": False,
            },
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["redact"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["default"], "level": level},
    }


def configure(level: str) -> None:
    """Set up logging in this process (``level`` as in ``SALES_VERDICTS_LOG_LEVEL``)."""
    if not hasattr(logging, level.upper()):
        level = "INFO"
    logging.config.dictConfig(log_config(level))
