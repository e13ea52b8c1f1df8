"""Unmodified gspread against the emulator over real HTTP: spreadsheets, values, batches."""

from __future__ import annotations

from typing import Any

import gspread
import pytest
from gspread.utils import DateTimeOption, ValueInputOption, ValueRenderOption

from tests.emulator.conftest import ANA, ANA_TOKEN, BO, BO_TOKEN
from tests.support.emulator import EmulatorHandle


@pytest.fixture
def gc(emulator: EmulatorHandle) -> gspread.Client:
    return emulator.gspread_client(ANA_TOKEN)


def test_create_add_worksheet_update_and_get_all_values(gc: gspread.Client) -> None:
    sh = gc.create("Sales plan")
    ws = sh.add_worksheet("Plan", rows=50, cols=4)
    ws.update([["Region", "Q1 2025"], ["EMEA", 100], ["AMER", 120.5]], "A1")
    assert [w.title for w in gc.open_by_key(sh.id).worksheets()] == ["Sheet1", "Plan"]
    assert ws.get_all_values() == [["Region", "Q1 2025"], ["EMEA", "100"], ["AMER", "120.5"]]
    assert ws.get_all_values(value_render_option=ValueRenderOption.unformatted) == [
        ["Region", "Q1 2025"],
        ["EMEA", 100],
        ["AMER", 120.5],
    ]


def test_batch_get_returns_one_value_range_per_range(gc: gspread.Client) -> None:
    sh = gc.create("Batch")
    sh.sheet1.update([["a", "b", "c"], ["d", "e", "f"]], "A1")
    sh.add_worksheet("My Tab", 10, 3).update([["x"]], "B2")
    ranges = sh.values_batch_get(["Sheet1!A1:B2", "'My Tab'", "Sheet1!C:C"])["valueRanges"]
    assert [r["range"] for r in ranges] == ["Sheet1!A1:B2", "'My Tab'!A1:C10", "Sheet1!C1:C1000"]
    assert [r.get("values") for r in ranges] == [
        [["a", "b"], ["d", "e"]],
        [[], ["", "x"]],
        [["c"], ["f"]],
    ]
    assert sh.sheet1.batch_get(["A1", "B2:C2"]) == [[["a"]], [["e", "f"]]]


def test_worksheet_batch_update_and_values_clear(gc: gspread.Client) -> None:
    sh = gc.create("Cells")
    ws = sh.sheet1
    ws.batch_update(
        [{"range": "A1:B1", "values": [["h1", "h2"]]}, {"range": "A3", "values": [["z"]]}]
    )
    assert ws.get_all_values() == [["h1", "h2"], ["", ""], ["z", ""]]
    cleared = sh.values_clear("Sheet1!A1:A3")
    assert cleared["clearedRange"] == "Sheet1!A1:A3"
    assert ws.get_all_values() == [["", "h2"]]


def test_share_list_and_remove_permissions(emulator: EmulatorHandle, gc: gspread.Client) -> None:
    sh = gc.create("Shared")
    sh.share(BO, perm_type="user", role="writer", notify=False)
    roles = {p["emailAddress"]: p["role"] for p in sh.list_permissions()}
    assert roles == {ANA: "owner", BO: "writer"}
    other = emulator.gspread_client(BO_TOKEN).open_by_key(sh.id)
    other.sheet1.update([["written by bo"]], "A1")
    assert sh.sheet1.acell("A1").value == "written by bo"
    assert sh.remove_permissions(BO) != []
    with pytest.raises(PermissionError):
        emulator.gspread_client(BO_TOKEN).open_by_key(sh.id)


