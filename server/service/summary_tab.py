"""Whose tab the Summary goes to: never a tab this product did not write.

A Summary written by this backend carries a mark (sheet-located developer metadata, read
with the tab list: :attr:`SpreadsheetSnapshot.summary_marked`). An existing tab named by
``summaryTab`` without that mark is refused, whatever it holds, with one exception: a
Summary written before the mark existed (or a copy of one whose mark names another
tab) that begins as a Summary does: a Summary header (``Group | Quarter | Plan | …``) in
its first row, or under the "This quarter so far" block that starts it. That one is
adopted: it is written and marked like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.service.summary import HEADER, LABEL
from server.service.summary_blocks import PACE_TITLE
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


#: Rows above a Summary's table (the pace block) looked through for its header.
HEADER_WITHIN = 40


def _cells(row: Sequence[Any]) -> tuple[str, ...]:
    cells = [str(cell) if cell is not None else "" for cell in row]
    while cells and cells[-1] == "":
        cells.pop()
    return tuple(cells)


def is_legacy_summary(values: Sequence[Sequence[Any]]) -> bool:
    """The tab begins as a Summary does: its first row is exactly a Summary header (blank
    cells after it aside), or the "This quarter so far" title with such a header below
    it (the layout with the pace block above the table)."""
    if not values:
        return False
    at = HEADER.index("Quarter") + 1
    headers = {LEGACY_HEADER, tuple(HEADER), (*HEADER[:at], LABEL, *HEADER[at:])}
    first = _cells(values[0])
    if first in headers:
        return True
    if not (first and first[0].startswith(PACE_TITLE)):
        return False
    return any(_cells(row) in headers for row in values[1:HEADER_WITHIN])


def check_summary_tab(snapshot: SpreadsheetSnapshot) -> None:
    """Raise :class:`SummaryTabTaken` unless the Summary may be written where it goes."""
    existing = snapshot.summary
    if existing is None or snapshot.summary_marked or is_legacy_summary(existing.values):
        return
    raise SummaryTabTaken(snapshot.spreadsheet_id, existing.title)
