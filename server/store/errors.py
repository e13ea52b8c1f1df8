"""The run store's exceptions: every database error leaves the store as one of these.

::

    StoreError
    ├── UnsupportedDatabaseUrl   (also a ValueError: the URL's scheme is not one we serve)
    ├── StoreUnavailable         (the database cannot be opened, reached or migrated)
    ├── DuplicateRun             (a run with this id is already stored)
    └── LockTimeout              (another writer held the spreadsheet's lock too long)

SQLAlchemy and driver errors are translated once, in :mod:`server.store.sql`, and
chained (``raise ... from err``) so the cause stays in the logs.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of the run store's errors."""


class UnsupportedDatabaseUrl(StoreError, ValueError):
    """``DATABASE_URL`` names a database the store cannot use. Carries only the scheme."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        super().__init__(
            f"DATABASE_URL scheme {scheme!r} is not supported: expected "
            "'sqlite:///PATH' (or a plain file path), or "
            "'postgresql://USER:PASSWORD@HOST:PORT/DATABASE' ('postgres://' is accepted too)"
        )


class StoreUnavailable(StoreError):
    """The database could not be opened, reached or brought up to date."""


class DuplicateRun(StoreError):
    """A run with the same id is already stored (runs are immutable)."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"run {run_id} is already stored")


class LockTimeout(StoreError):
    """The spreadsheet's lock was not obtained within ``timeout`` seconds."""

    def __init__(self, spreadsheet_id: str, timeout: float) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.timeout = timeout
        super().__init__(
            f"spreadsheet {spreadsheet_id} is being classified by another request; "
            f"waited {timeout:g} s for it to finish"
        )
