"""PostgreSQL advisory locks for a spreadsheet, each on a connection of its own.

A session-level ``pg_advisory_lock`` belongs to the connection that took it, so each
holder gets a dedicated, unpooled connection (``make_engine(dedicated=True)``) and the
lock goes when that connection closes, or when the server notices its process died:
a killed worker never leaves a spreadsheet locked.

* :func:`advisory_lock` waits (``SET lock_timeout``): the blocking path (command line,
  tests).
* :func:`try_advisory_lock` never waits (``pg_try_advisory_lock``): the server's runs
  poll it from the event loop, so a run waiting for its sheet holds no thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from server.store.errors import LockTimeout, StoreUnavailable
from server.store.locks import advisory_key

log = logging.getLogger(__name__)

_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout expired


def _connect(engine: Engine, where: str) -> Connection:
    try:
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    except SQLAlchemyError as err:
        raise StoreUnavailable(f"run store {where}: {err}") from err


def _unlock(connection: Connection, key: int, spreadsheet_id: str) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    except DBAPIError:
        # The session is gone, and its locks with it.
        log.warning("advisory unlock failed for %.80r; connection dropped", spreadsheet_id)
        connection.invalidate()
    finally:
        connection.close()


@contextmanager
def advisory_lock(
    engine: Engine, spreadsheet_id: str, timeout: float | None, since: float, where: str
) -> Iterator[None]:
    """Hold the spreadsheet's lock until exit; :class:`LockTimeout` after ``timeout``
    seconds counted from ``since`` (a ``time.monotonic()``)."""
    key = advisory_key(spreadsheet_id)
    connection = _connect(engine, where)
    try:
        if timeout is not None:
            millis = max(1, int((timeout - (time.monotonic() - since)) * 1000))
            connection.execute(text(f"SET lock_timeout = {millis}"))
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    except OperationalError as err:
        connection.close()
        if getattr(err.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise LockTimeout(spreadsheet_id, timeout or 0.0) from err
        raise StoreUnavailable(f"run store {where}: {err}") from err
    except SQLAlchemyError as err:
        connection.close()
        raise StoreUnavailable(f"run store {where}: {err}") from err
    try:
        yield
    finally:
        _unlock(connection, key, spreadsheet_id)


def try_advisory_lock(engine: Engine, spreadsheet_id: str, where: str) -> Callable[[], None] | None:
    """The spreadsheet's lock if it is free now: the function that releases it; else None."""
    key = advisory_key(spreadsheet_id)
    connection = _connect(engine, where)
    try:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
    except SQLAlchemyError as err:
        connection.close()
        raise StoreUnavailable(f"run store {where}: {err}") from err
    if not taken:
        connection.close()
        return None
    return lambda: _unlock(connection, key, spreadsheet_id)
