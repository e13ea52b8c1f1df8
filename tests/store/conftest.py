"""Fixtures of the run-store tests: the same contract against every store.

``make_store()`` opens another store on the same data, as a second server process
would (a new engine, pool and cache). For ``MemoryRunStore`` there is nothing to
share across instances, so it returns the one store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.store.memory import MemoryRunStore
from server.store.port import RunStore
from server.store.sql import SqlRunStore
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401


class MakeStore:
    """Opens stores on one database (``url``); closes them when the test ends."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url
        self.opened: list[RunStore] = []
        self._shared = MemoryRunStore()

    def __call__(self, **options: Any) -> RunStore:
        if self.kind == "memory":
            return self._shared
        store = SqlRunStore(self.url, **options)
        self.opened.append(store)
        return store

    def close(self) -> None:
        for store in self.opened:
            store.close()


ALL = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of the kind ``request.param`` names."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'runs.sqlite3'}"


def _factory(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    url = "memory://"
    if kind == "postgres":
        url = str(request.getfixturevalue("postgres_url"))
    elif kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'runs.sqlite3'}"
    make = MakeStore(kind, url)
    yield make
    make.close()


@pytest.fixture(params=ALL)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    yield from _factory(request.param, request, tmp_path)


@pytest.fixture(params=SQL)
def make_sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    yield from _factory(request.param, request, tmp_path)


@pytest.fixture
def store(make_store: MakeStore) -> RunStore:
    return make_store()
