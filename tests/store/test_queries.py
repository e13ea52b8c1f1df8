"""How many statements a read costs: the GraphQL ``latestRun`` path must stay cheap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from server.store.sql import SqlRunStore
from tests.store.conftest import MakeStore
from tests.store.runs import issue, minutes, run


@contextmanager
def counting(store: SqlRunStore) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_latest_is_one_indexed_query_once_the_run_is_cached(make_sql_store: MakeStore) -> None:
    make_sql_store().add(run("run-1", issues=(issue(),)))
    store = make_sql_store()
    assert isinstance(store, SqlRunStore)
    with counting(store) as first:
        assert store.latest("sheet-1") is not None
    assert len(first) == 4  # newest id; the run row; its verdicts; its issues
    with counting(store) as again:
        for _ in range(5):
            assert store.latest("sheet-1") is not None
    assert len(again) == 5  # one per call: the newest id, then the cache


def test_list_loads_missing_runs_in_two_queries(make_sql_store: MakeStore) -> None:
    writer = make_sql_store()
    for n in range(5):
        writer.add(run(f"run-{n}", at=minutes(n), issues=(issue(),)))
    store = make_sql_store()
    assert isinstance(store, SqlRunStore)
    with counting(store) as first:
        assert len(store.list("sheet-1", 10)) == 5
    assert len(first) == 3  # the run rows; all their verdicts; all their issues
    with counting(store) as again:
        assert len(store.list("sheet-1", 10)) == 5
    assert len(again) == 1


def test_get_of_a_cached_run_needs_no_query(make_sql_store: MakeStore) -> None:
    make_sql_store().add(run("run-1"))
    store = make_sql_store()
    assert isinstance(store, SqlRunStore)
    assert store.get("run-1") is not None
    with counting(store) as statements:
        assert store.get("run-1") is not None
    assert statements == []
