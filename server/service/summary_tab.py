"""Whose tab the Summary goes to: never a tab this product did not write.

A Summary written by this backend carries a mark (sheet-located developer metadata, read
with the tab list: :attr:`SpreadsheetSnapshot.summary_marked`). An existing tab named by
``summaryTab`` without that mark is refused, whatever it holds, with one exception: a
Summary written by the previous version, before the mark existed, whose first row is
exactly the Summary header (``Group | Quarter | Plan | …``). That one is adopted: it is
written and marked like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.service.summary import HEADER
from sheets_adapter.errors import SummaryTabTaken
from sheets_adapter.port import SpreadsheetSnapshot

#: The header of the Summaries written before the mark (SPEC 3).
LEGACY_HEADER = (
    "Group",
    "Quarter",
    "Plan",
    "Bookings",
    "Attainment",
    "Growth",
    "Verdict",
    "Flags",
    "Recommended action",
    "Notes",
)


def is_legacy_summary(values: Sequence[Sequence[Any]]) -> bool:
    """The tab's first row is exactly a Summary header (blank cells after it aside)."""
    if not values:
        return False
    first = [str(cell) if cell is not None else "" for cell in values[0]]
    while first and first[-1] == "":
        first.pop()
    return tuple(first) in (LEGACY_HEADER, tuple(HEADER))


def check_summary_tab(snapshot: SpreadsheetSnapshot) -> None:
    """Raise :class:`SummaryTabTaken` unless the Summary may be written where it goes."""
    existing = snapshot.summary
    if existing is None or snapshot.summary_marked or is_legacy_summary(existing.values):
        return
    raise SummaryTabTaken(snapshot.spreadsheet_id, existing.title)
