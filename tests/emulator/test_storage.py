"""How big tabs are stored and read: seeded rows as shared tuples, read as they are stored.

The fast paths must answer exactly what the cell-by-cell paths answer; hypothesis checks it
on random grids of text, whole and fractional numbers, booleans and empties."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_emulator.grid.formulas import Context
from sheets_emulator.grid.model import Sheet
from sheets_emulator.grid.render import Renderer
from sheets_emulator.grid.seed import SHARED_LENGTH, seed_rows

values = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(["EMEA", "AMER", "x" * (SHARED_LENGTH + 1)]),
    st.text(max_size=5),
    st.integers(-(2**60), 2**60),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0.0, -0.0, 1.0, 45000.0, 1.5, 2.0**53, 1e16]),
    st.booleans(),
)
grids = st.lists(st.lists(values, max_size=6), max_size=30)
NO_CONTEXT = Context(fetch=lambda *_: None, extent=lambda _: None)


def _sheet(rows: list[Any]) -> Sheet:
    return Sheet(
        properties={
            "sheetId": 0,
            "title": "T",
            "gridProperties": {"rowCount": 40, "columnCount": 8},
        },
        rows=rows,
    )


def _cell_by_cell(rows: list[list[Any]]) -> list[Any]:
    """What seeding stored before: each value converted alone, rows as lists."""
    from sheets_emulator.grid.seed import seed_value

    return [[seed_value(item)[0] for item in row] for row in rows]


@settings(max_examples=300, deadline=None)
@given(grids)
def test_seeded_rows_hold_the_values_as_given(rows: list[list[Any]]) -> None:
    stored, formats = seed_rows(rows)
    assert formats == {}
    assert all(type(row) is tuple for row in stored)
    width = max(map(len, rows), default=0)
    for got, want in zip(stored, _cell_by_cell(rows), strict=True):
        padded = list(want) + [None] * (len(got) - len(want))
        assert len(got) in (len(want), width)
        assert list(got) == padded
        for g, w in zip(got, padded, strict=True):
            assert type(g) is type(w) or {type(g), type(w)} == {int, float}
            if type(g) is float:  # whole numbers below 2**53 are stored as ints
                assert not (g.is_integer() and abs(g) < 2**53)


@settings(max_examples=300, deadline=None)
@given(grids, st.integers(0, 7), st.integers(0, 8), st.integers(0, 30), st.integers(0, 31))
def test_seeded_rows_read_as_the_cell_by_cell_renderer_reads_them(
    rows: list[list[Any]], c0: int, c1: int, r0: int, r1: int
) -> None:
    stored, _ = seed_rows(rows)
    # what the emulator stored before: every number a float, every row a list
    as_lists = [[float(v) if type(v) is int else v for v in row] for row in stored]
    for option in ("UNFORMATTED_VALUE", "FORMULA", "FORMATTED_VALUE"):
        fast = Renderer(_sheet(stored), NO_CONTEXT, option, "SERIAL_NUMBER")
        slow = Renderer(_sheet(as_lists), NO_CONTEXT, option, "SERIAL_NUMBER")
        got = [list(row) for row in fast.rows(r0, r1, c0, c1)]
        assert got == slow.rows(r0, r1, c0, c1)
        assert [list(map(type, r)) for r in got] == [
            list(map(type, r)) for r in slow.rows(r0, r1, c0, c1)
        ]


def test_equal_values_are_stored_once() -> None:
    rows = [[f"D{i}", "EMEA", 1500.0, 45000, ""] for i in range(3)] + [["D9", "EM" + "EA"]]
    stored, _ = seed_rows(rows)
    assert stored[0] == ("D0", "EMEA", 1500, 45000, None)
    assert all(row[1] is stored[0][1] for row in stored)
    assert all(row[2] is stored[0][2] for row in stored[:3])


def test_dates_bring_their_format_and_other_kinds_stay_correct() -> None:
    stored, formats = seed_rows([["Q1", date(2025, 3, 31), True, None]])
    assert stored == [("Q1", 45747, True, None)]
    assert formats == {
        (0, 1): {"userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}}
    }


def test_a_seeded_row_becomes_a_list_when_it_changes_and_copies_share_the_rest() -> None:
    stored, _ = seed_rows([["a", 1], ["b", 2]])
    sheet = _sheet(stored)
    copy = sheet.clone()
    assert copy.rows[0] is sheet.rows[0]
    copy.set(0, 1, 5.0)
    assert copy.rows[0] == ["a", 5.0]
    assert sheet.rows[0] == ("a", 1)
    copy.insert_cols(0, 1)
    copy.delete_cols(0, 1)
    copy.clear_values(1, 2, 0, 1)
    assert copy.rows == [["a", 5.0], [None, 2]]
    assert sheet.rows == [("a", 1), ("b", 2)]
