"""Alembic migrations: an empty database is brought to head and matches the models."""

from __future__ import annotations

import threading
from importlib.resources import files
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from server.store.engines import make_engine
from server.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    schema_diff,
    upgrade,
)
from server.store.sql import SqlRunStore
from server.store.urls import parse_database_url
from tests.store.conftest import SQL
from tests.store.runs import run

TABLES = {"runs", "verdicts", "issues", "alerts", "alembic_version"}


@pytest.mark.parametrize("database_url", SQL, indirect=True)
def test_upgrade_brings_an_empty_database_to_head_matching_the_models(database_url: str) -> None:
    engine = make_engine(parse_database_url(database_url))
    try:
        assert set(inspect(engine).get_table_names()) == set()
        upgrade(database_url)
        assert set(inspect(engine).get_table_names()) == TABLES
        assert current_revision(engine) == head_revision()
        assert schema_diff(engine) == []
        upgrade(database_url)  # at head: nothing to do
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", SQL, indirect=True)
def test_a_store_migrates_when_it_opens_and_a_new_one_just_checks(database_url: str) -> None:
    store = SqlRunStore(database_url)
    store.add(run("run-1"))
    store.close()
    again = SqlRunStore(database_url)
    try:
        assert again.get("run-1") == run("run-1")
        assert schema_diff(again.engine) == []
    finally:
        again.close()


@pytest.mark.parametrize("database_url", SQL, indirect=True)
def test_processes_starting_together_migrate_once(database_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            SqlRunStore(database_url).close()
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    engine = make_engine(parse_database_url(database_url))
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", SQL, indirect=True)
def test_downgrade_to_base_and_back(database_url: str) -> None:
    db = parse_database_url(database_url)
    engine = make_engine(db)
    try:
        upgrade(database_url)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(database_url)
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_a_store_can_skip_migrating(tmp_path: Path) -> None:
    store = SqlRunStore(str(tmp_path / "bare.sqlite3"), migrate=False)
    try:
        assert inspect(store.engine).get_table_names() == []
    finally:
        store.close()


def test_the_scripts_ship_inside_the_package() -> None:
    migrations = files("server.store") / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    versions = [p.name for p in (migrations / "versions").iterdir() if p.name.endswith(".py")]
    assert any(name.startswith("0001_") for name in versions)
    assert head_revision() is not None
