"""Unmodified gspread against the emulator over real HTTP: the calls the adapter relies on."""

from __future__ import annotations

import gspread
import pytest

from tests.emulator.conftest import ANA, ANA_TOKEN, BO, BO_TOKEN
from tests.support.emulator import EmulatorHandle


def test_create_open_update_and_read_back(emulator: EmulatorHandle) -> None:
    gc = emulator.gspread_client(ANA_TOKEN)
    sh = gc.create("Plan FY25")
    assert [ws.title for ws in sh.worksheets()] == ["Sheet1"]
    ws = sh.sheet1
    assert (ws.row_count, ws.col_count, ws.id) == (1000, 26, 0)
    ws.update([["Quarter", "Plan"], ["Q1 2025", 100]], "A1")
    again = gc.open_by_key(sh.id)
    assert again.title == "Plan FY25"
    assert again.sheet1.get_all_values() == [["Quarter", "Plan"], ["Q1 2025", "100"]]


def test_seeded_spreadsheet_is_visible_to_its_owner_only(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Seeded", {"Plan": [["a", 1.5, True]]})
    rows = emulator.gspread_client(ANA_TOKEN).open_by_key(sid).worksheet("Plan").get_all_values()
    assert rows == [["a", "1.5", "TRUE"]]
    with pytest.raises(PermissionError):
        emulator.gspread_client(BO_TOKEN).open_by_key(sid)


def test_reader_can_read_but_not_write(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Shared", {"Data": [["x"]]})
    emulator.state.share(sid, BO, "reader")
    ws = emulator.gspread_client(BO_TOKEN).open_by_key(sid).sheet1
    assert ws.get_all_values() == [["x"]]
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.update([["y"]], "A1")
    assert caught.value.code == 403
    assert caught.value.error["status"] == "PERMISSION_DENIED"
