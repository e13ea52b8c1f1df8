"""``open_store(DATABASE_URL)``: the accepted forms, and clear errors for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.store import open_store
from server.store.errors import StoreUnavailable, UnsupportedDatabaseUrl
from server.store.memory import MemoryRunStore
from server.store.sql import SqlRunStore
from server.store.urls import parse_database_url
from tests.store.runs import run


def test_no_url_opens_the_default_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "sales-verdicts.sqlite3"
    store = open_store(None, default_path=path)
    try:
        assert isinstance(store, SqlRunStore)
        store.add(run("run-1"))
    finally:
        store.close()
    assert path.is_file()


@pytest.mark.parametrize("form", ["{path}", "sqlite:///{path}", "sqlite+pysqlite:///{path}"])
def test_sqlite_forms(tmp_path: Path, form: str) -> None:
    path = tmp_path / "runs.sqlite3"
    store = open_store(form.format(path=path))
    try:
        store.add(run("run-1"))
        assert store.get("run-1") == run("run-1")
    finally:
        store.close()
    assert path.is_file()


def test_sqlite_files_use_wal(tmp_path: Path) -> None:
    store = SqlRunStore(str(tmp_path / "runs.sqlite3"))
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.close()


def test_sqlite_in_memory_and_the_memory_store() -> None:
    in_memory = open_store("sqlite://")
    try:
        in_memory.add(run("run-1"))
        assert in_memory.latest("sheet-1") == run("run-1")
        with in_memory.spreadsheet_lock("sheet-1"):
            pass
    finally:
        in_memory.close()
    assert isinstance(open_store("memory://"), MemoryRunStore)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:p@db.example:5432/runs",
        "postgres://u:p@db.example:5432/runs",
        "postgresql+psycopg://u:p@db.example:5432/runs",
    ],
)
def test_postgres_forms_use_psycopg_3(url: str) -> None:
    db = parse_database_url(url)
    assert db.kind == "postgresql"
    assert db.url is not None
    assert db.url.drivername == "postgresql+psycopg"
    assert db.url.host == "db.example"
    assert "p@" not in str(db)  # the password is hidden when shown


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("mysql://root:s3cret@db/runs", "mysql"),
        ("postgresql+psycopg2://u:s3cret@db/runs", "postgresql+psycopg2"),
        ("https://example.com/db", "https"),
    ],
)
def test_other_urls_are_refused_naming_the_scheme_expected(url: str, scheme: str) -> None:
    with pytest.raises(UnsupportedDatabaseUrl) as caught:
        open_store(url)
    message = str(caught.value)
    assert caught.value.scheme == scheme
    assert repr(scheme) in message
    assert "sqlite:///" in message
    assert "postgresql://" in message
    assert "s3cret" not in message


def test_an_unreachable_postgres_is_store_unavailable() -> None:
    with pytest.raises(StoreUnavailable, match="cannot open or migrate") as caught:
        open_store("postgresql://u:s3cret@127.0.0.1:1/runs")
    assert "s3cret" not in str(caught.value)


def test_an_sqlite_file_in_a_missing_folder_is_store_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable):
        open_store(str(tmp_path / "missing" / "runs.sqlite3"))
    assert not (tmp_path / "missing").exists()
