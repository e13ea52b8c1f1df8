"""SQLAlchemy engines for the run store, tuned per database.

SQLite (a file): WAL journal (readers never block the writer), a busy timeout so a
second writer waits instead of failing, foreign keys on, ``synchronous=NORMAL``
(durable at checkpoints; safe with WAL). A ``QueuePool`` of connections opened with
``check_same_thread=False``, so any worker thread may use any pooled connection.
In-memory SQLite (tests only) shares one connection (``StaticPool``).

Every engine hides statement parameters from its errors (``hide_parameters``): an error
is logged with its cause, and a parameter may be a caller's e-mail or a sealed webhook.

PostgreSQL (psycopg 3): a ``QueuePool`` with ``pool_pre_ping`` (a restarted server
costs one reconnect, not a failed request), recycled every 30 minutes, a connect
timeout and an ``application_name`` that shows in ``pg_stat_activity``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, StaticPool

from server.store.urls import DatabaseUrl


def make_engine(
    db: DatabaseUrl,
    *,
    busy_timeout: float = 30.0,
    pool_size: int = 5,
    max_overflow: int = 10,
    dedicated: bool = False,
) -> Engine:
    """An engine for ``db``; ``dedicated=True`` gives unpooled connections (lock holders)."""
    if db.url is None:
        raise ValueError("memory:// has no database engine")
    if db.kind == "postgresql":
        connect_args = {"connect_timeout": 10, "application_name": "sales-verdicts"}
        if dedicated:
            return create_engine(
                db.url, poolclass=NullPool, connect_args=connect_args, hide_parameters=True
            )
        return create_engine(
            db.url,
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args=connect_args,
        )
    if db.path is None:
        engine = create_engine(
            db.url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
    else:
        engine = create_engine(
            db.url,
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            connect_args={"check_same_thread": False, "timeout": busy_timeout},
        )
    _tune_sqlite(engine, busy_timeout, wal=db.path is not None)
    return engine


def _tune_sqlite(engine: Engine, busy_timeout: float, *, wal: bool) -> None:
    pragmas = [f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}", "PRAGMA foreign_keys = ON"]
    if wal:
        pragmas += ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()


def lock_dir(db: DatabaseUrl) -> Path | None:
    """Where the SQLite store keeps its lock files: ``<database file>.locks/``."""
    if db.kind != "sqlite" or db.path is None:
        return None
    return db.path.with_name(db.path.name + ".locks")
