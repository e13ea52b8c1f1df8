"""``DATABASE_URL`` forms, turned into SQLAlchemy URLs.

=========================================  ==========================================
accepted                                    meaning
=========================================  ==========================================
``None`` / empty                            the default SQLite file (a parameter)
``sales.sqlite3``, ``/var/lib/sv/db``       a plain path: that SQLite file
``sqlite:///relative.db``                   SQLite file, relative to the working dir
``sqlite:////abs/path.db``                  SQLite file, absolute path
``sqlite://`` / ``sqlite:///:memory:``      SQLite in memory (one process; for tests)
``postgresql://u:p@host:5432/db``           PostgreSQL through psycopg 3
``postgres://…``, ``postgresql+psycopg://…`` the same
``memory://``                               :class:`~server.store.memory.MemoryRunStore`
=========================================  ==========================================

Anything else is :class:`~server.store.errors.UnsupportedDatabaseUrl`, whose message
names the scheme and the forms expected (never the password).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from server.store import DEFAULT_SQLITE_FILE
from server.store.errors import UnsupportedDatabaseUrl

_SQLITE = {"sqlite", "sqlite+pysqlite"}
_POSTGRES = {"postgresql", "postgres", "postgresql+psycopg", "postgres+psycopg"}

Kind = Literal["sqlite", "postgresql", "memory"]


@dataclass(frozen=True)
class DatabaseUrl:
    kind: Kind
    url: URL | None  # what SQLAlchemy connects to (None for ``memory://``)
    path: Path | None = None  # the SQLite file; None in memory

    def __str__(self) -> str:
        """Safe to log: the password is hidden."""
        return "memory://" if self.url is None else self.url.render_as_string(hide_password=True)


def _scheme(raw: str) -> str:
    return raw.split("://", 1)[0].strip().lower()


def parse_database_url(
    raw: str | None, default_path: str | Path = DEFAULT_SQLITE_FILE
) -> DatabaseUrl:
    """Parse ``DATABASE_URL`` (see the module docstring for the accepted forms)."""
    text = (raw or "").strip()
    if not text:
        return _sqlite_file(Path(default_path))
    if "://" not in text:
        return _sqlite_file(Path(text))  # a plain path
    scheme = _scheme(text)
    if scheme == "memory":
        return DatabaseUrl("memory", None)
    if scheme not in _SQLITE | _POSTGRES:
        raise UnsupportedDatabaseUrl(scheme or text[:20])
    try:
        url = make_url(text)
    except ArgumentError:
        raise UnsupportedDatabaseUrl(scheme) from None
    if scheme in _POSTGRES:
        return DatabaseUrl("postgresql", url.set(drivername="postgresql+psycopg"))
    database = url.database
    if database in (None, "", ":memory:"):
        return DatabaseUrl("sqlite", url.set(drivername="sqlite", database=":memory:"))
    assert database is not None
    return DatabaseUrl("sqlite", url.set(drivername="sqlite"), Path(database))


def _sqlite_file(path: Path) -> DatabaseUrl:
    return DatabaseUrl("sqlite", URL.create("sqlite", database=str(path)), path)
