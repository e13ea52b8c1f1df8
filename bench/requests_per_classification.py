"""Google API requests per classification, cold and warm, against a naive gspread script.

    .venv/bin/python bench/requests_per_classification.py [--sheets 5]

Starts the emulator and the server as real processes and seeds ``--sheets`` copies of the
demo spreadsheet. For each, ``classifyQuarter`` runs twice through the GraphQL API: cold
(the server has never seen the spreadsheet, so it reads the metadata) and warm (it knows
the tab ids). The emulator's request log counts the Sheets and Drive requests of each run.
The same spreadsheets are then classified by bench/naive_gspread.py's script. Targets:
at most 3 requests cold, 2 warm.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import demo_stack, graphql
from bench.naive_gspread import naive_classification
from server.api import documents
from tests.support.backend import OWNER, demo_tabs, gspread_client, seed

TARGET_COLD, TARGET_WARM = 3, 2


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=5)
    args = parser.parse_args(argv)
    cold: list[int] = []
    warm: list[int] = []
    naive: list[int] = []
    kinds: Counter[str] = Counter()
    # No coalescing: the warm run must be a run of its own, not the cold run's answer.
    with demo_stack(env={"SALES_VERDICTS_COALESCE_SECONDS": "0"}) as (s, _):
        client = gspread_client(s.emulator.url, OWNER)
        for _ in range(args.sheets):
            sheet = seed(s.emulator.url, demo_tabs())
            for counts in (cold, warm):
                s.clear_google_requests()
                answer = graphql(s, documents.CLASSIFY, {"spreadsheetId": sheet})
                assert not answer.get("errors"), answer
                made = s.google_requests(sheet)
                counts.append(len(made))
                kinds.update(f"{e['method']} {_kind(e['path'])}" for e in made)
            s.clear_google_requests()
            naive_classification(client, sheet)  # the Summary exists: the naive best case
            naive.append(len(s.google_requests(sheet)))
    figures: dict[str, float] = {"cold": max(cold), "warm": max(warm), "naive": min(naive)}
    print(f"{'':<34}{'requests':>9}  target")
    print(f"{'classifyQuarter, cold (max)':<34}{figures['cold']:>9}  <= {TARGET_COLD}")
    print(f"{'classifyQuarter, warm (max)':<34}{figures['warm']:>9}  <= {TARGET_WARM}")
    print(f"{'naive gspread script (min)':<34}{figures['naive']:>9}")
    print(f"over {args.sheets} spreadsheets; the product's requests: " + ", ".join(sorted(kinds)))
    met = figures["cold"] <= TARGET_COLD and figures["warm"] <= TARGET_WARM
    print("OK" if met else "MISSED TARGET")
    return figures


def _kind(path: str) -> str:
    """``/v4/spreadsheets/ID/values:batchGet`` -> ``values:batchGet``; no tail: metadata."""
    return re.sub(r"^/v4/spreadsheets/[^/:]+", "", path).lstrip("/:") or "metadata"


if __name__ == "__main__":
    main(sys.argv[1:])
