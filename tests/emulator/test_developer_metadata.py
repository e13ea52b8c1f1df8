"""Developer metadata over HTTP: create/update/delete in batchUpdate, get, search, and what
spreadsheets.get shows (the Summary tab a run writes is marked this way)."""

from __future__ import annotations

from typing import Any

import gspread
import httpx
import pytest

from tests.emulator.conftest import ANA, ANA_TOKEN, BO, BO_TOKEN
from tests.support.emulator import EmulatorHandle

AUTH = {"Authorization": f"Bearer {ANA_TOKEN}"}
MARK = "sales-verdicts:summary"


class Book:
    def __init__(self, emulator: EmulatorHandle, sid: str) -> None:
        self.base = f"{emulator.url}/v4/spreadsheets/{sid}"
        self.sid = sid

    def batch(self, *requests: dict[str, Any], token: str = ANA_TOKEN) -> httpx.Response:
        return httpx.post(
            f"{self.base}:batchUpdate",
            json={"requests": list(requests)},
            headers={"Authorization": f"Bearer {token}"},
        )

    def ok(self, *requests: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.batch(*requests)
        assert answer.status_code == 200, answer.text
        replies: list[dict[str, Any]] = answer.json()["replies"]
        return replies

    def search(self, *filters: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.base}/developerMetadata:search",
            json={"dataFilters": list(filters)},
            headers=AUTH,
        )
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def metadata(self, fields: str = "sheets(properties(sheetId,title),developerMetadata)") -> Any:
        answer = httpx.get(self.base, params={"fields": fields}, headers=AUTH)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def book(emulator: EmulatorHandle) -> Book:
    sid = emulator.state.create_spreadsheet(ANA, "Marked", {"Plan": [["Q"]], "Bookings": [["Q"]]})
    return Book(emulator, sid)


def _mark(sheet_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": MARK,
                "metadataValue": "v1",
                "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT",
                **extra,
            }
        }
    }


def _by_key(key: str = MARK) -> dict[str, Any]:
    return {"developerMetadataLookup": {"metadataKey": key}}


def test_summary_added_and_marked_in_one_atomic_batch(book: Book) -> None:
    replies = book.ok(
        {"addSheet": {"properties": {"sheetId": 4242, "title": "Summary"}}},
        _mark(4242),
    )
    created = replies[1]["createDeveloperMetadata"]["developerMetadata"]
    assert isinstance(created["metadataId"], int)
    assert created["metadataId"] > 0
    assert created == {
        "metadataId": created["metadataId"],
        "metadataKey": MARK,
        "metadataValue": "v1",
        "location": {"locationType": "SHEET", "sheetId": 4242},
        "visibility": "DOCUMENT",
    }
    sheets = book.metadata()["sheets"]
    assert sheets[:2] == [
        {"properties": {"sheetId": 0, "title": "Plan"}},
        {"properties": {"sheetId": sheets[1]["properties"]["sheetId"], "title": "Bookings"}},
    ]
    assert sheets[2] == {
        "properties": {"sheetId": 4242, "title": "Summary"},
        "developerMetadata": [created],
    }


def test_a_failing_batch_creates_no_metadata(book: Book) -> None:
    answer = book.batch(_mark(0), {"updateCells": {"start": {"sheetId": 999}, "fields": "*"}})
    assert answer.status_code == 400
    assert "developerMetadata" not in str(book.metadata())
    assert book.search(_by_key()) == {}


