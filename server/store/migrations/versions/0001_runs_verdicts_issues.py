"""Runs, their verdicts and their data issues.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("spreadsheet_id", sa.String(255), nullable=False),
        sa.Column("quarter", sa.String(16), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary_tab", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("caller", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index(
        "ix_runs_spreadsheet_id_classified_at",
        "runs",
        ["spreadsheet_id", "classified_at", "id"],
    )
    op.create_table(
        "verdicts",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.Text(), nullable=True),
        sa.Column("quarter", sa.String(16), nullable=False),
        sa.Column("plan", sa.Numeric(18, 2), nullable=True),
        sa.Column("bookings", sa.Numeric(18, 2), nullable=True),
        sa.Column("baseline", sa.Numeric(18, 2), nullable=True),
        sa.Column("attainment", sa.Double(), nullable=True),
        sa.Column("growth", sa.Double(), nullable=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_verdicts_run_id_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name="pk_verdicts"),
    )
    op.create_table(
        "issues",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tab", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("cell", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_issues_run_id_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name="pk_issues"),
    )


def downgrade() -> None:
    op.drop_table("issues")
    op.drop_table("verdicts")
    op.drop_index("ix_runs_spreadsheet_id_classified_at", table_name="runs")
    op.drop_table("runs")
