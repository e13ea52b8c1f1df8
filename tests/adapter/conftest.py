"""Fixtures for the adapter's tests over real HTTP: the Sheets API emulator and an adapter on it.

``emu`` is one emulator server per module, reset before each test, with two users
(``ANA`` owns the seeded spreadsheet, ``BEN`` is someone else). ``adapter`` is a
:class:`GspreadSheets` pointed at it with a fast retry policy (tests wait milliseconds).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from server.service.summary import build_summary
from sheets_adapter.config import SheetsSettings
from sheets_adapter.gspread_adapter import GspreadSheets, GspreadSnapshot
from sheets_adapter.port import SheetsAuth, SummarySheet, UserToken
from sheets_adapter.retry import RetryPolicy
from tests.adapter.factories import result
from tests.support.emulator import EmulatorHandle, running_emulator

ANA, ANA_TOKEN = "ana@example.com", "ana-token"
BEN, BEN_TOKEN = "ben@example.com", "ben-token"
ANA_AUTH = UserToken(ANA_TOKEN)
BEN_AUTH = UserToken(BEN_TOKEN)
RUN_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

FAST = RetryPolicy(base_delay=0.01, max_delay=0.05, deadline=3.0, connect_timeout=2.0)

PLAN: list[list[Any]] = [
    ["Sales plan FY2025"],
    [],
    ["Region", "Quarter", "Plan"],
    ["AMER", "Q1 2025", 100],
    ["EMEA", "Q1 2025", 80.5],
    ["AMER", "Q2 2025", "$1,234.50"],
    ["EMEA", "Q2 2025", "0123"],
]
BOOKINGS: list[list[Any]] = [
    ["Region", "Close Date", "Amount"],
    ["AMER", 45700, 90],
    ["EMEA", 45750.5, "#REF!"],
    ["APAC", 45800, -3.25],
]


def settled_log(emu: EmulatorHandle, settle: float = 0.05, limit: float = 2.0) -> list[Any]:
    """The emulator's request log once it stops growing.

    The emulator records a request after its answer has gone out, so the client can
    see the answer before the log shows the request; wait until it is quiet."""
    deadline = time.monotonic() + limit
    log = emu.request_log()
    while time.monotonic() < deadline:
        time.sleep(settle)
        again = emu.request_log()
        if len(again) == len(log):
            return again
        log = again
    return log


def sheets_calls(emu: EmulatorHandle) -> list[dict[str, Any]]:
    """The Sheets API requests in the emulator's log (not Drive, OAuth or controls)."""
    return [entry for entry in settled_log(emu) if entry.get("api") == "sheets"]


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[EmulatorHandle]:
    with running_emulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator_server: EmulatorHandle) -> Iterator[EmulatorHandle]:
    emulator_server.reset()
    emulator_server.add_token(ANA_TOKEN, ANA)
    emulator_server.add_token(BEN_TOKEN, BEN)
    yield emulator_server
    emulator_server.state.set_faults(0.0, 0)


@pytest.fixture
def sheet(emu: EmulatorHandle) -> str:
    return emu.state.create_spreadsheet(ANA, "Sales FY2025", {"Plan": PLAN, "Bookings": BOOKINGS})


def make_adapter(emu: EmulatorHandle, **settings: Any) -> GspreadSheets:
    settings.setdefault("retry", FAST)
    return GspreadSheets(SheetsSettings(emulator_host=emu.url, **settings), rng=random.Random(11))


@pytest.fixture
def adapter(emu: EmulatorHandle) -> Iterator[GspreadSheets]:
    sheets = make_adapter(emu)
    yield sheets
    sheets.close()


def classify_once(
    sheets: GspreadSheets,
    spreadsheet_id: str,
    auth: SheetsAuth = ANA_AUTH,
    *,
    res: Any = None,
    quarter: str = "2025-Q3",
    summary_tab: str = "Summary",
    tabs: tuple[str, ...] = ("Plan", "Bookings"),
    optional: tuple[str, ...] = (),
) -> tuple[GspreadSnapshot, SummarySheet]:
    """What the service does around the engine: read, lay out, write."""
    snapshot = sheets.read(spreadsheet_id, tabs, summary_tab, auth, optional=optional)
    summary = build_summary(
        res or result(),
        quarter=quarter,
        run_at=RUN_AT,
        existing=snapshot.summary,
        summary_tab=summary_tab,
    )
    sheets.write_summary(snapshot, summary, auth)
    return snapshot, summary