def test_metadata_ids_may_be_chosen_and_must_be_unique(book: Book) -> None:
    replies = book.ok(_mark(0, metadataId=77))
    assert replies[0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"] == 77
    answer = book.batch({"addSheet": {"properties": {"title": "X"}}}, _mark(0, metadataId=77))
    error = answer.json()["error"]
    assert (answer.status_code, error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Invalid requests[1].createDeveloperMetadata: ")
    assert "77" in error["message"]
    assert [s["properties"]["title"] for s in book.metadata()["sheets"]] == ["Plan", "Bookings"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"location": {"sheetId": 0}, "visibility": "DOCUMENT"}, "metadataKey"),
        ({"metadataKey": "k", "location": {"sheetId": 0}}, "visibility"),
        ({"metadataKey": "k", "location": {"sheetId": 31337}, "visibility": "DOCUMENT"}, "31337"),
        ({"metadataKey": "k", "visibility": "DOCUMENT"}, "location"),
        (
            {
                "metadataKey": "k",
                "location": {"dimensionRange": {"sheetId": 0, "dimension": "ROWS"}},
                "visibility": "DOCUMENT",
            },
            "not supported",
        ),
    ],
)
def test_create_refuses_incomplete_metadata(
    book: Book, payload: dict[str, Any], reason: str
) -> None:
    answer = book.batch({"createDeveloperMetadata": {"developerMetadata": payload}})
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert message.startswith("Invalid requests[0].createDeveloperMetadata: ")
    assert reason in message


