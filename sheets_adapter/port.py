"""The port the service layer uses to reach a spreadsheet, and the values it trades in.

The service never sees gspread: it asks a :class:`SheetsPort` to read tabs and to
write a :class:`SummarySheet`. The gspread adapter implements it over HTTP; unit
tests of the service implement it in memory.
"""

from __future__ import annotations

import abc
import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UserToken:
    """User mode: the caller's Google OAuth access token; the API is called as the caller."""

    access_token: str = field(repr=False)

    def __str__(self) -> str:
        return "UserToken(***)"

    @property
    def identity(self) -> str:
        """A stable, non-secret key for the token (a hash: the token itself is never kept
        as a key). Caches, flights and recent runs are per identity."""
        return "user:" + hashlib.sha256(self.access_token.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ServiceAccountAuth:
    """Service-account mode: the API is called as the backend's service account."""

    caller_email: str | None = None  # who asked, for the record; never used as a credential


SheetsAuth = UserToken | ServiceAccountAuth


@dataclass(frozen=True)
class TabGrid:
    """One tab's values as the API returns them (UNFORMATTED_VALUE, SERIAL_NUMBER)."""

    title: str
    sheet_id: int
    values: list[list[Any]]


@dataclass(frozen=True)
class SpreadsheetSnapshot:
    spreadsheet_id: str
    title: str
    sheet_ids: dict[str, int]  # every tab of the spreadsheet, title -> sheetId
    # the tabs that were asked for, and the optional ones that exist, by the title asked
    tabs: dict[str, TabGrid]
    summary: TabGrid | None  # the existing Summary tab, when there is one
    locale: str | None = None  # the spreadsheet's locale ("en_GB"); None when unknown (CSV)
    time_zone: str | None = None  # its time zone ("Europe/London"); None when unknown
    # the existing Summary tab carries this product's mark (it wrote it); a tab without
    # it is written only when the service has judged it a Summary of ours
    summary_marked: bool = False


class CellKind(enum.Enum):
    TEXT = "TEXT"
    CURRENCY = "CURRENCY"  # an amount in the sheet's reporting currency
    PERCENT = "PERCENT"
    VERDICT = "VERDICT"  # text, coloured by verdict
    DATETIME = "DATETIME"
    HEADER = "HEADER"  # a column heading: bold on a grey fill
    TITLE = "TITLE"  # a block's title ("This quarter so far"): bold, larger


@dataclass(frozen=True)
class SummaryCell:
    value: str | float | None
    kind: CellKind = CellKind.TEXT
    bold: bool = False


Row = tuple[SummaryCell, ...]


@dataclass(frozen=True)
class HistoryRows:
    """Rows to append to the History tab in the Summary's batchUpdate (created when
    missing, with ``header`` as its first row; an existing tab only gets ``rows`` appended
    under what it holds)."""

    title: str
    header: tuple[str, ...]
    rows: list[Row]


@dataclass(frozen=True)
class SummarySheet:
    """Everything the Summary tab will hold after a run, before it is rendered to API requests.

    From A1: the ``above`` rows (the "This quarter so far" block, ending with a blank
    row; none when no quarter is in progress), the table's ``header`` row, the ``table``
    rows lined up with it, one blank row, then the ``footer`` rows (the run line, data
    issues, kept notes, "How this was read"). ``chart`` rows are the company total's
    (quarter, plan, bookings), the first rows of the table. ``currency`` is the reporting
    currency's ISO code (None: the spreadsheet's locale picks the symbol). ``history``
    is appended to the History tab in the same write.
    """

    title: str
    header: tuple[str, ...]
    table: list[Row]
    footer: list[Row]
    chart: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    above: list[Row] = field(default_factory=list)
    currency: str | None = None
    history: HistoryRows | None = None

    @property
    def header_row(self) -> int:
        """The 0-based row of the table's header."""
        return len(self.above)

    def rows(self) -> list[Row]:
        """Every row from A1, as the tab holds it (an empty tuple is a blank row)."""
        rows = list(self.above)
        rows.append(tuple(SummaryCell(h, CellKind.HEADER) for h in self.header))
        rows += self.table
        if self.footer:
            rows.append(())
            rows += self.footer
        return rows


@dataclass(frozen=True)
class Share:
    """One Drive permission of a spreadsheet's file, as ``permissions.list`` gives it:
    ``kind`` is ``user``, ``group``, ``domain`` or ``anyone``; ``role`` is ``owner``,
    ``organizer``, ``fileOrganizer``, ``writer``, ``commenter`` or ``reader``."""

    kind: str
    role: str
    email: str | None = None  # user and group shares
    domain: str | None = None  # domain shares


class SheetsError(Exception):
    """Base of the adapter's errors; see ``sheets_adapter.errors`` for the hierarchy."""


class SheetsPort(abc.ABC):
    """Reads the input tabs and writes the Summary tab of one spreadsheet."""

    @abc.abstractmethod
    def read(
        self,
        spreadsheet_id: str,
        tabs: Sequence[str],
        summary_tab: str,
        auth: SheetsAuth,
        *,
        optional: Sequence[str] = (),
    ) -> SpreadsheetSnapshot:
        """Read ``tabs`` (all must exist), the ``optional`` tabs that exist (a missing one
        is no error and costs no request) and the Summary tab (if it exists) in one batch,
        with the spreadsheet's locale and time zone."""

    @abc.abstractmethod
    def write_summary(
        self,
        snapshot: SpreadsheetSnapshot,
        summary: SummarySheet,
        auth: SheetsAuth,
    ) -> None:
        """Replace the Summary tab with ``summary``, and append ``summary.history`` to the
        History tab, in one atomic batchUpdate; mark the Summary as ours. An existing tab
        without the mark is written only when it is the one ``snapshot.summary`` holds
        (the caller judged it ours); any other is refused with
        :class:`~sheets_adapter.errors.SummaryTabTaken`."""

    @abc.abstractmethod
    def open(self, spreadsheet_id: str, auth: SheetsAuth) -> None:
        """Check that ``auth`` may open the spreadsheet: one metadata request, whose answer
        the next :meth:`read` uses. Raises as :meth:`read` would (unauthenticated,
        permission denied, not found)."""

    @abc.abstractmethod
    def can_open(self, spreadsheet_id: str, auth: SheetsAuth) -> bool:
        """Whether ``auth`` may open the spreadsheet (:meth:`open`, a refusal as False)."""

    @abc.abstractmethod
    def sharing(self, spreadsheet_id: str, auth: SheetsAuth) -> tuple[Share, ...]:
        """Everyone the spreadsheet is shared with (its Drive permissions), listed with
        ``auth``'s credentials (the service account's: it must be able to open it)."""

    @property
    def service_account_email(self) -> str | None:
        """The service account's address in service-account mode (for messages)."""
        return None

    def email_of(self, auth: UserToken) -> str | None:  # noqa: ARG002 - a hook
        """The e-mail behind a user's token (Google's userinfo), None when Google does not
        say; a token Google refuses raises ``Unauthenticated``. Sources without users
        (CSV files) know none."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release HTTP sessions."""
