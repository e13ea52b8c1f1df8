"""API details over plain HTTP: error texts, batchUpdate kinds, grid data, field masks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.conftest import ANA, ANA_TOKEN
from tests.support.emulator import EmulatorHandle

AUTH = {"Authorization": f"Bearer {ANA_TOKEN}"}


class Api:
    def __init__(self, emulator: EmulatorHandle, sid: str) -> None:
        self.base = f"{emulator.url}/v4/spreadsheets/{sid}"

    def batch(self, *requests: dict[str, Any]) -> httpx.Response:
        return httpx.post(
            f"{self.base}:batchUpdate", json={"requests": list(requests)}, headers=AUTH
        )

    def get(self, suffix: str = "", **params: Any) -> httpx.Response:
        return httpx.get(self.base + suffix, params=params, headers=AUTH)


@pytest.fixture
def api(emulator: EmulatorHandle) -> Api:
    sid = emulator.state.create_spreadsheet(ANA, "Details", {"Sheet1": [["a", 1], ["b", 2]]})
    return Api(emulator, sid)


def _error(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 400, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    return error


def test_unknown_request_kind_is_the_json_payload_error(api: Api) -> None:
    error = _error(api.batch({"addSheet": {}}, {"frobnicate": {}}))
    assert error["message"] == (
        "Invalid JSON payload received. Unknown name \"frobnicate\" at 'requests[1]': "
        "Cannot find field."
    )
    assert error["details"][0]["fieldViolations"][0]["field"] == "requests[1]"
    assert len(api.get().json()["sheets"]) == 1


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        (
            {"addSheet": {"properties": {"title": "Sheet1"}}},
            'Invalid requests[0].addSheet: A sheet with the name "Sheet1" already exists. '
            "Please enter another name.",
        ),
        (
            {"deleteSheet": {"sheetId": 0}},
            "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document.",
        ),
        (
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": 0, "hidden": True},
                    "fields": "hidden",
                }
            },
            "Invalid requests[0].updateSheetProperties: "
            "You can't hide all the sheets in a document.",
        ),
        (
            {"deleteSheet": {"sheetId": 123}},
            "Invalid requests[0].deleteSheet: No sheet with id: 123",
        ),
        (
            {"findReplace": {"find": "a", "replacement": "b", "allSheets": True}},
            "Invalid requests[0].findReplace: findReplace is not supported by the Sheets "
            "API emulator.",
        ),
    ],
)
def test_batch_update_errors(api: Api, request_body: dict[str, Any], message: str) -> None:
    assert _error(api.batch(request_body))["message"] == message


def test_ranges_that_do_not_parse(api: Api) -> None:
    for text in ("Nope!A1", "Sheet1!A1:", "'Sheet1", "Sheet1!1A"):
        error = _error(api.get(f"/values/{text}"))
        assert error["message"] == f"Unable to parse range: {text}"


def test_a1_forms(api: Api, emulator: EmulatorHandle) -> None:
    api.batch(
        {
            "addSheet": {
                "properties": {
                    "title": "It's Q1",
                    "gridProperties": {"rowCount": 5, "columnCount": 3},
                }
            }
        }
    )
    cases = {
        "Sheet1": "Sheet1!A1:Z1000",
        "sheet1!b2": "Sheet1!B2",
        "A1:B2": "Sheet1!A1:B2",
        "Sheet1!A:B": "Sheet1!A1:B1000",
        "Sheet1!2:3": "Sheet1!A2:Z3",
        "Sheet1!B2:C": "Sheet1!B2:C1000",
        "Sheet1!C3:A1": "Sheet1!A1:C3",
        "'It''s Q1'!A1:C": "'It''s Q1'!A1:C5",
        "'It''s Q1'": "'It''s Q1'!A1:C5",
        "Sheet1!A1:ZZ1": "Sheet1!A1:Z1",
    }
    for text, expected in cases.items():
        answer = api.get(f"/values/{text}")
        assert answer.json()["range"] == expected, text
    assert _error(api.get("/values/Sheet1!A1001"))["message"] == (
        "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )


def test_major_dimension_columns(api: Api) -> None:
    answer = api.get("/values/Sheet1!A1:B2", majorDimension="COLUMNS").json()
    assert answer["values"] == [["a", "b"], ["1", "2"]]


def test_values_payload_must_be_a_list_of_lists(api: Api) -> None:
    answer = httpx.put(
        f"{api.base}/values/Sheet1!A1",
        params={"valueInputOption": "RAW"},
        json={"values": "X"},
        headers=AUTH,
    )
    assert _error(answer)["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )


def test_writing_more_rows_than_the_range_holds(api: Api) -> None:
    answer = httpx.put(
        f"{api.base}/values/Sheet1!A1:B1",
        params={"valueInputOption": "RAW"},
        json={"values": [["x"], ["y"]]},
        headers=AUTH,
    )
    assert _error(answer)["message"] == (
        "Requested writing within range [Sheet1!A1:B1], but tried writing to row [2]"
    )


def test_summary_tab_in_one_batch(api: Api) -> None:
    """What the backend's Summary write does: add the tab with a chosen id, fill it with
    formatted cells, freeze the header, colour verdicts, chart the totals."""
    header = ["Group", "Quarter", "Plan", "Bookings", "Attainment", "Verdict"]
    rows = [
        {"values": [{"userEnteredValue": {"stringValue": h}} for h in header]},
        {
            "values": [
                {"userEnteredValue": {"stringValue": "=IMPORTXML(1)"}},
                {"userEnteredValue": {"stringValue": "2025-Q1"}},
                {
                    "userEnteredValue": {"numberValue": 500000},
                    "userEnteredFormat": {
                        "numberFormat": {"type": "CURRENCY", "pattern": '"$"#,##0.00'}
                    },
                },
                {"userEnteredValue": {"formulaValue": "=C2*0.99"}},
                {
                    "userEnteredValue": {"numberValue": 0.99},
                    "userEnteredFormat": {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}},
                },
                {
                    "userEnteredValue": {"stringValue": "Soft Miss"},
                    "userEnteredFormat": {"backgroundColor": {"red": 1, "green": 0.8, "blue": 0}},
                },
            ]
        },
    ]
    sheet_id = 9001
    answer = api.batch(
        {
            "addSheet": {
                "properties": {
                    "sheetId": sheet_id,
                    "title": "Summary",
                    "gridProperties": {"frozenRowCount": 1},
                }
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": sheet_id},
                "rows": rows,
                "fields": "userEnteredValue,userEnteredFormat",
            }
        },
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "endRowIndex": 1},
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }
        },
        {
            "addConditionalFormatRule": {
                "index": 0,
                "rule": {
                    "ranges": [{"sheetId": sheet_id, "startColumnIndex": 5, "endColumnIndex": 6}],
                    "booleanRule": {
                        "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "Beat"}]},
                        "format": {"backgroundColor": {"green": 1}},
                    },
                },
            }
        },
        {
            "addChart": {
                "chart": {
                    "spec": {"title": "Plan vs bookings", "basicChart": {"chartType": "COLUMN"}},
                    "position": {
                        "overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": 5}}
                    },
                }
            }
        },
        {"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS", "length": 10}},
    )
    assert answer.status_code == 200, answer.text
    replies = answer.json()["replies"]
    assert replies[0]["addSheet"]["properties"]["gridProperties"] == {
        "rowCount": 1000,
        "columnCount": 26,
        "frozenRowCount": 1,
    }
    assert replies[4]["addChart"]["chart"]["chartId"] > 0
    values = api.get("/values/Summary").json()
    assert values["range"] == "Summary!A1:Z1010"
    assert values["values"][1] == [
        "=IMPORTXML(1)",
        "2025-Q1",
        "$500,000.00",
        "495000",
        "99.0%",
        "Soft Miss",
    ]
    unformatted = api.get("/values/Summary!A2:F2", valueRenderOption="UNFORMATTED_VALUE").json()
    assert unformatted["values"] == [
        ["=IMPORTXML(1)", "2025-Q1", 500000, 495000, 0.99, "Soft Miss"]
    ]
    meta = api.get(fields="sheets(properties.title,conditionalFormats,charts.spec.title)").json()
    summary = meta["sheets"][1]
    assert summary["properties"] == {"title": "Summary"}
    assert summary["conditionalFormats"][0]["ranges"] == [
        {"sheetId": sheet_id, "startColumnIndex": 5, "endColumnIndex": 6}
    ]
    assert summary["charts"] == [{"spec": {"title": "Plan vs bookings"}}]
    grid = api.get(
        ranges="Summary!A1:F2",
        fields="sheets.data.rowData.values(userEnteredValue,userEnteredFormat)",
    ).json()
    cells = grid["sheets"][0]["data"][0]["rowData"]
    assert cells[0]["values"][0] == {
        "userEnteredValue": {"stringValue": "Group"},
        "userEnteredFormat": {"textFormat": {"bold": True}},
    }
    assert cells[1]["values"][5]["userEnteredFormat"] == {
        "backgroundColor": {"red": 1, "green": 0.8},
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 0.8}},
    }


def test_create_through_the_sheets_api(emulator: EmulatorHandle) -> None:
    answer = httpx.post(
        f"{emulator.url}/v4/spreadsheets",
        json={
            "properties": {"title": "Direct"},
            "sheets": [
                {"properties": {"title": "Plan"}},
                {"properties": {"title": "Bookings", "sheetId": 7}},
            ],
        },
        headers=AUTH,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert [s["properties"]["title"] for s in body["sheets"]] == ["Plan", "Bookings"]
    assert [s["properties"]["sheetId"] for s in body["sheets"]][::-1][0] == 7
    assert body["spreadsheetUrl"].endswith(f"/d/{body['spreadsheetId']}/edit")


def test_include_grid_data(api: Api) -> None:
    body = api.get(includeGridData="true", ranges="Sheet1!A1:B2").json()
    row = body["sheets"][0]["data"][0]["rowData"][1]["values"]
    assert row[1]["userEnteredValue"] == {"numberValue": 2}
    assert row[1]["effectiveValue"] == {"numberValue": 2}
    assert row[1]["formattedValue"] == "2"
    assert row[1]["effectiveFormat"]["textFormat"]["fontFamily"] == "arial,sans,sans-serif"


def test_insert_and_delete_dimensions_move_values(api: Api) -> None:
    assert (
        api.batch(
            {
                "insertDimension": {
                    "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}
                }
            },
            {
                "deleteDimension": {
                    "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}
                }
            },
        ).status_code
        == 200
    )
    assert api.get("/values/Sheet1").json()["values"] == [[], ["1"], ["2"]]
    meta = api.get().json()["sheets"][0]["properties"]["gridProperties"]
    assert meta == {"rowCount": 1001, "columnCount": 25}


def test_an_emulator_bug_answers_googles_500(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheets_emulator.sheets import values as values_api

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(values_api, "get", broken)
    answer = api.get("/values/Sheet1!A1")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}
    }
