"""How a :class:`~server.store.port.RunRecord` is normalised and turned into columns.

Every store keeps the same normal form, so a run reads back equal to what was
stored, whichever store holds it:

- ``classified_at`` (and ``started_at``, ``finished_at``) must be timezone-aware; they
  are kept in UTC (microseconds).
- plan, bookings and baseline are rounded to cents, half-even (as the domain compares
  them); attainment and growth are kept as the floats they are.
- flags keep their order; options are kept as a JSON object with the GraphQL names.
- a verdict's gap is rounded to cents like the other amounts; drivers, pace and inputs
  are kept as the values they are, as JSON objects with the GraphQL names (floats
  round-trip exactly through JSON), enums by value.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from server.classification.model import (
    Cause,
    ClassifyOptions,
    ColumnUse,
    Drivers,
    Flag,
    LeftOut,
    Pace,
    TabReading,
    Verdict,
    VerdictChange,
    round_cents,
    to_cents,
)
from server.store.port import RunRecord

T = TypeVar("T")

FLAG_SEPARATOR = ","
#: The largest amount a ``NUMERIC(18, 2)`` column holds (16 digits before the point).
MAX_AMOUNT = Decimal("9999999999999999.99")


def utc(moment: datetime) -> datetime:
    """The same instant with ``tzinfo=UTC``; a naive datetime is refused (it is ambiguous)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"classified_at must be timezone-aware (UTC), got naive {moment!r}")
    return moment.astimezone(UTC)


def cents(amount: float | None) -> float | None:
    return None if amount is None else round_cents(float(amount))


def fits(amount: float | None) -> bool:
    """Whether ``amount`` can be kept in a ``NUMERIC(18, 2)`` column (None can)."""
    if amount is None:
        return True
    return math.isfinite(amount) and abs(to_decimal(amount)) <= MAX_AMOUNT


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
            gap=cents(v.gap),
            flags=tuple(v.flags),
        )
        for v in run.verdicts
    )
    return dataclasses.replace(
        run,
        classified_at=utc(run.classified_at),
        started_at=None if run.started_at is None else utc(run.started_at),
        finished_at=None if run.finished_at is None else utc(run.finished_at),
        changes=tuple(run.changes),
        verdicts=verdicts,
        issues=tuple(run.issues),
        pace=tuple(run.pace),
        inputs=tuple(run.inputs),
        labels=dict(run.labels),
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


# -- nested values as JSON ------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A domain value as JSON: dataclasses as objects with the GraphQL (camelCase) names,
    enums by value, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_camel(f.name): _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _record(cls: type[T], data: Mapping[str, Any], **convert: Callable[[Any], Any]) -> T:
    """Dataclass ``cls`` from its JSON object: keys it does not know are ignored, missing
    ones take the field's default; ``convert`` turns a non-null JSON value back (enums,
    nested values)."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = _camel(f.name)
        if key in data:
            value = data[key]
            make = convert.get(f.name)
            kwargs[f.name] = make(value) if make is not None and value is not None else value
    return cls(**kwargs)


def drivers_to_json(drivers: Drivers | None) -> dict[str, Any] | None:
    return None if drivers is None else dict(_plain(drivers))


def drivers_from_json(data: Mapping[str, Any] | None) -> Drivers | None:
    return None if data is None else _record(Drivers, data, cause=Cause)


def pace_to_json(pace: Sequence[Pace]) -> list[dict[str, Any]]:
    return [_plain(p) for p in pace]


def pace_from_json(data: Sequence[Mapping[str, Any]] | None) -> tuple[Pace, ...]:
    return tuple(_record(Pace, p, outlook=Verdict) for p in data or ())


def inputs_to_json(inputs: Sequence[TabReading]) -> list[dict[str, Any]]:
    return [_plain(reading) for reading in inputs]


def _columns(data: Sequence[Mapping[str, Any]]) -> tuple[ColumnUse, ...]:
    return tuple(_record(ColumnUse, c) for c in data)


def _left_out(data: Sequence[Mapping[str, Any]]) -> tuple[LeftOut, ...]:
    return tuple(_record(LeftOut, lo) for lo in data)


def inputs_from_json(data: Sequence[Mapping[str, Any]] | None) -> tuple[TabReading, ...]:
    return tuple(
        _record(TabReading, r, columns=_columns, left_out=_left_out, notes=tuple)
        for r in data or ()
    )


def changes_to_json(changes: Sequence[VerdictChange]) -> list[dict[str, Any]]:
    return [_plain(c) for c in changes]


def _verdict_or_none(value: Any) -> Verdict | None:
    return None if value is None else Verdict(value)


def changes_from_json(data: Sequence[Mapping[str, Any]] | None) -> tuple[VerdictChange, ...]:
    return tuple(
        _record(VerdictChange, c, before=_verdict_or_none, after=Verdict) for c in data or ()
    )
