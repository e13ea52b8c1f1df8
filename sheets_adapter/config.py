"""The adapter's settings: its own tuning (declared once, on :class:`SheetsSettings`) and
what it takes from the app's settings.

The adapter never reads the environment: the app's :mod:`server.config` declares and
reads ``SHEETS_EMULATOR_HOST``, ``GOOGLE_APPLICATION_CREDENTIALS`` and the deadline, and
:meth:`SheetsSettings.from_app_settings` takes them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from sheets_adapter.errors import SheetsConfigError
from sheets_adapter.retry import RetryPolicy

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.file",
    # service-account mode lists who a sheet is shared with (callers' own access)
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)

#: Google hosts that the emulator stands in for when SHEETS_EMULATOR_HOST is set.
GOOGLE_HOSTS = (
    "https://sheets.googleapis.com",
    "https://www.googleapis.com",
    "https://oauth2.googleapis.com",
)


def normalise_emulator_host(raw: str | None) -> str | None:
    """``127.0.0.1:8765`` or ``http://127.0.0.1:8765/`` -> ``http://127.0.0.1:8765``."""
    text = (raw or "").strip().rstrip("/")
    if not text:
        return None
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SheetsConfigError(
            f"SHEETS_EMULATOR_HOST={raw!r}: expected an address like http://127.0.0.1:8765"
        )
    return text


@dataclass(frozen=True)
class SheetsSettings:
    """Everything :class:`GspreadSheets` needs to know; defaults suit production."""

    emulator_host: str | None = None  # e.g. "http://127.0.0.1:8765": every call goes there
    service_account_file: Path | None = None  # a key file: service-account mode is available
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    metadata_ttl: float = 60.0  # seconds a spreadsheet's tab list is trusted without asking
    cache_size: int = 1024  # most (spreadsheet, credentials) entries kept per cache
    # Tabs whose grid (rows x columns, empty cells included) is larger than this are read
    # in blocks of rows, each batchGet about this size. Empty cells cost nothing in the
    # answer and most tabs use a few of their 26 columns, so 1M grid cells is a few MB.
    chunk_cells: int = 1_000_000
    pool_size: int = 64  # most credentials with idle HTTP sessions kept open
    # Most grid cells (rows x columns of the tabs read, empty ones included) one read may
    # cover: a bigger sheet is refused from its tab list, before any value is read.
    max_cells: int = 10_000_000

    def __post_init__(self) -> None:
        if self.chunk_cells < 1:
            raise SheetsConfigError("chunk_cells must be at least 1")
        if self.metadata_ttl < 0:
            raise SheetsConfigError("cache lifetimes cannot be negative")

    def with_deadline(self, deadline: float) -> SheetsSettings:
        return replace(self, retry=replace(self.retry, deadline=deadline))

    @classmethod
    def from_app_settings(cls, settings: AppSettings) -> SheetsSettings:
        """From the app's :class:`server.config.Settings` (or anything shaped like it)."""
        base = cls(
            emulator_host=normalise_emulator_host(settings.emulator_host),
            service_account_file=settings.service_account_file,
            max_cells=settings.max_cells,
        )
        return base.with_deadline(settings.sheets_deadline)


class AppSettings(Protocol):
    """The part of the app's settings the adapter reads."""

    @property
    def emulator_host(self) -> str | None: ...

    @property
    def service_account_file(self) -> Path | None: ...

    @property
    def sheets_deadline(self) -> float: ...

    @property
    def max_cells(self) -> int: ...
