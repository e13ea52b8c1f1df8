"""Finding the table in a tab: the header row, the layout and the role of each column.

The header is the first row among the first 10 that makes a table: a quarter or date
column next to an amount column (a *long* table, or *deal rows* when the Bookings tab
has a date column), or columns named like quarters (``Q1 2025``…, a *wide* table).
Headers are matched in any case, with extra spaces, underscores or camelCase, by the
synonyms below. Every other named column is a *dimension*; the dimensions present in
both tabs (or named by ``groupBy``) are the group columns.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.classification import quarters
from server.classification.errors import ColumnNotFound, HeaderNotFound
from server.classification.values import fold, is_blank

HEADER_SEARCH_ROWS = 10


class Kind(enum.Enum):
    LONG = "long"  # one row per group and quarter (or period)
    WIDE = "wide"  # one row per group, one column per quarter
    DEALS = "deals"  # one row per closed deal, with a date


class TabRole(enum.Enum):
    PLAN = "Plan"
    BOOKINGS = "Bookings"


class Role(enum.Enum):
    LABEL = "label"  # a column named like a quarter: Q1 2025
    PERIOD = "period"  # Quarter, Period, Qtr, Fiscal Quarter
    DATE = "date"  # Close Date, Closed, Booked On, Date
    PLAN = "plan"  # Plan, Target, Quota, Budget
    BOOKINGS = "bookings"  # Bookings, Booked, Actual, Amount, ACV, ARR, Closed Won
    IGNORED = "ignored"  # notes, totals: never a group
    DIMENSION = "dimension"


_PERIOD_WORDS = {"quarter", "qtr", "fq", "period", "fiscalquarter"}
_DATE_WORDS = {"date", "closedate", "closedon", "bookedon", "wondate"}
_DATE_NAMES = {"closed", "close", "booked on", "closed on", "won on", "signed", "signed on"}
_PLAN_WORDS = {"plan", "planned", "target", "targets", "quota", "quotas", "budget", "goal"}
_BOOKINGS_WORDS = {
    "bookings",
    "booking",
    "booked",
    "actual",
    "actuals",
    "amount",
    "acv",
    "arr",
    "tcv",
}
_BOOKINGS_NAMES = {"closed won", "new arr", "revenue", "value", "deal value", "deal size", "won"}
_IGNORED_WORDS = {"note", "notes", "comment", "comments", "description", "memo", "remark"}
_IGNORED_WORDS |= {"remarks", "link", "url", "total", "totals", "subtotal", "ytd"}

_EXPECTED = {
    TabRole.PLAN: (
        "a row with a quarter column (Quarter, Period, Qtr…) and a plan column "
        "(Plan, Target, Quota, Budget), or one column per quarter (Q1 2025, Q2 2025…)"
    ),
    TabRole.BOOKINGS: (
        "a row with a close-date column (Close Date, Closed, Booked On, Date…) or a "
        "quarter column (Quarter, Period…) and an amount column (Bookings, Amount, ACV, "
        "ARR, Closed Won…), or one column per quarter (Q1 2025, Q2 2025…)"
    ),
}


@dataclass(frozen=True)
class Column:
    index: int
    header: str  # as written, spaces collapsed

    @property
    def key(self) -> str:
        return fold(self.header)


@dataclass(frozen=True)
class Layout:
    tab: str
    kind: Kind
    header_row: int  # 0-based index into the tab's rows
    period: Column | None  # LONG: quarter or date column; DEALS: the date column
    amount: Column | None
    quarter_columns: tuple[tuple[Column, int], ...]  # WIDE: column and quarter index
    dimensions: tuple[Column, ...]  # candidates for automatic grouping
    named: tuple[Column, ...]  # every other named column (groupBy may name any)

    def find(self, name: str) -> Column | None:
        key = fold(name)
        return next((c for c in self.named if c.key == key), None)


def _words(header: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", header)
    return re.findall(r"[^\W_]+", spaced.casefold())


def _is_plain_amount(header: str) -> bool:
    return bool({"amount", "value"} & set(_words(header))) and not (
        {"bookings", "booking", "booked", "actual", "actuals"} & set(_words(header))
    )


_IDENTIFIER_WORDS = {"id", "deal", "deals", "opportunity", "opp", "invoice", "order", "contract"}
_IDENTIFIER_WORDS |= {"account", "customer", "client", "email", "number", "no", "ref", "reference"}
_IDENTIFIER_WORDS |= {"name", "description", "link", "url"}


def is_identifier(header: str) -> bool:
    """A column of per-row identifiers (Deal, Deal ID, Account Name…), never a total's label."""
    return bool(_IDENTIFIER_WORDS & set(_words(header)))


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


