"""Throughput of the verdict query against a trivial query on the same server.

    .venv/bin/python bench/graphql_throughput.py [--seconds 8] [--connections 16]

Starts the emulator and the server as real processes, classifies the demo spreadsheet
once, then loads ``latestRun { current {...} }`` and ``{ __typename }`` alternately
(two rounds each) and prints requests/s of both and their ratio. Target: ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import demo_stack, graphql, load
from server.api import documents

TRIVIAL = {"query": "{ __typename }"}


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with demo_stack() as (s, spreadsheet_id):
        run = graphql(s, documents.CLASSIFY, {"spreadsheetId": spreadsheet_id})
        assert not run.get("errors"), run
        variables = {"spreadsheetId": spreadsheet_id}
        verdicts = {"query": documents.LATEST_RUN, "variables": variables}
        check = graphql(s, documents.LATEST_RUN, variables)
        groups = len(check["data"]["latestRun"]["current"])
        url = s.graphql
        load(url, TRIVIAL, seconds=1, connections=args.connections)  # warm-up
        trivial_rates, verdict_rates = [], []
        for _ in range(args.rounds):
            t = load(url, TRIVIAL, seconds=args.seconds, connections=args.connections)
            v = load(url, verdicts, seconds=args.seconds, connections=args.connections)
            assert t.errors == 0, t
            assert v.errors == 0, v
            trivial_rates.append(t.rate)
            verdict_rates.append(v.rate)
        trivial = sum(trivial_rates) / len(trivial_rates)
        verdict = sum(verdict_rates) / len(verdict_rates)
    ratio = verdict / trivial
    print(
        f"load tool: {t.tool}, {args.connections} connections, "
        f"{args.seconds:.0f} s x {args.rounds} rounds"
    )
    print(f"{'query':<44} {'req/s':>10}")
    print(f"{'{ __typename }':<44} {trivial:>10.0f}")
    print(f"{f'latestRun {{ current {{...}} }} ({groups} verdicts)':<44} {verdict:>10.0f}")
    print(
        f"ratio (verdicts / trivial): {ratio:.2f}  "
        f"(target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})"
    )
    return {"trivial_rps": trivial, "verdict_rps": verdict, "ratio": ratio}


if __name__ == "__main__":
    main()
