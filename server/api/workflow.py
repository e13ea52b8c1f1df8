"""GraphQL types of the quarter-close workflow (SPEC 4.2 additions, 4.6): a run's status
and what changed, the sheet's quarters for the picker, alert settings; and the checks of
the workflow's arguments (``wait``, ``trigger``)."""

from __future__ import annotations

import strawberry

from server import classification as domain
from server.alerts import AlertOn as DomainAlertOn
from server.api.errors import BAD_INPUT, ApiError
from server.service import AlertsView
from server.service import QuarterChoice as DomainQuarterChoice
from server.store.port import RunStatus as DomainRunStatus

RunStatus = strawberry.enum(
    DomainRunStatus,
    name="RunStatus",
    description="RUNNING until the run ends; then SUCCEEDED, or FAILED with its `error`.",
)
AlertOn = strawberry.enum(
    DomainAlertOn,
    name="AlertOn",
    description="NEW_HARD_MISS: a group newly in Hard Miss. FLAG_RAISED: a flag newly "
    "raised. RUN_FAILED: a run ended FAILED. EVERY_RUN: every run that ends.",
)

#: ``wait`` is clamped to this many seconds (SPEC 4.2).
MAX_WAIT = 25
#: What may start a run (``trigger``), as the caller says.
TRIGGERS = ("MENU", "SCHEDULE", "CLI", "API")


@strawberry.type(description="A verdict that moved since the previous successful run.")
class VerdictChange:
    group: str | None = strawberry.field(description="null = company total")
    quarter: str
    before: domain.Verdict | None = strawberry.field(
        description="null: no verdict then (a new group or quarter, or no earlier run)"
    )
    after: domain.Verdict

    @classmethod
    def of(cls, change: domain.VerdictChange) -> VerdictChange:
        return cls(
            group=change.group, quarter=change.quarter, before=change.before, after=change.after
        )


@strawberry.type(description="One quarter of the sheet, for the quarter picker.")
class QuarterChoice:
    quarter: str = strawberry.field(description='Canonical, e.g. "2026-Q3"')
    label: str = strawberry.field(description='As the sheet writes it ("FY27 Q2")')
    in_progress: bool = strawberry.field(description="It had not ended at asOf")
    classifiable: bool = strawberry.field(description="A run asking for it would be accepted")

    @classmethod
    def of(cls, choice: DomainQuarterChoice) -> QuarterChoice:
        return cls(
            quarter=choice.quarter,
            label=choice.label,
            in_progress=choice.in_progress,
            classifiable=choice.classifiable,
        )


@strawberry.type(description="A spreadsheet's alerts; the webhook URL is shown masked.")
class AlertSettings:
    spreadsheet_id: strawberry.ID
    webhook_url: str | None = strawberry.field(description="Masked; null: no webhook")
    on: list[DomainAlertOn]

    @classmethod
    def of(cls, view: AlertsView) -> AlertSettings:
        return cls(
            spreadsheet_id=strawberry.ID(view.spreadsheet_id),
            webhook_url=view.webhook,
            on=list(view.on),
        )


def clamp_wait(wait: int) -> float:
    """``wait`` within 0–25 seconds."""
    return float(max(0, min(MAX_WAIT, wait)))


def checked_trigger(trigger: str) -> str:
    """The trigger as stored; anything but the known ones is BAD_INPUT."""
    text = trigger.strip().upper()
    if text not in TRIGGERS:
        raise ApiError(
            BAD_INPUT, f"trigger must be one of {', '.join(TRIGGERS)} (it says what started a run)."
        )
    return text
