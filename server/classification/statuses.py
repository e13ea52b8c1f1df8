"""Deal status: which rows of a CRM export are bookings (won), lost, or still open.

Only won rows are bookings. The vocabulary covers what CRMs write by default
(Salesforce ``Closed Won``/``Closed Lost``, HubSpot ``closedwon``, Pipedrive ``won``/
``lost``/``open``, Zoho ``Closed Won``, numbered stages such as ``6 - Closed Won``) and
TRUE/FALSE won columns. The option ``wonStatuses`` names the won values of a sheet
whose stages are spelled otherwise; when a status column holds no value that reads as
won, the run is refused rather than reporting zero bookings (see ``engine``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Any


class Status(enum.IntEnum):
    """Codes are small ints: they are part of the reader's integer bucket keys."""

    WON = 0
    LOST = 1
    OPEN = 2


_WON = {"closedwon", "won", "booked", "signed", "closedbooked", "closedsigned", "win"}
_WON |= {"contractsigned", "wonclosed", "closedwonbooked", "true", "yes", "y", "1"}
_LOST = {"closedlost", "lost", "lose", "disqualified", "dead", "cancelled", "canceled"}
_LOST |= {"nodecision", "closednodecision", "rejected", "declined", "closeddisqualified"}
_LOST |= {"closedduplicate", "duplicate", "churned", "false", "no", "n", "0", "closedother"}
_LEADING_NUMBER = re.compile(r"^\s*\d{1,3}\s*[-.:)]\s*")


def status_key(value: Any) -> str:
    """The matching form of a status cell: ``6 - Closed Won`` -> ``closedwon``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    text = _LEADING_NUMBER.sub("", str(value or ""))
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class StatusReader:
    """Reads a status column's cells, with the option's won values when given.

    ``closed`` is an optional second TRUE/FALSE column (Salesforce's ``Closed``): with a
    won flag, closed and not won is lost, not closed is open. Without it, a FALSE won
    flag is lost only if nothing says the deal is still open.
    """

    def __init__(self, won_statuses: Iterable[str] | None = None) -> None:
        self.won = {status_key(v) for v in won_statuses} if won_statuses else None

    def __call__(self, value: Any, closed: Any = None) -> Status:
        key = status_key(value)
        if self.won is not None:
            if key in self.won:
                return Status.WON
        elif key in _WON or (
            "won" in key and "lost" not in key and "not" not in key and not key.startswith("wont")
        ):
            return Status.WON
        if closed is not None and status_key(closed) in ("false", "no", "0"):
            return Status.OPEN
        if key in _LOST or "lost" in key or (key.startswith("closed") and "won" not in key):
            return Status.LOST
        return Status.OPEN

    def describe(self) -> str:
        if self.won is not None:
            return "won values from the wonStatuses option"
        return "Closed Won, Won, Booked or Signed (or TRUE) count as won"
