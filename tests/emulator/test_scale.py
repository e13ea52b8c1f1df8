"""Size and concurrency: a million-row tab reads whole; parallel callers stay consistent.

(How fast is measured by bench/, not here.)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

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
