"""The domain's vocabulary: verdicts, flags, options, fiscal quarters, results.

Everything here is an immutable value. Amounts are ``float`` values already
rounded to cents (half-even); comparisons between amounts are made on integer
cents (see :func:`to_cents`) so float noise never turns a met plan into a miss.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from server.classification.errors import InvalidOptions

_CENT = Decimal("0.01")


def to_cents(amount: float) -> int:
    """Round an amount to whole cents, half-even, exactly (via its shortest repr)."""
    return int(Decimal(repr(amount)).quantize(_CENT, rounding=ROUND_HALF_EVEN) * 100)


def round_cents(amount: float) -> float:
    """The amount as a float rounded to cents, half-even."""
    return to_cents(amount) / 100


class Verdict(enum.Enum):
    BEAT = "BEAT"
    SOFT_MISS = "SOFT_MISS"
    HARD_MISS = "HARD_MISS"
    NO_PLAN = "NO_PLAN"
    NO_BASELINE = "NO_BASELINE"


class Flag(enum.Enum):
    CONSECUTIVE_HARD_MISS = "CONSECUTIVE_HARD_MISS"
    REPEATED_HARD_MISS = "REPEATED_HARD_MISS"
    FREQUENT_SOFT_MISS = "FREQUENT_SOFT_MISS"
    UNREALISTIC_PLAN = "UNREALISTIC_PLAN"
    DATA_ISSUES = "DATA_ISSUES"


class Comparison(enum.Enum):
    PRIOR_QUARTER = "PRIOR_QUARTER"
    SAME_QUARTER_LAST_YEAR = "SAME_QUARTER_LAST_YEAR"


class Severity(enum.Enum):
    ERROR = "ERROR"  # the row was rejected: it did not count
    INFO = "INFO"  # the row was skipped on purpose (a Total row): nothing was lost


@dataclass(frozen=True, order=True)
class Quarter:
    """A fiscal quarter. ``fiscal_year`` is the calendar year in which the fiscal year ends."""

    fiscal_year: int
    number: int  # 1..4

    @property
    def index(self) -> int:
        """A running count of quarters, so windows count fiscal quarters, not rows."""
        return self.fiscal_year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    def shift(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    @property
    def label(self) -> str:
        return f"{self.fiscal_year}-Q{self.number}"

    def __str__(self) -> str:
        return self.label


def _camel_to_snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


@dataclass(frozen=True)
class ClassifyOptions:
    """The ``ClassifyOptions`` of SPEC 4.2, with Python names."""

    plan_tab: str = "Plan"
    bookings_tab: str = "Bookings"
    summary_tab: str = "Summary"
    fiscal_year_start_month: int = 1
    comparison: Comparison = Comparison.PRIOR_QUARTER
    hard_miss_window: int = 8
    group_by: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise InvalidOptions(
                "fiscalYearStartMonth",
                self.fiscal_year_start_month,
                "must be a month number from 1 (January) to 12 (December)",
            )
        if not 1 <= self.hard_miss_window <= 40:
            raise InvalidOptions(
                "hardMissWindow", self.hard_miss_window, "must be between 1 and 40 quarters"
            )
        for name in ("plan_tab", "bookings_tab", "summary_tab"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidOptions(name, value, "must be a tab name")
        if len({self.plan_tab, self.bookings_tab, self.summary_tab}) != 3:
            raise InvalidOptions(
                "summaryTab",
                self.summary_tab,
                "the Plan, Bookings and Summary tabs must be three different tabs",
            )

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None) -> ClassifyOptions:
        """Build from a dict with the GraphQL (camelCase) or Python (snake_case) names.

        ``None`` values mean "use the default". Unknown names are an error.
        """
        if options is None:
            return cls()
        known = set(cls.__dataclass_fields__)
        kwargs: dict[str, Any] = {}
        for key, value in options.items():
            name = _camel_to_snake(key)
            if name not in known:
                raise InvalidOptions(key, value, "is not a known option")
            if value is None:
                continue
            if name == "comparison" and not isinstance(value, Comparison):
                try:
                    value = Comparison(str(value).upper())
                except ValueError:
                    raise InvalidOptions(
                        key, value, "must be PRIOR_QUARTER or SAME_QUARTER_LAST_YEAR"
                    ) from None
            if name == "group_by":
                if isinstance(value, str):
                    value = (value,)
                value = tuple(str(v) for v in value)
            if name in ("fiscal_year_start_month", "hard_miss_window") and (
                isinstance(value, bool) or not isinstance(value, int)
            ):
                raise InvalidOptions(key, value, "must be a whole number")
            kwargs[name] = value
        return cls(**kwargs)


@dataclass(frozen=True)
class DataIssue:
    """One rejected (or deliberately skipped) input cell, located for a finance analyst."""

    tab: str
    row: int  # 1-based sheet row
    column: str | None  # the column's header as written in the sheet
    value: str | None  # the raw cell value as text
    message: str  # e.g. 'Bookings!C14: "#REF!" is a formula error, row skipped'
    severity: Severity = Severity.ERROR
    cell: str | None = None  # A1 reference of the cell, e.g. "C14"


@dataclass(frozen=True)
class QuarterVerdict:
    group: str | None  # None = company total
    quarter: str  # canonical "2025-Q1"
    plan: float | None
    bookings: float | None
    baseline: float | None
    attainment: float | None  # bookings / plan
    growth: float | None  # bookings / baseline - 1; None when baseline missing or 0
    verdict: Verdict
    flags: tuple[Flag, ...]
    action: str


@dataclass(frozen=True)
class ClassificationResult:
    """Every classified group and quarter, and every data issue.

    ``verdicts`` is ordered by group (company total first, then groups by name)
    and then by quarter ascending.
    """

    verdicts: tuple[QuarterVerdict, ...]
    issues: tuple[DataIssue, ...]
    group_columns: tuple[str, ...] = ()
    quarters: tuple[str, ...] = ()  # every classified quarter, ascending
    options: ClassifyOptions = field(default_factory=ClassifyOptions)

    @property
    def latest_quarter(self) -> str | None:
        return self.quarters[-1] if self.quarters else None

    def current(self, quarter: str) -> list[QuarterVerdict]:
        """Every group's verdict for one quarter, company total first."""
        return [v for v in self.verdicts if v.quarter == quarter]

    def history(
        self, *, group: str | None = None, up_to: str | None = None, total: bool = False
    ) -> list[QuarterVerdict]:
        """Verdicts up to a quarter; for one group (``total=True`` for the company total)."""
        chosen: Iterable[QuarterVerdict] = self.verdicts
        if up_to is not None:
            chosen = (v for v in chosen if v.quarter <= up_to)
        if total:
            chosen = (v for v in chosen if v.group is None)
        elif group is not None:
            key = " ".join(group.split()).casefold()
            chosen = (
                v
                for v in chosen
                if v.group is not None and " ".join(v.group.split()).casefold() == key
            )
        return list(chosen)
