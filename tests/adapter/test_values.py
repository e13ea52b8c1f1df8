"""Big reads: the collector paused while row lists are built, bytes parsed by orjson, and
blocks of a big tab fetched two at a time, retried alone when one fails."""

from __future__ import annotations

import gc
import threading
from typing import Any

import orjson
import pytest

from server import budget
from sheets_adapter.values import gc_paused, parse
from tests.adapter.conftest import ANA_AUTH, PLAN, make_adapter, sheets_calls
from tests.support.emulator import EmulatorHandle


def test_the_collector_is_paused_inside_and_restored_after_the_last_block() -> None:
    assert gc.isenabled()
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    with gc_paused():
        assert not gc.isenabled()
        thread.start()
        assert entered.wait(5)
    assert not gc.isenabled()  # the other thread's block is still under way
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_host_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_parse_reads_bytes_and_refuses_a_cut_answer() -> None:
    assert parse(b'{"valueRanges": [{"values": [["\\u00e9", 1.5, true]]}]}') == {
        "valueRanges": [{"values": [["é", 1.5, True]]}]
    }
    with pytest.raises(orjson.JSONDecodeError):
        parse(b'{"valueRanges": [{"values": [["a"')


def test_a_big_tab_in_blocks_under_faults_reads_back_whole(emu: EmulatorHandle) -> None:
    big: list[list[Any]] = [["Region", "Close Date", "Amount"]]
    big += [["AMER" if i % 3 else "EMEA", 45_600 + i % 700, i * 1.25] for i in range(1, 6000)]
    sheet = emu.state.create_spreadsheet("ana@example.com", "Big", {"Plan": PLAN, "Bookings": big})
    sheets = make_adapter(emu, chunk_cells=3000)  # 1000-row blocks: six batchGets
    emu.state.set_faults(0.5, 0, (503,))
    try:
        snapshot = sheets.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    finally:
        emu.state.set_faults(0.0)
    assert snapshot.tabs["Bookings"].values == big
    assert snapshot.tabs["Plan"].values == PLAN
    calls = [e for e in sheets_calls(emu) if e["path"].endswith("values:batchGet")]
    answered = [e["query"] for e in calls if e["status"] == 200]
    assert len(answered) == len(set(answered)) >= 6  # every block once, the failed ones again
    assert any(e["status"] == 503 for e in calls)
    assert gc.isenabled()


def test_blocks_read_in_parallel_keep_the_request_s_budget(
    emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    big: list[list[Any]] = [["Region", "Close Date", "Amount"]]
    big += [["AMER", 45_600 + i % 700, i * 1.25] for i in range(1, 3000)]
    sheet = emu.state.create_spreadsheet("ana@example.com", "Big", {"Plan": PLAN, "Bookings": big})
    sheets = make_adapter(emu, chunk_cells=3000)  # three blocks, two threads
    seen: list[float | None] = []
    batch_get = sheets._batch_get

    def noting(*args: Any) -> Any:
        seen.append(budget.deadline())
        return batch_get(*args)

    monkeypatch.setattr(sheets, "_batch_get", noting)
    with budget.within(30):
        end = budget.deadline()
        sheets.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    assert len(seen) >= 3
    assert seen == [end] * len(seen), "a block was read without the request's budget"