def test_spreadsheet_level_metadata_is_top_level(book: Book) -> None:
    replies = book.ok(
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": "owner",
                    "location": {"spreadsheet": True},
                    "visibility": "PROJECT",
                }
            }
        }
    )
    created = replies[0]["createDeveloperMetadata"]["developerMetadata"]
    assert created["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    assert "metadataValue" not in created
    assert book.metadata("developerMetadata") == {"developerMetadata": [created]}


def test_get_and_search(book: Book, emulator: EmulatorHandle) -> None:
    created = book.ok(_mark(0), _mark(0, metadataKey="other", metadataValue="x"))
    first = created[0]["createDeveloperMetadata"]["developerMetadata"]
    other = created[1]["createDeveloperMetadata"]["developerMetadata"]
    got = httpx.get(f"{book.base}/developerMetadata/{first['metadataId']}", headers=AUTH)
    assert got.json() == first
    missing = httpx.get(f"{book.base}/developerMetadata/123", headers=AUTH)
    assert (missing.status_code, missing.json()["error"]["status"]) == (404, "NOT_FOUND")
    assert httpx.get(f"{book.base}/developerMetadata/abc", headers=AUTH).status_code == 400
    assert book.search(_by_key()) == {
        "matchedDeveloperMetadata": [{"developerMetadata": first, "dataFilters": [_by_key()]}]
    }
    on_sheet = {
        "developerMetadataLookup": {
            "metadataLocation": {"sheetId": 0},
            "locationMatchingStrategy": "EXACT_LOCATION",
        }
    }
    by_value = {"developerMetadataLookup": {"metadataValue": "x"}}
    found = book.search(on_sheet, by_value)["matchedDeveloperMetadata"]
    assert found == [
        {"developerMetadata": first, "dataFilters": [on_sheet]},
        {"developerMetadata": other, "dataFilters": [on_sheet, by_value]},
    ]
    by_range = book.search({"a1Range": "Plan!A1:B2"})["matchedDeveloperMetadata"]
    assert [m["developerMetadata"] for m in by_range] == [first, other]
    # reading needs reader access, like every Sheets read
    emulator.state.share(book.sid, BO, "reader")
    as_bo = httpx.post(
        f"{book.base}/developerMetadata:search",
        json={"dataFilters": [_by_key()]},
        headers={"Authorization": f"Bearer {BO_TOKEN}"},
    )
    assert as_bo.json()["matchedDeveloperMetadata"][0]["developerMetadata"] == first


def test_search_refuses_bad_filters(book: Book) -> None:
    url = f"{book.base}/developerMetadata:search"
    bodies: list[dict[str, Any]] = [
        {},
        {"dataFilters": [{}]},
        {
            "dataFilters": [
                {"developerMetadataLookup": {"locationMatchingStrategy": "EXACT_LOCATION"}}
            ]
        },
        {"dataFilters": [{"gridRange": {"sheetId": 999}}]},
    ]
    for body in bodies:
        answer = httpx.post(url, json=body, headers=AUTH)
        assert answer.status_code == 400, body


def test_update_by_data_filter(book: Book) -> None:
    created = book.ok(_mark(0))[0]["createDeveloperMetadata"]["developerMetadata"]
    replies = book.ok(
        {
            "updateDeveloperMetadata": {
                "dataFilters": [_by_key()],
                "developerMetadata": {"metadataValue": "v2"},
                "fields": "metadataValue",
            }
        }
    )
    updated = {**created, "metadataValue": "v2"}
    assert replies == [{"updateDeveloperMetadata": {"developerMetadata": [updated]}}]
    # moving it to another sheet
    bookings = book.metadata()["sheets"][1]["properties"]["sheetId"]
    moved = book.ok(
        {
            "updateDeveloperMetadata": {
                "dataFilters": [{"developerMetadataLookup": {"metadataId": created["metadataId"]}}],
                "developerMetadata": {"location": {"sheetId": bookings}},
                "fields": "location",
            }
        }
    )[0]["updateDeveloperMetadata"]["developerMetadata"][0]
    assert moved["location"] == {"locationType": "SHEET", "sheetId": bookings}
    sheets = book.metadata()["sheets"]
    assert "developerMetadata" not in sheets[0]
    assert sheets[1]["developerMetadata"] == [moved]
    nothing = book.ok(
        {
            "updateDeveloperMetadata": {
                "dataFilters": [_by_key("absent")],
                "developerMetadata": {"metadataValue": "v3"},
                "fields": "metadataValue",
            }
        }
    )
    assert nothing == [{"updateDeveloperMetadata": {}}]
    no_fields = book.batch(
        {
            "updateDeveloperMetadata": {
                "dataFilters": [_by_key()],
                "developerMetadata": {"metadataValue": "v3"},
            }
        }
    )
    assert no_fields.status_code == 400


def test_delete_by_data_filter(book: Book) -> None:
    book.ok(_mark(0), _mark(0, metadataKey="keep"))
    replies = book.ok({"deleteDeveloperMetadata": {"dataFilter": _by_key()}})
    deleted = replies[0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]
    assert [d["metadataKey"] for d in deleted] == [MARK]
    assert book.search(_by_key()) == {}
    assert len(book.search(_by_key("keep"))["matchedDeveloperMetadata"]) == 1
    assert book.ok({"deleteDeveloperMetadata": {"dataFilter": _by_key()}}) == [
        {"deleteDeveloperMetadata": {}}
    ]


def test_delete_sheet_deletes_its_metadata_and_duplicate_copies_it(book: Book) -> None:
    book.ok({"addSheet": {"properties": {"sheetId": 5, "title": "Summary"}}}, _mark(5))
    original = book.search(_by_key())["matchedDeveloperMetadata"][0]["developerMetadata"]
    book.ok({"duplicateSheet": {"sourceSheetId": 5, "newSheetId": 6}})
    marks = [m["developerMetadata"] for m in book.search(_by_key())["matchedDeveloperMetadata"]]
    assert marks[0] == original
    assert marks[1]["location"] == {"locationType": "SHEET", "sheetId": 6}
    assert marks[1]["metadataId"] != original["metadataId"]
    assert {k: v for k, v in marks[1].items() if k not in ("metadataId", "location")} == {
        k: v for k, v in original.items() if k not in ("metadataId", "location")
    }
    book.ok({"deleteSheet": {"sheetId": 5}}, {"deleteSheet": {"sheetId": 6}})
    assert book.search(_by_key()) == {}
    gone = httpx.get(f"{book.base}/developerMetadata/{original['metadataId']}", headers=AUTH)
    assert gone.status_code == 404


def test_writers_only(book: Book, emulator: EmulatorHandle) -> None:
    emulator.state.share(book.sid, BO, "reader")
    answer = book.batch(_mark(0), token=BO_TOKEN)
    assert (answer.status_code, answer.json()["error"]["status"]) == (403, "PERMISSION_DENIED")


def test_through_gspread(emulator: EmulatorHandle) -> None:
    gc = emulator.gspread_client(ANA_TOKEN)
    sh = gc.create("With gspread")
    sh.batch_update({"requests": [_mark(0)]})
    meta = sh.fetch_sheet_metadata(params={"fields": "sheets(properties.title,developerMetadata)"})
    assert meta["sheets"][0]["developerMetadata"][0]["metadataKey"] == MARK
    with pytest.raises(gspread.exceptions.APIError):
        sh.batch_update({"requests": [_mark(0, visibility="EVERYONE")]})
