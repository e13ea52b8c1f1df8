"""Sums the run store can keep to the cent, checked before anything is written.

Each cell is capped when it is read, but a group's quarter adds up many cells: a sum past
``NUMERIC(18, 2)`` (16 digits before the point) would be written to the Summary and then
refused by the store. So the verdicts are checked first, and a sum too large refuses the
run (``BAD_INPUT``) naming the group and quarter, before any write.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from server.classification import ClassificationError, QuarterVerdict
from server.store.codec import MAX_AMOUNT, fits

_AMOUNTS = ("plan", "bookings", "baseline", "gap")


class SumTooLarge(ClassificationError):
    """A group's quarter sum is too large to be kept to the cent."""

    def __init__(self, group: str | None, quarter: str, what: str, amount: float) -> None:
        self.group = group
        self.quarter = quarter
        self.what = what
        self.amount = amount
        who = "the company total" if group is None else f"group {group[:80]!r}"
        super().__init__(
            f"The {what} of {who} in {quarter} adds up to {amount:,.2f}, more than the "
            f"{MAX_AMOUNT:,} a run can keep to the cent. Check the amounts of "
            "that group and quarter (a unit or a stray digit?); nothing was written."
        )


def check_amounts(verdicts: Iterable[QuarterVerdict], issues: tuple[Any, ...] = ()) -> None:
    """Raise :class:`SumTooLarge` (carrying ``issues``) for the first amount that does not
    fit, a group's before the company total's (a group's is the one to look into)."""
    for verdict in sorted(verdicts, key=lambda v: v.group is None):
        for what in _AMOUNTS:
            amount = getattr(verdict, what)
            if not fits(amount):
                err = SumTooLarge(verdict.group, verdict.quarter, what, amount)
                err.issues = issues
                raise err
