"""Fixtures for the emulator's own tests.

``emulator`` is one real server per test session, reset before each test, with two users'
tokens registered (``ANA``/``ANA_TOKEN`` owns what she creates; ``BO``/``BO_TOKEN`` is someone
else). Other test areas reuse the server the same way::

    from tests.support.emulator import running_emulator

    @pytest.fixture(scope="session")
    def sheets_emulator():
        with running_emulator(tokens={"t0ken": "ana@example.com"}) as emu:
            yield emu
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.emulator import EmulatorHandle, running_emulator

ANA, ANA_TOKEN = "ana@example.com", "ana-token"
BO, BO_TOKEN = "bo@example.com", "bo-token"


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorHandle]:
    with running_emulator(tokens={ANA_TOKEN: ANA, BO_TOKEN: BO}) as emu:
        yield emu


@pytest.fixture
def emulator(emulator_server: EmulatorHandle) -> EmulatorHandle:
    emulator_server.reset()
    return emulator_server
