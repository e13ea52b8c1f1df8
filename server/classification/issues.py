"""Data issues: a rejected or skipped cell, located and explained for a finance analyst.

Every message starts with the cell's A1 reference and says what happened to the row,
e.g. ``Bookings!C14: "#REF!" is a formula error, row skipped``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from server.classification.model import DataIssue, Severity
from server.classification.values import BLANK, NOT_PERIOD, Problem, cell_text

_PLAIN_TAB = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_SHOWN = 60

DATE_EXPECTED = "is not a date (expected e.g. 3/31/2025, 2025-03-31, 31 Mar 2025)"
QUARTER_EXPECTED = "is not a quarter (expected e.g. Q1 2025 or 2025-Q1) or a date"


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def a1(tab: str, row: int, column: int) -> str:
    """``Bookings!C14``; a tab name with spaces or punctuation is quoted: ``'Q3 deals'!C14``."""
    name = tab if _PLAIN_TAB.fullmatch(tab) else "'" + tab.replace("'", "''") + "'"
    return f"{name}!{column_letters(column)}{row}"


def _shown(raw: Any) -> str:
    text = cell_text(raw) or ""
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return f'"{text}"' if isinstance(raw, str) else text


@dataclass(frozen=True)
class Where:
    """A cell: its tab, 1-based sheet row, 0-based column and the column's header."""

    tab: str
    row: int
    column: int
    header: str


def rejected(
    where: Where, raw: Any, problem: Problem, *, what: str = "row", date_column: bool = False
) -> DataIssue:
    """An ERROR issue: the cell's row (or, in a wide table, the cell) did not count."""
    tab, row, column, header = where.tab, where.row, where.column, where.header
    ref = a1(tab, row, column)
    if problem.blank:
        message = f"{ref}: the {header} {BLANK.reason}, {what} skipped"
    else:
        reason = problem.reason
        if problem is NOT_PERIOD:
            reason = DATE_EXPECTED if date_column else QUARTER_EXPECTED
        message = f"{ref}: {_shown(raw)} {reason}, {what} skipped"
    return DataIssue(
        tab=tab,
        row=row,
        column=header,
        value=cell_text(raw),
        message=message,
        severity=Severity.ERROR,
        cell=a1(tab, row, column).rpartition("!")[2],
    )


def total_row(tab: str, row: int, column: int, header: str, raw: Any) -> DataIssue:
    """An INFO issue: a Total row, skipped on purpose so nothing is counted twice."""
    ref = a1(tab, row, column)
    return DataIssue(
        tab=tab,
        row=row,
        column=header,
        value=cell_text(raw),
        message=f"{ref}: {_shown(raw)} is a total row, skipped (totals are computed, "
        "never counted twice)",
        severity=Severity.INFO,
        cell=ref.rpartition("!")[2],
    )


def group_heading(tab: str, row: int, column: int, header: str, raw: Any, name: str) -> DataIssue:
    """An INFO issue: a report's heading line over a group's rows, skipped (it carries
    their sum) and read as the group of the blank cells below it."""
    ref = a1(tab, row, column)
    return DataIssue(
        tab=tab,
        row=row,
        column=header,
        value=cell_text(raw),
        message=f"{ref}: {_shown(raw)} heads the rows of {_shown(name)}, skipped (its "
        f"figures are theirs summed); the blank {header} cells below it are {_shown(name)}",
        severity=Severity.INFO,
        cell=ref.rpartition("!")[2],
    )


def _rows_text(rows: list[int], most: int = 8) -> str:
    shown = ", ".join(map(str, rows[:most]))
    return shown + (f" and {len(rows) - most} more" if len(rows) > most else "")


def product_lines(tab: str, rows: list[int], id_header: str) -> DataIssue:
    """INFO: further product lines of an opportunity in a line-item report."""
    return DataIssue(
        tab=tab,
        row=rows[0],
        column=id_header,
        value=None,
        message=f"{tab}: a line-item report (one row per product): {len(rows)} further "
        f"product line{'s' if len(rows) != 1 else ''} of opportunities already counted "
        f"(same {id_header}, rows {_rows_text(rows)}); each opportunity counted once",
        severity=Severity.INFO,
    )


def note(
    tab: str, message: str, *, row: int = 1, severity: Severity = Severity.WARNING
) -> DataIssue:
    """A finding about a whole tab (units in doubt, a quarter incomplete, names that
    match nothing): WARNING when the figures may be wrong, INFO when only said. The
    message starts with the tab's name."""
    if not message.startswith((f"{tab}:", f"{tab}!", f"'{tab}")):
        message = f"{tab}: {message}"
    return DataIssue(tab=tab, row=row, column=None, value=None, message=message, severity=severity)
