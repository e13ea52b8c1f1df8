"""``sales-verdicts demo``: the emulator with a demo spreadsheet, the server on top, one run.

No Google account and no configuration: everything runs on loopback.
"""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

import httpx
from rich.console import Console
from rich.panel import Panel

from server.api import documents
from server.api.app import create_app
from server.api.connections import uvicorn_options
from server.cli.demo_data import demo_tabs
from server.cli.terminal import print_run
from server.cli.threads import PortInUse, ServerThread
from server.config import Settings

DEMO_TOKEN = "demo-token"  # noqa: S105 - the emulator's demo token, not a secret
DEMO_EMAIL = "analyst@example.com"

SAMPLE_QUERY = """query {
  latestRun(spreadsheetId: "%(id)s") {
    quarter classifiedAt
    current { group verdict flags attainment growth action }
    verdicts(group: "EMEA") { quarter plan bookings verdict flags }
    issues { tab row column value message }
  }
}"""


def run_demo(console: Console, *, port: int, emulator_port: int, keep_serving: bool) -> int:
    from sheets_emulator.app import EmulatorState
    from sheets_emulator.app import create_app as create_emulator

    state = EmulatorState()
    spreadsheet_id = state.create_spreadsheet(DEMO_EMAIL, "Sales plan (demo)", demo_tabs())
    emulator_app = create_emulator(state, tokens={DEMO_TOKEN: DEMO_EMAIL})
    with tempfile.TemporaryDirectory(prefix="sales-verdicts-demo-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'runs.sqlite3'}",
            emulator_host=f"http://127.0.0.1:{emulator_port}",
        )
        try:
            emulator = ServerThread(emulator_app, port=emulator_port).start()
        except PortInUse as err:
            console.print(f"[red]{err}[/] (use --emulator-port)")
            return 1
        try:
            try:
                api = ServerThread(
                    create_app(settings), port=port, options=uvicorn_options()
                ).start()
            except PortInUse as err:
                console.print(f"[red]{err}[/] (use --port)")
                return 1
            try:
                return _show(console, api.url, emulator.url, spreadsheet_id, keep_serving)
            finally:
                api.stop()
        finally:
            emulator.stop()


def _show(
    console: Console, api: str, emulator: str, spreadsheet_id: str, keep_serving: bool
) -> int:
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    console.print(f"Sheets API emulator on {emulator}, demo spreadsheet [bold]{spreadsheet_id}[/]")
    answer = httpx.post(
        f"{api}/graphql",
        json={"query": documents.CLASSIFY, "variables": {"spreadsheetId": spreadsheet_id}},
        headers=headers,
        timeout=60,
    ).json()
    if answer.get("errors"):
        console.print(f"[red]classification failed:[/] {answer['errors'][0]['message']}")
        return 1
    print_run(console, answer["data"]["classifyQuarter"])
    console.print()
    console.print(
        Panel.fit(
            f"GraphiQL: [bold]{api}/graphql[/]\n"
            f"Request header: {json.dumps(headers)}\n\n" + SAMPLE_QUERY % {"id": spreadsheet_id},
            title="Try it",
        ),
        highlight=False,
    )
    if not keep_serving:
        return 0
    console.print("Serving until Ctrl-C …")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("Stopped.")
    return 0
