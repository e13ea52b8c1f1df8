"""The route table: one entry per API method, custom verbs matched by the table, raw paths."""

from __future__ import annotations

from urllib.parse import quote

import gspread
import httpx
import pytest

from sheets_emulator.http.routes import ROUTES, TABLE
from sheets_emulator.http.routing import Route, RouteTable
from tests.emulator.conftest import ANA, ANA_TOKEN
from tests.support.emulator import EmulatorHandle

AUTH = {"Authorization": f"Bearer {ANA_TOKEN}"}
S = "/v4/spreadsheets/1abc"


def _name(method: str, path: str) -> str | None:
    found = TABLE.resolve(method, path)
    return None if found is None else found[0].name


def _params(method: str, path: str) -> dict[str, str]:
    found = TABLE.resolve(method, path)
    assert found is not None, path
    return found[1]


def test_every_route_has_one_name_and_one_method_per_template() -> None:
    names = [route.name for route in ROUTES]
    assert len(names) == len(set(names))
    pairs = [(route.method, route.template) for route in ROUTES]
    assert len(pairs) == len(set(pairs))
    with pytest.raises(ValueError, match="two routes"):
        RouteTable([ROUTES[0], ROUTES[0]])


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("POST", "/v4/spreadsheets", "sheets.spreadsheets.create"),
        ("GET", S, "sheets.spreadsheets.get"),
        ("POST", f"{S}:batchUpdate", "sheets.spreadsheets.batchUpdate"),
        ("GET", f"{S}:batchUpdate", "emulator.sheets.unsupported"),
        ("POST", f"{S}:getByDataFilter", "emulator.sheets.unsupported"),
        ("POST", f"{S}/sheets/123:copyTo", "sheets.spreadsheets.sheets.copyTo"),
        ("GET", f"{S}/values/Sheet1!A1:B2", "sheets.spreadsheets.values.get"),
        ("PUT", f"{S}/values/Sheet1!A1", "sheets.spreadsheets.values.update"),
        ("POST", f"{S}/values/Sheet1!A1", "emulator.sheets.unsupported"),
        ("POST", f"{S}/values/Sheet1!A1%3AB2:append", "sheets.spreadsheets.values.append"),
        ("POST", f"{S}/values/Sheet1:clear", "sheets.spreadsheets.values.clear"),
        # a verb claims the path: never a range named "A1:append"
        ("GET", f"{S}/values/A1:append", "emulator.sheets.unsupported"),
        ("GET", f"{S}/values:batchGet", "sheets.spreadsheets.values.batchGet"),
        ("POST", f"{S}/values:batchGet", "emulator.sheets.unsupported"),
        ("POST", f"{S}/values:batchUpdate", "sheets.spreadsheets.values.batchUpdate"),
        ("POST", f"{S}/values:batchClear", "sheets.spreadsheets.values.batchClear"),
        ("GET", f"{S}/developerMetadata/7", "sheets.spreadsheets.developerMetadata.get"),
        ("POST", f"{S}/developerMetadata:search", "sheets.spreadsheets.developerMetadata.search"),
        ("GET", "/drive/v3/files", "drive.files.list"),
        ("PATCH", "/drive/v3/files/1abc", "drive.files.update"),
        ("PUT", "/drive/v3/files/1abc", None),
        ("GET", "/drive/v3/files/1abc/permissions", "drive.permissions.list"),
        ("DELETE", "/drive/v3/files/1abc/permissions/42", "drive.permissions.delete"),
        ("PUT", "/upload/drive/v2/files/1abc", "emulator.drive.unsupported"),
        ("GET", "/oauth2/v3/userinfo", "oauth2.userinfo.get"),
        ("GET", "/tokeninfo", "oauth2.tokeninfo"),
        ("GET", "/oauth2/v3/tokeninfo", "oauth2.v3.tokeninfo"),
        ("HEAD", "/healthz", "emulator.healthz"),
        ("GET", "/nowhere", None),
    ],
)
def test_requests_find_their_api_method(method: str, path: str, name: str | None) -> None:
    assert _name(method, path) == name


