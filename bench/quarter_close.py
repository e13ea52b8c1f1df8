"""Quarter close: many sheets classified at once, and many callers on one sheet, with
Google answering slowly.

    .venv/bin/python bench/quarter_close.py [--sheets 100] [--callers 50] [--latency-ms 400]

Starts the emulator and the server as real processes. Every Google answer (Sheets and
Drive) comes ``--latency-ms`` late (the emulator's latency control). Each caller does what
the add-on does: ``classifyQuarter(wait: 20, trigger: "MENU")``, then, when answered
``RUNNING``, ``run(id)`` every 2 s backing off to 5 s until the run has ended.

* **Many sheets**: ``--sheets`` users, each with a spreadsheet of their own, click at once.
* **One sheet**: ``--callers`` users, all writers of one spreadsheet, click at once (each
  click is that user's own run: runs of one sheet queue, one at a time).

Meanwhile another user asks ``latestRun`` of an unrelated sheet every 0.25 s: runs
waiting for a sheet hold no worker thread, so that answer stays quick.

Measured per scenario: time to the first answer (the ``classifyQuarter`` call) and to the
run's end (first answer plus polling), the most any one API call took, how many callers
were answered ``RUNNING``, how runs ended, the Google requests the emulator saw (Sheets
and Drive; userinfo, asked once per token, counted apart) and the bystander's slowest
``latestRun``. Targets: every run SUCCEEDED, no API call over 25 s (Apps Script gives up
after about 60 s), at most 3 Google requests per run, userinfo at most once per caller,
the bystander never over 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.api import documents
from tests.support.backend import OWNER, OWNER_EMAIL, Stack, backend, demo_tabs

WAIT = 20  # what the add-on's menu asks
LONGEST_CALL = 25.0  # seconds: the most any API call may take (wait is clamped to 25)
MOST_REQUESTS_PER_RUN = 3
BYSTANDER_TARGET = 1.0


@dataclass
class Click:
    """One caller's click, as the add-on would see it."""

    first_answer: float = 0.0  # seconds to the classifyQuarter answer
    done: float = 0.0  # seconds to the run's end (polling included)
    longest_call: float = 0.0
    calls: int = 0
    answered_running: bool = False
    status: str = ""
    error: str = ""


@dataclass
class Figures:
    name: str
    runs: int
    wall: float
    clicks: list[Click]
    google: Counter[str]
    userinfo: int
    bystander: list[float] = field(default_factory=list)

    @property
    def statuses(self) -> Counter[str]:
        return Counter(c.status for c in self.clicks)

    def summary(self) -> dict[str, float]:
        firsts = sorted(c.first_answer for c in self.clicks)
        dones = sorted(c.done for c in self.clicks)
        google = sum(self.google.values())
        return {
            "runs": self.runs,
            "succeeded": self.statuses.get("SUCCEEDED", 0),
            "answered_running": sum(c.answered_running for c in self.clicks),
            "first_answer_median_s": statistics.median(firsts),
            "first_answer_max_s": firsts[-1],
            "done_median_s": statistics.median(dones),
            "done_p95_s": dones[max(0, round(0.95 * len(dones)) - 1)],
            "done_max_s": dones[-1],
            "longest_call_s": max(c.longest_call for c in self.clicks),
            "api_calls": sum(c.calls for c in self.clicks),
            "google_requests": google,
            "google_per_run": google / self.runs,
            "userinfo": self.userinfo,
            "bystander_max_s": max(self.bystander, default=0.0),
            "bystander_median_s": statistics.median(self.bystander) if self.bystander else 0.0,
            "bystander_calls": len(self.bystander),
            "wall_s": self.wall,
        }


def user(i: int, kind: str) -> tuple[str, str]:
    """Token and e-mail of test user ``i`` of a scenario."""
    return f"qc-{kind}-{i:03d}-token", f"qc.{kind}.{i:03d}@example.com"


