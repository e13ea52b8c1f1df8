"""Shared pieces of the benchmarks: processes, a gspread client for the emulator, load."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gspread
import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from server.demo_data import demo_tabs  # noqa: E402
from sheets_adapter.session import emulator_gspread_client  # noqa: E402
from tests.support.processes import Process, sales_verdicts  # noqa: E402

TOKEN = "bench-token"
EMAIL = "bench@example.com"


@dataclass
class Stack:
    emulator: Process
    server: Process
    spreadsheet_id: str
    tmp: Path

    def gspread(self) -> gspread.Client:
        return emulator_gspread_client(self.emulator.url, TOKEN)

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.server.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        result: dict[str, Any] = answer.json()
        return result

    def emulator_log(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = httpx.get(
            f"{self.emulator.url}/_emulator/requests", timeout=10
        ).json()["requests"]
        return entries

    def clear_emulator_log(self) -> None:
        httpx.delete(f"{self.emulator.url}/_emulator/requests", timeout=10)


def seed(client: gspread.Client, tabs: dict[str, list[list[Any]]], title: str) -> str:
    book = client.create(title)
    first = book.sheet1
    for index, (name, rows) in enumerate(tabs.items()):
        width = max((len(r) for r in rows), default=1)
        padded = [list(r) + [""] * (width - len(r)) for r in rows]
        sheet = (
            first
            if index == 0
            else book.add_worksheet(name, rows=max(len(rows), 10), cols=max(width, 5))
        )
        if index == 0:
            sheet.update_title(name)
            sheet.resize(rows=max(len(rows), 10), cols=max(width, 5))
        sheet.update(padded, "A1", value_input_option="RAW")
    return str(book.id)


@contextmanager
def stack(*, server_env: dict[str, str] | None = None, workers: int = 1) -> Iterator[Stack]:
    """Emulator and server as real processes, the demo spreadsheet seeded with gspread."""
    with tempfile.TemporaryDirectory(prefix="sv-bench-") as name:
        tmp = Path(name)
        with sales_verdicts(
            ["emulator", "--token", f"{TOKEN}={EMAIL}"], tmp, name="emulator"
        ) as emulator:
            spreadsheet_id = seed(
                emulator_gspread_client(emulator.url, TOKEN), demo_tabs(), "bench"
            )
            env = {
                "SHEETS_EMULATOR_HOST": emulator.url,
                "DATABASE_URL": f"sqlite:///{tmp / 'runs.sqlite3'}",
                "SALES_VERDICTS_LOG_LEVEL": "WARNING",
                **(server_env or {}),
            }
            with sales_verdicts(
                ["serve", "--workers", str(workers)], tmp, env=env, name="server"
            ) as server:
                yield Stack(emulator, server, spreadsheet_id, tmp)


# -- load ------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int
    tool: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
"""


def load(url: str, body: dict[str, Any], *, seconds: float, connections: int) -> Load:
    """Requests per second of one POST, with wrk when installed (a C client), else Python."""
    if shutil.which("wrk"):
        return _wrk(url, body, seconds=seconds, connections=connections)
    return asyncio.run(_python_load(url, body, seconds=seconds, connections=connections))


def _wrk(url: str, body: dict[str, Any], *, seconds: float, connections: int) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (json.dumps(json.dumps(body)), TOKEN))
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    assert done, out
    took = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    return Load(int(done.group(1)), took, errors, "wrk")


async def _python_load(url: str, body: dict[str, Any], *, seconds: float, connections: int) -> Load:
    count = 0
    errors = 0
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal count, errors
            while time.perf_counter() < stop:
                response = await client.post(url, json=body, headers=headers)
                count += 1
                errors += response.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        took = time.perf_counter() - start
    return Load(count, took, errors, "python-httpx")
