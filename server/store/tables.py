"""The run store's tables, as typed SQLAlchemy 2 ORM models (the migrations' target).

``runs`` holds one row per classification run, with its status (RUNNING, SUCCEEDED,
FAILED), the worker running it and that worker's last heartbeat; ``verdicts`` and
``issues`` hold its rows in order (``position``); ``alerts`` one row per spreadsheet
with alerts set. Amounts are ``NUMERIC(18, 2)``: exact cents, readable
by anyone querying the database. Timestamps are ``TIMESTAMP WITH TIME ZONE`` on
PostgreSQL and UTC text on SQLite; both come back timezone-aware in UTC.

What a run showed besides its verdicts' figures is kept as JSON where it is nested:
a verdict's ``drivers`` (fourteen values, read only with their verdict), a run's
``pace`` (a few rows, read only with their run), ``inputs`` (each tab's reading, with
its columns, rows left out and notes) and ``labels``. They are always read whole with
their run and never filtered on, so tables of their own would add joins and nothing a
query needs; each JSON value is written and read by :mod:`server.store.codec`, which
ignores keys it does not know and defaults those it misses, so a run written by
another version still reads. Flat values a query may want (the reporting currency,
``as_of``, ``in_quarter``, a verdict's gap, label and ``in_progress``) are columns.

The store reads and writes these tables with Core statements (fast, no identity
map); the ORM classes exist for typing, the migrations and ``compare_metadata``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from typing_extensions import override

from server.store.codec import cents, to_decimal

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing a naive datetime: {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    @override
    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(TypeDecorator[float]):
    """An amount in cents precision: ``NUMERIC(18, 2)`` in the database, ``float`` in Python."""

    impl = Numeric(18, 2, asdecimal=False)
    cache_ok = True

    @override
    def process_bind_param(self, value: float | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else to_decimal(value)

    @override
    def process_result_value(self, value: Any, dialect: Dialect) -> float | None:
        return cents(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    spreadsheet_id: Mapped[str] = mapped_column(String(255))
    quarter: Mapped[str] = mapped_column(String(16))
    classified_at: Mapped[datetime] = mapped_column(UtcDateTime())
    summary_tab: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    caller: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(8))
    in_quarter: Mapped[bool] = mapped_column(Boolean, server_default=false())
    pace: Mapped[list[Any] | None] = mapped_column(JSON)
    inputs: Mapped[list[Any] | None] = mapped_column(JSON)
    labels: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # the run's life (migration 0003); runs stored before it read back SUCCEEDED
    status: Mapped[str] = mapped_column(String(16), server_default="SUCCEEDED")
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    trigger: Mapped[str] = mapped_column(String(16), server_default="API")
    changes: Mapped[list[Any] | None] = mapped_column(JSON)
    owner: Mapped[str | None] = mapped_column(String(64))  # the worker running it
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        # latest() and list(): one index range scan, newest first.
        Index("ix_runs_spreadsheet_id_classified_at", "spreadsheet_id", "classified_at", "id"),
        # the sweep for runs whose worker stopped beating
        Index("ix_runs_status_heartbeat_at", "status", "heartbeat_at"),
    )


class VerdictRow(Base):
    __tablename__ = "verdicts"

    run_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_name: Mapped[str | None] = mapped_column(Text)  # None = company total
    quarter: Mapped[str] = mapped_column(String(16))
    plan: Mapped[float | None] = mapped_column(Money())
    bookings: Mapped[float | None] = mapped_column(Money())
    baseline: Mapped[float | None] = mapped_column(Money())
    attainment: Mapped[float | None] = mapped_column(Double)
    growth: Mapped[float | None] = mapped_column(Double)
    verdict: Mapped[str] = mapped_column(String(16))
    flags: Mapped[str] = mapped_column(Text)  # Flag values joined with "," in order
    action: Mapped[str] = mapped_column(Text)
    gap: Mapped[float | None] = mapped_column(Money())
    label: Mapped[str] = mapped_column(Text, server_default="")  # "" = the canonical label
    in_progress: Mapped[bool] = mapped_column(Boolean, server_default=false())
    drivers: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IssueRow(Base):
    __tablename__ = "issues"

    run_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    tab: Mapped[str] = mapped_column(Text)
    row: Mapped[int] = mapped_column(Integer)
    column_name: Mapped[str | None] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    cell: Mapped[str | None] = mapped_column(String(32))


class AlertRow(Base):
    """A spreadsheet's alert settings: the webhook URL sealed, the events by name."""

    __tablename__ = "alerts"

    spreadsheet_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    webhook: Mapped[str | None] = mapped_column(Text)
    on_events: Mapped[str] = mapped_column(Text)  # AlertOn names joined with ","
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str | None] = mapped_column(Text)


metadata = Base.metadata
