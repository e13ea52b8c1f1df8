"""The Summary tab's layout (README, "The Summary tab"): what a run writes, as a
:class:`SummarySheet`.

Pure: no I/O, no clock (the run's time is passed in). The adapter renders the result
into one atomic ``batchUpdate``. Layout from A1::

    This quarter so far: 2026-Q4, as of 2026-12-01: 67% of the quarter gone
    Group | Elapsed | Plan | Booked so far | Projected | Open pipeline | Coverage | Outlook | …
    Total | 67% | …                                   (the pace block: only while a quarter
    AMER  | 67% | …                                    is in progress; its columns sit under
    Projected = booked so far ÷ …                      the table's Quarter, Plan, Bookings…)
    <blank row>
    Group | Quarter | [Label] | Plan | Bookings | Gap | Attainment | Growth | Verdict |
          Flags | Why | Recommended action | Notes   (the table's header: frozen with
                                                     everything above it when that is short)
    Total | 2025-Q1 | …     (company total first, then groups by name,
    AMER  | 2025-Q1 | …      each by quarter, up to the quarter asked)
    <blank row>
    Classified at (UTC) | 2026-01-05 09:30 | Quarter | 2025-Q4 | Data issues | 2 | As of | …
    Severity | Tab | Row | Column | Value | Issue      (only when there are issues; errors
    Error | Bookings | 14 | Amount | #REF! | …          first, at most 50, then a count)
    <blank row>
    Notes kept from earlier runs …                     (only when some note has no row now)
    EMEA | 2024-Q4 | … | <note in the Notes column>
    <blank row>
    How this was read                                  (fiscal calendar, as of, group
    …                                                   columns, currency; per tab: header
                                                        row, layout, rows, control total,
                                                        unit; the columns used and why;
                                                        rows left out by reason; notes)

``Label`` is there when the sheet writes its quarters in a style of its own (``FY26 Q4``,
not merely ``Q4 2026``) beside the canonical ``2026-Q4``; ``Why`` holds the drivers'
sentence (deal rows only).

The user's Notes survive re-classification: the existing tab's table header is found
(the first row holding Group, Quarter and Notes, wherever it is, columns in any order),
every row below it with a group, a quarter and a note gives (group, quarter) -> note, and
each note goes back on the row with the same group (case- and space-insensitive) and
quarter. Notes whose row no longer exists are written in the "kept" block, in the table's
columns, so the next run reads them again and puts them back if their row returns. A
note is never dropped.

With the ``historyTab`` option the sheet also gets one History row per group for the
quarter classified (:func:`~server.service.summary_blocks.history_rows`), appended in
the same write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from server.classification.model import ClassificationResult, QuarterVerdict
from server.classification.values import fold
from server.service.limits import total_issues
from server.service.summary_blocks import (
    TOTAL,
    flags_text,
    history_rows,
    issues_block,
    pace_block,
    read_block,
    says_more,
    text,
    title,
)
from sheets_adapter.port import CellKind, Row, SummaryCell, SummarySheet, TabGrid

HEADER = (
    "Group",
    "Quarter",
    "Plan",
    "Bookings",
    "Gap",
    "Attainment",
    "Growth",
    "Verdict",
    "Flags",
    "Why",
    "Recommended action",
    "Notes",
)
LABEL = "Label"  # the sheet's own quarter label, after Quarter, when it writes another style
KEPT_TITLE = "Notes kept from earlier runs (their group or quarter is not in the table now)"

NOTE_HEADERS = ("notes", "note", "comments", "comment")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
_SHEETS_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)

NoteValue = str | float
NoteKey = tuple[str, str]


def _norm(value: object) -> str:
    return fold(str(value))


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
    """(row, group col, quarter col, notes col) of the table's header row, if any: the
    first row holding Group, Quarter and a Notes column (blocks above the table, such as
    the pace block, have no Quarter column)."""
    for r, row in enumerate(values):
        names = [_norm(cell) if isinstance(cell, str) else "" for cell in row]
        if "group" not in names or "quarter" not in names:
            continue
        notes = next((names.index(n) for n in NOTE_HEADERS if n in names), None)
        if notes is not None:
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


def table_header(verdicts: Sequence[QuarterVerdict]) -> tuple[str, ...]:
    """:data:`HEADER`, with ``Label`` after ``Quarter`` when the sheet writes its quarters
    in a style that says more than the canonical ``2025-Q1`` (:func:`says_more`)."""
    if any(v.label and says_more(v.label, v.quarter) for v in verdicts):
        at = HEADER.index("Quarter") + 1
        return (*HEADER[:at], LABEL, *HEADER[at:])
    return HEADER


def verdict_row(
    verdict: QuarterVerdict, note: NoteValue | None, header: Sequence[str] = HEADER
) -> Row:
    is_total = verdict.group is None
    cells = {
        "Group": text(TOTAL if is_total else verdict.group, bold=is_total),
        "Quarter": text(verdict.quarter),
        LABEL: text(verdict.shown_label),
        "Plan": SummaryCell(verdict.plan, CellKind.CURRENCY),
        "Bookings": SummaryCell(verdict.bookings, CellKind.CURRENCY),
        "Gap": SummaryCell(verdict.gap, CellKind.CURRENCY),
        "Attainment": SummaryCell(verdict.attainment, CellKind.PERCENT),
        "Growth": SummaryCell(verdict.growth, CellKind.PERCENT),
        "Verdict": SummaryCell(verdict.verdict.text, CellKind.VERDICT),
        "Flags": text(flags_text(verdict)),
        "Why": text(verdict.drivers.explanation if verdict.drivers else None),
        "Recommended action": text(verdict.action),
        "Notes": SummaryCell(note if note not in ("", None) else None),
    }
    return tuple(cells.get(name, SummaryCell(None)) for name in header)


def _ordered(verdicts: Iterable[QuarterVerdict], quarter: str) -> list[QuarterVerdict]:
    chosen = [v for v in verdicts if v.quarter <= quarter]
    return sorted(
        chosen, key=lambda v: (v.group is not None, group_key(v.group), v.group or "", v.quarter)
    )


def _padded(cells: dict[int, SummaryCell]) -> Row:
    width = max(cells) + 1
    return tuple(cells.get(i, SummaryCell(None)) for i in range(width))


def _run_line(result: ClassificationResult, quarter: str, run_at: datetime) -> Row:
    in_progress = any(v.in_progress for v in result.verdicts if v.quarter == quarter)
    cells: list[SummaryCell] = [
        text("Classified at (UTC)", bold=True),
        SummaryCell(sheets_serial(run_at), CellKind.DATETIME),
        text("Quarter", bold=True),
        text(f"{quarter} (in progress)" if in_progress else quarter),
        text("Data issues", bold=True),
        SummaryCell(float(total_issues(result.issues))),
    ]
    if result.as_of is not None:
        cells += [text("As of", bold=True), text(result.as_of.isoformat())]
    return tuple(cells)


def _kept_block(leftovers: list[tuple[str, str, NoteValue]], header: Sequence[str]) -> list[Row]:
    if not leftovers:
        return []
    g_col, q_col, n_col = header.index("Group"), header.index("Quarter"), header.index("Notes")
    rows: list[Row] = [(), title(KEPT_TITLE)]
    for group, note_quarter, note in sorted(leftovers, key=lambda n: (_norm(n[0]), n[1])):
        rows.append(
            _padded({g_col: text(group), q_col: text(note_quarter), n_col: SummaryCell(note)})
        )
    return rows


def build_summary(  # noqa: PLR0913 - keyword-only, the last two with defaults
    result: ClassificationResult,
    *,
    quarter: str,
    run_at: datetime,
    existing: TabGrid | None,
    summary_tab: str,
    run_id: str | None = None,
    caller: str | None = None,
) -> SummarySheet:
    """Everything the Summary tab will hold after this run (see the module docstring).

    ``run_id`` and ``caller`` (who asked) go into the History tab's rows when the
    ``historyTab`` option is set; nothing else uses them."""
    notes = read_notes(existing)
    verdicts = _ordered(result.verdicts, quarter)
    header = table_header(verdicts)
    table = []
    used: set[NoteKey] = set()
    for verdict in verdicts:
        key = (group_key(verdict.group), verdict.quarter)
        kept = notes.get(key)
        if kept is not None:
            used.add(key)
        table.append(verdict_row(verdict, kept[2] if kept else None, header))

    footer: list[Row] = [_run_line(result, quarter, run_at)]
    footer += issues_block(result.issues)
    footer += _kept_block([notes[k] for k in notes if k not in used], header)
    footer += [(), *read_block(result)]
    history = None
    if result.options.history_tab is not None:
        history = history_rows(
            [v for v in verdicts if v.quarter == quarter],
            tab=result.options.history_tab,
            run_at=sheets_serial(run_at),
            run_id=run_id,
            caller=caller,
        )
    chart = [(v.quarter, v.plan, v.bookings) for v in verdicts if v.group is None]
    return SummarySheet(
        title=summary_tab,
        header=header,
        table=table,
        footer=footer,
        chart=chart,
        above=pace_block(result, header),
        currency=result.currency,
        history=history,
    )
