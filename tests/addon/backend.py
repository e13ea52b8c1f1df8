"""The real backend for the add-on's end-to-end tests: the Sheets API emulator and the
GraphQL server as processes (``sales-verdicts emulator`` / ``serve``), and spreadsheets
seeded through the emulator with real gspread."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gspread
import httpx
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.credentials import Credentials

from server import demo_data

if TYPE_CHECKING:
    from tests.support.processes import Process

OWNER = "owner-token-7f3a"
OWNER_EMAIL = "analyst@example.com"
OTHER = "other-token-91c2"
OTHER_EMAIL = "someone.else@example.org"
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


class EmulatorSession(AuthorizedSession):
    """Sends every Google API call gspread makes to the emulator (see NOTES.md)."""

    def __init__(self, emulator: str, token: str) -> None:
        super().__init__(Credentials(token))
        self.emulator = emulator.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                url = self.emulator + url[len(host) :]
                break
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, *args, **kwargs)


def gspread_client(emulator: str, token: str) -> gspread.Client:
    return gspread.Client(auth=None, session=EmulatorSession(emulator, token))  # type: ignore[arg-type]


def seed(emulator: str, tabs: Mapping[str, Sequence[Sequence[Any]]], token: str = OWNER) -> str:
    """A new spreadsheet owned by ``token``'s user with these tabs (values stored RAW)."""
    client = gspread_client(emulator, token)
    book = client.create(f"Add-on test {uuid.uuid4().hex[:8]}")
    for title, rows in tabs.items():
        width = max((len(r) for r in rows), default=1)
        sheet = book.add_worksheet(title=title, rows=max(len(rows), 1) + 10, cols=max(width, 1))
        if rows:
            padded = [list(r) + [""] * (width - len(r)) for r in rows]
            sheet.update(padded, "A1", value_input_option=gspread.utils.ValueInputOption.raw)
    return str(book.id)


def tab_titles(emulator: str, spreadsheet_id: str, token: str = OWNER) -> list[str]:
    book = gspread_client(emulator, token).open_by_key(spreadsheet_id)
    return [w.title for w in book.worksheets()]


def demo_tabs(plan_tab: str = "Plan") -> dict[str, list[list[Any]]]:
    tabs = demo_data.demo_tabs()
    return {plan_tab: tabs["Plan"], "Bookings": tabs["Bookings"]}


@dataclass
class Stack:
    emulator: Process
    api: Process

    @property
    def graphql(self) -> str:
        return f"{self.api.url}/graphql"

    def query(self, document: str, variables: Mapping[str, Any], token: str = OWNER) -> Any:
        answer = httpx.post(
            self.graphql,
            json={"query": document, "variables": dict(variables)},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()
        assert not answer.get("errors"), answer
        return answer["data"]

    def logs(self) -> str:
        return self.emulator.output() + self.api.output()


@contextmanager
def backend(
    tmp: Path,
    *,
    emulator_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """The emulator (two users) and the GraphQL server on top of it, in user mode."""
    from tests.support.processes import sales_verdicts

    with ExitStack() as stack:
        emulator = stack.enter_context(
            sales_verdicts(
                [
                    "emulator",
                    "--token",
                    f"{OWNER}={OWNER_EMAIL}",
                    "--token",
                    f"{OTHER}={OTHER_EMAIL}",
                    *emulator_args,
                ],
                tmp,
                name="emulator",
            )
        )
        server_env = {
            "SHEETS_EMULATOR_HOST": emulator.url,
            "DATABASE_URL": f"sqlite:///{tmp / f'runs-{uuid.uuid4().hex[:6]}.sqlite3'}",
            "GOOGLE_APPLICATION_CREDENTIALS": "",
            **(env or {}),
        }
        api = stack.enter_context(sales_verdicts(["serve"], tmp, env=server_env, name="serve"))
        yield Stack(emulator, api)
