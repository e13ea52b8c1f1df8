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
#: Pipeline steps that say a deal is still open (HubSpot's default stage ids, Salesforce's
#: and Pipedrive's default stages, what people type in a hand-kept log).
_OPEN = {"open", "pending", "inprogress", "ongoing", "active", "negotiation", "proposal"}
_OPEN |= {"qualification", "qualified", "prospecting", "prospect", "discovery", "demo"}
_OPEN |= {"pipeline", "commit", "bestcase", "contractsent", "appointmentscheduled"}
_OPEN |= {"qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "onhold"}
_OPEN |= {"needsanalysis", "valueproposition", "perceptionanalysis", "proposalpricequote"}
_OPEN |= {"negotiationreview", "iddecisionmakers", "stalled", "new", "quoted", "verbal"}
#: A won stage undone since (Closed Won - Cancelled, Won (refunded)): lost.
_UNDONE = ("cancel", "churn", "revers", "refund", "void", "rescind", "clawback", "terminat")
#: A won stage not final yet (Won - Pending Signature, Closed Won Awaiting Approval): open.
_NOT_YET = ("pending", "awaiting", "unsigned", "notsigned", "tobesigned")
#: Salesforce's Forecast Category: Closed is the category of won stages, Omitted of lost.
FORECAST_CATEGORIES = {"closed": 0, "omitted": 1, "commit": 2, "bestcase": 2, "pipeline": 2}
FORECAST_CATEGORIES |= {"mostlikely": 2}
#: Won/lost words that only a column's header can make a status (a TRUE/FALSE column).
_FLAG_WORDS = {"true", "false", "yes", "no", "y", "n", "1", "0"}
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

    def __init__(
        self, won_statuses: Iterable[str] | None = None, *, categories: bool = False
    ) -> None:
        self.won = {status_key(v) for v in won_statuses} if won_statuses else None
        self.categories = categories  # the column is Salesforce's Forecast Category

    def __call__(self, value: Any, closed: Any = None) -> Status:
        key = status_key(value)
        if self.categories and self.won is None:
            return Status(FORECAST_CATEGORIES.get(key, Status.OPEN))
        if self.won is not None:
            if key in self.won:
                return Status.WON
        elif key in _WON or (
            "won" in key and "lost" not in key and "not" not in key and not key.startswith("wont")
        ):
            if any(word in key for word in _UNDONE):
                return Status.LOST  # Closed Won - Cancelled: won once, no booking now
            if any(word in key for word in _NOT_YET):
                return Status.OPEN  # Won - Pending Signature: not booked yet
            return Status.WON
        if closed is not None and status_key(closed) in ("false", "no", "0"):
            return Status.OPEN
        if key in _LOST or "lost" in key or (key.startswith("closed") and "won" not in key):
            return Status.LOST
        return Status.OPEN

    def describe(self) -> str:
        if self.won is not None:
            return "won values from the wonStatuses option"
        if self.categories:
            return "Forecast Category Closed counts as won, Omitted as lost"
        return "Closed Won, Won, Booked or Signed (or TRUE) count as won"


def known_status(value: Any) -> Status | None:
    """What a cell says of a deal when its words are a status by themselves (Won, Closed
    Lost, Pending, closedwon, Negotiation), else None. TRUE/FALSE, Yes/No and 1/0 are
    None: only a header (Won?, Is Closed) makes them a status."""
    key = status_key(value)
    if not key or key in _FLAG_WORDS or not isinstance(value, str):
        return None
    if key in _OPEN:
        return Status.OPEN
    status = _READER(value)
    if status is Status.OPEN:
        return None  # not a word we know: open is only the fallback
    return status


def category_column(values: Iterable[Any]) -> bool:
    """Values that are Salesforce Forecast Categories, Closed among them."""
    keys = {status_key(v) for v in values}
    return "closed" in keys and keys <= FORECAST_CATEGORIES.keys()


_READER = StatusReader()
