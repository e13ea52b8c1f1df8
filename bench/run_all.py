"""Every benchmark and the full reliability suite in one run, with one table of figures.

    make bench                                   # or: .venv/bin/python bench/run_all.py
    .venv/bin/python bench/run_all.py --quick    # shorter runs, quick reliability suite

Runs, one after the other on this machine: the verdict-query throughput against a trivial
query (bench/graphql_throughput.py), the quarter-end burst (bench/burst.py), Google API
requests per classification against the naive gspread script
(bench/requests_per_classification.py), 1,000,000 deal rows against the pure-Python floor
(bench/classify_scale.py), a spreadsheet at Google's 10-million-cell limit classified end
to end against one bare values.batchGet (bench/ten_million.py), then tests/reliability
with ``SALES_VERDICTS_RELIABILITY=full`` (hundreds of messy sheets, faulted and killed
classifications, fuzzing, abuse), and prints the figures table of docs/reliability.md.
Exits 1 when a target is missed or anything was lost.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (
    burst,
    classify_scale,
    graphql_throughput,
    quarter_close,
    requests_per_classification,
    ten_million,
)

ROOT = Path(__file__).resolve().parents[1]

# Outcomes of the reliability scenarios that mean something was lost or leaked.
LOSSES = (
    "internal_errors",
    "server_errors",
    "summary_half_written",
    "input_tabs_changed",
    "input_changed",
    "tokens_logged",
    "not_text",
    "resolver_reached",
    "runs_leaked",
    "next_run_failed",
    "healthz_stalled",
    "held_open",
    "files_left",
)


@dataclass
class Row:
    metric: str
    measured: str
    target: str
    met: bool


def banner(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 76 - len(title)), flush=True)


def run(
    title: str, bench: Callable[[list[str]], dict[str, float]], args: list[str]
) -> dict[str, float]:
    banner(title)
    return bench(args)


def load_rows(quick: bool) -> list[Row]:
    g = run(
        "verdict-query throughput (bench/graphql_throughput.py)",
        graphql_throughput.main,
        ["--seconds", "3", "--rounds", "1"] if quick else [],
    )
    b = run("quarter-end burst (bench/burst.py)", burst.main, ["--rounds", "2"] if quick else [])
    r = run(
        "requests per classification (bench/requests_per_classification.py)",
        requests_per_classification.main,
        ["--sheets", "2"] if quick else [],
    )
    banner("quarter close (bench/quarter_close.py)")
    q = quarter_close.main(["--sheets", "20", "--callers", "10"] if quick else [])
    c = run(
        "1,000,000 deal rows (bench/classify_scale.py)",
        classify_scale.main,
        ["--rows", "200000", "--repeat", "2"] if quick else [],
    )
    t = run(
        "a spreadsheet at the 10,000,000-cell limit (bench/ten_million.py)",
        ten_million.main,
        ["--rows", "500000", "--repeat", "1"] if quick else [],
    )
    return [
        Row(
            "latestRun verdicts vs { __typename }, req/s",
            f"{g['verdict_rps']:,.0f} vs {g['trivial_rps']:,.0f}: ratio {g['ratio']:.2f}",
            ">= 0.5",
            g["ratio"] >= 0.5,
        ),
        Row(
            f"burst: {b['callers']:.0f} concurrent classifications of one sheet",
            f"{b['max_requests']:.0f} Google requests (most in a round); "
            f"{b['consistent_rounds']:.0f}/{b['rounds']:.0f} rounds one run for all",
            "<= 3 in all",
            b["max_requests"] <= 3 and b["consistent_rounds"] == b["rounds"],
        ),
        Row(
            "Google requests per classification",
            f"{r['cold']:.0f} cold, {r['warm']:.0f} warm (naive gspread: {r['naive']:.0f})",
            "<= 3 cold, 2 warm",
            r["cold"] <= 3 and r["warm"] <= 2,
        ),
        Row(
            f"quarter close: {q['many']['runs']:.0f} sheets at once, Google "
            f"{q['latency_ms']:.0f} ms late",
            f"{q['many']['succeeded']:.0f} succeeded; answered in "
            f"{q['many']['done_median_s']:.1f} s median, {q['many']['done_max_s']:.1f} s max; "
            f"{q['many']['google_per_run']:.2f} Google requests a run",
            "all succeed, <= 25 s a call, <= 3 a run, bystander <= 1 s",
            quarter_close.met(q["many"]),
        ),
        Row(
            f"quarter close: {q['one']['runs']:.0f} callers on one sheet",
            f"{q['one']['succeeded']:.0f} succeeded; {q['one']['answered_running']:.0f} polled; "
            f"last done {q['one']['done_max_s']:.0f} s; longest call "
            f"{q['one']['longest_call_s']:.1f} s; {q['one']['google_per_run']:.2f} a run",
            "all succeed, <= 25 s a call, <= 3 a run, bystander <= 1 s",
            quarter_close.met(q["one"]),
        ),
        Row(
            f"{c['rows']:,.0f} deal rows: classify vs pure-Python floor",
            f"{c['classify_s']:.2f} s vs {c['floor_s']:.2f} s: ratio {c['ratio']:.2f}; "
            f"peak {c['peak_mb']:,.0f} MB",
            "<= 2.0, < 1.5 GB",
            c["ratio"] <= 2.0 and c["peak_mb"] < 1536,
        ),
        Row(
            f"{t['cells']:,.0f} cells: classifyQuarter vs one bare values.batchGet",
            f"{t['classify_s']:.2f} s vs {t['bare_s']:.2f} s: ratio {t['ratio']:.2f}; "
            f"server peak {t['rss_mb']:,.0f} MB",
            "<= 2.0, < 1.5 GB",
            t["ratio"] <= ten_million.TARGET_RATIO and t["rss_mb"] < ten_million.TARGET_RSS_MB,
        ),
    ]


def reliability(quick: bool) -> tuple[dict[str, dict[str, int]], bool]:
    """tests/reliability in full (or quick) mode; its tallies and whether pytest passed."""
    banner("reliability suite (tests/reliability)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "tally.json"
        env = {
            **os.environ,
            "SALES_VERDICTS_RELIABILITY": "quick" if quick else "full",
            "SALES_VERDICTS_RELIABILITY_REPORT": str(report),
        }
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/reliability"],
            cwd=ROOT,
            env=env,
            check=False,
        )
        tally: dict[str, dict[str, int]] = json.loads(report.read_text()) if report.exists() else {}
    return tally, done.returncode == 0


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join([line, rule, *body])


def outcome_text(counts: dict[str, Any]) -> str:
    return ", ".join(
        f"{k} {v}" for k, v in sorted(counts.items()) if k != "tried" and k not in LOSSES
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--skip-reliability", action="store_true")
    args = parser.parse_args(argv)

    rows = load_rows(args.quick)
    tally, suite_passed = ({}, True) if args.skip_reliability else reliability(args.quick)

    banner("figures")
    print(
        table(
            ["metric", "measured", "target", "met?"],
            [[r.metric, r.measured, r.target, "yes" if r.met else "NO"] for r in rows],
        )
    )
    lost_total = 0
    if tally:
        print()
        lines = []
        for scenario, counts in sorted(tally.items()):
            lost = sum(counts.get(k, 0) for k in LOSSES)
            lost_total += lost
            named = ", ".join(f"{k} {counts[k]}" for k in LOSSES if counts.get(k))
            lines.append(
                [scenario, str(counts.get("tried", 0)), outcome_text(counts), named or "nothing"]
            )
        print(table(["scenario", "tried", "outcomes", "lost"], lines))
        print(f"\nreliability suite: {'passed' if suite_passed else 'FAILED'}")
    ok = all(r.met for r in rows) and suite_passed and lost_total == 0
    print("\nall targets met, nothing lost" if ok else "\nSOMETHING MISSED: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
