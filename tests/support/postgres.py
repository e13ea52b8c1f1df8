"""A real PostgreSQL server for tests, and a fresh database for each test.

``postgres_server`` (session): ``$TEST_DATABASE_URL`` when set (CI starts a server with
``.ci/postgres.sh start``); otherwise, when ``initdb``/``pg_ctl`` exist, a server
started with that same script and stopped when the session ends; otherwise the
tests are skipped — or fail, when ``REQUIRE_POSTGRES=1`` says PostgreSQL must be
tested. ``postgres_url`` (function): a new, empty database on that server,
dropped after the test.

Use from a ``conftest.py``: ``from tests.support.postgres import postgres_server,
postgres_url  # noqa: F401``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "postgres.sh"


def _have_binaries() -> bool:
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return True
    return bool(glob("/usr/lib/postgresql/*/bin/initdb"))


def _required() -> bool:
    return os.environ.get("REQUIRE_POSTGRES", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    if _required():
        pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _parse_exports(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("export ") and "=" in line:
            name, _, value = line.removeprefix("export ").partition("=")
            found[name.strip()] = value.strip()
    return found


def _libpq(url: str) -> str:
    """A SQLAlchemy-style URL as libpq understands it (no ``+driver``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's ``postgres`` database (a superuser may connect)."""
    given = os.environ.get("TEST_DATABASE_URL", "").strip()
    if given:
        yield given
        return
    if not _have_binaries():
        _unavailable("no PostgreSQL: TEST_DATABASE_URL is unset and initdb/pg_ctl are missing")
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=180, check=False
    )
    exports = _parse_exports(started.stdout)
    if started.returncode != 0 or "TEST_DATABASE_URL" not in exports:
        _unavailable(f"{SCRIPT.name} start failed: {started.stderr.strip()[-2000:]}")
    try:
        yield exports["TEST_DATABASE_URL"]
    finally:
        subprocess.run(
            ["bash", str(SCRIPT), "stop", exports.get("TEST_PGDATA", "")],
            capture_output=True,
            timeout=120,
            check=False,
        )


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new empty database for this test; its URL in the ``postgresql://`` form."""
    name = f"sv_test_{uuid.uuid4().hex[:16]}"
    admin = _libpq(postgres_server)
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
