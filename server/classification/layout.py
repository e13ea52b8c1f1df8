"""Finding the table in a tab: the header row, the layout and what each column is for.

The header is the first row among the first 10 that makes a table: a period (quarter,
month, year + quarter) or date column next to an amount column (a *long* table, or
*deal rows* when Bookings or Leads have a date column), or columns named like quarters
(``Q1 2025``…, a *wide* table) or months (``Jan-25``…, *monthly wide*). Rows above
the header are titles; they may say the unit (``($K)``), the currency, the bookings
basis (ACV…) or the year of bare ``Q1…Q4`` headers. A pivot table's caption row
(``SUM of Amount`` over ``Close Month``, Excel's ``Sum of Amount`` over ``Column
Labels``) is a title too: the header is the row of labels below it.

Each role is chosen by its own function (``_pick_date``, ``_pick_bookings``…), on
purpose and not by position, and each choice is kept as a :class:`Use` with its reason
so the run can show how the tab was read. Options ``dateColumn``, ``amountColumn`` and
``planColumn`` override a choice.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from server.classification import dates, headers, quarters
from server.classification.errors import ColumnNotFound, HeaderNotFound
from server.classification.headers import Header
from server.classification.model import Quarter
from server.classification.statuses import Status, StatusReader, category_column, known_status
from server.classification.values import fold, is_blank, is_total_marker

HEADER_SEARCH_ROWS = 10
SAMPLE_ROWS = 200
_PIVOT_CAPTION = re.compile(
    r"(?:(?:sum|counta?|average|max|min|countunique|median|product)\s+of"
    r"|(?:summe|anzahl|mittelwert)\s+von|(?:somme|nombre)\s+de|(?:suma|cuenta)\s+de"
    r"|(?:somma|conteggio)\s+di|(?:som|aantal)\s+van|(?:soma|contagem)\s+de)\s+(?=\S)",
    re.IGNORECASE,
)
#: A pivot's caption over its row labels, as Excel writes it in English, German, French,
#: Spanish, Italian, Dutch and Portuguese: a group column named for no field.
ROW_LABELS = frozenset(
    {"row labels", "zeilenbeschriftungen", "étiquettes de lignes", "etiquettes de lignes"}
    | {"etiquetas de fila", "etichette di riga", "rijlabels", "rótulos de linha"}
    | {"rotulos de linha"}
)


class Kind(enum.Enum):
    LONG = "LONG"  # one row per group and period (quarter, month, year + quarter)
    WIDE = "WIDE"  # one row per group, one column per quarter
    MONTHLY_WIDE = "MONTHLY_WIDE"  # one row per group, one column per month
    DEALS = "DEALS"  # one row per deal (or lead), with a date


class TabRole(enum.Enum):
    PLAN = "Plan"
    BOOKINGS = "Bookings"
    LEADS = "Leads"


class Grain(enum.IntEnum):
    """What a period code counts: Sheets serial days, calendar months, fiscal quarters."""

    DAY = 0
    MONTH = 1
    QUARTER = 2


_EXPECTED = {
    TabRole.PLAN: (
        "a row with a quarter column (Quarter, Period, Qtr…) or a month column and a plan "
        "column (Plan, Target, Quota, Budget), or one column per quarter (Q1 2025, Q2 2025…) "
        "or per month (Jan-25, Feb-25…)"
    ),
    TabRole.BOOKINGS: (
        "a row with a close-date column (Close Date, Closed, Booked On, Date…) or a "
        "quarter column (Quarter, Period…) and an amount column (Bookings, Amount, ACV, "
        "ARR, Closed Won…), or one column per quarter (Q1 2025, Q2 2025…) or per month"
    ),
    TabRole.LEADS: (
        "a row with a created-date column (one row per lead) or a quarter or month column "
        "and a leads column (Leads, MQLs, New Leads…), or one column per quarter or month"
    ),
}


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as written, spaces collapsed
    info: Header | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return fold(self.header)

    @property
    def letter(self) -> str:
        from server.classification.issues import column_letters

        return column_letters(self.index)


@dataclass(frozen=True)
class Use:
    """What the reader used a column for, and why (shown in the run's inputs)."""

    column: Column
    role: str  # date, amount, plan, leads, status, currency, id, type, group, quarter…
    note: str | None = None


@dataclass(frozen=True)
class Picks:
    """The options that override the reader's choices, and what the other tab says."""

    date: str | None = None  # dateColumn
    amount: str | None = None  # amountColumn
    plan: str | None = None  # planColumn
    basis: str | None = None  # the bookings basis the Plan names (ACV, ARR, TCV, MRR)
    start: int = 1  # fiscalYearStartMonth: which months a quarter label covers


@dataclass(frozen=True)
class Layout:
    tab: str
    role: TabRole
    kind: Kind
    header_row: int  # 0-based index into the tab's rows
    grain: Grain
    period: Column | None = None  # LONG: quarter, month or date column; DEALS: the date
    year: Column | None = None  # LONG: a Year column beside a bare Quarter or Month column
    amount: Column | None = None  # None for leads counted one row at a time
    period_columns: tuple[tuple[Column, int], ...] = ()  # WIDE: quarter index; MONTHLY: month
    status: Column | None = None
    closed: Column | None = None  # a TRUE/FALSE Closed column beside a Won flag
    currency: Column | None = None
    record_id: Column | None = None
    deal_type: Column | None = None
    fallback_dates: tuple[Column, ...] = ()  # dates of rows that have no main date
    line_items: bool = False
    line_key: tuple[Column, ...] = ()  # what names one opportunity in a line-item report
    # without an id: the deal-name column; rows identical in every cell count once
    named_deal: Column | None = None
    unit: int = 1
    unit_source: str | None = None
    currency_hint: str | None = None  # written in the amount's header or the title
    basis: str | None = None
    title: str = ""
    dimensions: tuple[Column, ...] = ()  # candidates for automatic grouping
    named: tuple[Column, ...] = ()  # every other named column (groupBy may name any)
    uses: tuple[Use, ...] = ()
    # Plan: other columns that say plan (Quota beside Target) with other figures
    rival_plans: tuple[Column, ...] = ()
    other_parts: tuple[Column, ...] = ()  # Bookings: the parts beside the one read
    # a quarter column beside the date (Salesforce's "Fiscal Period"): not read, but it
    # says which fiscal calendar the CRM uses
    period_label: Column | None = None
    # LONG by month: quarter labels in the month column that roll up three of its months
    # (a planning tool's ``Q1 2026`` line after Jan, Feb, Mar): skipped, their months count
    rollups: frozenset[int] = frozenset()

    @property
    def status_categories(self) -> bool:
        """The status column is Salesforce's Forecast Category (Closed is won)."""
        info = self.status.info if self.status is not None else None
        return info is not None and headers.is_forecast_category(info)

    @property
    def quarter_columns(self) -> tuple[tuple[Column, int], ...]:
        return self.period_columns if self.kind is Kind.WIDE else ()

    def find(self, name: str) -> Column | None:
        key = fold(name)
        return next((c for c in self.named if c.key == key), None)


# -- reading a candidate header row ----------------------------------------------------------


@dataclass
class _Row:
    """One candidate header row and what lies around it."""

    tab: str
    role: TabRole
    index: int
    cells: Sequence[Any]
    title: str
    above: Sequence[Sequence[Any]]
    sample: Sequence[Sequence[Any]]
    picks: Picks
    columns: list[Column] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    rollups: frozenset[int] = frozenset()  # see Layout.rollups
    # a pivot's other values beside the amount (``COUNTA of Opportunity``): never read
    other_values: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, cell in enumerate(self.cells):
            info = headers.describe(cell)
            if info is not None:
                self.columns.append(Column(i, info.text, info))
                if i in self.other_values:
                    self.ignore(self.columns[-1], "another value of the pivot, not the amount")

    def values(self, column: Column) -> list[Any]:
        return [
            row[column.index]
            for row in self.sample
            if column.index < len(row) and not is_blank(row[column.index])
        ]

    def use(self, column: Column | None, role: str, note: str | None = None) -> None:
        if column is not None and column.index not in self.used:
            self.used.add(column.index)
            self.uses.append(Use(column, role, note))

    def ignore(self, column: Column, note: str) -> None:
        self.use(column, "ignored", note)

    def overrule(self, column: Column, note: str) -> None:
        """A column picked earlier is not used after all (a date beat a period column)."""
        self.used.discard(column.index)
        self.uses = [u for u in self.uses if u.column.index != column.index]
        self.ignore(column, note)

    def named(self, name: str, option: str) -> Column:
        """The column an option names, or :class:`ColumnNotFound`."""
        key = fold(name)
        for column in self.columns:
            if column.key == key:
                return column
        raise ColumnNotFound(self.tab, name, [c.header for c in self.columns], option=option)


def _info(column: Column) -> Header:
    assert column.info is not None
    return column.info


def _share(values: list[Any], test: Callable[[Any], bool]) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _is_flag_value(value: Any) -> bool:
    """TRUE/FALSE, Yes/No, or 1/0 (a checkbox exported as a number)."""
    return (
        isinstance(value, bool)
        or (isinstance(value, str) and value.strip().casefold() in ("true", "false", "yes", "no"))
        or (type(value) in (int, float) and value in (0, 1))
    )


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


# -- picks: each role has its own function, with its reason --------------------------------


def _by_option(row: _Row, name: str, option: str, role: str) -> Column:
    """The column an option names, used for ``role`` (or :class:`ColumnNotFound`)."""
    chosen = row.named(name, option)
    row.use(chosen, role, f"chosen by the {option} option")
    return chosen


def _pick_status(row: _Row) -> tuple[Column | None, Column | None]:
    """The deal-status column and a Closed flag: by header first (Stage, Deal Stage,
    Status, Is Won, Won?…), then Salesforce's Forecast Category, then by its values (an
    ``Outcome`` column of Won/Lost/Pending): a tab with won and lost rows mixed must
    never be summed whole."""
    stages, flags = _status_headers(row)
    won_flags = [c for c in flags if "won" in _info(c).compact]
    closed = next((c for c in flags if _info(c).compact in _CLOSED_FLAGS), None)
    if stages:
        row.use(stages[0], "status", "only won rows are bookings")
        for column in flags:
            row.ignore(column, f"{stages[0].header} gives each deal's status")
        return stages[0], None
    if won_flags:
        row.use(won_flags[0], "status", "TRUE (or 1) marks a won deal")
        if closed is not None:
            row.use(closed, "closed", "with Won: closed and not won is lost, not closed is open")
        return won_flags[0], closed
    found = _status_by_values(row)
    if found is not None:
        column, note = found
        row.use(column, "status", note)
    return (found[0] if found else None), None


_CLOSED_FLAGS = ("closed", "isclosed", "dealclosed", "isdealclosed")


def _status_headers(row: _Row) -> tuple[list[Column], list[Column]]:
    """Columns whose header names a status (best first) and TRUE/FALSE (or 1/0) flags.
    A stage column may hold some numeric stage ids (a HubSpot custom pipeline) but must
    hold text, or a value that reads as won."""
    stages: list[Column] = []
    flags: list[Column] = []
    for column in row.columns:
        info = _info(column)
        values = row.values(column)
        if headers.is_flag_header(info) and values and _share(values, _is_flag_value) >= 0.8:
            flags.append(column)
        elif headers.is_status(info) and not headers.is_flag_header(info):
            texts = [v for v in values if isinstance(v, str)]
            if not values or len(texts) >= 0.8 * len(values) or _any_won(texts):
                stages.append(column)
    if len(stages) > 1:
        # Pipedrive has both: "Deal - Status" (won/lost/open) and "Deal - Stage" (the
        # pipeline step): the column whose values say won or lost is the deal's status.
        reader = StatusReader()
        stages.sort(key=lambda c: -sum(1 for v in row.values(c) if reader(v) is not Status.OPEN))
    return stages, flags


def _any_won(texts: list[str]) -> bool:
    return any(known_status(v) is Status.WON for v in texts)


def _status_by_values(row: _Row) -> tuple[Column, str] | None:
    """A column whose header says nothing but whose values are deal statuses: at least
    80% known status words, won among them and something else too."""
    for column in row.columns:
        info = _info(column)
        if column.index in row.used:
            continue
        values = row.values(column)
        if headers.is_forecast_category(info) and category_column(values):
            return column, "Salesforce's Forecast Category: Closed is won, Omitted lost"
        if not values or headers.never_status(info):
            continue
        read = [known_status(v) for v in values]
        known = [s for s in read if s is not None]
        if (
            len(known) >= 0.8 * len(values)
            and Status.WON in known
            and any(s is not Status.WON for s in known)
        ):
            return column, "its values say won, lost or open: only won rows are bookings"
    return None


_DATE_RANK = {"close": 0, "won": 1, "booked": 2, "generic": 3}


def _date_kind(row: _Row, column: Column) -> str | None:
    """What a column's dates are, read from its header and checked against its values:
    a TRUE/FALSE "Closed" column is no date; Tableau's "Quarter of Close Date" and a
    QUERY's "quarter(Close Date)" hold quarters (``Q3 2025``, ``Q3``, ``3``), and "Year
    of Close Date" or "year(Close Date)" years (2025 is a year, not the serial of
    1905-07-17): period and year columns, read as such."""
    kind = headers.date_kind(_info(column))
    if kind is None:
        return None
    values = row.values(column)
    if values and _share(values, _is_flag_value) >= 0.8:
        return None
    info = _info(column)
    periodic = _share(values, _quarter_value) >= 0.8 or _share(values, _month_text) >= 0.8
    periodic = periodic or _share(values, lambda v: quarters.bare_quarter(v) is not None) >= 0.8
    if (headers.is_period(info) or headers.is_month(info)) and values and periodic:
        return None
    if headers.is_year(info) and values and _share(values, _year_value) >= 0.8:
        return None
    return kind


def _year_value(value: Any) -> bool:
    """A whole number (or its digits as text) from 1990 to 2100: a year; as a date serial
    it would be a day of 1905."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return _is_number(value) and float(value).is_integer() and 1990 <= value <= 2100


def _date_candidates(row: _Row) -> tuple[list[tuple[int, Column]], list[Column]]:
    """Dates that may place a row (ranked), and dates of open or lost deals only; every
    other date is ignored with its reason."""
    dated: list[tuple[int, Column]] = []
    spare: list[Column] = []
    for column in row.columns:
        kind = None if column.index in row.used else _date_kind(row, column)
        if kind is None:
            continue
        if row.role is TabRole.LEADS:
            rank = 0 if kind == "bad:created" else 1 if kind == "generic" else None
        else:
            rank = _DATE_RANK.get(kind)
        if rank is not None:
            dated.append((rank, column))
        elif kind in ("expected", "bad:lost"):
            spare.append(column)
        else:
            row.ignore(column, f"a {kind.removeprefix('bad:')} date, never the close date")
    return dated, spare


def _pick_date(row: _Row) -> tuple[Column | None, tuple[Column, ...]]:
    """The date that places a row in a quarter: the close (won, booked, signed) date for
    deals, never a created, modified, activity, start or renewal date; for leads, the
    created date. Other usable dates serve rows whose main date is empty (an open
    deal's expected close date)."""
    chosen: Column | None = None
    if row.picks.date is not None:  # first, so the candidates below cannot claim it
        chosen = _by_option(row, row.picks.date, "dateColumn", "date")
    dated, spare = _date_candidates(row)
    if chosen is None and dated:
        dated.sort(key=lambda rc: (rc[0], rc[1].index))
        chosen = dated[0][1]
        others = ", ".join(c.header for _, c in dated[1:])
        note = "the close date" if row.role is not TabRole.LEADS else "the lead's created date"
        row.use(chosen, "date", note + (f" (over {others})" if others else ""))
    if chosen is None:
        return None, ()
    for _, column in dated:
        if column is not chosen:
            row.ignore(column, f"{chosen.header} is the close date")
    for column in spare:
        kind = headers.date_kind(_info(column))
        row.use(
            column,
            "expected_close" if kind == "expected" else "lost_date",
            f"dates the {'open' if kind == 'expected' else 'lost'} deals, which have no "
            f"{chosen.header}; never bookings",
        )
    return chosen, tuple(spare)


def _pick_period(row: _Row) -> tuple[Column | None, Column | None, Grain]:
    """A quarter, period or month column, and a Year column beside a bare one (``Q1``,
    ``1``, ``Jan``). The grain follows the values: ``Jan 2025`` in a ``Period`` column
    is a month."""
    period = month = year = None
    for column in row.columns:
        if column.index in row.used:
            continue
        info = _info(column)
        if period is None and headers.is_period(info):
            period = column
        elif month is None and headers.is_month(info):
            month = column
        elif year is None and headers.is_year(info):
            year = column
    chosen = period or month
    if chosen is None:
        return None, None, Grain.QUARTER
    values = row.values(chosen)
    if chosen is period:
        bare = (
            bool(values) and _share(values, lambda v: quarters.bare_quarter(v) is not None) >= 0.8
        )
        monthly = bool(values) and _share(values, _month_value) >= 0.8
        grain = Grain.MONTH if monthly and not bare else Grain.QUARTER
        if grain is Grain.QUARTER and not bare:
            row.rollups = _rollups(values, row.picks.start)
            grain = Grain.MONTH if row.rollups else grain
    else:
        bare = bool(values) and _share(values, lambda v: _month_name(v) is not None) >= 0.8
        grain = Grain.MONTH
    role = "quarter" if grain is Grain.QUARTER else "month"
    if row.rollups:
        shown = ", ".join(Quarter.from_index(q).label for q in sorted(row.rollups)[:4])
        more = ", …" if len(row.rollups) > 4 else ""
        note = (
            f"months, with quarter roll-up lines ({shown}{more}) that repeat the sum of their "
            "three months: the months are counted, the roll-up lines skipped"
        )
        row.use(chosen, role, note)
        return chosen, None, grain
    if bare:
        if year is None:
            return None, None, grain  # "Q1" or "Jan" with no year: nothing to place it in
        row.use(chosen, role, f"with the {year.header} column")
        row.use(year, "year", f"with the {chosen.header} column")
        return chosen, year, grain
    row.use(chosen, role, _spans_note(values) if grain is Grain.QUARTER else None)
    return chosen, None, grain


def _rollups(values: list[Any], start: int) -> frozenset[int]:
    """The quarter labels of a period column that mostly holds months (``Jan 2026``,
    ``Feb 2026``, ``Mar 2026``, ``Q1 2026``…) whose three months (in the fiscal
    calendar) are in the column too: a planning tool's roll-up lines, which would count
    the quarter twice. Quarters without their months (next year planned by quarter)
    are not roll-ups. Empty when the column is not months and quarters."""
    months: dict[int, set[int]] = {}  # fiscal quarter -> its months in the column
    labels: set[int] = set()
    others = 0
    for value in values:
        index = quarters.label_index(value) if isinstance(value, str) else None
        month = None
        if index is not None:
            labels.add(index)
        elif isinstance(value, str) and (found := dates.parse_month_text(value)) is not None:
            month = quarters.month_index(*found)
        elif _is_number(value) and (day := dates.serial_to_date(value)) is not None:
            month = quarters.month_index(day.year, day.month)
        else:
            others += 1
        if month is not None:
            months.setdefault(quarters.month_quarter(month, start), set()).add(month)
    if not months or not labels or others > 0.2 * len(values):
        return frozenset()
    return frozenset(q for q in labels if len(months.get(q, ())) == 3)


def _spans_note(values: list[Any]) -> str | None:
    """Say so when quarters are written as their months (``Jan-Mar 2025``)."""
    spans = [v for v in values[:50] if isinstance(v, str) and dates.parse_month_span(v)]
    if not spans:
        return None
    return f"quarters written as their months ({spans[0]}): three months of one fiscal quarter"


def _quarter_value(value: Any) -> bool:
    return isinstance(value, str) and quarters.label_index(value) is not None


def _month_value(value: Any) -> bool:
    if isinstance(value, str):
        return dates.parse_month_text(value) is not None or (
            dates.parse_date_text(value) is not None and not _quarter_value(value)
        )
    return _is_number(value) and dates.serial_to_date(value) is not None


def _month_text(value: Any) -> bool:
    return isinstance(value, str) and dates.parse_month_text(value) is not None


def _month_name(value: Any) -> int | None:
    if isinstance(value, str):
        return dates.MONTHS.get(value.strip().casefold().rstrip("."))
    if _is_number(value) and float(value).is_integer() and 1 <= value <= 12:
        return int(value)
    return None


def _rank_bookings(column: Column, basis: str | None, line_items: bool) -> tuple[int, ...]:
    info = _info(column)
    if basis is not None:
        fit = 0 if info.basis == basis else 1 if info.basis is None else 2
    else:
        fit = 0 if info.basis in (None, "ACV", "ARR") else 1
    explicit = info.has("bookings", "booking", "booked", "actual", "actuals", "closedwon", "won")
    plain = info.has("amount", "value", "revenue", "acv", "arr", "tcv", "mrr")
    return (
        0 if line_items and headers.line_total(info) else 1,
        fit,
        0 if headers.is_converted(info) else 1,
        0 if info.has("net") else 2 if info.has("gross") else 1,  # net of tax and credits
        0 if info.has("total") else 2 if info.has(*_PARTS) else 1,  # a total over its parts
        0 if explicit else 1 if plain else 2,
        column.index,
    )


#: Words of a column that holds one part of the bookings (``New Bookings`` beside
#: ``Expansion Bookings`` and ``Total Bookings``).
_PARTS = ("new", "expansion", "upsell", "renewal", "renewals", "existing", "crosssell")


def _why_bookings(chosen: Column, basis: str | None, line_items: bool) -> str:
    info = _info(chosen)
    if line_items and headers.is_split(info):
        return "each owner's split of the opportunity, summed (Amount repeats on every split)"
    if line_items and headers.line_total(info):
        return "each product line's own amount, summed"
    if basis is not None and info.basis == basis:
        return f"the {basis} basis the Plan names"
    if headers.is_converted(info):
        return "amounts converted to one currency"
    if info.has("net"):
        return "the net amount (before tax, after credits)"
    if info.has("total"):
        return "the total bookings, not one of its parts"
    return "the bookings amount"


def _pick_bookings(row: _Row, line_items: bool) -> Column | None:
    """The bookings amount: converted or company-currency over raw, the Plan's basis
    (ACV, ARR, TCV, MRR), never weighted, expected, probability or currency-code columns."""
    if row.picks.amount is not None:
        return _by_option(row, row.picks.amount, "amountColumn", "amount")
    candidates = []
    for column in row.columns:
        info = _info(column)
        if column.index in row.used or headers.is_currency(info):
            continue
        if not (headers.amount_candidate(info) or (line_items and headers.line_total(info))):
            continue
        why = headers.never_amount(info)
        if why is not None and not (line_items and headers.line_total(info)):
            row.ignore(column, f"{why}, never bookings")
            continue
        if headers.is_product(info) and not headers.line_total(info):
            continue
        candidates.append(column)
    if not candidates:
        return None
    candidates.sort(key=lambda c: _rank_bookings(c, row.picks.basis, line_items))
    chosen = candidates[0]
    role = "line_total" if line_items and headers.line_total(_info(chosen)) else "amount"
    row.use(chosen, role, _why_bookings(chosen, row.picks.basis, line_items))
    for other in candidates[1:]:
        row.ignore(other, f"{chosen.header} is used instead")
    return chosen


# Quota comes last: a tab that also holds a Target or Budget keeps quotas over-assigned
# (the reps' quotas add up to more than the company's number), so they are not the plan.
_PLAN_ORDER = (
    *("plan", "planned", "plans", "target", "targets"),
    *("budget", "budgets", "goal", "goals", "quota", "quotas"),
)


def _pick_plan(row: _Row) -> Column | None:
    """The plan: Plan/Quota/Target/Budget over Commit, Stretch, Upside, Best case or
    Forecast (never chosen on their own); a plain Amount or Value when nothing says plan."""
    if row.picks.plan is not None:
        return _by_option(row, row.picks.plan, "planColumn", "plan")
    candidates = []
    for column in row.columns:
        info = _info(column)
        if column.index in row.used:
            continue
        why = headers.never_plan(info) if headers.plan_candidate(info) else None
        why = why or headers.forecast_only(info)
        if why is not None:
            row.ignore(column, f"{why}, not the plan (planColumn chooses it)")
        elif headers.plan_candidate(info):
            candidates.append(column)
    if not candidates:
        plain = [
            c
            for c in row.columns
            if c.index not in row.used
            and _info(c).has("amount", "value")
            and not _info(c).has("bookings", "booking", "booked", "actual", "actuals")
            and headers.never_amount(_info(c)) is None
        ]
        if not plain:
            return None
        row.use(plain[0], "plan", "no column says plan: the amount column is the plan")
        return plain[0]

    def rank(column: Column) -> tuple[int, int]:
        words = _info(column).words
        order = min((_PLAN_ORDER.index(w) for w in words if w in _PLAN_ORDER), default=9)
        return order, column.index

    candidates.sort(key=rank)
    chosen = candidates[0]
    others = ", ".join(c.header for c in candidates[1:])
    row.use(chosen, "plan", "the plan" + (f" (over {others})" if others else ""))
    for other in candidates[1:]:
        row.ignore(other, f"{chosen.header} is the plan (planColumn chooses {other.header})")
    return chosen


def _rival_plans(row: _Row, chosen: Column | None) -> tuple[Column, ...]:
    """Other columns that say plan (a Quota beside the Target) and hold other figures in
    the same rows: the choice changes verdicts, so the run says so, unless ``planColumn``
    made it."""
    if row.role is not TabRole.PLAN or chosen is None or row.picks.plan is not None:
        return ()
    out = []
    for column in row.columns:
        info = _info(column)
        if column.index == chosen.index or not headers.plan_candidate(info):
            continue
        if headers.never_plan(info) or headers.forecast_only(info):
            continue
        if any(_differ(cells, chosen, column) for cells in row.sample):
            out.append(column)
    return tuple(out)


def _other_parts(row: _Row, chosen: Column | None) -> tuple[Column, ...]:
    """Bookings read from one part (``New Bookings``) while the tab has the others
    (``Expansion Bookings``) and no total: the run says so, unless ``amountColumn`` chose."""
    if row.role is not TabRole.BOOKINGS or chosen is None or row.picks.amount is not None:
        return ()
    if not _info(chosen).has(*_PARTS) or _info(chosen).has("total"):
        return ()
    out = []
    for column in row.columns:
        info = _info(column)
        if column.index == chosen.index or not headers.amount_candidate(info):
            continue
        if headers.never_amount(info) is None and info.has(*_PARTS):
            out.append(column)
    return tuple(out)


def _differ(cells: Sequence[Any], one: Column, other: Column) -> bool:
    if max(one.index, other.index) >= len(cells):
        return False
    a, b = cells[one.index], cells[other.index]
    return _is_number(a) and _is_number(b) and round(a, 2) != round(b, 2)


def _pick_leads(row: _Row) -> Column | None:
    for column in row.columns:
        if column.index not in row.used and headers.leads_candidate(_info(column)):
            values = row.values(column)
            if not values or _share(values, lambda v: _is_number(v) or isinstance(v, str)) >= 0.8:
                row.use(column, "leads", "leads counted")
                return column
    return None


def _pick_currency(row: _Row, amount: Column | None) -> Column | None:
    """The currency of the chosen amount: its own column (``Amount Currency`` beside
    ``Amount``), else a general one (``Currency``) unless the amount is converted."""
    found = [c for c in row.columns if c.index not in row.used and headers.is_currency(_info(c))]
    if not found:
        return None
    chosen: Column | None = None
    if amount is not None:
        paired = [c for c in found if c.key.startswith(amount.key) and c.key != amount.key]
        if paired:
            chosen = paired[0]
        elif not headers.is_converted(_info(amount)):
            general = [
                c for c in found if not any(c.key.startswith(o.key + " ") for o in row.columns)
            ]
            chosen = general[0] if general else None
    for column in found:
        if column is chosen:
            row.use(column, "currency", f"the currency of {amount.header if amount else 'amounts'}")
        else:
            row.ignore(column, "the currency of another amount column")
    return chosen


def _pick_record_id(row: _Row) -> Column | None:
    for column in row.columns:
        if column.index not in row.used and headers.is_record_id(_info(column)):
            row.use(column, "id", "a row repeated with the same id, date and amount counts once")
            return column
    return None


_TYPE_WORDS = ("new", "renewal", "renew", "upsell", "expansion", "existing", "cross", "add")


def _pick_deal_type(row: _Row) -> Column | None:
    for column in row.columns:
        if column.index in row.used or not headers.is_deal_type(_info(column)):
            continue
        values = row.values(column)
        typed = _share(values, lambda v: any(w in str(v).casefold() for w in _TYPE_WORDS))
        if not values or typed >= 0.5:
            row.use(column, "type", "new business, expansion or renewal")
            return column
    return None


def _line_items(row: _Row) -> bool:
    """A line-item report (Opportunities with Products, or with Opportunity Splits):
    product or split columns beside deals, the opportunity's Amount on every line."""
    return any(headers.is_product(_info(c)) or headers.is_split(_info(c)) for c in row.columns)


# -- wide headers: a column per quarter or per month ------------------------------------------


def _wide_header(role: TabRole, i: int, cell: Any) -> tuple[str, Column, int] | None:
    """What one header cell of a wide table names: ``("quarter", column, quarter index)``
    (``Q1 2025``, ``Q1 2025 Plan``), ``("month", column, month index)`` (``Jan-25``, a
    month's first day as a date), ``("bare", column, 1-4)`` (``Q1``), or None."""
    wanted = {TabRole.PLAN: "plan", TabRole.BOOKINGS: "bookings", TabRole.LEADS: "leads"}
    if _is_number(cell) and _month_serial(cell):
        day = dates.serial_to_date(cell)
        assert day is not None
        label = f"{dates.MONTH_ABBREVIATIONS[day.month - 1]}-{day.year % 100:02d}"
        return "month", Column(i, label), quarters.month_index(day.year, day.month)
    if not isinstance(cell, str):
        return None
    column = Column(i, " ".join(cell.split()), headers.describe(cell))
    found = headers.quarter_flavour(cell)
    if found is not None:
        return ("quarter", column, found[0]) if found[1] in (None, wanted[role]) else None
    month = dates.parse_month_text(cell)
    if month is not None:
        return "month", column, quarters.month_index(*month)
    number = quarters.bare_quarter(cell) if cell.strip()[:1].upper() == "Q" else None
    return ("bare", column, number) if number is not None else None


def _wide_columns(row: _Row) -> tuple[Kind, tuple[tuple[Column, int], ...]] | None:
    """Columns named like quarters, months, or bare ``Q1…Q4`` whose year stands above them
    or in the title (see :func:`_wide_header`). A number that is no month's first day
    makes the row a data row, not a header."""
    if any(_is_number(c) and not _month_serial(c) for c in row.cells):
        return None
    found: dict[str, list[tuple[Column, int]]] = {"quarter": [], "month": [], "bare": []}
    for i, cell in enumerate(row.cells):
        named = _wide_header(row.role, i, cell)
        if named is not None:
            found[named[0]].append((named[1], named[2]))
    if found["quarter"]:
        return Kind.WIDE, tuple(found["quarter"])
    if len(found["month"]) >= 2:
        starts = _quarter_starts(row, found["month"])
        return (Kind.WIDE, starts) if starts else (Kind.MONTHLY_WIDE, tuple(found["month"]))
    bare = found["bare"]
    years = _years_for(row, bare) if bare else None
    if years is None:
        return None
    return Kind.WIDE, tuple(
        (column, year * 4 + number - 1) for (column, number), year in zip(bare, years, strict=True)
    )


def _quarter_starts(
    row: _Row, months: list[tuple[Column, int]]
) -> tuple[tuple[Column, int], ...] | None:
    """Header dates three months apart, each a month's first day (``=EDATE(B2, 3)``
    shown as Oct 2025, Jan 2026, Apr 2026): a column per quarter, the quarter each date
    opens (in the fiscal calendar), not months with two missing between each. None when
    any header is text or two columns are not three months apart."""
    if not all(_is_number(row.cells[column.index]) for column, _ in months):
        return None
    steps = {b - a for (_, a), (_, b) in pairwise(months)}
    if steps != {3}:
        return None
    start = row.picks.start
    return tuple((column, quarters.month_quarter(month, start)) for column, month in months)


def _year_over(cell: Any) -> int | None:
    """A year written over a block of quarter columns: ``2025``, ``FY2025``, ``FY25 Plan``."""
    year = quarters.year_label(cell)
    if year is None and isinstance(cell, str) and len(cell.split()) <= 3:
        found = quarters.years_in(cell)
        year = found[0] if len(found) == 1 else None
    return year


def _month_serial(cell: Any) -> bool:
    day = dates.serial_to_date(cell)
    return day is not None and day.day == 1


def _years_for(row: _Row, bare: list[tuple[Column, int]]) -> list[int] | None:
    """The year of each bare ``Q1…Q4`` column: from a row above (a merged ``FY2025``
    over its quarters), else from the title (one year, or one per block of Q1…Q4)."""
    first = min(column.index for column, _ in bare)
    for above in reversed(row.above):
        marks = [
            (i, year)
            for i, cell in enumerate(above)
            if i >= first and (year := _year_over(cell)) is not None
        ]
        if marks:
            out = []
            for column, _ in bare:
                left = [year for i, year in marks if i <= column.index]
                if not left:
                    break
                out.append(left[-1])
            else:
                return out
    years = sorted(set(quarters.years_in(row.title)))
    if not years:
        return None
    blocks: list[int] = []
    block = -1
    previous = 5
    for _, number in bare:
        if number <= previous:
            block += 1
        blocks.append(block)
        previous = number
    if len(years) == 1 and block == 0:
        return [years[0]] * len(bare)
    if block + 1 == len(years) and years == list(range(years[0], years[0] + len(years))):
        return [years[b] for b in blocks]
    return None


# -- the layout of one candidate row --------------------------------------------------------


def _use_periods(row: _Row, kind: Kind, period_columns: tuple[tuple[Column, int], ...]) -> None:
    """Each period column's use; a bare ``Q1`` says which fiscal year it was given."""
    for column, period in period_columns:
        note = "a column per period"
        if kind is Kind.WIDE and dates.parse_month_text(column.header) is not None:
            label = Quarter.from_index(period).label
            note = (
                f"a column per quarter: {column.header} is the first day of {label}, each "
                "header date three months after the one before"
            )
        elif kind is Kind.WIDE and headers.quarter_flavour(column.header) is None:
            year = period // 4
            note = f"Q{period % 4 + 1} of FY{year}, its year read from the title or a row above"
        row.use(column, "quarter" if kind is Kind.WIDE else "month", note)


def _layout(row: _Row) -> Layout | None:
    role = row.role
    wide = _wide_columns(row)
    status = closed = None
    if role is TabRole.BOOKINGS:
        status, closed = _pick_status(row)
    day, fallbacks = (None, ()) if role is TabRole.PLAN else _pick_date(row)
    period, year, grain = _pick_period(row)
    period_label = None
    if day is not None and period is not None:
        row.overrule(period, f"{day.header} places each row in its quarter")
        if year is not None:
            row.overrule(year, f"{day.header} places each row in its quarter")
        period_label = period if grain is Grain.QUARTER and year is None else None
        period, year = None, None
    if role is TabRole.PLAN and period is None:
        day, _ = _pick_date(row)
    if day is not None:
        grain = Grain.DAY
    when = day or period
    period_columns: tuple[tuple[Column, int], ...] = ()
    if when is None and wide is not None:
        kind, period_columns = wide
        grain = Grain.QUARTER if kind is Kind.WIDE else Grain.MONTH
        _use_periods(row, kind, period_columns)
    elif when is None:
        return None
    else:
        kind = Kind.DEALS if day is not None and role is not TabRole.PLAN else Kind.LONG
    line_items = role is TabRole.BOOKINGS and _line_items(row)
    amount: Column | None = None
    if kind is not Kind.WIDE and kind is not Kind.MONTHLY_WIDE:
        amount = _pick_amount(row, line_items)
        if amount is None and not (role is TabRole.LEADS and kind is Kind.DEALS):
            return None
    currency = _pick_currency(row, amount) if role is not TabRole.LEADS else None
    record_id = _pick_record_id(row) if kind is Kind.DEALS else None
    deal_type = _pick_deal_type(row) if role is TabRole.BOOKINGS else None
    unit, unit_source = _unit(row, amount, period_columns)
    hint_column = amount or (period_columns[0][0] if period_columns else None)
    hint = hint_column.info.currency if hint_column and hint_column.info else None
    basis = (amount.info.basis if amount and amount.info else None) or headers.basis_in(row.title)
    line_key = _line_key(row, record_id) if line_items else ()
    named_deal = None
    if kind is Kind.DEALS and record_id is None and not line_items:
        named_deal = next(iter(_line_key(row, None)), None)
    summed_lines = (
        amount is not None and amount.info is not None and headers.line_total(amount.info)
    )
    dimensions, named = _dimensions(row)
    return Layout(
        tab=row.tab,
        role=role,
        kind=kind,
        header_row=row.index,
        grain=grain,
        period=when,
        year=year,
        amount=amount,
        period_columns=period_columns,
        status=status,
        closed=closed,
        currency=currency,
        record_id=record_id,
        deal_type=deal_type,
        fallback_dates=fallbacks,
        line_items=line_items and bool(line_key) and not summed_lines,
        line_key=line_key,
        named_deal=named_deal,
        unit=unit,
        unit_source=unit_source,
        currency_hint=hint or headers.currency_in(row.title),
        basis=basis,
        title=row.title,
        dimensions=dimensions,
        named=named,
        uses=tuple(row.uses),
        rival_plans=_rival_plans(row, amount),
        other_parts=_other_parts(row, amount),
        period_label=period_label if kind is Kind.DEALS else None,
        rollups=row.rollups if kind is Kind.LONG else frozenset(),
    )


def _pick_amount(row: _Row, line_items: bool) -> Column | None:
    """The column each row's amount is read from: the plan, the bookings, the leads."""
    if row.role is TabRole.PLAN:
        return _pick_plan(row)
    if row.role is TabRole.BOOKINGS:
        return _pick_bookings(row, line_items)
    return _pick_leads(row)


def _unit(
    row: _Row, amount: Column | None, period_columns: tuple[tuple[Column, int], ...]
) -> tuple[int, str | None]:
    for column in [amount] if amount is not None else [c for c, _ in period_columns[:1]]:
        if column.info is not None and column.info.unit is not None:
            return column.info.unit, f"the header {column.header!r}"
    unit = headers.unit_in(row.title)
    if unit is not None:
        return unit, "the title above the table"
    return 1, None


def _line_key(row: _Row, record_id: Column | None) -> tuple[Column, ...]:
    if record_id is not None:
        return (record_id,)
    name = next(
        (
            c
            for c in row.columns
            if _info(c).has("opportunity", "deal") and _info(c).has("name", "title")
        ),
        None,
    )
    return (name,) if name is not None else ()


def _dimensions(row: _Row) -> tuple[tuple[Column, ...], tuple[Column, ...]]:
    dimensions: list[Column] = []
    named: list[Column] = []
    seen: set[str] = set()
    for column in row.columns:
        if column.index in row.used or column.key in seen:
            continue
        seen.add(column.key)
        named.append(column)
        info = _info(column)
        if headers.is_ignored(info) or headers.is_identifier(info) or headers.is_product(info):
            continue
        if headers.date_kind(info) is not None or headers.amount_candidate(info):
            continue
        why = headers.never_amount(info)
        if why is not None and not headers.is_currency(info):
            row.ignore(column, f"{why}, never bookings")
            continue
        if quarters.year_label(column.header) is not None or is_total_marker(column.header):
            row.ignore(column, "a year or total column, never a quarter")
            continue
        dimensions.append(column)
    return tuple(dimensions), tuple(named)


def _title(rows: Sequence[Sequence[Any]]) -> str:
    return " ".join(str(cell) for row in rows for cell in row if isinstance(cell, str))


def as_row(row: Any) -> Sequence[Any]:
    """A row of cells whatever a caller passed: lists and tuples as they are."""
    if type(row) is list or type(row) is tuple:
        return row
    if row is None:
        return ()
    if isinstance(row, str | bytes | dict):
        return (row,)
    try:
        return tuple(row)
    except TypeError:
        return (row,)


def find_layout(tab: str, rows: Sequence[Any], role: TabRole, picks: Picks | None = None) -> Layout:
    """The header row and layout of a tab, or :class:`HeaderNotFound` saying what is missing."""
    picks = picks or Picks()
    top = [as_row(raw) for raw in rows[:HEADER_SEARCH_ROWS]]
    candidates: list[Layout] = []
    for index, row in enumerate(top):
        if _pivot_caption(row) and index + 1 < len(top):
            continue
        at, others = index, dict[int, str]()
        merged = _pivot_values_header(row, top[index + 1]) if index + 1 < len(top) else None
        if merged is not None:  # the quarters over a row of value names: one header
            row, others = merged
            at = index + 1
        sample = [as_row(r) for r in rows[at + 1 : at + 1 + SAMPLE_ROWS]]
        title, above = _title(top[:index]), top[:index]
        candidate = _Row(tab, role, at, row, title, above, sample, picks, other_values=others)
        try:
            layout = _layout(candidate)
        except ColumnNotFound:
            if index == len(top) - 1 or not any(
                _option_in(r, picks, role) for r in top[index + 1 :]
            ):
                raise
            continue
        if layout is None:
            continue
        filled = sum(1 for cell in row if not is_blank(cell))
        if filled >= 2:
            return layout
        candidates.append(layout)  # a lone cell may be a title such as "FY25 Q1"
    if candidates:
        return candidates[0]
    raise HeaderNotFound(tab, _EXPECTED[role], found=_what_was_found(top, role))


_SUM_CAPTION = re.compile(r"(?:sum|summe|somme|suma|somma|som|soma)\s", re.IGNORECASE)


def _pivot_values_header(
    over: Sequence[Any], names: Sequence[Any]
) -> tuple[list[Any], dict[int, str]] | None:
    """A pivot with several values per column (Sheets: Rows Region, Columns Quarter,
    Values ``SUM of Amount`` and ``COUNTA of Opportunity``): the quarters in one row over
    their block of columns, the value names in the row below. As one header row: the
    amount's column under each quarter takes the quarter's name (``Q4 2025``, ``Grand
    Total``), the other values' columns their own (never bookings), the row labels
    (``Region``) theirs. None when ``names`` is not such a row."""
    captions = {
        i: " ".join(c.split())
        for i, c in enumerate(names)
        if isinstance(c, str) and _PIVOT_CAPTION.match(c.strip()) is not None
    }
    kinds = {fold(c) for c in captions.values()}
    if len(captions) < 2 or len(kinds) < 2 or not any(isinstance(c, str) for c in over):
        return None
    amount = min(kinds, key=lambda k: _caption_rank(k))
    merged: list[Any] = []
    others: dict[int, str] = {}
    label: Any = None
    for i in range(max(len(over), len(names))):
        upper = over[i] if i < len(over) else None
        label = upper if not is_blank(upper) else label
        if i not in captions:
            lower = names[i] if i < len(names) else None
            merged.append(lower if not is_blank(lower) else upper)
        elif fold(captions[i]) == amount and not is_blank(label):
            merged.append(label)
        else:
            merged.append(captions[i])
            others[i] = captions[i]
    return merged, others


def _caption_rank(caption: str) -> tuple[int, int]:
    """Which value of a pivot is the money: a sum of an amount, then any sum."""
    found = _PIVOT_CAPTION.match(caption)
    info = headers.describe(caption[found.end() :] if found else caption)
    amount = info is not None and headers.amount_candidate(info)
    return (0 if _SUM_CAPTION.match(caption) else 1, 0 if amount else 1)


def _pivot_caption(row: Sequence[Any]) -> bool:
    """A pivot table's caption row, above its header when it has column groups: the value
    (``SUM of Amount``) first, then at most the column field's name (``Close Month``,
    ``Column Labels``). Read as a header it would make a long table of two columns whose
    'amounts' are the row labels below; it is a title."""
    filled = [cell for cell in row if not is_blank(cell)]
    return (
        1 <= len(filled) <= 2
        and isinstance(filled[0], str)
        and _PIVOT_CAPTION.match(filled[0].strip()) is not None
    )


def _option_in(row: Sequence[Any], picks: Picks, role: TabRole) -> bool:
    names = [picks.plan] if role is TabRole.PLAN else [picks.amount, picks.date]
    keys = {fold(n) for n in names if n}
    return any(isinstance(c, str) and fold(c) in keys for c in row)


def _what_was_found(top: Sequence[Sequence[Any]], role: TabRole) -> str | None:
    if not any(not is_blank(cell) for row in top for cell in row):
        return "the tab is empty"
    for index, row in enumerate(top):
        infos = [h for h in (headers.describe(c) for c in row) if h is not None]
        if role is TabRole.PLAN:
            amount = next((h for h in infos if headers.plan_candidate(h)), None)
            forecast = next((h for h in infos if headers.forecast_only(h)), None)
            if amount is None and forecast is not None:
                return (
                    f"row {index + 1} has {forecast.text!r} ({headers.forecast_only(forecast)}) "
                    "but no plan column; the planColumn option can name it"
                )
        elif role is TabRole.LEADS:
            amount = next((h for h in infos if headers.leads_candidate(h)), None)
        else:
            amount = next(
                (h for h in infos if headers.amount_candidate(h) and not headers.never_amount(h)),
                None,
            )
        when = next(
            (
                h
                for h in infos
                if headers.is_period(h)
                or headers.is_month(h)
                or (headers.date_kind(h) or "").split(":")[0] in _DATE_RANK
            ),
            None,
        )
        if amount is not None:
            return f"row {index + 1} has {amount.text!r} but no quarter or date column"
        if when is not None:
            wanted = {TabRole.PLAN: "plan", TabRole.BOOKINGS: "amount", TabRole.LEADS: "leads"}
            return f"row {index + 1} has {when.text!r} but no {wanted[role]} column"
    return None


# -- group columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupColumn:
    name: str  # as written in the Plan tab
    plan: Column
    bookings: Column


def _group_key(column: Column) -> str:
    return headers.group_key(column.info) if column.info is not None else column.key


def choose_groups(
    plan: Layout, bookings: Layout, group_by: Sequence[str] | None
) -> tuple[GroupColumn, ...]:
    """The group columns: ``groupBy`` if given, else the dimensions present in both tabs
    (matched by name: ``Opportunity Owner``, ``Deal owner`` and ``Owner`` are one; a
    pivot's lone ``Row Labels`` matches the other tab's lone dimension)."""
    if group_by is None:
        in_bookings = {_group_key(c): c for c in bookings.dimensions}
        chosen = [
            GroupColumn(c.header, c, in_bookings[_group_key(c)])
            for c in plan.dimensions
            if _group_key(c) in in_bookings
        ]
        if not chosen and len(plan.dimensions) == 1 and len(bookings.dimensions) == 1:
            p, b = plan.dimensions[0], bookings.dimensions[0]
            if p.key in ROW_LABELS or b.key in ROW_LABELS:
                chosen = [GroupColumn(b.header if p.key in ROW_LABELS else p.header, p, b)]
        return tuple(chosen)
    out: list[GroupColumn] = []
    for name in group_by:
        found = []
        for layout in (plan, bookings):
            column = layout.find(name)
            if column is None:
                key = fold(name)
                column = next((c for c in layout.named if _group_key(c) == key), None)
            if column is None:
                raise ColumnNotFound(layout.tab, name, [c.header for c in layout.named])
            found.append(column)
        if all(found[0].key != g.plan.key for g in out):
            out.append(GroupColumn(found[0].header, found[0], found[1]))
    return tuple(out)


def leads_groups(leads: Layout, groups: Sequence[GroupColumn]) -> list[Column] | None:
    """The Leads tab's columns for the chosen groups, or None when it lacks one (its
    leads then count for the company total only)."""
    out = []
    for group in groups:
        key = _group_key(group.plan)
        column = next(
            (c for c in leads.named if _group_key(c) == key or c.key == group.plan.key), None
        )
        if column is None:
            return None
        out.append(column)
    return out
