"""The Summary's new blocks and the History tab through gspread and the Sheets API emulator:
what the stored grid holds (values as Sheets shows them, formats, frozen rows, the chart's
ranges), Notes across layouts, History appended over runs in one batchUpdate each, and a
failed write that leaves both tabs as they were."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import gspread
import pytest

from server.classification.model import ClassifyOptions
from server.service.summary import HEADER
from server.service.summary_blocks import HISTORY_HEADER
from sheets_adapter.errors import SummaryTabTaken, UpstreamUnavailable
from sheets_adapter.gspread_adapter import GspreadSheets, GspreadSnapshot
from sheets_adapter.port import SummarySheet
from sheets_adapter.render import VERDICT_COLOURS, Target, plan_write
from sheets_adapter.retry import RetryPolicy
from tests.adapter.conftest import (
    ANA,
    ANA_AUTH,
    ANA_TOKEN,
    BOOKINGS,
    PLAN,
    RUN_AT,
    classify_once,
    make_adapter,
    sheets_calls,
)
from tests.adapter.factories import result, rich_result
from tests.support.emulator import EmulatorHandle

HISTORY = ClassifyOptions(history_tab="History")


def shown(emu: EmulatorHandle, sheet: str, tab: str) -> list[list[str]]:
    """The tab as Sheets shows it (FORMATTED_VALUE)."""
    return emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet(tab).get_all_values()


def resource(emu: EmulatorHandle, sheet: str, tab: str) -> dict[str, Any]:
    (found,) = [
        s for s in emu.state.dump(sheet)["spreadsheet"]["sheets"] if s["properties"]["title"] == tab
    ]
    return found  # type: ignore[no-any-return]


def grid_data(emu: EmulatorHandle, sheet: str, a1: str) -> list[dict[str, Any]]:
    answer = emu.gspread_client(ANA_TOKEN).http_client.spreadsheets_get(
        sheet, params={"ranges": a1, "includeGridData": "true"}
    )
    return answer["sheets"][0]["data"][0]["rowData"]  # type: ignore[no-any-return]


def tabs_state(emu: EmulatorHandle, sheet: str) -> str:
    dump = emu.state.dump(sheet)
    keep = ("Summary", "History")
    sheets = [s for s in dump["spreadsheet"]["sheets"] if s["properties"]["title"] in keep]
    values = {k: v for k, v in dump["values"].items() if k in keep}
    return json.dumps({"sheets": sheets, "values": values}, sort_keys=True)


def test_the_rich_summary_as_stored(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    _, summary = classify_once(adapter, sheet, res=rich_result())
    rows = shown(emu, sheet, "Summary")
    top = summary.header_row
    assert top == 7
    assert rows[0][0].startswith("This quarter so far: 2025-Q4 (FY25 Q4)")
    assert rows[top][: len(summary.header)] == list(summary.header)
    names = list(summary.header)
    total_q1 = rows[top + 1]
    # amounts in the reporting currency (euros), whatever the spreadsheet's locale (en_US)
    assert total_q1[names.index("Plan")] == "€100.00"
    assert total_q1[names.index("Gap")] == "-€5.00"
    assert total_q1[names.index("Attainment")] == "95.0%"
    assert total_q1[names.index("Label")] == "FY25 Q1"
    assert total_q1[names.index("Why")] == "all 2025-Q1 drivers"
    pace_total = rows[2]
    assert pace_total[:2] == ["Total", "50.0%"]
    assert pace_total[names.index("Bookings")] == "€150.00"  # booked so far
    assert pace_total[names.index("Growth")] == "38.9%"  # coverage: (150 + 200) / 900
    props = resource(emu, sheet, "Summary")["properties"]["gridProperties"]
    assert props["frozenRowCount"] == top + 1  # the pace block and the table's header

    data = grid_data(emu, sheet, "'Summary'!A1:M5")
    title = data[0]["values"][0]["userEnteredFormat"]["textFormat"]
    assert title == {"bold": True, "fontSize": 12}
    plan_format = data[2]["values"][names.index("Plan")]["userEnteredFormat"]["numberFormat"]
    assert plan_format == {"type": "CURRENCY", "pattern": '"€"#,##0.00'}
    outlook = names.index("Verdict")
    beat, hard = data[3]["values"][outlook], data[4]["values"][outlook]  # AMER, EMEA
    assert beat["userEnteredValue"] == {"stringValue": "Beat"}
    # Sheets keeps colours to 8 bits a channel (1/255 apart)
    assert beat["userEnteredFormat"]["backgroundColor"] == pytest.approx(
        VERDICT_COLOURS["beat"][0], abs=0.004
    )
    assert hard["userEnteredValue"] == {"stringValue": "Hard Miss"}
    assert hard["userEnteredFormat"]["backgroundColor"] == pytest.approx(
        VERDICT_COLOURS["hardmiss"][0], abs=0.004
    )

    (chart,) = resource(emu, sheet, "Summary")["charts"]
    basic = chart["spec"]["basicChart"]
    domain = basic["domains"][0]["domain"]["sourceRange"]["sources"][0]
    plan_series, booked_series = (s["series"]["sourceRange"]["sources"][0] for s in basic["series"])
    # the chart's ranges hold the header and the total's rows, as stored
    span = slice(domain["startRowIndex"], domain["endRowIndex"])
    assert [r[domain["startColumnIndex"]] for r in rows[span]] == [
        "Quarter",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
    ]
    assert [r[plan_series["startColumnIndex"]] for r in rows[span]] == [
        "Plan",
        "€100.00",
        "€200.00",
        "€300.00",
    ]
    assert rows[span][0][booked_series["startColumnIndex"]] == "Bookings"
    assert chart["position"]["overlayPosition"]["anchorCell"]["rowIndex"] == top

    # "How this was read" is at the bottom, after the data issues
    firsts = [r[0] for r in rows]
    assert firsts.index("How this was read") > firsts.index("Severity")
    assert "Plan" in firsts[firsts.index("How this was read") :]


def test_notes_survive_reruns_that_move_the_table(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    _, summary = classify_once(adapter, sheet, res=rich_result())
    ws = emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet("Summary")
    rows = ws.get_all_values()
    at = next(i for i, r in enumerate(rows) if r[:2] == ["EMEA", "2025-Q2"])
    notes = list(summary.header).index("Notes")
    ws.update_cell(at + 1, notes + 1, "Lost Acme to a competitor")

    classify_once(adapter, sheet, res=result())  # no pace block, no Label column
    after = shown(emu, sheet, "Summary")
    assert after[0] == list(HEADER)
    by_key = {(r[0], r[1]): r for r in after[1:] if len(r) > 1}
    assert by_key[("EMEA", "2025-Q2")][HEADER.index("Notes")] == "Lost Acme to a competitor"
    assert resource(emu, sheet, "Summary")["properties"]["gridProperties"]["frozenRowCount"] == 1

    classify_once(adapter, sheet, res=rich_result())  # and back below a pace block
    again = shown(emu, sheet, "Summary")
    by_key = {(r[0], r[1]): r for r in again if len(r) > 1}
    assert by_key[("EMEA", "2025-Q2")][notes] == "Lost Acme to a competitor"


def history_write(
    adapter: GspreadSheets, sheet: str, run_id: str | None = None
) -> tuple[GspreadSnapshot, SummarySheet]:
    """Read, and lay out a Summary with History rows (the service's first two steps)."""
    from server.service.summary import build_summary

    snapshot = adapter.read(sheet, ("Plan", "Bookings"), "Summary", ANA_AUTH)
    summary = build_summary(
        replace(result(), options=HISTORY),
        quarter="2025-Q3",
        run_at=RUN_AT,
        existing=snapshot.summary,
        summary_tab="Summary",
        run_id=run_id,
        caller="ana@example.com" if run_id else None,
    )
    return snapshot, summary


def run_with_history(adapter: GspreadSheets, sheet: str, run_id: str) -> None:
    snapshot, summary = history_write(adapter, sheet, run_id)
    adapter.write_summary(snapshot, summary, ANA_AUTH)


def test_history_is_appended_over_runs_in_one_batch_update_each(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    emu.clear_log()
    run_with_history(adapter, sheet, "run-1")
    writes = [e for e in sheets_calls(emu) if e["path"].endswith(":batchUpdate")]
    assert len(writes) == 1
    first = shown(emu, sheet, "History")
    assert first[0][: len(HISTORY_HEADER)] == list(HISTORY_HEADER)
    # no reporting currency known: the spreadsheet's locale (en_US) picks the symbol
    expected = [
        ["2025-Q3", g, "$300.00", "$285.00", "95.0%", "Hard Miss"]
        for g in ("Total", "AMER", "EMEA")
    ]
    assert [r[1:7] for r in first[1:]] == expected
    assert first[1][0] == "2026-01-05 09:30 UTC"
    assert first[1][8:10] == ["run-1", "ana@example.com"]
    summary_id = resource(emu, sheet, "Summary")["properties"]["sheetId"]
    history = resource(emu, sheet, "History")["properties"]
    assert history["sheetId"] != summary_id
    assert history["gridProperties"]["frozenRowCount"] == 1

    # someone writes below the log; the next run appends under it and overwrites nothing
    ws = emu.gspread_client(ANA_TOKEN).open_by_key(sheet).worksheet("History")
    ws.update([["checked by Ben"]], "A6")
    emu.clear_log()
    run_with_history(adapter, sheet, "run-2")
    calls = [(e["method"], e["path"].rsplit(":", 1)[-1]) for e in sheets_calls(emu)]
    assert calls.count(("POST", "batchUpdate")) == 1
    second = shown(emu, sheet, "History")
    assert second[:4] == first[:4]
    assert second[5][0] == "checked by Ben"
    assert [(r[2], r[8]) for r in second[6:]] == [
        ("Total", "run-2"),
        ("AMER", "run-2"),
        ("EMEA", "run-2"),
    ]
    assert sum(1 for r in second if r[0] == HISTORY_HEADER[0]) == 1  # the header once
    size = resource(emu, sheet, "History")["properties"]["gridProperties"]["rowCount"]
    assert size >= len(second)


def test_a_failed_write_leaves_summary_and_history_as_they_were(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    run_with_history(adapter, sheet, "run-1")
    before = tabs_state(emu, sheet)

    # Google keeps failing the write: the adapter gives up and nothing changed
    failing = make_adapter(emu, retry=RetryPolicy(base_delay=0.01, max_delay=0.02, deadline=0.3))
    snapshot, summary = history_write(failing, sheet, "run-2")
    emu.state.set_faults(1.0, 0, (503,))
    with pytest.raises(UpstreamUnavailable):
        failing.write_summary(snapshot, summary, ANA_AUTH)
    emu.state.set_faults(0.0)
    assert tabs_state(emu, sheet) == before

    # one bad request in the batch: Google applies none of it, History included
    _, summary = history_write(adapter, sheet)
    stored = emu.state.dump(sheet)["spreadsheet"]["sheets"]
    props = {s["properties"]["title"]: s["properties"] for s in stored}

    def target(title: str) -> Target:
        grid = props[title]["gridProperties"]
        return Target(props[title]["sheetId"], title, True, grid["rowCount"], grid["columnCount"])

    plan = plan_write(summary, target("Summary"), target("History"))
    assert any("appendCells" in r for r in plan.requests)
    plan.requests.append({"deleteEmbeddedObject": {"objectId": 424242}})  # no such chart
    with pytest.raises(gspread.exceptions.APIError):
        emu.gspread_client(ANA_TOKEN).open_by_key(sheet).batch_update({"requests": plan.requests})
    assert tabs_state(emu, sheet) == before


def test_a_history_tab_deleted_between_runs_is_made_again(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    run_with_history(adapter, sheet, "run-1")
    book = emu.gspread_client(ANA_TOKEN).open_by_key(sheet)
    book.del_worksheet(book.worksheet("History"))  # the adapter's cached metadata still has it
    run_with_history(adapter, sheet, "run-2")
    rows = shown(emu, sheet, "History")
    assert rows[0][: len(HISTORY_HEADER)] == list(HISTORY_HEADER)
    assert [r[8] for r in rows[1:]] == ["run-2"] * 3


def test_history_rows_never_go_to_a_tab_this_product_did_not_create(
    adapter: GspreadSheets, emu: EmulatorHandle
) -> None:
    # historyTab naming a tab of the user's own ("History" kept by hand): nothing written
    mine = [["Date", "What"], ["2025-07-01", "board review"]]
    sheet = emu.state.create_spreadsheet(
        ANA, "Sales FY2025", {"Plan": PLAN, "Bookings": BOOKINGS, "History": mine}
    )
    before = emu.state.dump(sheet)
    snapshot, summary = history_write(adapter, sheet, "run-1")
    with pytest.raises(SummaryTabTaken, match=r"'History' already exists.*historyTab"):
        adapter.write_summary(snapshot, summary, ANA_AUTH)
    assert emu.state.dump(sheet) == before  # no Summary either: one atomic write or none
    assert shown(emu, sheet, "History") == mine


def test_the_history_tab_it_created_carries_its_mark(
    adapter: GspreadSheets, sheet: str, emu: EmulatorHandle
) -> None:
    run_with_history(adapter, sheet, "run-1")
    history = resource(emu, sheet, "History")
    marks = [(m["metadataKey"], m["metadataValue"]) for m in history.get("developerMetadata", ())]
    assert marks == [("sales-verdicts:history", str(history["properties"]["sheetId"]))]
