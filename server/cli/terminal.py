"""A run in the terminal (rich), drawn from the run as the GraphQL API returns it.

In order: the pace of the quarter in progress (when there is one), the verdict table of
the run's quarter, each group's why (the drivers' sentence) and recommended action, how
each tab was read, then the run line and the data issues. Amounts are in the run's
reporting currency. Everything fits a 100-column terminal, and the tables' figures an
80-column one uncut; longer text wraps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from server.classification.money import symbol

VERDICT_STYLE = {
    "BEAT": ("Beat", "bold white on green4"),
    "SOFT_MISS": ("Soft Miss", "bold black on dark_orange"),
    "HARD_MISS": ("Hard Miss", "bold white on red3"),
    "NO_PLAN": ("No plan", "black on grey70"),
    "NO_BASELINE": ("No baseline", "black on grey70"),
}
OUTLOOK_TEXT = {
    "BEAT": "on pace to beat",
    "SOFT_MISS": "Soft Miss pace",
    "HARD_MISS": "Hard Miss pace",
    "NO_PLAN": "no plan",
    "NO_BASELINE": "short, no baseline",
}
ISSUES_SHOWN = 10


def money(value: float | None, currency: str | None = None) -> str:
    """``$1,234``, ``£1,234.50``, ``−€500``, ``CHF 1,200`` (``$`` when no currency is known)."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    digits = 0 if float(value).is_integer() else 2
    return f"{sign}{symbol(currency)}{abs(value):,.{digits}f}"


def _whole(value: float | None) -> float | None:
    return None if value is None else float(round(value))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


FLAG_LABELS = {
    "CONSECUTIVE_HARD_MISS": "2 hard in a row",
    "REPEATED_HARD_MISS": "repeated hard",
    "FREQUENT_SOFT_MISS": "frequent soft",
    "UNREALISTIC_PLAN": "unrealistic plan",
    "DATA_ISSUES": "data issues",
}


#: the Flags column wraps between words, never inside one ("unrealist…")
_LONGEST_FLAG_WORD = max(len(word) for label in FLAG_LABELS.values() for word in label.split())


def flag_text(flags: Sequence[str]) -> str:
    return "\n".join(FLAG_LABELS.get(f, f.replace("_", " ").lower()) for f in flags)


def _group(name: str | None) -> Text:
    return Text(name or "Total", style="bold" if name is None else "")


def _quarter_title(run: Mapping[str, Any]) -> str:
    quarter, label = run["quarter"], run.get("quarterLabel") or run["quarter"]
    title = quarter if label == quarter else f"{quarter} ({label})"
    if run.get("inQuarter"):
        title += f", in progress on {run.get('asOf')}: so far"
    return title


def verdict_table(run: Mapping[str, Any], *, title: str | None = None) -> Table:
    """The run's quarter: one line per group, company total first."""
    currency = run.get("currency")
    table = Table(
        title=title or f"Verdicts for {_quarter_title(run)}",
        title_justify="left",
        show_lines=False,
        expand=False,
    )
    for name, justify in (
        ("Group", "left"),
        ("Plan", "right"),
        ("Bookings", "right"),
        ("Attain.", "right"),
        ("Growth", "right"),
        ("Verdict", "center"),
        ("Flags", "left"),
    ):
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=name not in ("Flags", "Group"),
            min_width={"Flags": _LONGEST_FLAG_WORD, "Group": 8}.get(name),
        )
    for v in run["current"]:
        label, style = VERDICT_STYLE.get(v["verdict"], (v["verdict"], ""))
        table.add_row(
            _group(v["group"]),
            money(v["plan"], currency),
            money(v["bookings"], currency),
            percent(v["attainment"]),
            percent(v["growth"]),
            Text(f" {label} ", style=style),
            flag_text(v["flags"]),
        )
    return table


def pace_table(run: Mapping[str, Any]) -> Table | None:
    """The quarter in progress: booked so far, projected, plan, pipeline, outlook."""
    pace = run.get("pace") or []
    if not pace:
        return None
    currency = run.get("currency")
    first = pace[0]
    label = first.get("label") or first["quarter"]
    table = Table(
        title=f"This quarter so far: {label}, {first['elapsed']:.0%} elapsed on {first['asOf']}",
        title_justify="left",
        caption=f"Projection: {first['method']}",
        caption_justify="left",
    )
    for name in ("Group", "Booked", "Projected", "Plan", "Pipeline", "Coverage", "Outlook"):
        words = name in ("Group", "Outlook")
        table.add_column(name, justify="left" if words else "right", no_wrap=not words, min_width=6)
    for p in pace:
        outlook = p.get("outlook")
        style = VERDICT_STYLE.get(outlook, ("", ""))[1] if outlook else ""
        # Whole units: a projection to the cent is precision it does not have, and the
        # amounts must fit an 80-column terminal uncut.
        table.add_row(
            _group(p["group"]),
            money(_whole(p["booked"]), currency),
            money(_whole(p["projected"]), currency),
            money(_whole(p["plan"]), currency),
            money(_whole(p["pipeline"]), currency),
            percent(p["coverage"]),
            Text(OUTLOOK_TEXT.get(outlook, "—") if outlook else "—", style=style),
        )
    return table


