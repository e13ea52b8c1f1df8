"""Who asks, and what: the service's inputs."""

from __future__ import annotations

from dataclasses import dataclass

from server.classification import ClassifyOptions
from sheets_adapter.port import SheetsAuth, UserToken


@dataclass(frozen=True)
class Caller:
    """Who is asking, and with which credentials the Sheets API will be called."""

    auth: SheetsAuth
    email: str | None = None
    # the person running the backend itself (the command line, with its own credentials):
    # their access is not checked, Google's answers are what they get
    operator: bool = False

    @property
    def identity(self) -> str:
        """A stable, non-secret key for the caller (a token is hashed, never kept)."""
        if isinstance(self.auth, UserToken):
            return self.auth.identity
        return f"sa:{self.email or ''}"


@dataclass(frozen=True)
class ClassifyRequest:
    spreadsheet_id: str
    quarter: str | None
    options: ClassifyOptions
    caller: Caller
    trigger: str = "API"  # what the caller says started it: MENU, SCHEDULE, CLI, API

    @property
    def flight_key(self) -> tuple[object, ...]:
        """Requests with the same key are the same request: they share one run (see
        :mod:`server.service.runs`)."""
        return (self.spreadsheet_id, self.quarter, self.options, self.caller.identity)
