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
    return f"{sign}${abs(value):,.2f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def flag_text(flags: Sequence[str]) -> str:
    return ", ".join(f.replace("_", " ").lower() for f in flags) or ""


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
        ("Recommended action", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
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
            v["action"],
        )
    return table


def print_run(console: Console, run: Mapping[str, Any], *, max_issues: int = 10) -> None:
    console.print(verdict_table(run))
    issues = run.get("issues") or []
    rejected = [i for i in issues if i.get("severity", "ERROR") == "ERROR"]
    console.print(
        f"Run {run['id']} at {run['classifiedAt']}: {len(rejected)} rejected cell(s), "
        f"{len(issues) - len(rejected)} note(s); Summary written to tab {run['summaryTab']!r}."
    )
    for issue in issues[:max_issues]:
        console.print(f"  • {issue['message']}", markup=False, highlight=False)
    if len(issues) > max_issues:
        console.print(f"  … and {len(issues) - max_issues} more (see the Summary tab).")
