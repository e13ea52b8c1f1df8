"""Drive permissions as the backend reads them to check a caller's own access, and the
emulator's own access checks honouring user, group, domain and anyone shares."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.conftest import ANA, ANA_TOKEN, BO, BO_TOKEN
from tests.support.emulator import EmulatorHandle

AUTH = {"Authorization": f"Bearer {ANA_TOKEN}"}
FIELDS = "permissions(type,role,emailAddress,domain),nextPageToken"
CY, CY_TOKEN = "cy@Example.com", "cy-token"
DEE, DEE_TOKEN = "dee@elsewhere.org", "dee-token"


def _permissions(emulator: EmulatorHandle, sid: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{emulator.url}/drive/v3/files/{sid}/permissions",
        params={"fields": FIELDS, "supportsAllDrives": "true", **params},
        headers=AUTH,
    )


def _create(emulator: EmulatorHandle, sid: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{emulator.url}/drive/v3/files/{sid}/permissions",
        params={"supportsAllDrives": "true"},
        json=body,
        headers=AUTH,
    )


def _read(emulator: EmulatorHandle, sid: str, token: str) -> int:
    return httpx.get(
        f"{emulator.url}/v4/spreadsheets/{sid}/values/A1",
        headers={"Authorization": f"Bearer {token}"},
    ).status_code


def _write(emulator: EmulatorHandle, sid: str, token: str) -> int:
    return httpx.put(
        f"{emulator.url}/v4/spreadsheets/{sid}/values/A1",
        params={"valueInputOption": "RAW"},
        json={"values": [["x"]]},
        headers={"Authorization": f"Bearer {token}"},
    ).status_code


@pytest.fixture
def sid(emulator: EmulatorHandle) -> str:
    emulator.add_token(CY_TOKEN, CY)
    emulator.add_token(DEE_TOKEN, DEE)
    return emulator.state.create_spreadsheet(ANA, "Shared", {"Plan": [["a"]]})


def test_permissions_list_shapes_for_every_kind_of_grantee(
    emulator: EmulatorHandle, sid: str
) -> None:
    assert _create(emulator, sid, {"type": "user", "role": "writer", "emailAddress": BO}).is_success
    assert _create(
        emulator, sid, {"type": "group", "role": "reader", "emailAddress": "team@example.com"}
    ).is_success
    domain = _create(emulator, sid, {"type": "domain", "role": "reader", "domain": "example.com"})
    assert domain.json() == {
        "kind": "drive#permission",
        "id": domain.json()["id"],
        "type": "domain",
        "role": "reader",
        "allowFileDiscovery": True,
    }
    anyone = _create(
        emulator, sid, {"type": "anyone", "role": "reader", "allowFileDiscovery": False}
    )
    assert anyone.json()["id"] == "anyoneWithLink"
    assert anyone.json()["allowFileDiscovery"] is False
    answer = _permissions(emulator, sid)
    assert answer.json() == {
        "permissions": [
            {"type": "user", "role": "owner", "emailAddress": ANA},
            {"type": "user", "role": "writer", "emailAddress": BO},
            {"type": "group", "role": "reader", "emailAddress": "team@example.com"},
            {"type": "domain", "role": "reader", "domain": "example.com"},
            {"type": "anyone", "role": "reader"},
        ]
    }
    default = httpx.get(f"{emulator.url}/drive/v3/files/{sid}/permissions", headers=AUTH).json()
    assert default["kind"] == "drive#permissionList"
    assert set(default["permissions"][0]) == {"kind", "id", "type", "role"}


def test_permissions_list_pages(emulator: EmulatorHandle, sid: str) -> None:
    for n in range(4):
        emulator.state.share(sid, f"user{n}@example.com", "reader")
    first = _permissions(emulator, sid, pageSize=2).json()
    assert [p["emailAddress"] for p in first["permissions"]] == [ANA, "user0@example.com"]
    second = _permissions(emulator, sid, pageSize=2, pageToken=first["nextPageToken"]).json()
    third = _permissions(emulator, sid, pageSize=2, pageToken=second["nextPageToken"]).json()
    assert "nextPageToken" not in third
    emails = [p["emailAddress"] for page in (first, second, third) for p in page["permissions"]]
    assert emails == [ANA] + [f"user{n}@example.com" for n in range(4)]
    for bad in ("0", "101", "x"):
        answer = _permissions(emulator, sid, pageSize=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["error"]["errors"][0]["location"] == "pageSize"
    assert _permissions(emulator, sid, pageToken="junk").status_code == 400


def test_create_permission_refuses_what_drive_refuses(emulator: EmulatorHandle, sid: str) -> None:
    for body in (
        {"type": "domain", "role": "reader"},
        {"type": "user", "role": "reader"},
        {"type": "user", "role": "reader", "emailAddress": "not-an-address"},
        {"type": "domain", "role": "reader", "domain": "ana@example.com"},
        {"type": "robot", "role": "reader"},
        {"type": "anyone", "role": "boss"},
    ):
        answer = _create(emulator, sid, body)
        assert answer.status_code == 400, body
        assert answer.json()["error"]["errors"][0]["reason"] in ("required", "invalid"), body


def test_domain_shares_open_the_sheet_to_that_domain_only(
    emulator: EmulatorHandle, sid: str
) -> None:
    assert (_read(emulator, sid, CY_TOKEN), _read(emulator, sid, DEE_TOKEN)) == (403, 403)
    shared = httpx.post(
        f"{emulator.url}/_emulator/spreadsheets/{sid}/share",
        json={"type": "domain", "domain": "EXAMPLE.com", "role": "reader"},
    )
    assert shared.status_code == 201
    assert shared.json()["domain"] == "example.com"
    assert (_read(emulator, sid, CY_TOKEN), _write(emulator, sid, CY_TOKEN)) == (200, 403)
    assert _read(emulator, sid, DEE_TOKEN) == 403
    drive = httpx.get(
        f"{emulator.url}/drive/v3/files/{sid}", headers={"Authorization": f"Bearer {CY_TOKEN}"}
    )
    assert drive.status_code == 200
    emulator.state.share(sid, "example.com", "writer", type="domain")
    assert _write(emulator, sid, CY_TOKEN) == 200
    # a subdomain is another domain
    emulator.add_token("sub", "eve@eu.example.com")
    assert _read(emulator, sid, "sub") == 403


def test_anyone_shares_open_the_sheet_to_every_account(emulator: EmulatorHandle, sid: str) -> None:
    shared = httpx.post(
        f"{emulator.url}/_emulator/spreadsheets/{sid}/share",
        json={"type": "anyone", "role": "reader"},
    )
    assert shared.json()["type"] == "anyone"
    assert [_read(emulator, sid, t) for t in (BO_TOKEN, CY_TOKEN, DEE_TOKEN)] == [200, 200, 200]
    assert _write(emulator, sid, BO_TOKEN) == 403
    assert httpx.get(f"{emulator.url}/v4/spreadsheets/{sid}/values/A1").status_code == 401


def test_seeding_with_shares_locale_and_time_zone(emulator: EmulatorHandle) -> None:
    emulator.add_token(CY_TOKEN, CY)
    seeded = httpx.post(
        f"{emulator.url}/_emulator/spreadsheets",
        json={
            "owner": ANA,
            "title": "Seeded",
            "tabs": {"Plan": [["Quarter", "Plan"]]},
            "locale": "en_GB",
            "timeZone": "Europe/London",
            "shares": [
                {"type": "user", "email": BO, "role": "writer"},
                {"type": "domain", "domain": "example.com", "role": "reader"},
            ],
        },
    )
    assert seeded.status_code == 201
    sid = seeded.json()["spreadsheetId"]
    dump = emulator.state.dump(sid)
    assert [(p["type"], p["role"]) for p in dump["permissions"]] == [
        ("user", "owner"),
        ("user", "writer"),
        ("domain", "reader"),
    ]
    assert dump["spreadsheet"]["properties"]["locale"] == "en_GB"
    assert _read(emulator, sid, CY_TOKEN) == 200
    bad = httpx.post(
        f"{emulator.url}/_emulator/spreadsheets",
        json={"owner": ANA, "tabs": {}, "shares": [{"type": "domain", "role": "reader"}]},
    )
    assert bad.status_code == 400
    assert len(emulator.state.spreadsheets) == 1
