"""``sales-verdicts classify --json`` prints a run exactly as the GraphQL API answers it.

In process: the command runs against the emulator (a thread) and records the run in an
SQLite file; the API, built on the same file, then answers ``latestRun`` with every field
of ``ClassificationRun`` selected; the two documents must be equal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.api.app import create_app
from server.cli.commands import cli
from server.cli.demo_data import QUARTERS, label
from server.config import Settings
from tests.support.asgi import asgi_client
from tests.support.backend import OWNER, OWNER_EMAIL, demo_tabs
from tests.support.emulator import running_emulator
from tests.support.selection import every_field

LATEST = "query Latest($id: ID!) { latestRun(spreadsheetId: $id) %s }"


def test_classify_json_equals_the_graphql_answer_for_the_same_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"sqlite:///{tmp_path / 'runs.sqlite3'}"
    with running_emulator(tokens={OWNER: OWNER_EMAIL}) as emu:
        sheet = emu.state.create_spreadsheet(OWNER_EMAIL, "CLI and API", demo_tabs())
        env = {
            "SHEETS_EMULATOR_HOST": emu.url,
            "DATABASE_URL": database,
            "SALES_VERDICTS_TOKEN": OWNER,
            "GOOGLE_APPLICATION_CREDENTIALS": "",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        url = f"https://docs.google.com/spreadsheets/d/{sheet}/edit#gid=0"
        asked = label(QUARTERS[-2])
        done = CliRunner().invoke(cli, ["classify", url, "--json", "--quarter", asked])
        assert done.exit_code == 0, done.output
        printed = json.loads(done.output)

        app = create_app(Settings(database_url=database, emulator_host=emu.url))
        with asgi_client(app) as client:
            answer = client.post(
                "/graphql",
                json={"query": LATEST % every_field("ClassificationRun"), "variables": {"id": url}},
                headers={"Authorization": f"Bearer {OWNER}"},
            ).json()
    assert "errors" not in answer, answer
    assert printed == answer["data"]["latestRun"]
    assert set(printed) >= {"id", "current", "verdicts", "issues", "classifiedAt"}
    assert printed["quarter"] == asked
    assert printed["spreadsheetId"] == sheet
    for part in ("current", "verdicts", "issues"):
        assert printed[part], part
