"""The Summary tab's blocks around the verdict table: "This quarter so far" (pace), the
data issues, "How this was read", and the rows a run appends to the History tab.

Pure: each function turns part of a :class:`ClassificationResult` into rows of
:class:`~sheets_adapter.port.SummaryCell`. :mod:`server.service.summary` puts them
together; the README's "The Summary tab" shows the result.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from server.classification.model import (
    ClassificationResult,
    ColumnUse,
    DataIssue,
    Pace,
    QuarterVerdict,
    Severity,
    TabReading,
    fold_tab,
)
from server.service.limits import is_summary_issue, issue_counts
from sheets_adapter.port import CellKind, HistoryRows, Row, SummaryCell

TOTAL = "Total"
IN_PROGRESS = "In progress"

PACE_TITLE = "This quarter so far"
#: the pace block's columns, each placed under the table column named beside it, so
#: amounts sit under amounts and the outlook under the verdicts
PACE_COLUMNS = (
    ("Group", "Group"),
    ("Elapsed", "Quarter"),
    ("Plan", "Plan"),
    ("Booked so far", "Bookings"),
    ("Projected", "Gap"),
    ("Open pipeline", "Attainment"),
    ("Coverage", "Growth"),
    ("Outlook", "Verdict"),
    ("How projected", "Flags"),
)
PACE_NOTE = (
    "Projected = booked so far ÷ the share of a quarter's bookings the group has closed by "
    "this point in its last 4 quarters (sales are back-loaded), or ÷ the share of the quarter "
    "elapsed with less history. Coverage = (booked + open pipeline due this quarter) ÷ plan. "
    "Outlook = the verdict the projection would get."
)
NO_PIPELINE = " No open pipeline: the Bookings tab has no stage or status column."

ISSUES_HEADER = ("Severity", "Tab", "Row", "Column", "Value", "Issue")
MAX_ISSUES = 50
SEVERITY_TEXT = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Info"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

READ_TITLE = "How this was read"
# the long texts come last in their rows, where they overflow to the right
TABS_HEADER = (
    "Tab",
    "Header row",
    "Rows counted",
    "Rows left out",
    "Control total",
    "Unit",
    "Currency",
    "Layout",
)
COLUMNS_HEADER = ("Tab", "Column", "Role", "Header, and why")
LEFT_OUT_HEADER = ("Tab", "Rows", "Left out")
NOTES_HEADER = ("Tab", "Note")
LAYOUT_TEXT = {
    "LONG": "long table (a row per group and period)",
    "WIDE": "wide table (a column per period)",
    "MONTHLY_WIDE": "wide table (a column per month)",
    "DEALS": "deal rows (a row per deal)",
}

HISTORY_HEADER = (
    "Classified at (UTC)",
    "Quarter",
    "Group",
    "Plan",
    "Bookings",
    "Attainment",
    "Verdict",
    "Flags",
    "Run",
    "Asked by",
)


def text(value: str | None, *, bold: bool = False) -> SummaryCell:
    return SummaryCell(value if value else None, CellKind.TEXT, bold)


def heading(names: Iterable[str]) -> Row:
    return tuple(SummaryCell(name, CellKind.HEADER) for name in names)


def title(value: str) -> Row:
    return (SummaryCell(value, CellKind.TITLE),)


def placed(cells: dict[str, SummaryCell], header: Sequence[str]) -> Row:
    """``cells`` (keyed by table column name) at their column's position in ``header``."""
    at = {header.index(name): cell for name, cell in cells.items() if name in header}
    if not at:
        return ()
    return tuple(at.get(i, SummaryCell(None)) for i in range(max(at) + 1))


def says_more(label: str, quarter: str) -> bool:
    """Whether the sheet's label says more than the canonical quarter respelled: ``FY26
    Q4`` or ``Q4'26`` do (a fiscal name, a short year), ``Q4 2026`` and ``2026Q4`` do not."""
    year, _, number = quarter.partition("-Q")
    rest = label.casefold().replace(year, "", 1)
    rest = re.sub(rf"q\s*{number}|{number}\s*q", "", rest, count=1)
    return any(ch.isalnum() for ch in rest)


def flags_text(verdict: QuarterVerdict) -> str:
    words = [f.text for f in verdict.flags]
    return ", ".join([IN_PROGRESS, *words] if verdict.in_progress else words)


# -- This quarter so far ----------------------------------------------------------------------


