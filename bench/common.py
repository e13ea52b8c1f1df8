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

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.backend import OWNER, Stack, backend, demo_tabs, seed  # noqa: E402

TOKEN = OWNER


def graphql(stack: Stack, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One GraphQL request as the spreadsheet's owner; the whole answer (data and errors)."""
    answer: dict[str, Any] = stack.send(query, variables, TOKEN, timeout=120).json()
    return answer


@contextmanager
def demo_stack(*, env: dict[str, str] | None = None) -> Iterator[tuple[Stack, str]]:
    """Emulator and server as real processes, the demo spreadsheet seeded with gspread."""
    quiet = {"SALES_VERDICTS_LOG_LEVEL": "WARNING", **(env or {})}
    with (
        tempfile.TemporaryDirectory(prefix="sv-bench-") as name,
        backend(Path(name), env=quiet) as s,
    ):
        yield s, seed(s.emulator.url, demo_tabs())


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
