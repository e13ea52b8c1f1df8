"""A run's life (status, error, when it started and ended, what started it, the worker
running it and its heartbeat, what changed) and each spreadsheet's alert settings.

Runs stored before this revision were recorded when they had succeeded: they read back
SUCCEEDED, triggered by the API, started when they were classified.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RUN_COLUMNS = ("heartbeat_at", "owner", "changes", "trigger", "finished_at", "started_at")


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0002 (never the batch "move and copy" on SQLite).
    op.add_column(
        "runs", sa.Column("status", sa.String(16), server_default="SUCCEEDED", nullable=False)
    )
    op.add_column("runs", sa.Column("error", sa.Text(), nullable=True))
    op.add_column("runs", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("runs", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("runs", sa.Column("trigger", sa.String(16), server_default="API", nullable=False))
    op.add_column("runs", sa.Column("changes", sa.JSON(), nullable=True))
    op.add_column("runs", sa.Column("owner", sa.String(64), nullable=True))
    op.add_column("runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_runs_status_heartbeat_at", "runs", ["status", "heartbeat_at"])
    op.create_table(
        "alerts",
        sa.Column("spreadsheet_id", sa.String(255), nullable=False),
        sa.Column("webhook", sa.Text(), nullable=True),
        sa.Column("on_events", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("spreadsheet_id", name="pk_alerts"),
    )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_index("ix_runs_status_heartbeat_at", table_name="runs")
    op.drop_column("runs", "error")
    op.drop_column("runs", "status")
    for column in _RUN_COLUMNS:
        op.drop_column("runs", column)