def print_why(console: Console, run: Mapping[str, Any]) -> None:
    """Each group's verdict with its why (the drivers' sentence) and recommended action."""
    console.print("[bold]Recommended actions, and why[/]")
    currency = run.get("currency")
    for v in run["current"]:
        label = VERDICT_STYLE.get(v["verdict"], (v["verdict"], ""))[0]
        gap = v.get("gap")
        to_plan = f", {money(gap, currency)} to plan" if gap is not None and gap < 0 else ""
        head = Text.assemble((v["group"] or "Total", "bold"), f" ({label}{to_plan})")
        drivers = v.get("drivers")
        if drivers and drivers.get("explanation"):
            head.append(f": {drivers['explanation']}")
        _indented(console, head, 2)
        _indented(console, Text(f"→ {v['action']}"), 4)


def _indented(console: Console, text: Text, left: int) -> None:
    """``text`` from column ``left``, its wrapped lines too."""
    console.print(Padding(text, (0, 0, 0, left)), highlight=False)


def _column_lines(columns: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per column used; a run of columns with the same role and note (a wide
    tab's quarter or month columns) on one line."""
    lines: list[str] = []
    runs: list[list[Mapping[str, Any]]] = []
    for column in columns:
        if runs and (runs[-1][0]["role"], runs[-1][0].get("note")) == (
            column["role"],
            column.get("note"),
        ):
            runs[-1].append(column)
        else:
            runs.append([column])
    for same in runs:
        first, last = same[0], same[-1]
        note = f": {first['note']}" if first.get("note") else ""
        if len(same) > 2:
            where = (
                f"{first['column']}-{last['column']} ({len(same)} columns, "
                f"{first['header']!r} … {last['header']!r})"
            )
            lines.append(f"{where} → {first['role']}{note}")
        else:
            lines += [f"{c['column']} {c['header']!r} → {c['role']}{note}" for c in same]
    return lines


def _reading_lines(reading: Mapping[str, Any]) -> list[str]:
    unit = reading.get("unit") or 1
    scale = {1: "", 1000: ", in thousands", 1_000_000: ", in millions"}.get(
        int(unit), f", unit {unit:g}"
    )
    shown = reading.get("currency")  # None: not money (a Leads tab counts leads)
    total = money(reading["total"], shown) if shown else f"{reading['total']:,.0f}"
    lines = [
        f"{reading['tab']}: header on row {reading['headerRow']}, {reading['layout']} layout; "
        f"{reading['rowsCounted']:,} rows counted, {reading['rowsSkipped']:,} left out; "
        f"control total {total}{f' ({shown})' if shown else ''}{scale}"
    ]
    used = [c for c in reading["columns"] if c["role"] != "ignored"]
    ignored = [c for c in reading["columns"] if c["role"] == "ignored"]
    lines += _column_lines(used)
    if ignored:
        names = ", ".join(f"{c['column']} {c['header']!r}" for c in ignored)
        lines.append(f"not used: {names}")
    left_out = reading.get("leftOut") or []
    if left_out:
        lines.append(
            "left out: " + "; ".join(f"{lo['reason']} ({lo['rows']:,})" for lo in left_out)
        )
    lines += [f"note: {note}" for note in reading.get("notes") or []]
    return lines


def print_inputs(console: Console, run: Mapping[str, Any]) -> None:
    """How each tab was read: header row, layout, columns used, rows counted and left
    out by reason, control total, unit and currency, assumptions."""
    readings = run.get("inputs") or []
    if not readings:
        return
    console.print("[bold]How this was read[/]")
    for reading in readings:
        head, *details = _reading_lines(reading)
        _indented(console, Text(head), 2)
        for line in details:
            _indented(console, Text(line), 4)


def print_issues(
    console: Console,
    issues: Sequence[Mapping[str, Any]],
    *,
    shown: int = ISSUES_SHOWN,
    total: int | None = None,
    where: str = "",
) -> None:
    """The first ``shown`` data issues, one a line, and how many more there are (and
    ``where`` they can be seen, when they can)."""
    for issue in issues[:shown]:
        console.print(f"  • {issue['message']}", markup=False, highlight=False)
    more = (total if total is not None else len(issues)) - min(len(issues), shown)
    if more > 0:
        console.print(f"  … and {more} more{where}.", highlight=False)


def print_run(
    console: Console,
    run: Mapping[str, Any],
    *,
    max_issues: int = ISSUES_SHOWN,
    written_to: str | None = None,
) -> None:
    """The pace, the verdict table, each group's why and action, how the tabs were read,
    and the data issues."""
    pace = pace_table(run)
    if pace is not None:
        console.print(pace)
    if run["current"]:
        console.print(verdict_table(run))
        print_why(console, run)
    else:
        console.print(
            f"No verdict for {_quarter_title(run)}: no deal has been won in it yet "
            "(its pace is above).",
            highlight=False,
        )
    print_inputs(console, run)
    issues = run.get("issues") or []
    rejected = [i for i in issues if i.get("severity", "ERROR") == "ERROR"]
    where = written_to or f"Summary written to tab {run['summaryTab']!r}"
    console.print(
        f"Run {run['id']} at {run['classifiedAt']}: {len(rejected)} rejected cell(s), "
        f"{len(issues) - len(rejected)} other issue(s). {where}.",
        highlight=False,
    )
    print_issues(console, issues, shown=max_issues, where=" (see the Summary tab)")


def print_refusal(
    console: Console, issues: Sequence[Mapping[str, Any]], *, total: int | None = None
) -> None:
    """The data issues of a refused run (after its error message): why nothing counted."""
    if not issues:
        return
    count = total if total is not None else len(issues)
    console.print(f"Data issues of the tabs read ({count}):", highlight=False)
    print_issues(console, issues, total=count, where=" (the first 50 are in --json)")
