"""The quarter-end burst: 50 concurrent classifications of one spreadsheet.

    .venv/bin/python bench/burst.py [--callers 50] [--rounds 3]

Starts the emulator and the server as real processes, seeds the demo spreadsheet and
sends ``--callers`` ``classifyQuarter`` calls at once, ``--rounds`` times (each round
after the previous one's coalescing window has passed). Counts the Google API requests the
emulator saw per round and checks that every caller got the same run with the same
verdicts. Target: at most 3 Google requests per round in all.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import demo_stack, graphql
from server.api import documents

TARGET = 3


def burst(stack: Any, sheet: str, callers: int) -> tuple[list[dict[str, Any]], float]:
    """``callers`` classify calls released together; their answers and the wall time."""
    gate = threading.Barrier(callers)

    def call(_: int) -> dict[str, Any]:
        gate.wait()
        return graphql(stack, documents.CLASSIFY, {"spreadsheetId": sheet})

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers) as pool:
        answers = list(pool.map(call, range(callers)))
    return answers, time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    requests, seconds, consistent = [], [], 0
    with demo_stack() as (s, sheet):
        for round_ in range(args.rounds):
            if round_:
                time.sleep(1.2)  # past the coalescing window: a new run, warm metadata
            s.clear_google_requests()
            answers, took = burst(s, sheet, args.callers)
            errors = [a["errors"] for a in answers if a.get("errors")]
            assert not errors, errors[:3]
            runs = {json.dumps(a["data"]["classifyQuarter"], sort_keys=True) for a in answers}
            consistent += len(runs) == 1
            requests.append(len(s.google_requests(sheet)))
            seconds.append(took)
    print(
        f"{args.callers} concurrent classifyQuarter calls of one spreadsheet, {args.rounds} rounds"
    )
    print(f"{'round':<8}{'Google requests':>16}{'seconds':>10}")
    for i, (n, t) in enumerate(zip(requests, seconds, strict=True), 1):
        print(f"{i:<8}{n:>16}{t:>10.2f}")
    print(f"rounds where all {args.callers} answers were the same run: {consistent}/{args.rounds}")
    met = max(requests) <= TARGET and consistent == args.rounds
    print(
        f"most requests in a round: {max(requests)} (target <= {TARGET}); "
        + ("OK" if met else "MISSED TARGET")
    )
    return {
        "callers": args.callers,
        "rounds": args.rounds,
        "max_requests": max(requests),
        "consistent_rounds": consistent,
        "max_seconds": max(seconds),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
