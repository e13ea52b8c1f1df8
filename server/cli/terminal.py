"""Verdict tables for the terminal (rich), drawn from a run as the GraphQL API returns it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

VERDICT_STYLE = {
    "BEAT": ("Beat", "bold white on green4"),
    "SOFT_MISS": ("Soft Miss", "bold black on dark_orange"),
    "HARD_MISS": ("Hard Miss", "bold white on red3"),
    "NO_PLAN": ("No plan", "black on grey70"),
    "NO_BASELINE": ("No baseline", "black on grey70"),
}


def money(value: float | None) -> str:
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    digits = 0 if float(value).is_integer() else 2
    return f"{sign}${abs(value):,.{digits}f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


FLAG_LABELS = {
    "CONSECUTIVE_HARD_MISS": "2 hard in a row",
    "REPEATED_HARD_MISS": "repeated hard",
    "FREQUENT_SOFT_MISS": "frequent soft",
    "UNREALISTIC_PLAN": "unrealistic plan",
    "DATA_ISSUES": "data issues",
}


def flag_text(flags: Sequence[str]) -> str:
    return "\n".join(FLAG_LABELS.get(f, f.replace("_", " ").lower()) for f in flags)


def verdict_table(run: Mapping[str, Any], *, title: str | None = None) -> Table:
    """The run's current quarter: one line per group, company total first."""
    table = Table(
        title=title or f"Verdicts for {run['quarter']}",
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
        )
    for v in run["current"]:
        label, style = VERDICT_STYLE.get(v["verdict"], (v["verdict"], ""))
        table.add_row(
            Text(v["group"] or "Total", style="bold" if v["group"] is None else ""),
            money(v["plan"]),
            money(v["bookings"]),
            percent(v["attainment"]),
            percent(v["growth"]),
            Text(f" {label} ", style=style),
            flag_text(v["flags"]),
        )
    return table


def print_run(
    console: Console,
    run: Mapping[str, Any],
    *,
    max_issues: int = 10,
    written_to: str | None = None,
) -> None:
    """The verdict table, each group's recommended action, and the data issues."""
    console.print(verdict_table(run))
    console.print("[bold]Recommended actions[/]")
    for v in run["current"]:
        label = VERDICT_STYLE.get(v["verdict"], (v["verdict"], ""))[0]
        console.print(
            f"  [bold]{v['group'] or 'Total'}[/] ({label}): {v['action']}", highlight=False
        )
    issues = run.get("issues") or []
    rejected = [i for i in issues if i.get("severity", "ERROR") == "ERROR"]
    where = written_to or f"Summary written to tab {run['summaryTab']!r}"
    console.print(
        f"Run {run['id']} at {run['classifiedAt']}: {len(rejected)} rejected cell(s), "
        f"{len(issues) - len(rejected)} skipped total row(s). {where}.",
        highlight=False,
    )
    for issue in issues[:max_issues]:
        console.print(f"  • {issue['message']}", markup=False, highlight=False)
    if len(issues) > max_issues:
        console.print(f"  … and {len(issues) - max_issues} more (see the Summary tab).")