def pace_block(result: ClassificationResult, header: Sequence[str]) -> list[Row]:
    """The pace of the quarter in progress, total first, then a note and a blank row;
    no rows when no quarter is in progress, or when the sheet has nothing for it (no
    plan, nothing booked, no pipeline: a sheet whose data ended quarters ago)."""
    if not any(_has_figures(p) for p in result.pace):
        return []
    first = result.pace[0]
    quarter = first.quarter
    shown = f"{quarter} ({first.label})" if says_more(first.label, quarter) else quarter
    rows: list[Row] = [
        title(
            f"{PACE_TITLE}: {shown}, as of {first.as_of}: {first.elapsed:.0%} of the quarter gone"
        ),
        placed(
            {column: SummaryCell(name, CellKind.HEADER) for name, column in PACE_COLUMNS},
            header,
        ),
    ]
    ordered = sorted(result.pace, key=lambda p: (p.group is not None, (p.group or "").casefold()))
    rows += [_pace_row(p, header) for p in ordered]
    note = PACE_NOTE + (NO_PIPELINE if all(p.pipeline is None for p in result.pace) else "")
    rows += [(text(note),), ()]
    return rows


def _has_figures(p: Pace) -> bool:
    return p.plan is not None or bool(p.booked) or bool(p.pipeline)


def _pace_row(p: Pace, header: Sequence[str]) -> Row:
    is_total = p.group is None
    outlook = p.outlook.text if p.outlook is not None else None
    values: list[SummaryCell] = [
        text(TOTAL if is_total else p.group, bold=is_total),
        SummaryCell(p.elapsed, CellKind.PERCENT),
        SummaryCell(p.plan, CellKind.CURRENCY),
        SummaryCell(p.booked, CellKind.CURRENCY),
        SummaryCell(p.projected, CellKind.CURRENCY),
        SummaryCell(p.pipeline, CellKind.CURRENCY),
        SummaryCell(p.coverage, CellKind.PERCENT),
        SummaryCell(outlook, CellKind.VERDICT),
        text(p.method),
    ]
    return placed(
        {column: cell for (_, column), cell in zip(PACE_COLUMNS, values, strict=True)}, header
    )


# -- data issues ------------------------------------------------------------------------------


def issues_block(issues: Sequence[DataIssue], limit: int = MAX_ISSUES) -> list[Row]:
    """The data issues, errors first, then warnings, then notes; at most ``limit`` rows,
    then one line counting the rest."""
    if not issues:
        return []
    # A run keeps its first issues and one that counts the rest by kind (server.service.limits):
    # that one is not listed, its counts are added to the line under the list.
    listed = [i for i in issues if not is_summary_issue(i)]
    ordered = sorted(listed, key=lambda i: SEVERITY_ORDER[i.severity])
    rows: list[Row] = [heading(ISSUES_HEADER)]
    rows += [_issue_row(issue) for issue in ordered[:limit]]
    counts = Counter(i.severity for i in ordered[limit:])
    counts.update(issue_counts(i for i in issues if is_summary_issue(i)))
    more = sum(counts.values())
    if more:
        said = ", ".join(
            f"{counts[s]:,} {SEVERITY_TEXT[s].lower()}{'s' if counts[s] != 1 else ''}"
            for s in SEVERITY_ORDER
            if counts[s]
        )
        rows.append(
            (
                text(
                    f"… and {more:,} more ({said}): the add-on's sidebar and the API "
                    "list every one."
                ),
            )
        )
    return rows


def _issue_row(issue: DataIssue) -> Row:
    return (
        text(SEVERITY_TEXT[issue.severity]),
        text(issue.tab),
        SummaryCell(float(issue.row)),
        text(issue.column),
        text(issue.value),
        text(issue.message),
    )


# -- How this was read ------------------------------------------------------------------------


