"""The domain's vocabulary: verdicts, flags, options, fiscal quarters, results.

Everything here is an immutable value. Amounts are ``float`` values already
rounded to cents (half-even); comparisons between amounts are made on integer
cents (see :func:`to_cents`) so float noise never turns a met plan into a miss.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
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


def _words(name: str) -> str:
    """``SOFT_MISS`` → ``Soft Miss``: a verdict's or flag's name as people read it."""
    return " ".join(word.capitalize() for word in name.split("_"))


class Verdict(enum.Enum):
    BEAT = "BEAT"
    SOFT_MISS = "SOFT_MISS"
    HARD_MISS = "HARD_MISS"
    NO_PLAN = "NO_PLAN"
    NO_BASELINE = "NO_BASELINE"

    @property
    def text(self) -> str:
        """As the Summary and the alerts write it: ``Beat``, ``Soft Miss``, ``No Plan``."""
        return _words(self.value)


class Flag(enum.Enum):
    CONSECUTIVE_HARD_MISS = "CONSECUTIVE_HARD_MISS"
    REPEATED_HARD_MISS = "REPEATED_HARD_MISS"
    FREQUENT_SOFT_MISS = "FREQUENT_SOFT_MISS"
    UNREALISTIC_PLAN = "UNREALISTIC_PLAN"
    DATA_ISSUES = "DATA_ISSUES"

    @property
    def text(self) -> str:
        """As the Summary and the alerts write it: ``Consecutive Hard Miss``…"""
        return _words(self.value)


class Comparison(enum.Enum):
    PRIOR_QUARTER = "PRIOR_QUARTER"
    SAME_QUARTER_LAST_YEAR = "SAME_QUARTER_LAST_YEAR"


class Severity(enum.Enum):
    ERROR = "ERROR"  # the row was rejected: it did not count
    WARNING = "WARNING"  # the reader is not sure of something that changes the figures
    INFO = "INFO"  # the row was skipped on purpose (a Total row): nothing was lost


class DateOrder(enum.Enum):
    DAY_FIRST = "DAY_FIRST"
    MONTH_FIRST = "MONTH_FIRST"


class Cause(enum.Enum):
    """The most likely cause of a miss (docs/rules.md §7)."""

    FEWER_LEADS = "FEWER_LEADS"
    LOWER_WIN_RATE = "LOWER_WIN_RATE"
    SMALLER_DEALS = "SMALLER_DEALS"
    FEWER_DEALS = "FEWER_DEALS"
    UNREALISTIC_PLAN = "UNREALISTIC_PLAN"


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


_TAB_OPTIONS = ("plan_tab", "bookings_tab", "summary_tab", "leads_tab", "rates_tab")
_TAB_NAMES = {
    "plan_tab": "planTab",
    "bookings_tab": "bookingsTab",
    "summary_tab": "summaryTab",
    "leads_tab": "leadsTab",
    "rates_tab": "ratesTab",
    "history_tab": "historyTab",
}
MAX_GROUP_BY = 10
MAX_NAME = 200


def fold_tab(name: str) -> str:
    """A tab name as tabs are looked up: case and spaces folded."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class ClassifyOptions:
    """The ``ClassifyOptions`` of the API (docs/rules.md), with Python names.

    ``as_of`` is the day the run looks from (default: the day of the run, filled in by
    the caller: the domain has no clock). The column options override the reader's
    choices; ``won_statuses`` names the stages that count as won.
    """

    plan_tab: str = "Plan"
    bookings_tab: str = "Bookings"
    summary_tab: str = "Summary"
    fiscal_year_start_month: int = 1
    comparison: Comparison = Comparison.PRIOR_QUARTER
    hard_miss_window: int = 8
    group_by: tuple[str, ...] | None = None
    as_of: date | None = None
    leads_tab: str = "Leads"
    rates_tab: str = "Rates"
    amount_column: str | None = None
    date_column: str | None = None
    plan_column: str | None = None
    won_statuses: tuple[str, ...] | None = None
    date_order: DateOrder | None = None
    history_tab: str | None = None  # a tab that keeps one row per group and run; None: off

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
        for name in _TAB_OPTIONS:
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
                raise InvalidOptions(_TAB_NAMES[name], value, "must be a tab name")
        if self.history_tab is not None and (
            not isinstance(self.history_tab, str)
            or not self.history_tab.strip()
            or len(self.history_tab) > MAX_NAME
        ):
            raise InvalidOptions("historyTab", self.history_tab, "must be a tab name")
        seen: dict[str, str] = {}
        names = [*_TAB_OPTIONS, *(["history_tab"] if self.history_tab is not None else [])]
        for name in names:
            key = fold_tab(getattr(self, name))
            if key in seen:
                raise InvalidOptions(
                    _TAB_NAMES[name],
                    getattr(self, name),
                    f"names the same tab as {seen[key]} (tab names are compared ignoring "
                    "case and spaces): the Plan, Bookings, Summary, Leads, Rates and History "
                    "tabs must all be different tabs",
                )
            seen[key] = _TAB_NAMES[name]
        for name in ("amount_column", "date_column", "plan_column"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or len(value) > MAX_NAME):
                raise InvalidOptions(_camel(name), value, "must be a column header")
        if self.group_by is not None and (
            len(self.group_by) > MAX_GROUP_BY or any(len(g) > MAX_NAME for g in self.group_by)
        ):
            raise InvalidOptions(
                "groupBy", f"{len(self.group_by)} columns", f"may name at most {MAX_GROUP_BY}"
            )
        if self.won_statuses is not None and (
            len(self.won_statuses) > 50 or any(len(w) > MAX_NAME for w in self.won_statuses)
        ):
            raise InvalidOptions("wonStatuses", len(self.won_statuses), "may list at most 50")

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
            kwargs[name] = _option_value(key, name, value)
        return cls(**kwargs)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _option_value(key: str, name: str, value: Any) -> Any:
    if name == "comparison" and not isinstance(value, Comparison):
        try:
            return Comparison(str(value).upper())
        except ValueError:
            raise InvalidOptions(
                key, value, "must be PRIOR_QUARTER or SAME_QUARTER_LAST_YEAR"
            ) from None
    if name == "date_order" and not isinstance(value, DateOrder):
        try:
            return DateOrder(str(value).upper())
        except ValueError:
            raise InvalidOptions(key, value, "must be DAY_FIRST or MONTH_FIRST") from None
    if name == "as_of" and not isinstance(value, date):
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise InvalidOptions(key, value, "must be an ISO date such as 2025-11-15") from None
    if name in ("group_by", "won_statuses"):
        if isinstance(value, str):
            value = (value,)
        if not isinstance(value, list | tuple):
            raise InvalidOptions(key, value, "must be a list of names")
        return tuple(str(v) for v in value)
    if name in ("fiscal_year_start_month", "hard_miss_window") and (
        isinstance(value, bool) or not isinstance(value, int)
    ):
        raise InvalidOptions(key, value, "must be a whole number")
    return value


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
class Drivers:
    """Why a group's bookings moved (docs/rules.md §7): deals, size, win rate, mix, leads."""

    deals: int  # won deals
    average_deal: float | None
    lost_deals: int | None  # None: the tab holds no lost rows
    win_rate: float | None  # deals / (deals + lost)
    new_business: float | None  # None without a deal-type column
    expansion: float | None
    renewal: float | None
    leads: int | None  # None without a Leads tab
    bookings_per_lead: float | None
    deals_per_lead: float | None
    count_effect: float | None  # change in bookings from the number of deals
    size_effect: float | None  # change in bookings from the average deal
    cause: Cause | None
    explanation: str


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
    label: str = ""  # the quarter as the sheet writes it ("FY26 Q4"); "" = canonical
    gap: float | None = None  # bookings - plan
    drivers: Drivers | None = None
    in_progress: bool = False  # the quarter had not ended at asOf

    @property
    def shown_label(self) -> str:
        return self.label or self.quarter


