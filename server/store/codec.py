"""How a :class:`~server.store.port.RunRecord` is normalised and turned into columns.

Every store keeps the same normal form, so a run reads back equal to what was
stored, whichever store holds it:

- ``classified_at`` must be timezone-aware; it is kept in UTC (microseconds).
- plan, bookings and baseline are rounded to cents, half-even (as the domain compares
  them); attainment and growth are kept as the floats they are.
- flags keep their order; options are kept as a JSON object with the GraphQL names.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from server.classification.model import ClassifyOptions, Flag, round_cents, to_cents
from server.store.port import RunRecord

FLAG_SEPARATOR = ","


def utc(moment: datetime) -> datetime:
    """The same instant with ``tzinfo=UTC``; a naive datetime is refused (it is ambiguous)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"classified_at must be timezone-aware (UTC), got naive {moment!r}")
    return moment.astimezone(UTC)


def cents(amount: float | None) -> float | None:
    return None if amount is None else round_cents(float(amount))


def to_decimal(amount: float) -> Decimal:
    """An exact decimal with two places, for a ``NUMERIC(18, 2)`` column (rounded to
    cents as the domain rounds them)."""
    return Decimal(to_cents(float(amount))).scaleb(-2)


def normalise(run: RunRecord) -> RunRecord:
    """The run as every store keeps it (see the module docstring)."""
    verdicts = tuple(
        dataclasses.replace(
            v,
            plan=cents(v.plan),
            bookings=cents(v.bookings),
            baseline=cents(v.baseline),
            flags=tuple(v.flags),
        )
        for v in run.verdicts
    )
    return dataclasses.replace(
        run,
        classified_at=utc(run.classified_at),
        verdicts=verdicts,
        issues=tuple(run.issues),
    )


def flags_to_text(flags: tuple[Flag, ...]) -> str:
    return FLAG_SEPARATOR.join(flag.value for flag in flags)


def flags_from_text(text: str | None) -> tuple[Flag, ...]:
    if not text:
        return ()
    return tuple(Flag(name) for name in text.split(FLAG_SEPARATOR))


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _json_value(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def options_to_json(options: ClassifyOptions) -> dict[str, Any]:
    """Every option with its GraphQL (camelCase) name, as plain JSON values."""
    return {
        _camel(f.name): _json_value(getattr(options, f.name)) for f in dataclasses.fields(options)
    }


def options_from_json(data: Mapping[str, Any] | None) -> ClassifyOptions:
    """Back to :class:`ClassifyOptions`; names a later version no longer knows are ignored."""
    if not data:
        return ClassifyOptions()
    known = {_camel(f.name) for f in dataclasses.fields(ClassifyOptions)}
    return ClassifyOptions.from_mapping({k: v for k, v in data.items() if k in known})
