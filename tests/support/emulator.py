"""The Sheets API emulator as a test fixture: a real uvicorn server on a free loopback port.

Use it from any test area::

    from tests.support.emulator import running_emulator

    with running_emulator(tokens={"t0ken": "ana@example.com"}) as emu:
        sid = emu.state.create_spreadsheet("ana@example.com", "Plan", {"Plan": [["Q1 2025", 10]]})
        gc = emu.gspread_client("t0ken")               # real gspread, real HTTP
        assert gc.open_by_key(sid).sheet1.get_all_values() == [["Q1 2025", "10"]]
        assert [r["path"] for r in emu.request_log()] == [f"/v4/spreadsheets/{sid}", ...]

or define a fixture around it (see ``tests/emulator/conftest.py``). Point code under test at
``emu.url`` (as ``SHEETS_EMULATOR_HOST``), or give it ``emu.session(token)`` /
``emu.authorized_session(credentials)``: ``requests`` sessions that send every call for
``https://sheets.googleapis.com`` and ``https://www.googleapis.com`` to the emulator.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import gspread
import requests
import uvicorn
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.credentials import Credentials as TokenCredentials

from sheets_emulator import EmulatorState, create_app

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


def _rewrite(url: str, base: str) -> str:
    for host in GOOGLE_HOSTS:
        if url.startswith(host):
            return base + url[len(host) :]
    return url


class EmulatorSession(AuthorizedSession):
    """An ``AuthorizedSession`` whose Google API calls go to the emulator.

    401s are not retried with a credential refresh, so gspread sees the API's own answer."""

    def __init__(self, credentials: Credentials, base_url: str) -> None:
        super().__init__(credentials, refresh_status_codes=())  # type: ignore[no-untyped-call]
        self.base_url = base_url

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        response: requests.Response = super().request(  # type: ignore[no-untyped-call]
            method, _rewrite(url, self.base_url), *args, **kwargs
        )
        return response


class AnonymousSession(requests.Session):
    """A session without credentials (for the 401 answers)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        return super().request(method, _rewrite(url, self.base_url), *args, **kwargs)


@dataclass
class EmulatorHandle:
    """A running emulator: its URL, its state, and shortcuts to the test controls."""

    url: str
    state: EmulatorState

    def add_token(self, token: str, email: str) -> None:
        self.state.add_token(token, email)

    def request_log(self) -> list[dict[str, Any]]:
        return self.state.request_log()

    def clear_log(self) -> None:
        self.state.clear_log()

    def set_faults(self, rate: float, latency_ms: int = 0) -> None:
        self.state.set_faults(rate, latency_ms)

    def reset(self) -> None:
        self.state.reset()

    def session(self, token: str | None) -> requests.Session:
        """A session sending ``Authorization: Bearer <token>`` (none for ``None``)."""
        if token is None:
            return AnonymousSession(self.url)
        credentials = TokenCredentials(token)  # type: ignore[no-untyped-call]
        return EmulatorSession(credentials, self.url)

    def authorized_session(self, credentials: Credentials) -> EmulatorSession:
        """A session for any google-auth credentials (e.g. a service account whose key's
        ``token_uri`` is ``f"{emu.url}/token"``)."""
        return EmulatorSession(credentials, self.url)

    def gspread_client(self, token: str | None) -> gspread.Client:
        """A real ``gspread.Client`` whose every call goes to the emulator with ``token``."""
        return gspread.Client(auth=None, session=self.session(token))  # type: ignore[arg-type]

    def service_account_info(self, email: str) -> dict[str, str]:
        """A fresh service-account key (JSON as Google issues it) registered with the
        emulator; its ``token_uri`` points at the emulator's token endpoint."""
        from sheets_emulator.auth import service_account_key
        from tests.support.keys import make_key

        info = make_key(email).info(f"{self.url}/token")
        self.state.add_service_account(service_account_key(info))
        return info


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_emulator(**create_app_kwargs: Any) -> Iterator[EmulatorHandle]:
    """Start the emulator (``create_app(**create_app_kwargs)``) with uvicorn in a background
    thread on a free loopback port; stop it when the block ends."""
    state = create_app_kwargs.pop("state", None) or EmulatorState()
    app = create_app(state, **create_app_kwargs)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"sheets-emulator-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the Sheets API emulator did not start on port {port}")
        time.sleep(0.01)
    try:
        yield EmulatorHandle(url=f"http://127.0.0.1:{port}", state=state)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
