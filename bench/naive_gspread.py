"""The script a team would write on its own with gspread: the baseline for request counts.

    .venv/bin/python bench/naive_gspread.py

It does what one classification does — read Plan and Bookings, classify, write a
formatted Summary — the way gspread's tutorials show it: open the spreadsheet, fetch each
worksheet by title (each fetch reads the metadata again), ``get_all_values`` per tab, then
find or add the Summary tab, clear it, update it, format the header and freeze it. Every
call is unmodified gspread over real HTTP to the emulator, which counts the requests.
The product does the same work in at most 3 requests (2 once it knows the spreadsheet).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import gspread

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import demo_stack
from server.classification import classify
from tests.support.backend import OWNER, demo_tabs, gspread_client, seed

UNFORMATTED = gspread.utils.ValueRenderOption.unformatted
HEADER = ["Group", "Quarter", "Plan", "Bookings", "Attainment", "Growth", "Verdict", "Flags"]


def naive_classification(client: gspread.Client, spreadsheet_id: str) -> int:
    """Read, classify and write the Summary as a naive script does; the rows written."""
    book = client.open_by_key(spreadsheet_id)
    plan = book.worksheet("Plan").get_all_values(value_render_option=UNFORMATTED)
    bookings = book.worksheet("Bookings").get_all_values(value_render_option=UNFORMATTED)
    result = classify(plan, bookings)
    rows: list[list[Any]] = [HEADER]
    for v in result.verdicts:
        rows.append(
            [
                v.group or "Total",
                v.quarter,
                v.plan,
                v.bookings,
                v.attainment,
                v.growth,
                v.verdict.value,
                ", ".join(f.value for f in v.flags),
            ]
        )
    try:
        summary = book.worksheet("Summary")
    except gspread.WorksheetNotFound:
        summary = book.add_worksheet("Summary", rows=len(rows) + 10, cols=len(HEADER))
    summary.clear()
    summary.update(rows, "A1")
    summary.format("A1:H1", {"textFormat": {"bold": True}})
    summary.freeze(rows=1)
    return len(rows)


def main(_argv: list[str] | None = None) -> dict[str, float]:
    with demo_stack() as (s, _):
        client = gspread_client(s.emulator.url, OWNER)
        sheet = seed(s.emulator.url, demo_tabs())
        counts = []
        for _ in range(2):  # the first run adds the Summary tab, the second finds it
            s.clear_google_requests()
            naive_classification(client, sheet)
            counts.append(len(s.google_requests(sheet)))
    print(f"naive gspread script: {counts[0]} requests (first run), {counts[1]} (Summary exists)")
    return {"naive_first": counts[0], "naive_again": counts[1]}


if __name__ == "__main__":
    main(sys.argv[1:])
