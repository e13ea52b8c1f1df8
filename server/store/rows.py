"""Runs as table rows and back: the columns of :mod:`server.store.tables` for a
:class:`~server.store.port.RunRecord`, and the record for the rows read.

Pure functions over plain values; :mod:`server.store.sql` executes the statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from server.classification.model import DataIssue, QuarterVerdict, Severity, Verdict
from server.store.codec import (
    changes_from_json,
    changes_to_json,
    drivers_from_json,
    drivers_to_json,
    flags_from_text,
    flags_to_text,
    inputs_from_json,
    inputs_to_json,
    options_from_json,
    options_to_json,
    pace_from_json,
    pace_to_json,
)
from server.store.port import RunRecord, RunStatus, StoredAlerts

#: The columns a run's result sets (``record_result``): everything but who runs it.
RESULT_COLUMNS = (
    "quarter",
    "classified_at",
    "summary_tab",
    "options",
    "caller",
    "as_of",
    "currency",
    "in_quarter",
    "pace",
    "inputs",
    "labels",
    "changes",
)


def run_row(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "spreadsheet_id": run.spreadsheet_id,
        "quarter": run.quarter,
        "classified_at": run.classified_at,
        "summary_tab": run.summary_tab,
        "options": options_to_json(run.options),
        "caller": run.caller,
        "as_of": run.as_of,
        "currency": run.currency,
        "in_quarter": run.in_quarter,
        "pace": pace_to_json(run.pace),
        "inputs": inputs_to_json(run.inputs),
        "labels": dict(run.labels),
        "status": run.status.value,
        "error": run.error,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "trigger": run.trigger,
        "changes": changes_to_json(run.changes),
    }


def result_values(run: RunRecord) -> dict[str, Any]:
    row = run_row(run)
    return {name: row[name] for name in RESULT_COLUMNS}


def verdict_rows(run: RunRecord) -> list[dict[str, Any]]:
    return [_verdict_row(run.id, i, v) for i, v in enumerate(run.verdicts)]


def issue_rows(run: RunRecord) -> list[dict[str, Any]]:
    return [_issue_row(run.id, i, issue) for i, issue in enumerate(run.issues)]


def _verdict_row(run_id: str, position: int, v: QuarterVerdict) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "position": position,
        "group_name": v.group,
        "quarter": v.quarter,
        "plan": v.plan,
        "bookings": v.bookings,
        "baseline": v.baseline,
        "attainment": v.attainment,
        "growth": v.growth,
        "verdict": v.verdict.value,
        "flags": flags_to_text(v.flags),
        "action": v.action,
        "gap": v.gap,
        "label": v.label,
        "in_progress": v.in_progress,
        "drivers": drivers_to_json(v.drivers),
    }


def _issue_row(run_id: str, position: int, issue: DataIssue) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "position": position,
        "tab": issue.tab,
        "row": issue.row,
        "column_name": issue.column,
        "value": issue.value,
        "message": issue.message,
        "severity": issue.severity.value,
        "cell": issue.cell,
    }


def verdict(row: Any) -> QuarterVerdict:
    return QuarterVerdict(
        group=row["group_name"],
        quarter=row["quarter"],
        plan=row["plan"],
        bookings=row["bookings"],
        baseline=row["baseline"],
        attainment=row["attainment"],
        growth=row["growth"],
        verdict=Verdict(row["verdict"]),
        flags=flags_from_text(row["flags"]),
        action=row["action"],
        gap=row["gap"],
        label=row["label"] or "",
        in_progress=bool(row["in_progress"]),
        drivers=drivers_from_json(row["drivers"]),
    )


def issue(row: Any) -> DataIssue:
    return DataIssue(
        tab=row["tab"],
        row=row["row"],
        column=row["column_name"],
        value=row["value"],
        message=row["message"],
        severity=Severity(row["severity"]),
        cell=row["cell"],
    )


def run_record(
    row: Any, verdicts: Sequence[QuarterVerdict], issues: Sequence[DataIssue]
) -> RunRecord:
    """The run of a ``runs`` row (as :data:`RUN_COLUMNS` selects) and its rows."""
    return RunRecord(
        id=row.id,
        spreadsheet_id=row.spreadsheet_id,
        quarter=row.quarter,
        classified_at=row.classified_at,
        summary_tab=row.summary_tab,
        options=options_from_json(row.options),
        verdicts=tuple(verdicts),
        issues=tuple(issues),
        caller=row.caller,
        as_of=row.as_of,
        currency=row.currency,
        in_quarter=bool(row.in_quarter),
        pace=pace_from_json(row.pace),
        inputs=inputs_from_json(row.inputs),
        labels=dict(row.labels or {}),
        status=RunStatus(row.status or RunStatus.SUCCEEDED.value),
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
        trigger=row.trigger or "API",
        changes=changes_from_json(row.changes),
    )


EVENT_SEPARATOR = ","


def alerts_row(alerts: StoredAlerts) -> dict[str, Any]:
    return {
        "spreadsheet_id": alerts.spreadsheet_id,
        "webhook": alerts.webhook,
        "on_events": EVENT_SEPARATOR.join(alerts.on),
        "updated_at": alerts.updated_at,
        "updated_by": alerts.updated_by,
    }


def stored_alerts(row: Any) -> StoredAlerts:
    events = tuple(e for e in (row.on_events or "").split(EVENT_SEPARATOR) if e)
    updated_at: datetime = row.updated_at
    return StoredAlerts(row.spreadsheet_id, row.webhook, events, updated_at, row.updated_by)
