"""What a run showed besides its figures: asOf, currency, the quarter in progress, pace,
how each tab was read, fiscal labels; a verdict's gap, label, drivers and in-progress mark.

Every new column is nullable or has a server default, so runs stored before this
revision stay readable (they read back with the fields' defaults).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never Alembic's batch "move and copy" on SQLite: recreating
    # ``runs`` there drops the old table, and its ON DELETE CASCADE would empty
    # ``verdicts`` and ``issues`` on the way (tests/store/test_run_details.py).
    op.add_column("runs", sa.Column("as_of", sa.Date(), nullable=True))
    op.add_column("runs", sa.Column("currency", sa.String(8), nullable=True))
    op.add_column(
        "runs", sa.Column("in_quarter", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("runs", sa.Column("pace", sa.JSON(), nullable=True))
    op.add_column("runs", sa.Column("inputs", sa.JSON(), nullable=True))
    op.add_column("runs", sa.Column("labels", sa.JSON(), nullable=True))
    op.add_column("verdicts", sa.Column("gap", sa.Numeric(18, 2), nullable=True))
    op.add_column("verdicts", sa.Column("label", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "verdicts",
        sa.Column("in_progress", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("verdicts", sa.Column("drivers", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35 or newer), for the same reason.
    for column in ("drivers", "in_progress", "label", "gap"):
        op.drop_column("verdicts", column)
    for column in ("labels", "inputs", "pace", "in_quarter", "currency", "as_of"):
        op.drop_column("runs", column)
