"""Schema migrations with Alembic, run from code: no ``alembic.ini`` is needed.

:func:`upgrade` brings a database to the newest revision (``alembic upgrade head``);
the store calls it when it opens. Two processes starting at once do not race: on
PostgreSQL the migration runs in one transaction under a transaction-level advisory
lock; on SQLite under an exclusive lock file next to the database.

The scripts ship inside the package (``server/store/migrations``). For a new
revision, change :mod:`server.store.tables`, then::

    .venv/bin/alembic -c server/store/alembic.ini -x url=sqlite:///scratch.sqlite3 \\
        revision --autogenerate -m "what changed"

and check that ``tests/store/test_migrations.py`` still finds no difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from server.store import DEFAULT_SQLITE_FILE
from server.store.engines import lock_dir, make_engine
from server.store.locks import advisory_key, file_lock
from server.store.tables import metadata
from server.store.urls import DatabaseUrl, parse_database_url

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = "schema-migration"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the packaged scripts (optionally bound to a connection)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _migration_lock(db: DatabaseUrl) -> Iterator[None]:
    folder = lock_dir(db)
    guard = nullcontext() if folder is None else file_lock(folder / "migrate.lock", "migrate")
    with guard:
        yield


def upgrade_engine(engine: Engine, db: DatabaseUrl, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` (which is left open)."""
    with _migration_lock(db), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(_MIGRATION_LOCK)}
            )
        command.upgrade(alembic_config(connection), revision)


def upgrade(
    url: str | None, revision: str = "head", *, default_path: str | Path = DEFAULT_SQLITE_FILE
) -> None:
    """``alembic upgrade head`` on the database ``url`` names (see :mod:`server.store.urls`)."""
    db = parse_database_url(url, default_path)
    engine = make_engine(db)
    try:
        upgrade_engine(engine, db, revision)
    finally:
        engine.dispose()


def schema_diff(engine: Engine) -> list[Any]:
    """What Alembic's autogenerate would change to match the models; ``[]`` when in step."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))