_AMOUNT_WORD = re.compile(
    r"\b(?:" + "|".join(sorted(_PLAN_WORDS | _BOOKINGS_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def quarter_header(cell: str) -> tuple[int, Role | None] | None:
    """A column named like a quarter (``Q1 2025``), perhaps with what it holds
    (``Q1 2025 Plan``, ``Actual FY25 Q1``): the quarter index and PLAN, BOOKINGS or None."""
    index = quarters.label_index(cell)
    if index is not None:
        return index, None
    words = set(_words(cell))
    flavour = (
        Role.PLAN if words & _PLAN_WORDS else Role.BOOKINGS if words & _BOOKINGS_WORDS else None
    )
    if flavour is None:
        return None
    rest = _AMOUNT_WORD.sub(" ", cell).strip(" -–—:()[]/|,")
    index = quarters.label_index(rest)
    return None if index is None else (index, flavour)


def header_role(cell: Any) -> Role | None:
    """What a header cell names; None for an empty or non-text cell."""
    if not isinstance(cell, str) or not cell.strip() or len(cell) > 200:
        return None
    if quarter_header(cell) is not None:
        return Role.LABEL
    words = _words(cell)
    name = " ".join(words)
    found = set(words) | {"".join(words)}
    if found & _PERIOD_WORDS or name == "fiscal period":
        return Role.PERIOD
    if found & _DATE_WORDS or name in _DATE_NAMES:
        return Role.DATE
    if found & _PLAN_WORDS:
        return Role.PLAN
    if found & _BOOKINGS_WORDS or name in _BOOKINGS_NAMES:
        return Role.BOOKINGS
    if found & _IGNORED_WORDS or not words:
        return Role.IGNORED
    return Role.DIMENSION


def _layout(tab: str, role: TabRole, index: int, row: Sequence[Any]) -> Layout | None:
    roles = [header_role(cell) for cell in row]
    columns = [
        Column(i, " ".join(str(cell).split())) if roles[i] is not None else None
        for i, cell in enumerate(row)
    ]

    def first(wanted: Role) -> Column | None:
        return next((c for c, r in zip(columns, roles, strict=True) if r is wanted), None)

    if role is TabRole.PLAN:
        # A plain "Amount" or "Value" column is the plan when no column says Plan.
        amount = first(Role.PLAN) or next(
            (
                c
                for c, r in zip(columns, roles, strict=True)
                if c is not None and r is Role.BOOKINGS and _is_plain_amount(c.header)
            ),
            None,
        )
    else:
        amount = first(Role.BOOKINGS)
    period, day = first(Role.PERIOD), first(Role.DATE)
    amount_role = Role.PLAN if role is TabRole.PLAN else Role.BOOKINGS
    labels = tuple(
        (c, quarter)
        for c, r in zip(columns, roles, strict=True)
        if c is not None
        and r is Role.LABEL
        and (found := quarter_header(c.header)) is not None
        and found[1] in (None, amount_role)
        for quarter in (found[0],)
    )
    when: Column | None
    if amount is not None and (period or day):
        if role is TabRole.BOOKINGS and day is not None:
            kind, when = Kind.DEALS, day
        else:
            kind, when = Kind.LONG, period or day
        quarter_columns: tuple[tuple[Column, int], ...] = ()
        used = {amount.index, when.index if when else -1}
    elif labels:
        kind, when, amount, quarter_columns = Kind.WIDE, None, None, labels
        used = {c.index for c, _ in labels}
    else:
        return None
    dimensions: list[Column] = []
    named: list[Column] = []
    seen: set[str] = set()
    for column, what in zip(columns, roles, strict=True):
        if column is None or column.index in used or column.key in seen:
            continue
        seen.add(column.key)
        named.append(column)
        if what is Role.DIMENSION:
            dimensions.append(column)
    return Layout(tab, kind, index, when, amount, quarter_columns, tuple(dimensions), tuple(named))


def find_layout(tab: str, rows: Sequence[Sequence[Any]], role: TabRole) -> Layout:
    """The header row and layout of a tab, or :class:`HeaderNotFound` saying what is missing."""
    candidates: list[Layout] = []
    for index, raw in enumerate(rows[:HEADER_SEARCH_ROWS]):
        row = as_row(raw)
        layout = _layout(tab, role, index, row)
        if layout is None:
            continue
        filled = sum(1 for cell in row if not is_blank(cell))
        if filled >= 2:
            return layout
        candidates.append(layout)  # a lone cell may be a title such as "FY25 Q1"
    if candidates:
        return candidates[0]
    raise HeaderNotFound(tab, _EXPECTED[role], found=_what_was_found(rows, role))


def _what_was_found(rows: Sequence[Sequence[Any]], role: TabRole) -> str | None:
    top = [as_row(row) for row in rows[:HEADER_SEARCH_ROWS]]
    if not any(not is_blank(cell) for row in top for cell in row):
        return "the tab is empty" if len(rows) <= HEADER_SEARCH_ROWS else None
    for index, row in enumerate(top):
        named: dict[Role, Any] = {}
        for cell in row:
            what = header_role(cell)
            if what is not None:
                named.setdefault(what, cell)
        amount = named.get(Role.PLAN if role is TabRole.PLAN else Role.BOOKINGS)
        when = named.get(Role.PERIOD) or named.get(Role.DATE)
        if amount is not None:
            return f"row {index + 1} has {str(amount).strip()!r} but no quarter or date column"
        if when is not None:
            wanted = "plan" if role is TabRole.PLAN else "amount"
            return f"row {index + 1} has {str(when).strip()!r} but no {wanted} column"
    return None


@dataclass(frozen=True)
class GroupColumn:
    name: str  # as written in the Plan tab
    plan: Column
    bookings: Column


def choose_groups(
    plan: Layout, bookings: Layout, group_by: Sequence[str] | None
) -> tuple[GroupColumn, ...]:
    """The group columns: ``groupBy`` if given, else the dimensions present in both tabs."""
    if group_by is None:
        in_bookings = {c.key: c for c in bookings.dimensions}
        return tuple(
            GroupColumn(c.header, c, in_bookings[c.key])
            for c in plan.dimensions
            if c.key in in_bookings
        )
    chosen: list[GroupColumn] = []
    for name in group_by:
        found = []
        for layout in (plan, bookings):
            column = layout.find(name)
            if column is None:
                raise ColumnNotFound(layout.tab, name, [c.header for c in layout.named])
            found.append(column)
        if all(found[0].key != g.plan.key for g in chosen):
            chosen.append(GroupColumn(found[0].header, found[0], found[1]))
    return tuple(chosen)
