"""Alembic environment of the run store.

Called by :func:`server.store.migrate.upgrade` with a connection in
``config.attributes["connection"]`` (the usual path), or by the ``alembic`` command
with ``-c server/store/alembic.ini -x url=DATABASE_URL`` for writing new revisions.
Leaves logging alone: the application configures it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from server.store.engines import make_engine
from server.store.tables import metadata
from server.store.urls import parse_database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    config = context.config
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database with -x url=DATABASE_URL")
    db = parse_database_url(url)
    if context.is_offline_mode():
        context.configure(url=db.url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(db)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


_main()
