"""Start the product's own commands as real processes for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from server.cli.threads import free_port

BIN = Path(sys.executable).parent
SALES_VERDICTS = str(BIN / "sales-verdicts")


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as when a container is killed."""
        self.popen.kill()
        self.popen.wait(10)


def wait_healthy(url: str, popen: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"process exited with {popen.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} not healthy after {timeout} s:\n{log.read_text()}")


@contextmanager
def sales_verdicts(
    args: Sequence[str],
    tmp: Path,
    *,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    name: str = "proc",
) -> Iterator[Process]:
    """``sales-verdicts <args> --port P`` until the block ends; yields when /healthz is 200."""
    port = port or free_port()
    log = tmp / f"{name}-{port}.log"
    full_env = {**os.environ, **(env or {})}
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [SALES_VERDICTS, *args, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, popen, log)
        yield Process(popen, url, log)
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            try:
                popen.wait(10)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(5)