def read_block(result: ClassificationResult) -> list[Row]:
    """Per tab: header row, layout, rows counted and left out, control total, unit,
    currency; the columns used and why; what was left out and why; the reader's
    assumptions. Before them: the fiscal calendar, the day the run looked from, the
    group columns and the reporting currency."""
    options = result.options
    rows: list[Row] = [title(READ_TITLE)]
    fiscal = _fiscal(options.fiscal_year_start_month)
    rows.append((text("Fiscal calendar", bold=True), text(fiscal)))
    if result.as_of is not None:
        rows.append((text("As of", bold=True), text(_as_of(result.as_of))))
    groups = ", ".join(result.group_columns) or "none: the company total only"
    rows.append((text("Group columns", bold=True), text(groups)))
    if result.currency:
        rows.append((text("Reporting currency", bold=True), text(result.currency)))
    if not result.inputs:
        return rows
    rows.append(heading(TABS_HEADER))
    leads = fold_tab(options.leads_tab)
    rows += [_tab_row(reading, leads=fold_tab(reading.tab) == leads) for reading in result.inputs]
    rows.append(heading(COLUMNS_HEADER))
    for reading in result.inputs:
        rows += [_column_row(reading.tab, use) for use in _merged(reading.columns)]
    left_out = [(r.tab, lo.rows, lo.reason) for r in result.inputs for lo in r.left_out]
    if left_out:
        rows.append(heading(LEFT_OUT_HEADER))
        rows += [(text(tab), SummaryCell(float(n)), text(why)) for tab, n, why in left_out]
    notes = [(r.tab, note) for r in result.inputs for note in r.notes]
    if notes:
        rows.append(heading(NOTES_HEADER))
        rows += [(text(tab), text(note)) for tab, note in notes]
    return rows


def _fiscal(start: int) -> str:
    if start == 1:
        return "calendar years (fiscalYearStartMonth 1): Q1 is January to March"
    end = calendar.month_name[(start - 2) % 12 + 1]
    return (
        f"the fiscal year starts in {calendar.month_name[start]} (fiscalYearStartMonth "
        f"{start}) and is named by the year it ends in, in {end}"
    )


def _as_of(day: date) -> str:
    return (
        f"{day.isoformat()} (quarters ended by then are complete; the one holding it is "
        "in progress)"
    )


def _tab_row(reading: TabReading, *, leads: bool) -> Row:
    """One tab's line; the Leads tab's control total is a count of leads, not money."""
    unit = "1" if reading.unit == 1 else f"×{reading.unit:,.0f}"
    layout = LAYOUT_TEXT.get(reading.layout, reading.layout)
    if leads and reading.layout == "DEALS":
        layout = "a row per lead"
    return (
        text(reading.tab),
        SummaryCell(float(reading.header_row)),
        SummaryCell(float(reading.rows_counted)),
        SummaryCell(float(reading.rows_skipped)),
        SummaryCell(reading.total, CellKind.TEXT if leads else CellKind.CURRENCY),
        text(unit),
        text(reading.currency),
        text(layout),
    )


def _merged(columns: Sequence[ColumnUse]) -> list[ColumnUse]:
    """Neighbouring columns with one role and reason as one line (``B:I``, 8 quarters)."""
    out: list[list[ColumnUse]] = []
    for use in columns:
        last = out[-1][-1] if out else None
        same = last is not None and (last.role, last.note) == (use.role, use.note)
        if same and use.role != "group":
            out[-1].append(use)
        else:
            out.append([use])
    merged = []
    for run in out:
        if len(run) < 3:
            merged += run
            continue
        first, last = run[0], run[-1]
        merged.append(
            ColumnUse(
                f"{first.column}:{last.column}",
                f"{first.header} … {last.header} ({len(run)} columns)",
                first.role,
                first.note,
            )
        )
    return merged


def _column_row(tab: str, use: ColumnUse) -> Row:
    said = f'"{use.header}": {use.note}' if use.note else f'"{use.header}"'
    return (text(tab), text(use.column), text(use.role), text(said))


# -- History ----------------------------------------------------------------------------------


def history_rows(
    verdicts: Sequence[QuarterVerdict],
    *,
    tab: str,
    run_at: float,
    run_id: str | None,
    caller: str | None,
) -> HistoryRows:
    """One row per group for the quarter classified (``verdicts``, total first)."""
    rows: list[Row] = []
    for v in verdicts:
        is_total = v.group is None
        rows.append(
            (
                SummaryCell(run_at, CellKind.DATETIME),
                text(v.quarter),
                text(TOTAL if is_total else v.group, bold=is_total),
                SummaryCell(v.plan, CellKind.CURRENCY),
                SummaryCell(v.bookings, CellKind.CURRENCY),
                SummaryCell(v.attainment, CellKind.PERCENT),
                SummaryCell(v.verdict.text, CellKind.VERDICT),
                text(flags_text(v)),
                text(run_id),
                text(caller),
            )
        )
    return HistoryRows(title=tab, header=HISTORY_HEADER, rows=rows)
