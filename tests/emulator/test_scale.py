"""Size and concurrency: a million-row tab reads whole, so does a spreadsheet at the
10-million-cell limit in the adapter's blocks; parallel callers stay consistent.

(How fast is measured by bench/, not here.)"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import orjson

from sheets_adapter.metadata import SheetInfo, pack_batches, plan_chunks
from sheets_emulator.grid.model import CELL_LIMIT
from tests.emulator.conftest import ANA, ANA_TOKEN
from tests.support.emulator import EmulatorHandle

AUTH = {"Authorization": f"Bearer {ANA_TOKEN}"}
ROWS = 1_000_000


def test_batch_get_of_a_million_row_tab_is_whole(emulator: EmulatorHandle) -> None:
    deals: list[list[Any]] = [["Deal", "Region", "Amount"]]
    deals += [[f"D{i}", "EMEA" if i % 2 else "AMER", (i % 1000) * 1.5] for i in range(ROWS)]
    sid = emulator.state.create_spreadsheet(ANA, "Big", {"Bookings": deals})
    del deals
    answer = httpx.get(
        f"{emulator.url}/v4/spreadsheets/{sid}/values:batchGet",
        params={"ranges": ["Bookings!A:C"], "valueRenderOption": "UNFORMATTED_VALUE"},
        headers=AUTH,
        timeout=120,
    )
    values = answer.json()["valueRanges"][0]
    assert values["range"] == f"Bookings!A1:C{ROWS + 1}"
    assert len(values["values"]) == ROWS + 1
    assert values["values"][-1] == [f"D{ROWS - 1}", "EMEA", 999 * 1.5]


def test_parallel_writers_and_readers(emulator: EmulatorHandle) -> None:
    sid = emulator.state.create_spreadsheet(ANA, "Busy", {"Log": []})
    client = httpx.Client(limits=httpx.Limits(max_connections=16))

    def write(n: int) -> int:
        return client.put(
            f"{emulator.url}/v4/spreadsheets/{sid}/values/Log!A{n + 1}",
            params={"valueInputOption": "RAW"},
            json={"values": [[n, f"row {n}"]]},
            headers=AUTH,
        ).status_code

    def read(_: int) -> int:
        return client.get(
            f"{emulator.url}/v4/spreadsheets/{sid}/values/Log", headers=AUTH
        ).status_code

    with client, ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(write, range(200))) + list(pool.map(read, range(50)))
    assert set(statuses) == {200}
    stored = emulator.state.values(sid, "Log")
    assert stored == [[n, f"row {n}"] for n in range(200)]


# --- a spreadsheet at Google's 10-million-cell limit ---------------------------------------

LIMIT_ROWS, LIMIT_COLUMNS = 2_500_000, 4  # 10,000,000 cells, the most a spreadsheet holds
REGIONS = ("EMEA", "AMER", "APAC")


def _deals(start: int, stop: int) -> list[tuple[Any, ...]]:
    """Rows ``start..stop-1`` of the big tab (built at C speed: 2.5M rows in well under 1 s)."""
    numbers = range(start, stop)
    ids = map("D{}".format, numbers)
    regions = map(REGIONS.__getitem__, map((3).__rmod__, numbers))
    amounts = map((1.5).__mul__, map((1000).__rmod__, numbers))  # (i % 1000) * 1.5
    closed = map((45000).__add__, map((400).__rmod__, numbers))  # a date serial
    return list(zip(ids, regions, amounts, closed, strict=True))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Millions of rows built and parsed here: no collector passes over them meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def test_a_sheet_at_the_cell_limit_reads_back_whole_in_the_adapters_blocks(
    emulator: EmulatorHandle,
) -> None:
    with _no_cyclic_gc():
        rows = _deals(0, LIMIT_ROWS)
        sid = emulator.state.create_spreadsheet(ANA, "At the limit", {"Bookings": rows})
        spreadsheet = emulator.state.get(sid)
        assert spreadsheet is not None
        assert spreadsheet.cell_count() == CELL_LIMIT
        grown = httpx.post(
            f"{emulator.url}/v4/spreadsheets/{sid}:batchUpdate",
            json={
                "requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 1}}]
            },
            headers=AUTH,
        )
        assert grown.status_code == 400
        assert "above the limit of 10000000 cells" in grown.json()["error"]["message"]

        sheet = SheetInfo(sheet_id=0, title="Bookings", row_count=LIMIT_ROWS, column_count=4)
        batches = pack_batches(plan_chunks(sheet, 1_000_000), 1_000_000)
        assert len(batches) == 10  # blocks of 250,000 rows, one batchGet each
        read = 0
        with httpx.Client(timeout=120, headers=AUTH) as client:
            for batch in batches:
                answer = client.get(
                    f"{emulator.url}/v4/spreadsheets/{sid}/values:batchGet",
                    params={
                        "ranges": [chunk.a1 for chunk in batch],
                        "valueRenderOption": "UNFORMATTED_VALUE",
                        "dateTimeRenderOption": "SERIAL_NUMBER",
                    },
                )
                assert answer.status_code == 200
                for chunk, value_range in zip(
                    batch, orjson.loads(answer.content)["valueRanges"], strict=True
                ):
                    assert chunk.rows is not None
                    first, last = chunk.first_row, chunk.first_row + chunk.rows - 1
                    assert value_range["range"] == f"Bookings!A{first}:D{last}"
                    # every value as seeded (whole amounts come back as JSON integers)
                    assert list(map(tuple, value_range["values"])) == rows[first - 1 : last]
                    read += len(value_range["values"])
        assert read == LIMIT_ROWS
