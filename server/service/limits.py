"""What one run keeps (SPEC 4.5): the first data issues and counts of all of them, cell text
cut short, a bounded number of runs per spreadsheet.

A sheet of 98,000 junk cells gives 98,000 data issues: the run keeps the first
``max_issues`` and, after them, one more issue that says how many were left out, by
kind (severity)::

    DataIssue(tab="(all tabs)", row=0, column="(not listed)",
              value="ERROR 97000, WARNING 0, INFO 1",
              message="… and 97,001 more data issues (ERROR 97,000, INFO 1), not listed …",
              severity=INFO)

That issue travels wherever issues go (run store, API, Summary tab) with no new column;
:func:`issue_counts` and :func:`omitted_issues` read it back, so the add-on can say "and
97,001 more". Text that came from a cell (an issue's value, a group name) is cut to
``max_cell_text`` characters in the stored run.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from server.classification import DataIssue, QuarterVerdict, Severity

ALL_TABS = "(all tabs)"
NOT_LISTED = "(not listed)"
_COUNT = re.compile(r"([A-Z]+) (\d+)")


@dataclass(frozen=True)
class RunLimits:
    max_issues: int = 1000
    max_cell_text: int = 500
    runs_kept: int = 200


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def is_summary_issue(issue: DataIssue) -> bool:
    """The issue that stands for the ones not listed."""
    return issue.column == NOT_LISTED and issue.row == 0 and issue.tab == ALL_TABS


def _left_out(counts: Counter[Severity]) -> DataIssue:
    total = sum(counts.values())
    kinds = [s for s in Severity if counts[s]]
    shown = ", ".join(f"{s.value} {counts[s]:,}" for s in kinds)
    return DataIssue(
        tab=ALL_TABS,
        row=0,
        column=NOT_LISTED,
        value=", ".join(f"{s.value} {counts[s]}" for s in Severity),
        message=f"… and {total:,} more data issues ({shown}), not listed: fix the ones "
        "above and classify again to see them.",
        severity=Severity.INFO,
    )


def bounded_issues(issues: Sequence[DataIssue], limits: RunLimits) -> tuple[DataIssue, ...]:
    """The first ``max_issues`` issues with cell text cut short, and one that counts the
    rest by kind when there are more."""
    text = limits.max_cell_text
    kept = tuple(
        dataclasses.replace(
            issue,
            value=_cut(issue.value, text),
            column=_cut(issue.column, text),
            message=_cut(issue.message, text) or "",
        )
        for issue in issues[: limits.max_issues]
    )
    rest = issues[limits.max_issues :]
    if not rest:
        return kept
    return (*kept, _left_out(Counter(issue.severity for issue in rest)))


def bounded_verdicts(
    verdicts: Iterable[QuarterVerdict], limits: RunLimits
) -> tuple[QuarterVerdict, ...]:
    """The verdicts with group names (cell text) cut short."""
    return tuple(
        dataclasses.replace(v, group=_cut(v.group, limits.max_cell_text))
        if v.group is not None and len(v.group) > limits.max_cell_text
        else v
        for v in verdicts
    )


def issue_counts(issues: Iterable[DataIssue]) -> dict[Severity, int]:
    """All of a run's data issues by kind, the ones not listed included."""
    counts: Counter[Severity] = Counter()
    for issue in issues:
        if is_summary_issue(issue):
            for name, count in _COUNT.findall(issue.value or ""):
                if name in Severity.__members__:
                    counts[Severity[name]] += int(count)
        else:
            counts[issue.severity] += 1
    return {severity: counts[severity] for severity in Severity}


def omitted_issues(issues: Iterable[DataIssue]) -> int:
    """How many data issues the run does not list."""
    return sum(
        int(count)
        for issue in issues
        if is_summary_issue(issue)
        for _, count in _COUNT.findall(issue.value or "")
    )


def total_issues(issues: Sequence[DataIssue]) -> int:
    """How many data issues the run found, listed or not."""
    return sum(issue_counts(issues).values())
