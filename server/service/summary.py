"""The Summary tab's layout (README, "The Summary tab"): what a run writes, as a
:class:`SummarySheet`.

Pure: no I/O, no clock (the run's time is passed in). The adapter renders the result
into one atomic ``batchUpdate``. Layout from A1::

    Group | Quarter | Plan | Bookings | Attainment | Growth | Verdict | Flags | Recommended
          action | Notes                                  (one header row, frozen)
    Total | 2025-Q1 | …     (company total first, then groups by name,
    AMER  | 2025-Q1 | …      each by quarter, up to the quarter asked)
    <blank row>
    Classified at (UTC) | 2026-01-05 09:30 | Quarter | 2025-Q4 | Data issues | 2
    Tab | Row | Column | Value | Issue                    (only when there are issues)
    Bookings | 14 | Amount | #REF! | Bookings!C14: "#REF!" is a formula error, row skipped
    <blank row>
    Notes kept from earlier runs …                       (only when some note has no row now)
    EMEA | 2024-Q4 | … | <note in the Notes column>

The user's Notes survive re-classification: the existing tab's header row is found
(anywhere in its first rows, columns in any order), every row with a group, a quarter
and a note gives (group, quarter) -> note, and each note goes back on the row with the
same group (case- and space-insensitive) and quarter. Notes whose row no longer exists
are written in the "kept" block, in the table's columns, so the next run reads them again
and puts them back if their row returns. A note is never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from server.classification.model import (
    ClassificationResult,
    DataIssue,
    Flag,
    QuarterVerdict,
    Verdict,
)
from server.classification.values import fold
from sheets_adapter.port import CellKind, SummaryCell, SummarySheet, TabGrid

HEADER = (
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
GROUP_COL, QUARTER_COL, NOTES_COL = 0, 1, HEADER.index("Notes")
TOTAL = "Total"
KEPT_TITLE = "Notes kept from earlier runs (their group or quarter is not in the table now)"
ISSUES_HEADER = ("Tab", "Row", "Column", "Value", "Issue")

VERDICT_TEXT = {
    Verdict.BEAT: "Beat",
    Verdict.SOFT_MISS: "Soft Miss",
    Verdict.HARD_MISS: "Hard Miss",
    Verdict.NO_PLAN: "No Plan",
    Verdict.NO_BASELINE: "No Baseline",
}
FLAG_TEXT = {
    Flag.CONSECUTIVE_HARD_MISS: "Consecutive Hard Miss",
    Flag.REPEATED_HARD_MISS: "Repeated Hard Miss",
    Flag.FREQUENT_SOFT_MISS: "Frequent Soft Miss",
    Flag.UNREALISTIC_PLAN: "Unrealistic Plan",
    Flag.DATA_ISSUES: "Data Issues",
}

NOTE_HEADERS = ("notes", "note", "comments", "comment")
HEADER_SCAN_ROWS = 50
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
_SHEETS_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)

NoteValue = str | float
NoteKey = tuple[str, str]


def _norm(text: object) -> str:
    return fold(str(text))


def group_key(group: str | None) -> str:
    return _norm(TOTAL if group is None else group)


def _quarter_key(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    match = _QUARTER.match(value)
    return f"{match.group(1)}-Q{match.group(2)}" if match else None


def sheets_serial(moment: datetime) -> float:
    """A datetime as a Sheets date-time serial number, in UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return (aware.astimezone(UTC) - _SHEETS_EPOCH).total_seconds() / 86400


# -- reading the user's notes ---------------------------------------------------------------


def _find_header(values: Sequence[Sequence[Any]]) -> tuple[int, int, int, int] | None:
    """(row, group col, quarter col, notes col) of the table's header row, if any."""
    for r, row in enumerate(values[:HEADER_SCAN_ROWS]):
        names = [_norm(cell) if isinstance(cell, str) else "" for cell in row]
        if "group" not in names or "quarter" not in names:
            continue
        notes = next((names.index(n) for n in NOTE_HEADERS if n in names), None)
        if notes is None:
            return None
        return r, names.index("group"), names.index("quarter"), notes
    return None