@dataclass(frozen=True)
class VerdictChange:
    """A verdict that moved between two runs of a sheet and quarter (GraphQL
    ``VerdictChange``); ``group`` None is the company total, ``before`` None: no verdict
    then (the group or quarter is new, or there was no earlier run)."""

    group: str | None
    quarter: str
    before: Verdict | None
    after: Verdict


@dataclass(frozen=True)
class Pace:
    """The quarter in progress at ``as_of`` (docs/rules.md §8)."""

    group: str | None
    quarter: str
    as_of: str  # ISO date
    elapsed: float  # 0-1
    booked: float
    projected: float
    plan: float | None
    pipeline: float | None
    coverage: float | None
    outlook: Verdict | None
    method: str
    label: str = ""


@dataclass(frozen=True)
class ColumnUse:
    column: str  # A1 letter
    header: str
    role: str
    note: str | None = None


@dataclass(frozen=True)
class LeftOut:
    reason: str
    rows: int


@dataclass(frozen=True)
class TabReading:
    """What the reader made of one tab (shown in the run and the Summary)."""

    tab: str
    header_row: int  # 1-based
    layout: str  # LONG, WIDE, MONTHLY_WIDE, DEALS
    columns: tuple[ColumnUse, ...]
    rows_counted: int
    rows_skipped: int
    total: float  # control total of the amounts counted, after unit and currency
    unit: float
    currency: str | None
    left_out: tuple[LeftOut, ...] = ()
    notes: tuple[str, ...] = ()  # assumptions: date order, units, fiscal calendar…


@dataclass(frozen=True)
class ClassificationResult:
    """Every classified group and quarter, and every data issue.

    ``verdicts`` is ordered by group (company total first, then groups by name)
    and then by quarter ascending. ``quarter`` is the default quarter: the latest with
    bookings that had ended by ``as_of`` (None when none had).
    """

    verdicts: tuple[QuarterVerdict, ...]
    issues: tuple[DataIssue, ...]
    group_columns: tuple[str, ...] = ()
    quarters: tuple[str, ...] = ()  # every classified quarter, ascending
    options: ClassifyOptions = field(default_factory=ClassifyOptions)
    quarter: str | None = None
    as_of: date | None = None
    in_progress: str | None = None  # the quarter holding as_of, when it has data
    currency: str | None = None
    inputs: tuple[TabReading, ...] = ()
    pace: tuple[Pace, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # canonical -> sheet's label

    def current(self, quarter: str) -> list[QuarterVerdict]:
        """Every group's verdict for one quarter, company total first."""
        return [v for v in self.verdicts if v.quarter == quarter]
