"""The run store: where classification runs are remembered.

``open_store(DATABASE_URL)`` picks the implementation of the port
(:class:`~server.store.port.RunStore`):

- ``None`` or empty: an SQLite file at ``default_path`` (``sales-verdicts.sqlite3``);
- a plain path or ``sqlite:///PATH``: that SQLite file;
- ``postgresql://…`` / ``postgres://…``: PostgreSQL (psycopg 3);
- ``memory://``: :class:`~server.store.memory.MemoryRunStore` (nothing persists).

SQL stores migrate their schema when they open (``migrate=False`` to skip). Errors
are :mod:`server.store.errors`; a URL of another kind is ``UnsupportedDatabaseUrl``.
SQLAlchemy is imported only when an SQL store is opened.
"""

from __future__ import annotations

from pathlib import Path

from server.store.errors import (
    DuplicateRun,
    LockTimeout,
    StoreError,
    StoreUnavailable,
    UnsupportedDatabaseUrl,
)
from server.store.port import RunRecord, RunStore

DEFAULT_SQLITE_FILE = "sales-verdicts.sqlite3"

__all__ = [
    "DEFAULT_SQLITE_FILE",
    "DuplicateRun",
    "LockTimeout",
    "RunRecord",
    "RunStore",
    "StoreError",
    "StoreUnavailable",
    "UnsupportedDatabaseUrl",
    "open_store",
]


def open_store(
    url: str | None = None,
    *,
    default_path: str | Path = DEFAULT_SQLITE_FILE,
    migrate: bool = True,
    lock_timeout: float = 120.0,
) -> RunStore:
    """The run store ``url`` names (``DATABASE_URL``); see the module docstring.

    ``lock_timeout``: how long a classification waits for another one of the same
    spreadsheet to finish (three Sheets calls of at most the retry deadline each)
    before it gives up with :class:`LockTimeout`."""
    from server.store.urls import parse_database_url

    db = parse_database_url(url, default_path)
    if db.kind == "memory":
        from server.store.memory import MemoryRunStore

        return MemoryRunStore(lock_timeout=lock_timeout)
    from server.store.sql import SqlRunStore

    return SqlRunStore(url, default_path=default_path, migrate=migrate, lock_timeout=lock_timeout)