def test_del_spreadsheet(gc: gspread.Client) -> None:
    sh = gc.create("Doomed")
    gc.del_spreadsheet(sh.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key(sh.id)


def test_open_by_title_and_list_files(gc: gspread.Client) -> None:
    first = gc.create("Alpha")
    gc.create("Beta")
    assert gc.open("Alpha").id == first.id
    assert sorted(f["name"] for f in gc.list_spreadsheet_files()) == ["Alpha", "Beta"]


def test_user_entered_keeps_formulas_and_parses_numbers_raw_does_not(gc: gspread.Client) -> None:
    ws = gc.create("Input").sheet1
    row = [1, 2, "=SUM(A1:B1)", "1,234", "12.5%", "$1,234.50", "2025-03-31", "TRUE"]
    ws.update([row], "A1", value_input_option=ValueInputOption.user_entered)
    ws.update([row], "A2", value_input_option=ValueInputOption.raw)
    assert ws.get("A1:H2", value_render_option=ValueRenderOption.unformatted) == [
        [1, 2, 3, 1234, 0.125, 1234.5, 45747, True],
        [1, 2, "=SUM(A1:B1)", "1,234", "12.5%", "$1,234.50", "2025-03-31", "TRUE"],
    ]
    assert ws.get("A1:H1", value_render_option=ValueRenderOption.formula) == [
        [1, 2, "=SUM(A1:B1)", 1234, 0.125, 1234.5, 45747, True]
    ]
    assert ws.get("A1:H1") == [
        ["1", "2", "3", "1,234", "12.50%", "$1,234.50", "2025-03-31", "TRUE"]
    ]


def test_date_time_render_option(gc: gspread.Client) -> None:
    ws = gc.create("Dates").sheet1
    ws.update([["3/31/2025", "=A1+1"]], "A1", value_input_option=ValueInputOption.user_entered)
    serial = ws.get("A1:B1", value_render_option=ValueRenderOption.unformatted)
    assert serial == [[45747, 45748]]
    text = ws.get(
        "A1",
        value_render_option=ValueRenderOption.unformatted,
        date_time_render_option=DateTimeOption.formatted_string,
    )
    assert text == [["3/31/2025"]]


def test_add_sheet_with_a_chosen_sheet_id(gc: gspread.Client) -> None:
    sh = gc.create("Ids")
    reply = sh.batch_update(
        {"requests": [{"addSheet": {"properties": {"sheetId": 4242, "title": "Summary"}}}]}
    )
    assert reply["replies"][0]["addSheet"]["properties"]["sheetId"] == 4242
    assert sh.get_worksheet_by_id(4242).title == "Summary"
    with pytest.raises(gspread.exceptions.APIError) as caught:
        sh.batch_update({"requests": [{"addSheet": {"properties": {"sheetId": 4242}}}]})
    assert caught.value.code == 400
    assert caught.value.error["message"].startswith("Invalid requests[0].addSheet: ")


def _summary_requests(sheet_id: int, bad_sheet: int) -> list[dict[str, Any]]:
    return [
        {"addSheet": {"properties": {"sheetId": sheet_id, "title": "Summary"}}},
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": [{"userEnteredValue": {"stringValue": "Group"}}]}],
                "fields": "userEnteredValue",
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": bad_sheet, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": [{"userEnteredValue": {"numberValue": 1}}]}],
                "fields": "userEnteredValue",
            }
        },
    ]


def test_batch_update_is_atomic(gc: gspread.Client) -> None:
    sh = gc.create("Atomic")
    sh.sheet1.update([["keep me"]], "A1")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        sh.batch_update({"requests": _summary_requests(77, bad_sheet=999)})
    assert caught.value.code == 400
    assert caught.value.error["message"] == "Invalid requests[2].updateCells: No grid with id: 999"
    fresh = gc.open_by_key(sh.id)
    assert [w.title for w in fresh.worksheets()] == ["Sheet1"]
    assert fresh.sheet1.get_all_values() == [["keep me"]]
    sh.batch_update({"requests": _summary_requests(77, bad_sheet=77)})
    assert gc.open_by_key(sh.id).worksheet("Summary").acell("A1").value == "1"


def test_append_rows_extends_the_grid(gc: gspread.Client) -> None:
    sh = gc.create("Append")
    ws = sh.add_worksheet("Log", rows=2, cols=2)
    ws.append_rows([["a", 1], ["b", 2], ["c", 3]])
    ws.append_row(["d", 4])
    fresh = gc.open_by_key(sh.id).worksheet("Log")
    assert fresh.row_count == 4
    assert fresh.get_all_values() == [["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"]]


def test_update_outside_the_grid_is_the_api_error(gc: gspread.Client) -> None:
    ws = gc.create("Grid").add_worksheet("Small", rows=3, cols=2)
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.update([["x"]], "C1")
    assert caught.value.error == {
        "code": 400,
        "message": "Range (Small!C1) exceeds grid limits. Max rows: 3, max columns: 2",
        "status": "INVALID_ARGUMENT",
    }


def test_duplicate_sheet_and_copy_to_another_spreadsheet(gc: gspread.Client) -> None:
    sh = gc.create("Source")
    sh.sheet1.update([["kept", 1]], "A1")
    copy = sh.duplicate_sheet(0)
    assert copy.title == "Copy of Sheet1"
    assert copy.get_all_values() == [["kept", "1"]]
    other = gc.create("Target")
    reply = sh.sheet1.copy_to(other.id)
    assert reply["title"] == "Copy of Sheet1"
    assert other.worksheet("Copy of Sheet1").get_all_values() == [["kept", "1"]]
