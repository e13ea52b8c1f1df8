"""Failures over real HTTP: injected 429/5xx answers and latency, Google's error answers,
and the Summary left whole when a write does not get through."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from server.service.summary import HEADER, build_summary
from sheets_adapter.errors import (
    PermissionDenied,
    RateLimited,
    SpreadsheetNotFound,
    Unauthenticated,
    UpstreamUnavailable,
)
from sheets_adapter.gspread_adapter import GspreadSheets
from sheets_adapter.port import UserToken
from sheets_adapter.retry import RetryPolicy
from tests.adapter.conftest import (
    ANA_AUTH,
    ANA_TOKEN,
    BEN,
    BEN_AUTH,
    RUN_AT,
    classify_once,
    make_adapter,
    settled_log,
    sheets_calls,
)
from tests.adapter.factories import result
from tests.support.emulator import EmulatorHandle

NOTES = HEADER.index("Notes")
SHORT = RetryPolicy(base_delay=0.01, max_delay=0.05, deadline=0.6, connect_timeout=1.0)


def summary_state(emu: EmulatorHandle, spreadsheet_id: str) -> str:
    dump = emu.state.dump(spreadsheet_id)
    sheets = [s for s in dump["spreadsheet"]["sheets"] if s["properties"]["title"] == "Summary"]
    return json.dumps({"sheets": sheets, "values": dump["values"].get("Summary")}, sort_keys=True)


def test_retries_through_injected_429_and_503(emu: EmulatorHandle, sheet: str) -> None:
    sheets = make_adapter(emu)
    emu.state.set_faults(0.6, 0, (429, 503))
    emu.clear_log()
    runs = 6  # 6 runs of 2-3 calls: some answer fails (all pass: 0.4**15, about 1e-6)
    for _ in range(runs):
        classify_once(sheets, sheet)
    emu.state.set_faults(0.0)
    calls = sheets_calls(emu)
    faulted = [e["status"] for e in calls if e["faulted"]]
    assert faulted
    assert set(faulted) <= {429, 503}
    assert [e["status"] for e in calls if not e["faulted"]] == [200] * (3 + 2 * (runs - 1))
    assert sheets.requests.total == len(calls)
    values = emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet("Summary").get_all_values()
    assert values[0] == list(HEADER)


@pytest.mark.parametrize(
    ("statuses", "error"),
    [((429,), RateLimited), ((503,), UpstreamUnavailable), ((500,), UpstreamUnavailable)],
)
def test_gives_up_after_the_deadline(
    emu: EmulatorHandle, sheet: str, statuses: tuple[int, ...], error: type[Exception]
) -> None:
    sheets = make_adapter(emu, retry=SHORT)
    emu.state.set_faults(1.0, 0, statuses)
    started = time.monotonic()
    with pytest.raises(error) as caught:
        sheets.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    took = time.monotonic() - started
    emu.state.set_faults(0.0)
    assert took < SHORT.deadline + 1.0
    assert caught.value.attempts > 2  # type: ignore[attr-defined]
    assert caught.value.spreadsheet_id == sheet  # type: ignore[attr-defined]
    assert "try again" in str(caught.value).lower()
    attempts = caught.value.attempts  # type: ignore[attr-defined]
    if "as the time ran out" in str(caught.value):  # the deadline cut the last one off,
        assert len(sheets_calls(emu)) in (attempts - 1, attempts)  # perhaps before sending
    else:
        assert len(sheets_calls(emu)) == attempts


def test_a_slow_answer_times_out_and_gives_up(emu: EmulatorHandle, sheet: str) -> None:
    policy = RetryPolicy(
        base_delay=0.01,
        max_delay=0.05,
        deadline=1.0,
        connect_timeout=0.5,
        read_timeout=0.2,
        min_read_timeout=0.1,
    )
    sheets = make_adapter(emu, retry=policy)
    emu.state.set_faults(0.0, 600)
    with pytest.raises(UpstreamUnavailable, match="ReadTimeout"):
        sheets.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    emu.state.set_faults(0.0, 0)


def test_a_failed_write_leaves_the_previous_summary_whole(emu: EmulatorHandle, sheet: str) -> None:
    sheets = make_adapter(emu, retry=SHORT)
    classify_once(sheets, sheet)
    ws = emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet("Summary")
    ws.update_cell(2, NOTES + 1, "keep me")
    before = summary_state(emu, sheet)

    snapshot = sheets.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    summary = build_summary(
        result(groups=(None, "NEW")),
        quarter="2025-Q3",
        run_at=RUN_AT,
        existing=snapshot.summary,
        summary_tab="Summary",
    )
    emu.state.set_faults(1.0, 0, (503, 500))  # every write attempt fails
    with pytest.raises(UpstreamUnavailable):
        sheets.write_summary(snapshot, summary, ANA_AUTH)
    emu.state.set_faults(0.0)
    assert summary_state(emu, sheet) == before

    classify_once(sheets, sheet)  # and the next run still finds the note
    values = ws.get_all_values()
    assert values[1][NOTES] == "keep me"


def test_a_failed_first_write_creates_no_tab(emu: EmulatorHandle, sheet: str) -> None:
    sheets = make_adapter(emu, retry=SHORT)
    snapshot = sheets.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    summary = build_summary(
        result(), quarter="2025-Q3", run_at=RUN_AT, existing=None, summary_tab="Summary"
    )
    emu.state.set_faults(1.0, 0, (429,))
    with pytest.raises(RateLimited):
        sheets.write_summary(snapshot, summary, ANA_AUTH)
    emu.state.set_faults(0.0)
    titles = [s["properties"]["title"] for s in emu.state.dump(sheet)["spreadsheet"]["sheets"]]
    assert titles == ["Plan", "Bookings"]
    classify_once(sheets, sheet)  # the cache was dropped: the next run creates it


def test_unknown_spreadsheet_is_not_found(adapter: GspreadSheets) -> None:
    with pytest.raises(SpreadsheetNotFound) as caught:
        adapter.read("1NoSuchSpreadsheetId", ("Plan",), "Summary", ANA_AUTH)
    assert caught.value.status == 404
    assert "1NoSuchSpreadsheetId" in str(caught.value)


def test_someone_elses_spreadsheet_is_permission_denied(adapter: GspreadSheets, sheet: str) -> None:
    with pytest.raises(PermissionDenied) as caught:
        adapter.read(sheet, ("Plan", "Bookings"), "Summary", BEN_AUTH)
    assert caught.value.status == 403
    assert "share" in str(caught.value).lower()


def test_a_reader_cannot_write_the_summary(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    emu.state.share(sheet, BEN, "reader")
    with pytest.raises(PermissionDenied) as caught:
        classify_once(adapter, sheet, BEN_AUTH)
    assert "not edit" in str(caught.value)
    titles = [s["properties"]["title"] for s in emu.state.dump(sheet)["spreadsheet"]["sheets"]]
    assert "Summary" not in titles


def test_an_unknown_token_is_unauthenticated_and_never_echoed(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "ya29.a-token-that-must-never-be-shown"
    with pytest.raises(Unauthenticated) as caught:
        adapter.read(sheet, ("Plan",), "Summary", UserToken(secret))
    assert caught.value.status == 401
    texts = [str(caught.value), repr(caught.value), caplog.text, json.dumps(settled_log(emu))]
    assert not any(secret in text for text in texts)
    assert len(sheets_calls(emu)) == 1  # a 401 is not retried, nor "refreshed"


def test_no_token_at_all(adapter: GspreadSheets, sheet: str) -> None:
    with pytest.raises(Unauthenticated):
        adapter.read(sheet, ("Plan",), "Summary", UserToken(""))


@pytest.mark.usefixtures("sheet")
def test_concurrent_calls_from_threads(emu: EmulatorHandle) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sheets = make_adapter(emu)
    others = []
    for n in range(4):
        token = f"user-{n}"
        emu.add_token(token, f"user{n}@example.com")
        others.append(
            (
                token,
                emu.state.create_spreadsheet(
                    f"user{n}@example.com",
                    "B",
                    {"Plan": [["Quarter", "Plan"], ["2025-Q1", n]], "Bookings": [["x"]]},
                ),
            )
        )

    def work(i: int) -> Any:
        token, sid = others[i % 4]
        snap = sheets.read(sid, ("Plan", "Bookings"), "Summary", UserToken(token))
        return snap.tabs["Plan"].values[1][1], i % 4

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(work, range(40)))
    assert all(value == n for value, n in answers)
    sheets.close()
