"""Kept for old imports: ``from sheets_emulator.app import create_app, EmulatorState``.

The app lives in :mod:`sheets_emulator.http.app`; prefer ``from sheets_emulator import
create_app, EmulatorState``.
"""

from __future__ import annotations

from sheets_emulator.http.app import create_app
from sheets_emulator.state import EmulatorState

__all__ = ["EmulatorState", "create_app"]
