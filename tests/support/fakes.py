"""In-memory stand-ins for the ports, for unit tests of the service layer only."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sheets_adapter.errors import (
    PermissionDenied,
    SpreadsheetNotFound,
    SummaryTabTaken,
    TabNotFound,
    Unauthenticated,
)
from sheets_adapter.port import (
    ServiceAccountAuth,
    Share,
    SheetsAuth,
    SheetsPort,
    SpreadsheetSnapshot,
    SummarySheet,
    TabGrid,
    UserToken,
)


class FakeSheets(SheetsPort):
    """Spreadsheets as dicts of tabs; ``access`` maps a token to the ids it may open."""

    def __init__(self) -> None:
        self.books: dict[str, dict[str, list[list[Any]]]] = {}
        # spreadsheet id -> (properties.locale, properties.timeZone)
        self.properties: dict[str, tuple[str | None, str | None]] = {}
        self.access: dict[str, set[str]] = {}
        self.emails: dict[str, str] = {}  # token -> the e-mail userinfo gives
        self.rejected: set[str] = set()  # tokens Google refuses (userinfo: 401)
        self.userinfo_calls = 0
        self.summaries: dict[str, SummarySheet] = {}
        self.marked: set[tuple[str, str]] = set()  # (spreadsheet, tab) of Summaries written
        self.shares: dict[str, list[Share]] = {}  # Drive permissions, by spreadsheet
        self.opens = 0
        self.reads = 0
        self.writes = 0
        self.fail_write: Exception | None = None
        self.read_gate: threading.Event | None = None
        self._lock = threading.Lock()

    def add(
        self,
        spreadsheet_id: str,
        tabs: dict[str, list[list[Any]]],
        *tokens: str,
        locale: str | None = "en_US",
        time_zone: str | None = "Etc/GMT",
    ) -> None:
        self.books[spreadsheet_id] = tabs
        self.properties[spreadsheet_id] = (locale, time_zone)
        for token in tokens:
            self.access.setdefault(token, set()).add(spreadsheet_id)

    def _check(self, spreadsheet_id: str, auth: SheetsAuth) -> None:
        if spreadsheet_id not in self.books:
            raise SpreadsheetNotFound(spreadsheet_id)
        if isinstance(auth, UserToken) and spreadsheet_id not in self.access.get(
            auth.access_token, set()
        ):
            raise PermissionDenied(spreadsheet_id)
        assert isinstance(auth, UserToken | ServiceAccountAuth)

    def read(
        self,
        spreadsheet_id: str,
        tabs: Sequence[str],
        summary_tab: str,
        auth: SheetsAuth,
        *,
        optional: Sequence[str] = (),
    ) -> SpreadsheetSnapshot:
        if self.read_gate is not None:
            self.read_gate.wait(10)
        with self._lock:
            self.reads += 1
        self._check(spreadsheet_id, auth)
        book = self.books[spreadsheet_id]
        for tab in tabs:
            if tab not in book:
                raise TabNotFound(spreadsheet_id, tab, sorted(book))
        ids = {title: i for i, title in enumerate(book)}
        present = [t for t in dict.fromkeys([*tabs, *optional]) if t in book]
        locale, time_zone = self.properties[spreadsheet_id]
        return SpreadsheetSnapshot(
            spreadsheet_id=spreadsheet_id,
            title=spreadsheet_id,
            sheet_ids=ids,
            tabs={t: TabGrid(t, ids[t], [list(r) for r in book[t]]) for t in present},
            summary=TabGrid(summary_tab, ids[summary_tab], book[summary_tab])
            if summary_tab in book
            else None,
            locale=locale,
            time_zone=time_zone,
            summary_marked=(spreadsheet_id, summary_tab) in self.marked,
        )

    def write_summary(
        self, snapshot: SpreadsheetSnapshot, summary: SummarySheet, auth: SheetsAuth
    ) -> None:
        self._check(snapshot.spreadsheet_id, auth)
        if self.fail_write is not None:
            raise self.fail_write
        key = (snapshot.spreadsheet_id, summary.title)
        judged = snapshot.summary is not None and snapshot.summary.title == summary.title
        exists = summary.title in self.books[snapshot.spreadsheet_id]
        if exists and key not in self.marked and not judged:
            raise SummaryTabTaken(snapshot.spreadsheet_id, summary.title)
        self.marked.add(key)
        with self._lock:
            self.writes += 1
        self.summaries[snapshot.spreadsheet_id] = summary
        book = self.books[snapshot.spreadsheet_id]
        book[summary.title] = [[c.value for c in row] for row in summary.rows()]
        if summary.history is not None:
            tab = book.setdefault(summary.history.title, [list(summary.history.header)])
            tab += [[c.value for c in row] for row in summary.history.rows]

    def email_of(self, auth: UserToken) -> str | None:
        with self._lock:
            self.userinfo_calls += 1
        if auth.access_token in self.rejected:
            raise Unauthenticated(None)
        return self.emails.get(auth.access_token)

    def open(self, spreadsheet_id: str, auth: SheetsAuth) -> None:
        with self._lock:
            self.opens += 1
        self._check(spreadsheet_id, auth)

    def can_open(self, spreadsheet_id: str, auth: SheetsAuth) -> bool:
        try:
            self.open(spreadsheet_id, auth)
        except (SpreadsheetNotFound, PermissionDenied):
            return False
        return True

    def sharing(self, spreadsheet_id: str, auth: SheetsAuth) -> tuple[Share, ...]:
        self._check(spreadsheet_id, auth)
        return tuple(self.shares.get(spreadsheet_id, ()))