def add_token(stack: Stack, token: str, email: str) -> None:
    httpx.post(
        f"{stack.emulator.url}/_emulator/tokens", json={"token": token, "email": email}, timeout=10
    ).raise_for_status()


def seed_sheet(stack: Stack, owner: str, writers: Sequence[str] = ()) -> str:
    """A demo spreadsheet owned by ``owner`` and shared with ``writers`` (emulator control:
    no Google requests logged, no latency)."""
    shares = [{"type": "user", "role": "writer", "email": w} for w in writers]
    answer = httpx.post(
        f"{stack.emulator.url}/_emulator/spreadsheets",
        json={"owner": owner, "title": "Quarter close", "tabs": demo_tabs(), "shares": shares},
        timeout=60,
    )
    answer.raise_for_status()
    sheet: str = answer.json()["spreadsheetId"]
    return sheet


def call(stack: Stack, token: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = stack.send(document, variables, token, timeout=90).json()
    return answer


def click(stack: Stack, token: str, sheet: str, gate: threading.Barrier) -> Click:
    """classifyQuarter(wait: 20), then run(id) every 2 s backing off to 5 s, as the add-on."""
    seen = Click()
    gate.wait()
    began = time.perf_counter()

    def timed(document: str, variables: dict[str, Any]) -> dict[str, Any]:
        at = time.perf_counter()
        answer = call(stack, token, document, variables)
        seen.longest_call = max(seen.longest_call, time.perf_counter() - at)
        seen.calls += 1
        return answer

    answer = timed(documents.START, {"spreadsheetId": sheet, "wait": WAIT, "trigger": "MENU"})
    seen.first_answer = time.perf_counter() - began
    if answer.get("errors"):
        seen.status = "ERROR " + answer["errors"][0]["extensions"].get("code", "?")
        seen.error = answer["errors"][0]["message"][:200]
        seen.done = seen.first_answer
        return seen
    run = answer["data"]["classifyQuarter"]
    seen.answered_running = run["status"] == "RUNNING"
    pause = 2.0
    while run["status"] == "RUNNING" and time.perf_counter() - began < 600:
        time.sleep(pause)
        pause = min(pause * 1.25, 5.0)
        run = timed(documents.RUN, {"id": run["id"]})["data"]["run"]
    seen.status = run["status"]
    seen.error = run.get("error") or ""
    seen.done = time.perf_counter() - began
    return seen


def bystander(stack: Stack, sheet: str, stop: threading.Event, out: list[float]) -> None:
    """Another user's latestRun of an unrelated sheet, every 0.25 s."""
    while not stop.is_set():
        at = time.perf_counter()
        answer = call(stack, OWNER, documents.LATEST_RUN, {"spreadsheetId": sheet})
        out.append(time.perf_counter() - at)
        assert not answer.get("errors"), answer
        stop.wait(0.25)


def scenario(stack: Stack, name: str, jobs: list[tuple[str, str]], quiet_sheet: str) -> Figures:
    """``jobs`` (token, sheet) clicked at once; the Google requests they caused."""
    stack.clear_google_requests()
    gate = threading.Barrier(len(jobs))
    stop = threading.Event()
    waits: list[float] = []
    watcher = threading.Thread(target=bystander, args=(stack, quiet_sheet, stop, waits))
    watcher.start()
    began = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            clicks = list(pool.map(lambda job: click(stack, job[0], job[1], gate), jobs))
    finally:
        stop.set()
        watcher.join()
    wall = time.perf_counter() - began
    quiet = {quiet_sheet}
    entries = [
        e
        for e in httpx.get(f"{stack.emulator.url}/_emulator/requests", timeout=30).json()[
            "requests"
        ]
        if not any(q in e["path"] for q in quiet)
    ]
    api = [e for e in entries if e.get("api") in ("sheets", "drive")]
    google = Counter(f"{e['method']} {_kind(e['path'])} {e['status']}" for e in api)
    userinfo = sum(1 for e in entries if "userinfo" in e["path"])
    return Figures(name, len(jobs), wall, clicks, google, userinfo, waits)


def _kind(path: str) -> str:
    """A Google request's kind, from its path (the spreadsheet's id left out)."""
    if ":batchUpdate" in path:
        return "batchUpdate"
    if "values:batchGet" in path:
        return "values.batchGet"
    if path.startswith("/drive/"):
        return "drive"
    return "spreadsheets.get"


def report(figures: Figures) -> dict[str, float]:
    s = figures.summary()
    print(f"\n{figures.name}: {figures.runs} runs")
    print(f"  ended:                 {dict(figures.statuses)}")
    print(f"  answered RUNNING:      {s['answered_running']:.0f} of {s['runs']:.0f}")
    print(
        f"  first answer:          median {s['first_answer_median_s']:.2f} s, "
        f"max {s['first_answer_max_s']:.2f} s"
    )
    print(
        f"  run ended (polled):    median {s['done_median_s']:.2f} s, p95 {s['done_p95_s']:.2f} s, "
        f"max {s['done_max_s']:.2f} s"
    )
    print(f"  longest API call:      {s['longest_call_s']:.2f} s (limit {LONGEST_CALL:.0f} s)")
    print(f"  API calls (incl. polls): {s['api_calls']:.0f}")
    print(
        f"  Google requests:       {s['google_requests']:.0f} "
        f"({s['google_per_run']:.2f} per run; {dict(figures.google)}), userinfo {s['userinfo']:.0f}"
    )
    print(
        f"  bystander latestRun:   {s['bystander_calls']:.0f} calls, median "
        f"{s['bystander_median_s']:.3f} s, max {s['bystander_max_s']:.3f} s"
    )
    failed = [c for c in figures.clicks if c.status != "SUCCEEDED"]
    for c in failed[:3]:
        print(f"  not succeeded: {c.status} {c.error}")
    return s


def met(s: dict[str, float]) -> bool:
    return (
        s["succeeded"] == s["runs"]
        and s["longest_call_s"] <= LONGEST_CALL
        and s["google_per_run"] <= MOST_REQUESTS_PER_RUN
        and s["userinfo"] <= s["runs"]
        and s["bystander_max_s"] <= BYSTANDER_TARGET
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=100)
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=400)
    args = parser.parse_args(argv)
    env = {"SALES_VERDICTS_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="sv-close-") as tmp, backend(Path(tmp), env=env) as s:
        many = [user(i, "sheet") for i in range(args.sheets)]
        crowd = [user(i, "crowd") for i in range(args.callers)]
        for token, email in many + crowd:
            add_token(s, token, email)
        own_sheets = [(token, seed_sheet(s, email)) for token, email in many]
        shared = seed_sheet(s, OWNER_EMAIL, [email for _, email in crowd])
        quiet = seed_sheet(s, OWNER_EMAIL)
        call(s, OWNER, documents.CLASSIFY, {"spreadsheetId": quiet})  # the bystander's run
        s.faults(0.0, latency_ms=args.latency_ms)
        print(
            f"quarter close, every Google answer {args.latency_ms} ms late; the add-on's "
            f"classifyQuarter(wait: {WAIT}) then run(id) polling"
        )
        a = report(scenario(s, f"{args.sheets} sheets at once", own_sheets, quiet))
        b = report(
            scenario(
                s,
                f"{args.callers} callers on one sheet",
                [(token, shared) for token, _ in crowd],
                quiet,
            )
        )
        s.faults(0.0)
    ok = met(a) and met(b)
    print("\nall targets met" if ok else "\nMISSED TARGET")
    return {
        "latency_ms": args.latency_ms,
        "many": a,
        "one": b,
        "met": ok,
    }


if __name__ == "__main__":
    raise SystemExit(0 if main(sys.argv[1:])["met"] else 1)
