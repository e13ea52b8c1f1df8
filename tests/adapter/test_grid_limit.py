"""A run reads at most ``max_cells`` grid cells (issue 13, SPEC 4.5): a bigger sheet is
refused from the tab list's grid sizes, before any value is read, naming the tab."""

from __future__ import annotations

import pytest

from sheets_adapter.errors import SheetTooLarge
from tests.adapter.conftest import ANA, ANA_AUTH, BOOKINGS, PLAN, make_adapter, sheets_calls
from tests.support.emulator import EmulatorHandle


def test_a_sheet_over_the_grid_limit_is_refused_before_it_is_read(emu: EmulatorHandle) -> None:
    sheet = emu.state.create_spreadsheet(ANA, "Big", {"Plan": PLAN, "Bookings": BOOKINGS})
    book = emu.gspread_client("ana-token").open_by_key(sheet)
    book.worksheet("Bookings").resize(rows=4000, cols=26)  # 104,000 grid cells
    adapter = make_adapter(emu, max_cells=60_000)
    emu.clear_log()
    with pytest.raises(SheetTooLarge) as refused:
        adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    message = str(refused.value)
    assert "'Bookings'" in message, message
    assert "4,000 rows" in message, message
    assert "26 columns" in message, message
    assert "60,000" in message, message
    kinds = [call["path"] for call in sheets_calls(emu)]
    assert not [k for k in kinds if "values" in k], "no value was read"


def test_a_sheet_under_the_limit_is_read(emu: EmulatorHandle) -> None:
    sheet = emu.state.create_spreadsheet(ANA, "Small", {"Plan": PLAN, "Bookings": BOOKINGS})
    adapter = make_adapter(emu, max_cells=60_000)
    snapshot = adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    assert snapshot.tabs["Bookings"].values[0] == ["Region", "Close Date", "Amount"]
