"""The gspread adapter over real HTTP against the Sheets API emulator: reads, the Summary
write, request counts, Notes, formula-looking text, chunked reads, stale metadata."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from gspread.utils import ValueRenderOption

from server.service.summary import HEADER, KEPT_TITLE
from sheets_adapter.errors import SummaryTabTaken, TabNotFound
from sheets_adapter.gspread_adapter import GspreadSheets, SummaryChanged
from tests.adapter.conftest import (
    ANA_AUTH,
    ANA_TOKEN,
    BOOKINGS,
    PLAN,
    classify_once,
    make_adapter,
    sheets_calls,
)
from tests.adapter.factories import result
from tests.support.emulator import EmulatorHandle

NOTES = HEADER.index("Notes")


def summary_values(emu: EmulatorHandle, spreadsheet_id: str, tab: str = "Summary") -> Any:
    ws = emu.gspread_client(ANA_TOKEN).open_by_key(spreadsheet_id).worksheet(tab)
    return ws.get_all_values(value_render_option=ValueRenderOption.unformatted)


def summary_sheet_resource(emu: EmulatorHandle, spreadsheet_id: str) -> dict[str, Any]:
    dump = emu.state.dump(spreadsheet_id)
    (sheet,) = [s for s in dump["spreadsheet"]["sheets"] if s["properties"]["title"] == "Summary"]
    return sheet  # type: ignore[no-any-return]


def test_reads_raw_values_of_the_tabs(adapter: GspreadSheets, sheet: str) -> None:
    snapshot = adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    assert snapshot.tabs["Plan"].values == PLAN
    assert snapshot.tabs["Bookings"].values == BOOKINGS  # "0123" stays text, serials numbers
    assert snapshot.summary is None
    assert set(snapshot.sheet_ids) == {"Plan", "Bookings"}
    assert snapshot.tabs["Plan"].sheet_id == snapshot.sheet_ids["Plan"]


def test_three_requests_cold_two_warm(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    emu.clear_log()
    classify_once(adapter, sheet)
    cold = sheets_calls(emu)
    assert [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in cold] == [
        ("GET", sheet),
        ("GET", "values:batchGet"),
        ("POST", f"{sheet}:batchUpdate"),
    ]
    assert "includeGridData=false" in cold[0]["query"]
    assert "valueRenderOption=UNFORMATTED_VALUE" in cold[1]["query"]
    assert "dateTimeRenderOption=SERIAL_NUMBER" in cold[1]["query"]
    assert adapter.requests.total == 3

    emu.clear_log()
    classify_once(adapter, sheet)  # metadata cached, Summary exists now and is read too
    warm = sheets_calls(emu)
    assert [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in warm] == [
        ("GET", "values:batchGet"),
        ("POST", f"{sheet}:batchUpdate"),
    ]
    assert "Summary" in warm[0]["query"]
    assert adapter.requests.counts() == {"get": 1, "values.batchGet": 2, "batchUpdate": 2}


def test_the_summary_is_written_typed_formatted_and_charted(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    _, summary = classify_once(adapter, sheet)
    values = summary_values(emu, sheet)
    assert values[0] == list(HEADER)
    assert values[1][:4] == ["Total", "2025-Q1", 100, 95]
    assert len(values) == 1 + len(summary.table) + 1 + len(summary.footer)
    resource = summary_sheet_resource(emu, sheet)
    assert resource["properties"]["gridProperties"]["frozenRowCount"] == 1
    assert len(resource.get("charts", [])) == 1

    gc = emu.gspread_client(ANA_TOKEN)
    grid = gc.http_client.spreadsheets_get(
        sheet, params={"ranges": "'Summary'!A1:L3", "includeGridData": "true"}
    )
    rows = grid["sheets"][0]["data"][0]["rowData"]
    header_cell = rows[0]["values"][0]
    assert header_cell["userEnteredFormat"]["textFormat"]["bold"] is True
    plan_cell = rows[1]["values"][HEADER.index("Plan")]
    assert plan_cell["userEnteredValue"] == {"numberValue": 100}
    assert plan_cell["userEnteredFormat"]["numberFormat"]["type"] == "CURRENCY"
    verdict_cell = rows[1]["values"][HEADER.index("Verdict")]  # Beat
    assert verdict_cell["userEnteredValue"] == {"stringValue": "Beat"}
    background = verdict_cell["userEnteredFormat"]["backgroundColor"]
    assert background["green"] > background["red"]


def test_charts_do_not_pile_up_and_the_tab_keeps_its_id(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    classify_once(adapter, sheet)
    first = summary_sheet_resource(emu, sheet)
    for _ in range(3):
        classify_once(adapter, sheet)
    fresh = make_adapter(emu)  # no cache: finds the chart through metadata
    classify_once(fresh, sheet)
    last = summary_sheet_resource(emu, sheet)
    assert len(last.get("charts", [])) == 1
    assert last["properties"]["sheetId"] == first["properties"]["sheetId"]


def test_plan_and_bookings_are_byte_identical_after_a_run(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    def inputs() -> str:
        dump = emu.state.dump(sheet)
        sheets = [s for s in dump["spreadsheet"]["sheets"] if s["properties"]["title"] != "Summary"]
        values = {k: v for k, v in dump["values"].items() if k != "Summary"}
        return json.dumps({"sheets": sheets, "values": values}, sort_keys=True)

    before = inputs()
    classify_once(adapter, sheet)
    classify_once(adapter, sheet)
    assert inputs() == before


@pytest.mark.parametrize(
    "name", ['=IMPORTXML("http://x","//a")', "+1", "-1", "@SUM(A1)", "=1+1", "'quoted"]
)
def test_formula_looking_group_names_are_written_as_text(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle, name: str
) -> None:
    classify_once(adapter, sheet, res=result(groups=(None, name)))
    ws = emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet("Summary")
    groups = {
        row[0]
        for row in ws.get_all_values(value_render_option=ValueRenderOption.formula)[1:7]
        if row
    }
    assert name in groups
    grid = emu.gspread_client(ANA_TOKEN).http_client.spreadsheets_get(
        sheet, params={"ranges": "'Summary'!A1:A8", "includeGridData": "true"}
    )
    entered = [
        row["values"][0].get("userEnteredValue", {})
        for row in grid["sheets"][0]["data"][0]["rowData"]
    ]
    assert {"stringValue": name} in entered
    assert not any("formulaValue" in e for e in entered)


def test_notes_survive_reclassification_with_reordered_rows(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    classify_once(adapter, sheet)
    ws = emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet("Summary")
    rows = ws.get_all_values()
    target = next(i for i, r in enumerate(rows) if r[:2] == ["EMEA", "2025-Q2"])
    ws.update_cell(target + 1, NOTES + 1, "Lost Acme to a competitor; =not a formula")
    total = next(i for i, r in enumerate(rows) if r[:2] == ["Total", "2025-Q1"])
    ws.update_cell(total + 1, NOTES + 1, "Board approved the plan")

    # The next run has a new group sorting first, so every row moves down.
    classify_once(adapter, sheet, res=result(groups=(None, "AAA", "AMER", "EMEA")))
    after = summary_values(emu, sheet)
    by_key = {(r[0], r[1]): r for r in after[1:] if len(r) > 1}
    assert by_key[("EMEA", "2025-Q2")][NOTES] == "Lost Acme to a competitor; =not a formula"
    assert by_key[("Total", "2025-Q1")][NOTES] == "Board approved the plan"
    assert after.index(by_key[("EMEA", "2025-Q2")]) != target


def test_notes_of_rows_that_are_gone_are_kept_below(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    classify_once(adapter, sheet)
    ws = emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet("Summary")
    rows = ws.get_all_values()
    target = next(i for i, r in enumerate(rows) if r[:2] == ["EMEA", "2025-Q3"])
    ws.update_cell(target + 1, NOTES + 1, "Q3 was the reorg")
    classify_once(adapter, sheet, res=result(groups=(None, "AMER")))  # EMEA gone
    after = summary_values(emu, sheet)
    firsts = [r[0] if r else "" for r in after]
    assert KEPT_TITLE in firsts
    kept = [r for r in after[firsts.index(KEPT_TITLE) :] if len(r) > NOTES and r[NOTES]]
    assert [(r[0], r[1], r[NOTES]) for r in kept] == [("EMEA", "2025-Q3", "Q3 was the reorg")]
    classify_once(adapter, sheet)  # EMEA is back: so is its note, in the table
    back = {(r[0], r[1]): r for r in summary_values(emu, sheet)[1:] if len(r) > 1}
    assert back[("EMEA", "2025-Q3")][NOTES] == "Q3 was the reorg"


def test_a_big_tab_is_read_in_chunks(emu: EmulatorHandle) -> None:
    big: list[list[Any]] = [["Region", "Close Date", "Amount"]] + [
        ["AMER" if i % 3 else "EMEA", 45600 + i, i * 1.5 if i % 7 else ""] for i in range(1, 1200)
    ]
    big[500] = []  # an empty row at a chunk border does not shift what follows
    big[501] = []
    sheet = emu.state.create_spreadsheet("ana@example.com", "Big", {"Plan": PLAN, "Bookings": big})
    sheets = make_adapter(emu, chunk_cells=1500)  # 500 rows of 3 columns per chunk
    emu.clear_log()
    snapshot = sheets.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    expected = [r[:-1] if r and r[-1] == "" else list(r) for r in big]  # as Sheets trims
    assert snapshot.tabs["Bookings"].values == expected
    assert snapshot.tabs["Plan"].values == PLAN
    batch_gets = [e for e in sheets_calls(emu) if e["path"].endswith("values:batchGet")]
    assert len(batch_gets) >= 3
    assert any("A501" in e["query"] or "A501%3AC1000" in e["query"] for e in batch_gets)


def test_a_missing_tab_names_the_tabs_that_exist(adapter: GspreadSheets, sheet: str) -> None:
    with pytest.raises(TabNotFound) as caught:
        adapter.read(sheet, ("Budget", "Bookings"), "Summary", ANA_AUTH)
    assert caught.value.tab == "Budget"
    assert caught.value.existing == ("Plan", "Bookings")
    assert "'Budget'" in str(caught.value)
    assert "'Plan', 'Bookings'" in str(caught.value)
    assert caught.value.spreadsheet_id == sheet


def test_tab_names_needing_quotes(adapter: GspreadSheets, emu: EmulatorHandle) -> None:
    sheet = emu.state.create_spreadsheet(
        "ana@example.com", "Quotes", {"It's plan": PLAN, "Q1!B:C 2025": BOOKINGS}
    )
    snapshot = adapter.read(sheet, ("It's plan", "Q1!B:C 2025"), "Sum'mary", ANA_AUTH)
    assert snapshot.tabs["It's plan"].values == PLAN
    tabs = ("It's plan", "Q1!B:C 2025")
    summary = classify_once(adapter, sheet, summary_tab="Sum'mary", tabs=tabs)[1]
    again = adapter.read(sheet, ("It's plan",), "Sum'mary", ANA_AUTH)
    assert again.summary is not None
    assert again.summary.values[0] == list(summary.header)


def test_a_deleted_tab_in_the_cache_refreshes_metadata_once(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    classify_once(adapter, sheet)
    book = emu.gspread_client(ANA_TOKEN).open_by_key(sheet)
    book.del_worksheet(book.worksheet("Summary"))  # the user deletes the Summary tab
    emu.clear_log()
    classify_once(adapter, sheet)
    calls = [(e["method"], e["path"].rsplit("/", 1)[-1], e["status"]) for e in sheets_calls(emu)]
    assert calls == [
        ("GET", "values:batchGet", 400),  # 'Summary' no longer parses
        ("GET", sheet, 200),
        ("GET", "values:batchGet", 200),
        ("POST", f"{sheet}:batchUpdate", 200),
    ]
    assert summary_values(emu, sheet)[0] == list(HEADER)

    book.del_worksheet(book.worksheet("Plan"))
    with pytest.raises(TabNotFound) as caught:
        adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    assert "Plan" not in caught.value.existing


def test_a_summary_recreated_by_hand_is_found_after_one_failed_write_and_left_alone(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    classify_once(adapter, sheet)
    snapshot = adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    book = emu.gspread_client(ANA_TOKEN).open_by_key(sheet)
    book.del_worksheet(book.worksheet("Summary"))
    # same title, another sheetId, no chart, no mark: not a Summary of ours
    book.add_worksheet("Summary", 10, 5).update([["mine"]], "A1")
    from server.service.summary import build_summary
    from tests.adapter.conftest import RUN_AT

    summary = build_summary(
        result(), quarter="2025-Q3", run_at=RUN_AT, existing=snapshot.summary, summary_tab="Summary"
    )
    with pytest.raises(SummaryChanged, match="replaced while the classification ran"):
        adapter.write_summary(snapshot, summary, ANA_AUTH)
    assert summary_values(emu, sheet) == [["mine"]]
    # read again, the tab is seen for what it is: not a Summary of ours
    fresh = adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    assert fresh.summary is not None
    assert not fresh.summary_marked
    with pytest.raises(SummaryTabTaken, match="'Summary' already exists"):
        adapter.write_summary(
            dataclasses.replace(fresh, summary=None), summary, ANA_AUTH
        )  # not the tab the service judged: refused by the adapter too
    assert summary_values(emu, sheet) == [["mine"]]


def test_a_summary_made_by_hand_after_the_read_is_not_overwritten(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    from server.service.summary import build_summary
    from sheets_adapter.gspread_adapter import SummaryChanged
    from tests.adapter.conftest import RUN_AT

    snapshot = adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    assert snapshot.summary is None
    book = emu.gspread_client(ANA_TOKEN).open_by_key(sheet)
    book.add_worksheet("Summary", 10, 5).update([["Group", "Quarter", "Notes"]], "A1")
    summary = build_summary(
        result(), quarter="2025-Q3", run_at=RUN_AT, existing=None, summary_tab="Summary"
    )
    with pytest.raises(SummaryChanged, match="Run it again"):
        adapter.write_summary(snapshot, summary, ANA_AUTH)
    assert summary_values(emu, sheet) == [["Group", "Quarter", "Notes"]]
    classify_once(adapter, sheet)  # the next run reads it and replaces it
    assert summary_values(emu, sheet)[0] == list(HEADER)


def test_can_open(adapter: GspreadSheets, sheet: str, emu: EmulatorHandle) -> None:
    from tests.adapter.conftest import BEN_AUTH

    assert adapter.can_open(sheet, ANA_AUTH) is True
    assert adapter.can_open(sheet, BEN_AUTH) is False
    assert adapter.can_open("1nosuchspreadsheet", ANA_AUTH) is False
    assert adapter.can_open("../etc/passwd", ANA_AUTH) is False
    emu.clear_log()
    assert adapter.can_open(sheet, ANA_AUTH) is True  # asked each time: the service keeps
    assert len(sheets_calls(emu)) == 1  # answers (server.service.access), not the adapter
    emu.clear_log()
    adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    kinds = [call["path"].rsplit("/", 1)[-1] for call in sheets_calls(emu)]
    assert kinds == ["values:batchGet"], "the tab list just fetched serves the read"
    assert len(sheets_calls(emu)) == 1
    emu.state.share(sheet, "ben@example.com", "writer")
    assert adapter.can_open(sheet, BEN_AUTH) is True, "sharing takes effect at once"


LEADS: list[list[Any]] = [["Region", "Month", "Leads"], ["AMER", "Jan 2025", 120]]
RATES: list[list[Any]] = [["Currency", "Rate"], ["EUR", 1.08]]


def test_leads_and_rates_ride_in_the_one_batch_get_with_the_locale(
    adapter: GspreadSheets, emu: EmulatorHandle
) -> None:
    sheet = emu.state.create_spreadsheet(
        "ana@example.com",
        "With leads",
        {"Plan": PLAN, "Bookings": BOOKINGS, "leads ": LEADS, "Rates": RATES},
        locale="en_GB",
        time_zone="Europe/London",
    )
    emu.clear_log()
    snapshot, _ = classify_once(adapter, sheet, optional=("Leads", "Rates"))
    # Found as tabs are looked up (case and spaces folded), keyed by the name asked.
    assert snapshot.tabs["Leads"].values == LEADS
    assert snapshot.tabs["Rates"].values == RATES
    assert (snapshot.locale, snapshot.time_zone) == ("en_GB", "Europe/London")
    cold = sheets_calls(emu)
    assert [e["path"].rsplit("/", 1)[-1] for e in cold] == [
        sheet,
        "values:batchGet",
        f"{sheet}:batchUpdate",
    ]
    assert "locale" in cold[0]["query"]
    assert "timeZone" in cold[0]["query"]
    assert "leads" in cold[1]["query"]
    assert "Rates" in cold[1]["query"]

    emu.clear_log()
    warm, _ = classify_once(adapter, sheet, optional=("Leads", "Rates"))
    assert [e["path"].rsplit("/", 1)[-1] for e in sheets_calls(emu)] == [
        "values:batchGet",
        f"{sheet}:batchUpdate",
    ]
    assert warm.tabs["Leads"].values == LEADS
    assert (warm.locale, warm.time_zone) == ("en_GB", "Europe/London")


def test_missing_optional_tabs_cost_no_error_and_no_request(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    emu.clear_log()
    snapshot, _ = classify_once(adapter, sheet, optional=("Leads", "Rates"))
    assert set(snapshot.tabs) == {"Plan", "Bookings"}
    assert (snapshot.locale, snapshot.time_zone) == ("en_US", "Etc/GMT")  # a new sheet's
    assert len(sheets_calls(emu)) == 3
    emu.clear_log()
    classify_once(adapter, sheet, optional=("Leads", "Rates"))
    assert [e["path"].rsplit("/", 1)[-1] for e in sheets_calls(emu)] == [
        "values:batchGet",
        f"{sheet}:batchUpdate",
    ]
    assert adapter.requests.total == 5