def _note_value(value: Any) -> NoteValue | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def read_notes(existing: TabGrid | None) -> dict[NoteKey, tuple[str, str, NoteValue]]:
    """(group key, quarter) -> (group as written, quarter, note) from an existing Summary.

    Several notes for one key (a user copied rows) are joined, never dropped."""
    if existing is None:
        return {}
    found = _find_header(existing.values)
    if found is None:
        return {}
    header_row, g_col, q_col, n_col = found
    notes: dict[NoteKey, tuple[str, str, NoteValue]] = {}
    for row in existing.values[header_row + 1 :]:
        cells = list(row) + [None] * (max(g_col, q_col, n_col) + 1 - len(row))
        group, quarter, note = cells[g_col], _quarter_key(cells[q_col]), _note_value(cells[n_col])
        if quarter is None or note is None or group is None or not str(group).strip():
            continue
        key = (_norm(group), quarter)
        if key in notes and notes[key][2] != note:
            earlier = notes[key]
            note = f"{earlier[2]}\n{note}"
        notes[key] = (str(group).strip(), quarter, note)
    return notes


# -- building the sheet ---------------------------------------------------------------------


def _text(value: str | None, *, bold: bool = False) -> SummaryCell:
    return SummaryCell(value if value else None, CellKind.TEXT, bold)


def verdict_row(verdict: QuarterVerdict, note: NoteValue | None) -> tuple[SummaryCell, ...]:
    is_total = verdict.group is None
    return (
        _text(TOTAL if is_total else verdict.group, bold=is_total),
        _text(verdict.quarter),
        SummaryCell(verdict.plan, CellKind.CURRENCY),
        SummaryCell(verdict.bookings, CellKind.CURRENCY),
        SummaryCell(verdict.attainment, CellKind.PERCENT),
        SummaryCell(verdict.growth, CellKind.PERCENT),
        SummaryCell(VERDICT_TEXT[verdict.verdict], CellKind.VERDICT),
        _text(", ".join(FLAG_TEXT[f] for f in verdict.flags)),
        _text(verdict.action),
        SummaryCell(note if note not in ("", None) else None),
    )


def _ordered(verdicts: Iterable[QuarterVerdict], quarter: str) -> list[QuarterVerdict]:
    chosen = [v for v in verdicts if v.quarter <= quarter]
    return sorted(
        chosen, key=lambda v: (v.group is not None, group_key(v.group), v.group or "", v.quarter)
    )


def _issue_row(issue: DataIssue) -> tuple[SummaryCell, ...]:
    return (
        _text(issue.tab),
        SummaryCell(float(issue.row)),
        _text(issue.column),
        _text(issue.value),
        _text(issue.message),
    )


def _padded(cells: dict[int, SummaryCell]) -> tuple[SummaryCell, ...]:
    width = max(cells) + 1
    return tuple(cells.get(i, SummaryCell(None)) for i in range(width))


def build_summary(
    result: ClassificationResult,
    *,
    quarter: str,
    run_at: datetime,
    existing: TabGrid | None,
    summary_tab: str,
) -> SummarySheet:
    """Everything the Summary tab will hold after this run (see the module docstring)."""
    notes = read_notes(existing)
    verdicts = _ordered(result.verdicts, quarter)
    table = []
    used: set[NoteKey] = set()
    for verdict in verdicts:
        key = (group_key(verdict.group), verdict.quarter)
        kept = notes.get(key)
        if kept is not None:
            used.add(key)
        table.append(verdict_row(verdict, kept[2] if kept else None))

    footer: list[tuple[SummaryCell, ...]] = [
        (
            _text("Classified at (UTC)", bold=True),
            SummaryCell(sheets_serial(run_at), CellKind.DATETIME),
            _text("Quarter", bold=True),
            _text(quarter),
            _text("Data issues", bold=True),
            SummaryCell(float(len(result.issues))),
        )
    ]
    if result.issues:
        footer.append(tuple(_text(h, bold=True) for h in ISSUES_HEADER))
        footer += [_issue_row(issue) for issue in result.issues]
    leftovers = [notes[k] for k in notes if k not in used]
    if leftovers:
        footer.append(())
        footer.append((_text(KEPT_TITLE, bold=True),))
        for group, note_quarter, note in sorted(leftovers, key=lambda n: (_norm(n[0]), n[1])):
            footer.append(
                _padded(
                    {
                        GROUP_COL: _text(group),
                        QUARTER_COL: _text(note_quarter),
                        NOTES_COL: SummaryCell(note),
                    }
                )
            )
    chart = [(v.quarter, v.plan, v.bookings) for v in verdicts if v.group is None]
    return SummarySheet(
        title=summary_tab,
        header=HEADER,
        table=table,
        footer=footer,
        chart=chart,
    )
