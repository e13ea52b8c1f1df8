"""The adapter's exceptions: Google's errors are translated into these once, at the boundary.

Hierarchy::

    port.SheetsError
     ├── SheetsConfigError          the adapter cannot be built (bad key file, bad settings)
     └── GoogleSheetsError          a call to Google failed; .spreadsheet_id, .status, .message
          ├── Unauthenticated       401, expired or unknown token, key refused at token exchange
          ├── PermissionDenied      403: the credentials may not open (or edit) the spreadsheet
          ├── SpreadsheetNotFound   404: no spreadsheet with that id
          ├── TabNotFound           a tab that was asked for does not exist; .tab, .existing
          ├── BadRequest            any other 4xx, with Google's own message
          │    ├── SummaryTabTaken  the Summary's tab exists and is not a Summary of ours
          │    ├── SummaryChanged   the Summary's tab appeared, vanished or was replaced
          │    │                    between the read and the write
          │    └── SheetTooLarge    the tabs to read hold more grid cells than a run reads
          └── RetriesExhausted      transient failures outlasted the retry deadline; .attempts
               ├── RateLimited          the last answer was 429 (quota)
               └── UpstreamUnavailable  408/5xx, timeouts, connection errors

Messages are written for the person who clicked "Classify": they say what is wrong and
what to do. Tokens never appear in messages or reprs (the adapter never passes them here).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.quoting import quoted
from sheets_adapter.port import SheetsError


class SheetsConfigError(SheetsError):
    """The adapter's settings cannot be used (for example an unreadable key file)."""


class GoogleSheetsError(SheetsError):
    """A Google API call about one spreadsheet failed."""

    default_message = "The Google Sheets API call failed."

    def __init__(
        self,
        spreadsheet_id: str | None,
        message: str | None = None,
        *,
        status: int | None = None,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.status = status
        self.message = message or self.default_text()
        super().__init__(self.message)

    def default_text(self) -> str:
        return self.default_message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(spreadsheet_id={self.spreadsheet_id!r}, "
            f"status={self.status!r}, message={self.message!r})"
        )


class Unauthenticated(GoogleSheetsError):
    def default_text(self) -> str:
        return (
            "Google did not accept the credentials (the access token is missing, expired or "
            "revoked). Sign in again and retry."
        )


class PermissionDenied(GoogleSheetsError):
    def default_text(self) -> str:
        return (
            f"You cannot open spreadsheet {self.spreadsheet_id} with this Google account. "
            "Ask its owner to share it with you as an editor."
        )


class SpreadsheetNotFound(GoogleSheetsError):
    def default_text(self) -> str:
        return (
            f"Spreadsheet {self.spreadsheet_id} does not exist (or was deleted). Check the id: "
            "it is the part of the spreadsheet's URL between /d/ and /edit."
        )


class TabNotFound(GoogleSheetsError):
    def __init__(
        self,
        spreadsheet_id: str | None,
        tab: str,
        existing: Sequence[str] = (),
        message: str | None = None,
    ) -> None:
        self.tab = tab
        self.existing = tuple(existing)
        super().__init__(spreadsheet_id, message, status=None)

    def default_text(self) -> str:
        tabs = ", ".join(quoted(t) for t in self.existing[:30]) or "none"
        if len(self.existing) > 30:
            tabs += f" and {len(self.existing) - 30} more"
        return (
            f"Spreadsheet {self.spreadsheet_id} has no tab named {quoted(self.tab)}. "
            f"Its tabs are: {tabs}. Rename the tab or choose another one in the options."
        )


class BadRequest(GoogleSheetsError):
    def default_text(self) -> str:
        return "Google Sheets rejected the request."


class SummaryTabTaken(BadRequest):
    """The tab the Summary (or the History rows) would go to exists and is not one this
    product wrote: it is never written to."""

    def __init__(self, spreadsheet_id: str | None, tab: str, option: str = "summaryTab") -> None:
        self.tab = tab
        what = {
            "summaryTab": "the tab the verdicts are written to",
            "historyTab": "the tab each run's verdicts are appended to",
        }[option]
        super().__init__(
            spreadsheet_id,
            f"The tab {quoted(tab)} already exists and was not written by Sales Verdicts, "
            f"so it was left as it is. Choose another {option} ({what}), or rename that tab.",
        )


class SummaryChanged(BadRequest):
    """The Summary's tab was created, deleted or replaced between the read and the write:
    nothing was written (its Notes would have been lost)."""


class SheetTooLarge(BadRequest):
    """The tabs a run would read hold more grid cells (rows x columns, empty ones
    included) than it may read; refused before any value is read."""

    def __init__(
        self, spreadsheet_id: str | None, sizes: Sequence[tuple[str, int, int]], limit: int
    ) -> None:
        self.sizes = tuple(sizes)
        self.limit = limit
        total = sum(rows * columns for _, rows, columns in sizes)
        biggest = sorted(sizes, key=lambda size: size[1] * size[2], reverse=True)
        shown = "; ".join(
            f"tab {quoted(tab)} is {rows:,} rows x {columns:,} columns ({rows * columns:,} cells)"
            for tab, rows, columns in biggest[:3]
        )
        super().__init__(
            spreadsheet_id,
            f"The tabs to read hold {total:,} grid cells, more than the {limit:,} a "
            f"classification reads: {shown}. Delete the empty rows and columns after the "
            "data (Sheets counts them too), or move old rows to another tab.",
        )


class RetriesExhausted(GoogleSheetsError):
    """Transient failures went on until the retry deadline."""

    def __init__(
        self,
        spreadsheet_id: str | None,
        message: str | None = None,
        *,
        status: int | None = None,
        attempts: int = 0,
        elapsed: float = 0.0,
    ) -> None:
        self.attempts = attempts
        self.elapsed = elapsed
        super().__init__(spreadsheet_id, message, status=status)


class RateLimited(RetriesExhausted):
    def default_text(self) -> str:
        return (
            "Google Sheets' request quota is used up for now "
            f"({self.attempts} attempts over {self.elapsed:.0f} s). Wait a minute and try again."
        )


class UpstreamUnavailable(RetriesExhausted):
    def default_text(self) -> str:
        return (
            "Google Sheets did not answer in time "
            f"({self.attempts} attempts over {self.elapsed:.0f} s). Try again in a few minutes."
        )


__all__ = [
    "BadRequest",
    "GoogleSheetsError",
    "PermissionDenied",
    "RateLimited",
    "RetriesExhausted",
    "SheetTooLarge",
    "SheetsConfigError",
    "SheetsError",
    "SpreadsheetNotFound",
    "SummaryChanged",
    "SummaryTabTaken",
    "TabNotFound",
    "Unauthenticated",
    "UpstreamUnavailable",
]
