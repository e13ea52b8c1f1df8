"""Test controls: fault injection, latency, the request log, reset, seeding over HTTP."""

from __future__ import annotations

import time

import gspread
import httpx
import pytest

from sheets_emulator.controls.guard import host_name, is_loopback
from tests.emulator.conftest import ANA, ANA_TOKEN
from tests.support.emulator import EmulatorHandle, running_emulator

AUTH = {"Authorization": f"Bearer {ANA_TOKEN}"}
EXPECTED_FAULTS = {
    429: ("RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Read requests'"),
    500: ("INTERNAL", "Internal error encountered."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
}


@pytest.mark.parametrize("status", sorted(EXPECTED_FAULTS))
def test_faults_answer_in_googles_format(emulator: EmulatorHandle, status: int) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Faulty", {})
    answer = httpx.post(
        f"{emulator.url}/_emulator/faults", json={"rate": 1.0, "statuses": [status]}
    )
    assert answer.json() == {"rate": 1.0, "latency_ms": 0, "statuses": [status]}
    got = httpx.get(f"{emulator.url}/v4/spreadsheets/{sid}", headers=AUTH)
    assert got.status_code == status
    error = got.json()["error"]
    assert (error["code"], error["status"]) == (status, EXPECTED_FAULTS[status][0])
    assert error["message"].startswith(EXPECTED_FAULTS[status][1])
    drive = httpx.get(f"{emulator.url}/drive/v3/files/{sid}", headers=AUTH)
    assert drive.status_code == status
    assert drive.json()["error"]["errors"][0]["reason"]


def test_fault_rate_one_fails_every_gspread_call_and_changes_nothing(
    emulator: EmulatorHandle,
) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Faulty", {"Data": [["before"]]})
    emulator.set_faults(1.0)
    with pytest.raises(gspread.exceptions.APIError) as caught:
        emulator.gspread_client(ANA_TOKEN).open_by_key(sid)
    assert caught.value.code in (429, 500, 503)
    assert httpx.get(f"{emulator.url}/healthz").status_code == 200
    assert httpx.get(f"{emulator.url}/_emulator/requests").status_code == 200
    answer = httpx.put(
        f"{emulator.url}/v4/spreadsheets/{sid}/values/Data!A1",
        params={"valueInputOption": "RAW"},
        json={"values": [["after"]]},
        headers=AUTH,
    )
    assert answer.status_code in (429, 500, 503)
    assert emulator.state.values(sid, "Data") == [["before"]]
    assert all(entry["faulted"] for entry in emulator.request_log())


def test_fault_rate_zero_to_one_is_a_share(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Half", {})
    emulator.state.rng.seed(7)
    emulator.set_faults(0.5)
    statuses = [
        httpx.get(f"{emulator.url}/v4/spreadsheets/{sid}", headers=AUTH).status_code
        for _ in range(60)
    ]
    assert 10 < statuses.count(200) < 50
    assert set(statuses) <= {200, 429, 500, 503}


def test_latency_is_added_to_api_calls_only(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Slow", {})
    emulator.set_faults(0.0, latency_ms=1000)
    started = time.perf_counter()
    assert httpx.get(f"{emulator.url}/v4/spreadsheets/{sid}", headers=AUTH).status_code == 200
    assert time.perf_counter() - started >= 1.0
    started = time.perf_counter()
    httpx.get(f"{emulator.url}/healthz")
    assert time.perf_counter() - started < 1.0


def test_request_log_counts_api_calls(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Counted", {"Plan": [["a"]], "Bookings": [["b"]]})
    gc = emulator.gspread_client(ANA_TOKEN)
    emulator.clear_log()
    sh = gc.open_by_key(sid)
    sh.values_batch_get(["Plan!A:Z", "Bookings!A:Z"])
    log = emulator.request_log()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", f"/v4/spreadsheets/{sid}", 200),
        ("GET", f"/v4/spreadsheets/{sid}/values:batchGet", 200),
    ]
    assert log[1]["query"].count("ranges=") == 2
    assert {e["caller"] for e in log} == {ANA}
    assert {"time", "duration_ms", "api"} <= set(log[0])
    assert httpx.delete(f"{emulator.url}/_emulator/requests").status_code == 204
    assert httpx.get(f"{emulator.url}/_emulator/requests").json() == {"requests": []}


def test_reset_forgets_spreadsheets_but_keeps_startup_tokens(emulator: EmulatorHandle) -> None:
    sid = emulator.gspread_client(ANA_TOKEN).create("Gone soon").id
    emulator.add_token("runtime", ANA)
    assert httpx.post(f"{emulator.url}/_emulator/reset", json={}).status_code == 204
    assert emulator.state.get(sid) is None
    assert emulator.state.token_email("runtime") is None
    assert emulator.state.token_email(ANA_TOKEN) == ANA


def test_seed_share_and_dump_over_http(emulator: EmulatorHandle) -> None:
    seeded = httpx.post(
        f"{emulator.url}/_emulator/spreadsheets",
        json={"owner": ANA, "title": "Seeded", "tabs": {"Plan": [["Quarter", "Plan"], ["Q1", 5]]}},
    )
    assert seeded.status_code == 201
    sid = seeded.json()["spreadsheetId"]
    shared = httpx.post(
        f"{emulator.url}/_emulator/spreadsheets/{sid}/share",
        json={"email": "bo@example.com", "role": "reader"},
    )
    assert shared.json()["role"] == "reader"
    dump = httpx.get(f"{emulator.url}/_emulator/spreadsheets/{sid}").json()
    assert dump["values"] == {"Plan": [["Quarter", "Plan"], ["Q1", 5]]}
    assert [p["role"] for p in dump["permissions"]] == ["owner", "reader"]
    assert dump["spreadsheet"]["sheets"][0]["properties"]["title"] == "Plan"


def test_startup_configuration(emulator: EmulatorHandle) -> None:
    with running_emulator(tokens={"boot": ANA}, fault_rate=1.0, latency_ms=0) as other:
        sid = other.state.create_spreadsheet(ANA, "x", {})
        answer = httpx.get(
            f"{other.url}/v4/spreadsheets/{sid}", headers={"Authorization": "Bearer boot"}
        )
        assert answer.status_code in (429, 500, 503)
        other.reset()
        assert other.state.faults.rate == 1.0


# --- the controls refuse what a browser could send them ------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"x": 1}'),  # a cross-site fetch(..., {mode: "no-cors"})
        ("application/x-www-form-urlencoded", b"a=b"),  # a cross-site form
        ("multipart/form-data; boundary=x", b"--x--"),
        (None, b""),  # a bodiless no-cors POST
    ],
)
def test_controls_take_json_only(
    emulator: EmulatorHandle, content_type: str | None, body: bytes
) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Survives", {})
    headers = {"Content-Type": content_type} if content_type else {}
    answer = httpx.post(f"{emulator.url}/_emulator/reset", content=body, headers=headers)
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert (error["code"], error["status"]) == (403, "PERMISSION_DENIED")
    assert "application/json" in error["message"]
    assert emulator.state.get(sid) is not None
    minted = httpx.post(
        f"{emulator.url}/_emulator/tokens",
        content=b'{"token": "t", "email": "eve@evil.example"}',
        headers={"Content-Type": "text/plain"},
    )
    assert minted.status_code == 403
    assert emulator.state.token_email("t") is None


def test_json_with_a_charset_and_bodiless_deletes_pass(emulator: EmulatorHandle) -> None:
    answer = httpx.post(
        f"{emulator.url}/_emulator/faults",
        content=b'{"rate": 0.0}',
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )
    assert answer.status_code == 200
    assert httpx.delete(f"{emulator.url}/_emulator/requests").status_code == 204
    with_body = httpx.request(
        "DELETE",
        f"{emulator.url}/_emulator/tokens",
        content=b'{"token": "ana-token"}',
        headers={"Content-Type": "text/plain"},
    )
    assert with_body.status_code == 403
    assert emulator.state.token_email(ANA_TOKEN) == ANA


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "10.0.0.5", "[::2]"])
def test_controls_refuse_other_hosts(emulator: EmulatorHandle, host: str) -> None:
    # DNS rebinding: the browser sends the attacker's name in Host
    answer = httpx.get(f"{emulator.url}/_emulator/requests", headers={"Host": host})
    assert answer.status_code == 403
    assert "loopback" in answer.json()["error"]["message"]
    dump = httpx.get(f"{emulator.url}/_emulator/spreadsheets/x", headers={"Host": host})
    assert dump.status_code == 403
    # the API itself is not a control: its tokens protect it
    api = httpx.get(f"{emulator.url}/healthz", headers={"Host": host})
    assert api.status_code == 200


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:1234", "127.0.0.1", "127.0.0.2:9", "[::1]:8765"]
)
def test_controls_answer_on_loopback_names(emulator: EmulatorHandle, host: str) -> None:
    answer = httpx.get(f"{emulator.url}/_emulator/requests", headers={"Host": host})
    assert answer.status_code == 200


def test_controls_on_an_explicit_host() -> None:
    with running_emulator(control_hosts=["emulator.internal"]) as other:
        ok = httpx.get(
            f"{other.url}/_emulator/requests", headers={"Host": "emulator.internal:8765"}
        )
        assert ok.status_code == 200
        assert httpx.get(f"{other.url}/_emulator/requests").status_code == 200
        refused = httpx.get(f"{other.url}/_emulator/requests", headers={"Host": "elsewhere"})
        assert refused.status_code == 403


def test_host_names() -> None:
    assert [host_name(h) for h in ("LocalHost.:80", "[::1]:8765", "127.0.0.1", "a.b:1")] == [
        "localhost",
        "::1",
        "127.0.0.1",
        "a.b",
    ]
    assert [is_loopback(n) for n in ("localhost", "::1", "127.9.9.9", "0.0.0.0", "evil")] == [
        True,
        True,
        True,
        False,
        False,
    ]