def test_parameters_are_decoded_after_matching_the_raw_path() -> None:
    # an encoded colon stays part of the range; the verb is only the literal one at the end
    assert _params("POST", f"{S}/values/Sheet1!A1%3AB2:append")["range"] == "Sheet1!A1:B2"
    assert _params("GET", f"{S}/values/Q%3Aappend")["range"] == "Q:append"
    # "/" in a sheet name, sent as is or encoded, stays part of the range
    assert _params("GET", f"{S}/values/'a/b'!A1")["range"] == "'a/b'!A1"
    assert _params("GET", f"{S}/values/'a%2Fb'!A1")["range"] == "'a/b'!A1"
    assert _params("GET", f"{S}/values/'a/b'!A1")["spreadsheetId"] == "1abc"


def test_sheet_names_with_slash_and_colon_over_http(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Odd names", {"a/b:c": [["x"]], "Plain": []})
    gc = emulator.gspread_client(ANA_TOKEN)
    book = gc.open_by_key(sid)
    # gspread encodes "/" and ":" (%2F, %3A); then the verb follows the encoded range
    book.values_append("'a/b:c'!A1", {"valueInputOption": "RAW"}, {"values": [["y"]]})
    assert book.values_get("'a/b:c'!A1:A2")["values"] == [["x"], ["y"]]
    # the same range sent unencoded by a plain HTTP client
    raw = httpx.get(f"{emulator.url}/v4/spreadsheets/{sid}/values/'a/b:c'!A1:A2", headers=AUTH)
    assert raw.json()["range"] == "'a/b:c'!A1:A2"
    assert raw.json()["values"] == [["x"], ["y"]]
    encoded = quote("'a/b:c'!A2", safe="")
    cleared = httpx.post(
        f"{emulator.url}/v4/spreadsheets/{sid}/values/{encoded}:clear", headers=AUTH
    )
    assert cleared.json()["clearedRange"] == "'a/b:c'!A2"
    assert emulator.state.values(sid, "a/b:c") == [["x"]]


def test_unknown_methods_on_api_paths_ask_for_a_token_first(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Verbs", {})
    url = f"{emulator.url}/v4/spreadsheets/{sid}:getByDataFilter"
    assert httpx.post(url).status_code == 401
    answer = httpx.post(url, headers=AUTH, json={})
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == "NOT_FOUND"
    assert httpx.put(f"{emulator.url}/drive/v3/files/{sid}", headers=AUTH).status_code == 404
    assert httpx.get(f"{emulator.url}/nowhere").json()["error"]["code"] == 404


def test_gspread_still_reaches_every_method_it_uses(emulator: EmulatorHandle) -> None:
    gc = emulator.gspread_client(ANA_TOKEN)
    book = gc.create("Routes")
    sheet = book.sheet1
    sheet.update([["a", 1]], "A1")
    sheet.append_row(["b", 2])
    assert sheet.get_all_values()[:2] == [["a", "1"], ["b", "2"]]
    sheet.batch_clear(["A2:B2"])
    assert book.values_batch_get(["Sheet1!A1:B2"])["valueRanges"][0]["values"] == [["a", "1"]]
    book.share("bo@example.com", perm_type="user", role="reader", notify=False)
    assert {p["role"] for p in book.list_permissions()} == {"owner", "reader"}
    gc.del_spreadsheet(book.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key(book.id)
    assert [e["path"] for e in emulator.request_log()][-1] == f"/v4/spreadsheets/{book.id}"


def test_route_objects_are_plain_declarations() -> None:
    route = Route("GET", "/x/{id}", "x.get", ROUTES[0].endpoint)
    table = RouteTable([route])
    assert table.resolve("GET", "/x/a%20b") == (route, {"id": "a b"})
    assert table.resolve("GET", "/x/a:b") is None
    assert table.names() == ["x.get"]
