"""The real backend for the add-on's end-to-end tests: the Sheets API emulator and the
GraphQL server as processes (``sales-verdicts emulator`` / ``serve``), and spreadsheets
seeded through the emulator with real gspread."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gspread
import httpx
from google.oauth2.credentials import Credentials

from server.cli import demo_data

if TYPE_CHECKING:
    from tests.support.processes import Process

OWNER = "owner-token-7f3a"
OWNER_EMAIL = "analyst@example.com"
OTHER = "other-token-91c2"
OTHER_EMAIL = "someone.else@example.org"


def gspread_client(emulator: str, token: str) -> gspread.Client:
    """Real gspread, every call sent to the emulator (the shared test session)."""
    from tests.support.emulator import EmulatorSession

    session = EmulatorSession(Credentials(token), emulator.rstrip("/"))  # type: ignore[no-untyped-call]
    return gspread.Client(auth=None, session=session)  # type: ignore[arg-type]


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
        """The answer's ``data``; the answer must have no errors."""
        answer = self.send(document, variables, token).json()
        assert not answer.get("errors"), answer
        return answer["data"]

    def answer(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        token: str | None = OWNER,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> dict[str, Any]:
        """The whole GraphQL answer (data and errors); the HTTP status must be 200."""
        response = self.send(document, variables, token, headers, timeout)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def send(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        token: str | None = OWNER,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> httpx.Response:
        """POST one GraphQL request as ``token``'s user; the raw HTTP answer."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return httpx.post(
            self.graphql,
            json={"query": document, "variables": dict(variables or {})},
            headers=sent,
            timeout=timeout,
        )

    def logs(self) -> str:
        return self.emulator.output() + self.api.output()

    def google_requests(self, spreadsheet_id: str | None = None) -> list[dict[str, Any]]:
        """The emulator's log of Sheets and Drive requests (its own controls left out),
        only those of ``spreadsheet_id`` when it is given."""
        entries: list[dict[str, Any]] = httpx.get(
            f"{self.emulator.url}/_emulator/requests", timeout=10
        ).json()["requests"]
        return [
            e
            for e in entries
            if not e["path"].startswith(("/_emulator", "/healthz"))
            and (spreadsheet_id is None or spreadsheet_id in e["path"])
        ]

    def clear_google_requests(self) -> None:
        httpx.delete(f"{self.emulator.url}/_emulator/requests", timeout=10).raise_for_status()

    def faults(self, rate: float, latency_ms: int = 0, statuses: Sequence[int] = ()) -> None:
        """Make the emulator fail ``rate`` of the API requests with ``statuses``."""
        body: dict[str, Any] = {"rate": rate, "latency_ms": latency_ms}
        if statuses:
            body["statuses"] = list(statuses)
        httpx.post(
            f"{self.emulator.url}/_emulator/faults", json=body, timeout=10
        ).raise_for_status()

    def stored(self, spreadsheet_id: str) -> dict[str, Any]:
        """What the emulator holds: ``{"spreadsheet": resource, "values": {tab: rows}, ...}``."""
        answer = httpx.get(
            f"{self.emulator.url}/_emulator/spreadsheets/{spreadsheet_id}", timeout=30
        )
        answer.raise_for_status()
        stored: dict[str, Any] = answer.json()
        return stored


def error_code(answer: Mapping[str, Any]) -> str:
    """The first error's ``extensions.code`` (the answer must have errors)."""
    assert answer.get("errors"), answer
    code: str = answer["errors"][0]["extensions"]["code"]
    return code


def emulator_command(*extra: str) -> list[str]:
    """``sales-verdicts emulator`` with the two test users' tokens registered."""
    return [
        "emulator",
        "--token",
        f"{OWNER}={OWNER_EMAIL}",
        "--token",
        f"{OTHER}={OTHER_EMAIL}",
        *extra,
    ]


@contextmanager
def backend(
    tmp: Path,
    *,
    emulator_args: Sequence[str] = (),
    emulator_port: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Stack]:
    """The emulator (two users) and the GraphQL server on top of it, in user mode unless
    ``env`` says otherwise."""
    from tests.support.processes import sales_verdicts

    with ExitStack() as stack:
        emulator = stack.enter_context(
            sales_verdicts(
                emulator_command(*emulator_args),
                tmp,
                name="emulator",
                port=emulator_port,
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


SERVICE_ACCOUNT = "sales-verdicts@addon-tests.iam.gserviceaccount.com"
AUDIENCE = "1234567890-addon.apps.googleusercontent.com"
ALLOWED_DOMAIN = "example.com"


def service_account_key(path: Path, token_uri: str) -> Path:
    """A fresh service-account key file, as Google issues them, for the emulator's /token."""
    from tests.support.keys import make_key

    path.write_text(json.dumps(make_key(SERVICE_ACCOUNT).info(token_uri)), encoding="utf-8")
    return path


@contextmanager
def service_account_backend(tmp: Path) -> Iterator[Stack]:
    """The backend in service-account mode: it reads and writes as its service account
    (a key the emulator accepts) and checks callers' Google ID tokens (minted by the
    emulator) against AUDIENCE and ALLOWED_DOMAIN."""
    from server.cli.threads import free_port

    port = free_port()
    key = service_account_key(tmp / "service-account.json", f"http://127.0.0.1:{port}/token")
    with backend(
        tmp,
        emulator_args=["--service-account", str(key)],
        emulator_port=port,
        env={
            "GOOGLE_APPLICATION_CREDENTIALS": str(key),
            "SALES_VERDICTS_AUDIENCE": AUDIENCE,
            "SALES_VERDICTS_ALLOWED_DOMAINS": ALLOWED_DOMAIN,
        },
    ) as stack:
        yield stack


WORKSPACE = "workspace"  # id_token(hd=WORKSPACE): the hd claim of the e-mail's own domain


def id_token(stack: Stack, email: str, audience: str = AUDIENCE, hd: str | None = WORKSPACE) -> str:
    """A Google-signed ID token, as ScriptApp.getIdentityToken() returns (emulator-signed).

    ``hd`` is the hosted-domain claim: by default the e-mail's domain, as Google sets it
    for a Google Workspace account; ``None`` for a consumer (personal) Google account,
    which has none even when its address is at a company's domain."""
    body: dict[str, Any] = {"email": email, "audience": audience}
    if hd is not None:
        body["hd"] = email.rsplit("@", 1)[1] if hd == WORKSPACE else hd
    answer = httpx.post(f"{stack.emulator.url}/_emulator/id-token", json=body, timeout=10)
    answer.raise_for_status()
    token: str = answer.json()["id_token"]
    return token


def share(
    emulator: str,
    spreadsheet_id: str,
    email: str | None,
    token: str = OWNER,
    *,
    role: str = "writer",
    kind: str = "user",
) -> None:
    """The owner shares the spreadsheet (as an editor by default), with real gspread:
    ``kind`` is ``user``, ``group``, ``domain`` (``email`` is then the domain) or
    ``anyone``."""
    book = gspread_client(emulator, token).open_by_key(spreadsheet_id)
    book.share(email, perm_type=kind, role=role, notify=False)  # type: ignore[arg-type]


def unshare(emulator: str, spreadsheet_id: str, email: str, token: str = OWNER) -> None:
    """The owner takes a user's access away, with real gspread."""
    book = gspread_client(emulator, token).open_by_key(spreadsheet_id)
    book.remove_permissions(email)
