"""Reading a tab's rows into facts: amounts and counts per status, type, group and period.

One fact is keyed ``(status, deal type, group, period code)``; its value is the sum of
the amounts and the number of rows. Won rows are bookings; lost and open rows are kept
for drivers and pace. Each row is read once, by one of two paths that agree exactly
(a property test checks it):

* the *careful* path, :class:`RowReader`: one row at a time, every cell parsed and
  every problem reported (a data issue naming tab, row, column and value);
* the *fast* path, :func:`read_long`: deal rows can hold a million rows, so they are
  read column-wise in C. Each distinct raw cell (group, date, status, currency…) is read
  once through a dict whose ``__missing__`` calls the careful parsers; rows are bucketed
  by an integer key with ``map``/``deque`` so no Python code runs per row; each bucket
  is summed with ``math.fsum`` (exact, so the result never depends on row order). Only
  rows the fast path cannot vouch for (a blank, total, error, duplicate id or unreadable
  cell) go to the careful path.

Hand-written rather than pandas: the same column-wise speed without a 50 MB
dependency, and every rejected cell keeps its place for the data issue.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import compress, count, islice
from operator import itemgetter
from typing import Any

from server.classification import currency, dates, issues, periods, quarters, values
from server.classification.layout import Column, Grain, Kind, Layout, TabRole, as_row
from server.classification.model import DataIssue, Severity
from server.classification.statuses import Status, StatusReader
from server.classification.values import Problem
from server.quoting import quoted

GroupKey = tuple[str, ...]  # folded group values; () when there are no group columns
ANY_QUARTER = -1  # in ``Facts.touched``: a rejected row whose quarter is unknown
FactKey = tuple[int, int, GroupKey, int]  # (status, deal type, group, period code)

_NUMBERS = frozenset({int, float})
_TOTAL_SPELLINGS = values.total_spellings()
#: The label of a row of percentages in a wide plan (``AMER growth %``, ``Attainment``).
_RATIO_LABEL = re.compile(
    r"%|\b(?:growth|attainment|yoy|y/y|qoq|q/q|margin|ratio|mix|conversion|pct|percent"
    r"|percentage|win rate|share of)\b",
    re.IGNORECASE,
)
#: A ratio row's numbers: fractions or small multiples (12% typed as 0.12, 1.1x).
_RATIO_LIMIT = 5.0


class DealType:
    """Codes of the deal-type column (part of the integer bucket keys)."""

    OTHER, NEW, EXPANSION, RENEWAL = 0, 1, 2, 3
    NAMES = ("other", "new business", "expansion", "renewal")


def deal_type(value: Any) -> int:
    """``New Business``/``newbusiness``/``New Logo`` -> NEW; ``Renewal`` -> RENEWAL;
    ``Upsell``/``Expansion``/``Cross-sell``/``Existing Business``/``Add-on`` -> EXPANSION."""
    text = "".join(ch for ch in str(value or "").casefold() if ch.isalnum())
    if "renew" in text:
        return DealType.RENEWAL
    if any(w in text for w in ("upsell", "upgrade", "expan", "cross", "existing", "addon")):
        return DealType.EXPANSION
    if text.startswith("new") or "newbusiness" in text or "newlogo" in text:
        return DealType.NEW
    return DealType.OTHER


@dataclass(frozen=True)
class ReadContext:
    """What reading a tab needs beyond the tab: calendar, locale, statuses, currency."""

    start: int = 1  # fiscalYearStartMonth
    date_order: str | None = None  # the dateOrder option
    locale: str | None = None  # the spreadsheet's properties.locale
    statuses: StatusReader = field(default_factory=StatusReader)
    reporting: str | None = None  # the reporting currency (ISO)
    rates: currency.Rates = field(default_factory=currency.Rates)
    as_of: date | None = None  # pace: which days fall after "today" in their quarter

    @property
    def calendar(self) -> periods.Calendar:
        return _calendar(self.start, self.as_of)


@dataclass
class Facts:
    """What one tab holds after reading."""

    tab: str
    layout: Layout
    cells: dict[FactKey, tuple[float, int]] = field(default_factory=dict)  # (sum, rows)
    spelling: dict[GroupKey, str] = field(default_factory=dict)
    issues: list[DataIssue] = field(default_factory=list)
    # (group, quarter) that a rejected cell would have fed; group None when unreadable
    touched: set[tuple[GroupKey | None, int]] = field(default_factory=set)
    # quarters of won rows rejected for a cell that holds something unreadable (not a
    # blank: a long tab's rows for quarters still to come have blank amounts)
    unreadable: set[int] = field(default_factory=set)
    left_out: Counter[str] = field(default_factory=Counter)  # reason -> rows
    rows_counted: int = 0
    date_order: tuple[str, str] | None = None  # (order, how it was decided)
    filled_down: int = 0
    status_rows: Counter[tuple[int, str]] = field(default_factory=Counter)  # (status, text)
    census: Counter[str] = field(default_factory=Counter)  # rows per currency, as found
    reporting: str | None = None  # the currency amounts were counted in

    @property
    def grain(self) -> Grain:
        return self.layout.grain

    def total(self, status: int = Status.WON) -> float:
        return math.fsum(s for (st, _, _, _), (s, _) in self.cells.items() if st == status)


# -- the careful path --------------------------------------------------------------------


class RowReader:
    """One row at a time, every cell parsed and every problem reported."""

    def __init__(
        self,
        layout: Layout,
        groups: Sequence[Column],
        ctx: ReadContext,
        *,
        duplicated: frozenset[Any] = frozenset(),
        body: Sequence[Any] = (),
        first_row: int = 0,
    ) -> None:
        self.layout = layout
        self.groups = tuple(groups)
        self.ctx = ctx
        self.facts = Facts(layout.tab, layout)
        self.extra: defaultdict[FactKey, list[float]] = defaultdict(list)
        self.duplicated = duplicated
        self.pending: dict[Any, list[tuple[int, FactKey, float, int]]] = defaultdict(list)
        self.body, self.first_row = body, first_row
        self._order: tuple[str | None, bool, tuple[str, str] | None] | None = None
        grouped = {c.index for c in self.groups}
        used = [u.column for u in layout.uses if u.column != layout.amount]
        self.others = tuple(
            c for c in (*layout.named, *used) if c.index not in grouped and c != layout.period
        )
        # Dimensions that are not group columns (a Region when the other tab has none):
        # a Total there must be skipped even when the rest of the row reads well.
        self.scanned = tuple(
            c
            for c in layout.dimensions
            if c.index not in grouped and not (c.info and _identifier(c))
        )
        self._pivot: dict[int, bool] = {}
        self._status_text = ""
        self.status_rows: list[tuple[int, str]] = []  # per row kept in ``extra`` order

    # -- cells ------------------------------------------------------------------------

    @staticmethod
    def cell(row: Sequence[Any], column: Column | None) -> Any:
        if column is None:
            return None
        return row[column.index] if column.index < len(row) else None

    def _filled(self, column: Column, at: int) -> Any:
        """A pivot's blank repeated label: the nearest label above in the same column."""
        pivot = self._pivot.get(column.index)
        if pivot is None:
            pivot = _pivot_labels(self._label_cells(column))
            self._pivot[column.index] = pivot
        if not pivot or at <= 0:
            return None
        for i in range(at - 1, -1, -1):
            above = as_row(self.body[i])
            value = self.cell(above, column)
            if not values.is_blank(value):
                if values.is_total_marker(value):
                    return None
                return values.group_heading(value) or value
            if any(values.is_total_marker(c) for c in above if isinstance(c, str)):
                return None
        return None

    def _label_cells(self, column: Column) -> list[Any]:
        """A column's cells for the pivot test, a note below the table (a label with no
        amount and no deal row under it: ``Confidential Information``) left blank."""
        rows = [as_row(r) for r in self.body]
        cells = [self.cell(r, column) for r in rows]
        data = [
            not self._empty(r) and not values.is_blank(self.cell(r, self.layout.amount))
            for r in rows
        ]
        for i, cell in enumerate(cells):
            if values.is_blank(cell) or data[i]:
                continue
            below = i + 1 < len(cells) and values.is_blank(cells[i + 1]) and data[i + 1]
            if not below:
                cells[i] = None
        return cells

    def group(
        self, row: Sequence[Any], index: int = -1
    ) -> tuple[GroupKey | None, list[tuple[Column, Any, Problem]]]:
        """The row's group key (spelling recorded), or None and the problems."""
        names: list[str] = []
        problems: list[tuple[Column, Any, Problem]] = []
        for column in self.groups:
            raw = self.cell(row, column)
            if values.is_blank(raw) and index >= 0 and self.body:
                filled = self._filled(column, index)
                if filled is not None:
                    raw = filled
                    self.facts.filled_down += 1
            name = values.group_name(raw)
            if isinstance(name, Problem):
                problems.append((column, raw, name))
            else:
                names.append(name)
        if problems:
            return None, problems
        key = tuple(values.fold(n) for n in names)
        self.facts.spelling.setdefault(key, " / ".join(names))
        return key, problems

    def total_row(self, row: Sequence[Any], sheet_row: int, *, rejected: bool) -> bool:
        """Report and skip a Total / Grand Total / Subtotal / ``AMER Total`` row.

        A total is named in a group or period cell, or by an exact spelling in an
        ungrouped dimension; in a row that cannot be read anyway, in any named cell.
        """
        if self.heading_row(row, sheet_row, rejected=rejected):
            return True
        period = self.layout.period
        found: Column | None = None
        for column in (*self.groups, *_some(period)):
            raw = self.cell(row, column)
            if values.is_total_marker(raw) or (column is period and _names_a_total(raw)):
                found = column
                break
        else:
            found = next((c for c in self.scanned if _is_total_spelling(self.cell(row, c))), None)
        if found is None and rejected:
            found = next(
                (c for c in self.others if values.is_total_marker(self.cell(row, c))), None
            )
        if found is None:
            return False
        raw = self.cell(row, found)
        self.facts.issues.append(
            issues.total_row(self.layout.tab, sheet_row, found.index, found.header, raw)
        )
        self.facts.left_out["total rows"] += 1
        return True

    def heading_row(self, row: Sequence[Any], sheet_row: int, *, rejected: bool) -> bool:
        """Report and skip a report's heading line over a group's rows (Salesforce
        Classic: ``Opportunity Owner: Jane Doe (4 records)`` and the group's sum), named
        in a group cell, or in any named cell of a row that cannot be read anyway."""
        for column in (*self.groups, *(self.others if rejected else ())):
            raw = self.cell(row, column)
            name = values.group_heading(raw)
            if name is not None:
                self.facts.issues.append(
                    issues.group_heading(
                        self.layout.tab, sheet_row, column.index, column.header, raw, name
                    )
                )
                self.facts.left_out["group headings"] += 1
                return True
        return False

    def ratio_row(self, row: Sequence[Any], sheet_row: int, cells: list[Any]) -> bool:
        """Report and skip a row of percentages in a wide table (``AMER growth %`` under
        ``AMER``): a label that names a ratio, and every figure a percentage or a number
        no bigger than 5. Read as money it would be a group with no bookings, or a
        fraction added to the company's plan. A label without ``%`` (a ``Growth``
        segment?) counts only in a tab of whole currency units, where 1.2 is no plan."""
        periods = {c.index for c, _ in self.layout.period_columns}
        label = next(
            (
                cell
                for i, cell in enumerate(row)
                if i not in periods and isinstance(cell, str) and _RATIO_LABEL.search(cell)
            ),
            None,
        )
        if label is None or not all(_ratio_like(cell) for cell in cells):
            return False
        if "%" not in label and self.layout.unit != 1:
            return False
        what = f"({quoted(label)}) holds percentages, not amounts"
        return self._skipped(sheet_row, what, "percentage rows")

    def _skipped(self, sheet_row: int, what: str, reason: str, why: str = "") -> bool:
        """Say that row ``sheet_row`` (``what`` it is) is skipped (``why``), count it
        under ``reason`` in the run's inputs; True, for the caller to return."""
        self.facts.issues.append(
            issues.note(
                self.layout.tab,
                f"row {sheet_row} {what}: skipped{why}",
                row=sheet_row,
                severity=Severity.INFO,
            )
        )
        self.facts.left_out[reason] += 1
        return True

    def reject(
        self, sheet_row: int, column: Column, raw: Any, problem: Problem, what: str = "row"
    ) -> None:
        self.facts.issues.append(
            issues.rejected(
                issues.Where(self.layout.tab, sheet_row, column.index, column.header),
                raw,
                problem,
                what=what,
                date_column=self.layout.kind is Kind.DEALS,
            )
        )

    def status(self, row: Sequence[Any]) -> int | Problem:
        if self.layout.status is None:
            return Status.WON
        raw = self.cell(row, self.layout.status)
        if values.is_blank(raw):
            return Problem("is empty, so the deal's status is unknown", blank=True)
        closed = self.cell(row, self.layout.closed) if self.layout.closed else None
        status = int(self.ctx.statuses(raw, closed))
        self._status_text = status_text(raw)
        return status

    def period(
        self, row: Sequence[Any], status: int | Problem
    ) -> tuple[Column, Any, int | Problem]:
        layout = self.layout
        assert layout.period is not None
        column, raw = layout.period, self.cell(row, layout.period)
        if values.is_blank(raw) and status != Status.WON:
            for spare in layout.fallback_dates:
                if not values.is_blank(self.cell(row, spare)):
                    column, raw = spare, self.cell(row, spare)
                    break
        if layout.year is not None:
            year = self.cell(row, layout.year)
            return column, raw, periods.with_year(raw, year, layout.grain)
        order, mixed, _ = self.date_order(raw)
        found = periods.code(raw, layout.grain, self.ctx.start, order, mixed)
        if layout.grain is Grain.DAY and isinstance(found, int):
            return column, raw, self.ctx.calendar.day_code(found)
        return column, raw, found

    def date_order(self, raw: Any = None) -> tuple[str | None, bool, tuple[str, str] | None]:
        """(order, mixed, (order, how)) for the tab's text dates, decided once for the whole
        column, when the first text date is met (see :func:`_decide_order`)."""
        if self._order is None:
            if type(raw) is not str and raw is not None:
                return None, False, None  # numbers need no order: decide when text comes
            self._order = _decide_order(self.body, self.layout, self.ctx)
        return self._order

    def amount(
        self, row: Sequence[Any], period: int | Problem | None = None
    ) -> tuple[Column | None, Any, float | Problem]:
        """The amount in the reporting currency (at the rate of the row's quarter when
        rates are kept per quarter), or why it cannot count (and which column says so:
        the amount's, or the currency's)."""
        layout = self.layout
        if layout.amount is None:
            return None, 1, 1.0  # one lead per row
        raw = self.cell(row, layout.amount)
        number = values.parse_amount(raw)
        if isinstance(number, Problem):
            return layout.amount, raw, number
        code = self.currency_of(row, raw)
        if isinstance(code, Problem):
            return layout.currency, self.cell(row, layout.currency), code
        quarter = self.quarter(period) if isinstance(period, int) else None
        rate = self.ctx.rates.rate(code, self.ctx.reporting, quarter) if code else 1.0
        if rate is None:
            return layout.amount, raw, _no_rate(code, self.ctx)
        return layout.amount, raw, number * rate if rate != 1.0 else number

    def currency_of(self, row: Sequence[Any], raw: Any) -> str | Problem | None:
        """The amount's currency: its currency cell, its own text (``€ 1.234``), the
        header or title; an unreadable currency cell is a problem, never a guess."""
        layout = self.layout
        if layout.currency is not None:
            cell = self.cell(row, layout.currency)
            if not values.is_blank(cell):
                code = currency.code_of(cell, self.ctx.locale)
                return code if code is not None else UNKNOWN_CURRENCY
        if isinstance(raw, str):
            code = currency.text_currency(raw, self.ctx.locale)
            if code is not None:
                return code
        return layout.currency_hint

    def _empty(self, row: Sequence[Any]) -> bool:
        """An empty row, a heading or a note: nothing to count."""
        layout = self.layout
        if layout.amount is None:
            return all(values.is_blank(c) for c in row)
        cells = (layout.period, layout.amount, layout.status)
        return all(values.is_blank(self.cell(row, c)) for c in cells)

    def read_row(self, row: Sequence[Any], sheet_row: int, index: int = -1) -> None:
        """A row of a long table or of deal rows (``index``: its place in the body)."""
        layout = self.layout
        if self._empty(row) or self.total_row(row, sheet_row, rejected=False):
            return
        key, problems = self.group(row, index)
        status = self.status(row)
        if isinstance(status, Problem):
            assert layout.status is not None
            problems.append((layout.status, self.cell(row, layout.status), status))
        column, when, code = self.period(row, status)
        if isinstance(code, Problem):
            problems.append((column, when, code))
        amount_column, raw, number = self.amount(row, code)
        if isinstance(number, Problem):
            assert amount_column is not None
            problems.append((amount_column, raw, number))
        if problems:
            self._refuse(row, sheet_row, problems, key, status, (when, code))
            return
        assert key is not None
        assert isinstance(status, int)
        assert isinstance(code, int)
        assert isinstance(number, float | int)
        kind = deal_type(self.cell(row, layout.deal_type)) if layout.deal_type else 0
        fact = (status, kind, key, code)
        dedupe = self.dedupe_key(row, code, number)
        if dedupe is not None and dedupe in self.duplicated:
            self.pending[dedupe].append((sheet_row, fact, float(number), index))
            return
        self.extra[fact].append(float(number))
        if layout.status is not None:
            self.facts.status_rows[status, self._status_text] += 1

    def _refuse(
        self,
        row: Sequence[Any],
        sheet_row: int,
        problems: list[tuple[Column, Any, Problem]],
        key: GroupKey | None,
        status: int | Problem,
        period: tuple[Any, int | Problem],
    ) -> None:
        """A row that cannot count: a total after all, a lost or open deal (nothing a
        verdict depends on), or rejected with an issue per problem and its quarter
        flagged (both quarters an ambiguous date may be in)."""
        if self.total_row(row, sheet_row, rejected=True) or self._header_again(row, sheet_row):
            return
        if self._rollup(row, sheet_row):
            return
        if isinstance(status, int) and status != Status.WON:
            self.facts.left_out[f"{Status(status).name.lower()} rows that could not be read"] += 1
            return
        for bad_column, cell, problem in problems:
            self.reject(sheet_row, bad_column, cell, problem)
        self.facts.left_out["rejected rows"] += 1
        when, code = period
        if isinstance(code, int):
            self.facts.touched.add((key, self.quarter(code)))
            if not all(problem.blank for _, _, problem in problems):
                self.facts.unreadable.add(self.quarter(code))
        elif isinstance(code, periods.OffCalendar):  # Feb-Apr 2025: the quarters it overlaps
            self.facts.touched.update((key, q) for q in code.overlaps)
        elif code is not periods.AMBIGUOUS:
            # a won deal whose quarter the sheet does not say (#N/A, TBD, blank): it may
            # belong to any quarter of its group, the run's among them
            self.facts.touched.add((key, ANY_QUARTER))
        else:
            for order in (dates.DAY_FIRST, dates.MONTH_FIRST):
                found = periods.code(when, self.layout.grain, self.ctx.start, order)
                if isinstance(found, int):
                    if self.layout.grain is Grain.DAY:
                        found = self.ctx.calendar.day_code(found)
                    self.facts.touched.add((key, self.quarter(found)))

    def _header_again(self, row: Sequence[Any], sheet_row: int) -> bool:
        """A row that repeats the header (a second export pasted below the first): INFO,
        skipped."""
        used = [c for c in (self.layout.period, self.layout.amount) if c is not None]
        cells = [self.cell(row, c) for c in used]
        if not used or any(
            type(v) is not str or values.fold(v) != c.key for v, c in zip(cells, used, strict=True)
        ):
            return False
        what = "repeats the header row (another export pasted below?)"
        return self._skipped(sheet_row, what, "repeated header rows")

    def _rollup(self, row: Sequence[Any], sheet_row: int) -> bool:
        """Report and skip a quarter's roll-up line in a month column (``Q1 2026`` after
        Jan, Feb and Mar 2026, see :attr:`Layout.rollups`): its months are counted."""
        period = self.layout.period
        if not self.layout.rollups or period is None:
            return False
        raw = self.cell(row, period)
        if not isinstance(raw, str) or quarters.label_index(raw) not in self.layout.rollups:
            return False
        what = f"({quoted(raw)}) rolls up its quarter's three months, counted on their own rows"
        why = ", so the quarter is not counted twice"
        return self._skipped(sheet_row, what, "quarter roll-up lines", why)

    def read_wide_row(self, row: Sequence[Any], sheet_row: int, index: int = -1) -> None:
        """A row of a wide table: a group, then one amount per quarter or month column."""
        present = [
            (column, period, row[column.index])
            for column, period in self.layout.period_columns
            if column.index < len(row) and not values.is_blank(row[column.index])
        ]
        if not present or self.total_row(row, sheet_row, rejected=True):
            return  # a wide table is small: every named cell may mark a total
        if self.ratio_row(row, sheet_row, [raw for _, _, raw in present]):
            return
        key, problems = self.group(row, index)
        for column, cell, problem in problems:
            self.reject(sheet_row, column, cell, problem)
        if problems:
            self.facts.left_out["rejected rows"] += 1
        for column, period, raw in present:
            if key is None:
                self.facts.touched.add((None, self.quarter(period)))
                continue
            number = values.parse_amount(raw)
            if not isinstance(number, Problem):
                code = self.currency_of(row, raw)
                if isinstance(code, Problem):
                    code = None
                quarter = self.quarter(period)
                rate = self.ctx.rates.rate(code, self.ctx.reporting, quarter) if code else 1.0
                if rate is None:
                    number = _no_rate(code, self.ctx)
                else:
                    number *= rate
            if isinstance(number, Problem):
                self.reject(sheet_row, column, raw, number, "cell")
                self.facts.touched.add((key, self.quarter(period)))
            else:
                self.extra[Status.WON, 0, key, period].append(number)

    def quarter(self, code: int) -> int:
        return self.ctx.calendar.quarter(code, self.layout.grain)

    def dedupe_key(self, row: Sequence[Any], code: int, number: float) -> Any:
        layout = self.layout
        if layout.record_id is not None and not layout.line_items:
            raw = self.cell(row, layout.record_id)
            return None if values.is_blank(raw) else _hashable(raw)
        if layout.line_items and layout.line_key:
            cells = tuple(_hashable(self.cell(row, c)) for c in layout.line_key)
            if all(values.is_blank(c) for c in cells):
                return None
            return cells if layout.record_id is not None else (*cells, code, number)
        if layout.named_deal is not None:
            return whole_row(row)
        return None

    # -- finishing -----------------------------------------------------------------------

    def finish(self, sums: dict[FactKey, tuple[float, int]] | None = None) -> Facts:
        """Resolve repeated ids, then fold the careful path's amounts into the fast sums."""
        self._resolve_duplicates()
        out = dict(sums or {})
        for fact, amounts in self.extra.items():
            if fact in out:
                total, rows = out[fact]
                out[fact] = (math.fsum([total, *amounts]), rows + len(amounts))
            else:
                out[fact] = (math.fsum(amounts), len(amounts))
        facts = self.facts
        facts.cells = out
        facts.rows_counted = sum(rows for (st, _, _, _), (_, rows) in out.items() if st == 0)
        for (st, _, _, _), (_, rows) in out.items():
            if st != Status.WON:
                facts.left_out[f"{Status(st).name.lower()} deals"] += rows
        if facts.filled_down:
            facts.issues.append(
                issues.note(
                    self.layout.tab,
                    f"{facts.filled_down} blank cells under a group label were read as "
                    "that label (a pivot table that writes each label once)",
                    row=self.first_row,
                    severity=Severity.INFO,
                )
            )
        facts.issues.sort(key=lambda i: (i.row, len(i.cell or ""), i.cell or ""))
        return facts

    def _resolve_duplicates(self) -> None:
        lines: list[int] = []
        for dedupe, seen in self.pending.items():
            first = seen[0]
            same = all(s[1] == first[1] and s[2] == first[2] for s in seen)
            if same:
                self.extra[first[1]].append(first[2])
                if self.layout.line_items:
                    lines.extend(s[0] for s in seen[1:])
                else:
                    self._repeated(dedupe, seen)
                continue
            last = seen[-1]
            self.extra[last[1]].append(last[2])
            self._conflict(dedupe, seen)
        if lines:
            self.facts.left_out["further product lines of an opportunity"] += len(lines)
            self.facts.issues.append(
                issues.product_lines(self.layout.tab, sorted(lines), self._id_header())
            )

    def _repeated(self, dedupe: Any, seen: list[tuple[int, FactKey, float, int]]) -> None:
        """INFO per repeated row: the deal is already listed (overlapping exports)."""
        if self.layout.named_deal is not None:
            self._repeated_rows(seen)
            return
        column = self.layout.record_id
        assert column is not None
        first = seen[0][0]
        for sheet_row, _, _, _ in seen[1:]:
            ref = issues.a1(self.layout.tab, sheet_row, column.index)
            self.facts.issues.append(
                DataIssue(
                    tab=self.layout.tab,
                    row=sheet_row,
                    column=column.header,
                    value=values.cell_text(dedupe),
                    message=f"{ref}: {column.header} {values.cell_text(dedupe)!r} repeats "
                    f"row {first} with the same date and amount (overlapping exports?): "
                    "counted once",
                    severity=Severity.INFO,
                    cell=ref.rpartition("!")[2],
                )
            )
        self.facts.left_out["repeated rows (same id, date and amount)"] += len(seen) - 1

    def _repeated_rows(self, seen: list[tuple[int, FactKey, float, int]]) -> None:
        """INFO per row identical in every cell to an earlier one: counted once."""
        column = self.layout.named_deal
        assert column is not None
        first = seen[0][0]
        for sheet_row, _, _, index in seen[1:]:
            name = self.cell(as_row(self.body[index]), column)
            ref = issues.a1(self.layout.tab, sheet_row, column.index)
            self.facts.issues.append(
                DataIssue(
                    tab=self.layout.tab,
                    row=sheet_row,
                    column=column.header,
                    value=values.cell_text(name),
                    message=f"{ref}: row {sheet_row} repeats row {first} in every cell "
                    "(two overlapping exports pasted?): counted once",
                    severity=Severity.INFO,
                    cell=ref.rpartition("!")[2],
                )
            )
        self.facts.left_out["repeated rows (identical in every cell)"] += len(seen) - 1

    def _id_header(self) -> str:
        layout = self.layout
        column = layout.record_id or (layout.line_key[0] if layout.line_key else None)
        return column.header if column is not None else "id"

    def _conflict(self, dedupe: Any, seen: list[tuple[int, FactKey, float, int]]) -> None:
        rows = [s[0] for s in seen]
        last = seen[-1]
        shown = dedupe[0] if isinstance(dedupe, tuple) else dedupe
        column = self.layout.record_id or self.layout.line_key[0]
        self.facts.issues.append(
            DataIssue(
                tab=self.layout.tab,
                row=last[0],
                column=column.header,
                value=values.cell_text(shown),
                message=f"{issues.a1(self.layout.tab, last[0], column.index)}: "
                f"{column.header} {values.cell_text(shown)!r} appears in rows "
                f"{', '.join(map(str, rows))} with different amounts, dates or stages; "
                f"the last (row {last[0]}) is counted",
                severity=Severity.ERROR,
                cell=issues.a1(self.layout.tab, last[0], column.index).rpartition("!")[2],
            )
        )
        self.facts.left_out["earlier copies of a changed deal"] += len(seen) - 1
        for _, fact, _, _ in seen:
            self.facts.touched.add((fact[2], self.quarter(fact[3])))


@lru_cache(maxsize=64)
def _calendar(start: int, as_of: date | None) -> periods.Calendar:
    return periods.Calendar(start, as_of)


UNKNOWN_CURRENCY = Problem("is not a currency this reader knows (expected an ISO code such as EUR)")


def _no_rate(code: str | None, ctx: ReadContext) -> Problem:
    where = "the Rates tab" if ctx.rates.tab else "a Rates tab (Currency | Rate)"
    return Problem(
        f"is in {code}, not the reporting currency {ctx.reporting}; add {code}'s rate to "
        f"{where} to count it"
    )


def _identifier(column: Column) -> bool:
    from server.classification.headers import is_identifier

    return column.info is not None and is_identifier(column.info)


def _pivot_labels(cells: list[Any]) -> bool:
    """A pivot's row labels: written once each, blanks below them. At least two labels,
    all different, the first row labelled, and every label but the last followed by a
    blank or by its total row (a block of one row: ``APAC``, then ``Subtotal``; total
    rows such as ``Total AMER`` between blocks aside); a deal export whose
    labels repeat (AMER, AMER, …) never qualifies, so its blank cells stay errors."""
    if not cells or values.is_blank(cells[0]):
        return False
    labelled = [
        i for i, c in enumerate(cells) if not values.is_blank(c) and not values.is_total_marker(c)
    ]
    labels = [_hashable(cells[i]) for i in labelled]
    if len(labels) < 2 or len(set(labels)) != len(labels):
        return False
    return all(
        i + 1 < len(cells)
        and (values.is_blank(cells[i + 1]) or values.is_total_marker(cells[i + 1]))
        for i in labelled[:-1]
    )


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _some(column: Column | None) -> tuple[Column, ...]:
    return () if column is None else (column,)


def _names_a_total(raw: Any) -> bool:
    return isinstance(raw, str) and "total" in raw.casefold()


def _bool_like(raw: Any) -> bool:
    # True == 1 == 1.0 as dict keys: such cells never share a cache entry, they go slow.
    return type(raw) in (bool, int, float) and raw in (0, 1)


def _ratio_like(raw: Any) -> bool:
    """A percentage (``12%``, ``-3.5 %``) or a number no bigger than a ratio's."""
    if type(raw) in _NUMBERS:
        return bool(abs(raw) <= _RATIO_LIMIT)
    return isinstance(raw, str) and re.fullmatch(r"\s*[-+]?\d+(?:[.,]\d+)?\s*%\s*", raw) is not None


def _is_total_spelling(raw: Any) -> bool:
    return type(raw) is str and raw in _TOTAL_SPELLINGS


class _Classes(dict[Any, int]):
    """A row's group cells and status cell (as one tuple) -> its class number: each
    distinct (group, status value) is read once, and a row's key needs one lookup for
    both. Unreadable or Total groups and blank statuses are -1: read again carefully."""

    def __init__(self, reader: RowReader) -> None:
        super().__init__()
        self.reader = reader
        self.groups = len(reader.groups)
        self.status = reader.layout.status is not None
        self.closed = reader.layout.closed is not None
        self.known: list[tuple[GroupKey, Status, str]] = []
        self.index: dict[tuple[GroupKey, Status, str], int] = {}

    def __missing__(self, raw: Any) -> int:
        found = self._read(raw)  # a tuple: group cells, status cell, Closed cell
        if found is None:
            code = -1
        else:
            code = self.index.get(found, -1)
            if code < 0:
                code = self.index[found] = len(self.known)
                self.known.append(found)
        self[raw] = code
        return code

    def _read(self, cells: Sequence[Any]) -> tuple[GroupKey, Status, str] | None:
        group_cells = cells[: self.groups]
        if any(_bool_like(cell) for cell in group_cells):
            return None  # True == 1 as dict keys: such cells go the careful way
        names = [values.group_name(cell) for cell in group_cells]
        if any(
            isinstance(n, Problem) or values.is_total_marker(n) or values.group_heading(n)
            for n in names
        ):
            return None
        spelled = [n for n in names if isinstance(n, str)]
        key = tuple(values.fold(n) for n in spelled)
        if spelled:
            self.reader.facts.spelling.setdefault(key, " / ".join(spelled))
        if not self.status:
            return key, Status.WON, ""
        cell = cells[self.groups]
        closed = cells[self.groups + 1] if self.closed else None
        if values.is_blank(cell) or _bool_like(cell) or len(self.index) >= _CLASSES:
            return None
        return key, self.reader.ctx.statuses(cell, closed), status_text(cell)


_CLASSES = 100_000  # more distinct (group, status) pairs than this: read carefully


class _Codes(dict[Any, Any]):
    """Raw cell -> ``read(cell)``, read once per distinct cell (``read``'s None becomes
    ``missing``)."""

    def __init__(self, read: Any, missing: Any = -1) -> None:
        super().__init__()
        self.read = read
        self.missing = missing

    def __missing__(self, raw: Any) -> Any:
        found = self.read(raw)
        code = self.missing if found is None else found
        self[raw] = code
        return code


def status_text(cell: Any) -> str:
    """A status cell as shown in the run's inputs (``Closed Lost``, ``TRUE``)."""
    return values.cell_text(cell) or ""


class _Body(Sequence[Any]):
    """The rows under the header, without copying a million-row list."""

    def __init__(self, rows: Sequence[Any], offset: int) -> None:
        self.rows, self.offset = rows, offset

    def __iter__(self) -> Iterator[Any]:
        return islice(self.rows, self.offset, None)

    def __len__(self) -> int:
        return max(0, len(self.rows) - self.offset)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return list(self)[i]
        return self.rows[self.offset + i]


def _padded(body: Sequence[Any], width: int) -> list[Sequence[Any]]:
    """The rows as lists or tuples of at least ``width`` cells (short rows copied)."""
    rows: list[Sequence[Any]] = [as_row(row) for row in body]
    short = list(compress(count(), map(width.__gt__, map(len, rows))))
    for i in short:
        rows[i] = [*rows[i], *([None] * (width - len(rows[i])))]
    return rows


def _columns(layout: Layout, groups: Sequence[Column]) -> list[Column]:
    found = [layout.period, layout.amount, layout.year, layout.status, layout.closed]
    found += [layout.currency, layout.record_id, layout.deal_type, *layout.fallback_dates]
    found += [*layout.line_key, *groups]
    return [c for c in found if c is not None]


def _decide_order(
    body: Sequence[Any], layout: Layout, ctx: ReadContext
) -> tuple[str | None, bool, tuple[str, str] | None]:
    """Day or month first for the tab's text dates, decided for the whole column: proof
    in the column first (``25/03/2025``), then the ``dateOrder`` option, then the
    spreadsheet's locale. Returns (order, mixed, (order, how))."""
    if layout.period is None or layout.year is not None:
        return None, False, None
    evidence = dates.OrderEvidence()
    for column in (layout.period, *layout.fallback_dates):
        for cell in _distinct(body, column.index):
            if type(cell) is str and ("/" in cell or "-" in cell):
                evidence.add(cell)
    if not (evidence.day_first or evidence.month_first or evidence.ambiguous):
        return None, False, None
    order, how = evidence.decide(ctx.date_order, ctx.locale)
    if order is None:
        return None, True, ("MIXED", "mixed")
    return order, False, (order, how)


def _census(body: Sequence[Any], layout: Layout, locale: str | None) -> Counter[str]:
    """Rows per currency: the currency column, the amounts' own text (``€ 1.234``), or
    the header's or title's currency for the rest."""
    found: Counter[str] = Counter()
    if layout.currency is not None:
        for cell, n in Counter(map(_hashable, map(_cell_at(layout.currency.index), body))).items():
            code = currency.code_of(cell, locale) or (
                layout.currency_hint if values.is_blank(cell) else None
            )
            if code is not None:
                found[code] += n
        return found
    if layout.amount is not None:
        amount_at = _cell_at(layout.amount.index)
        texts = Counter(c for c in map(amount_at, body) if type(c) is str)
        for text, n in texts.items():
            code = currency.text_currency(text, locale)
            if code is not None:
                found[code] += n
    if layout.currency_hint is not None:
        found[layout.currency_hint] += max(0, len(body) - sum(found.values()))
    return found


def _distinct(body: Sequence[Any], index: int) -> set[Any]:
    cells = map(_cell_at(index), body)
    try:
        return set(cells)
    except TypeError:
        return set(map(_hashable, map(_cell_at(index), body)))


def _cell_at(index: int) -> Any:
    return lambda row: row[index] if index < len(row) else None


def whole_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """A row's cells as a key, trailing blanks left out (the API omits them)."""
    cells = [_hashable(c) for c in row]
    while cells and values.is_blank(cells[-1]):
        cells.pop()
    return tuple(cells)


def _duplicated(body: Sequence[Any], reader: RowReader) -> frozenset[Any]:
    """Ids (or line keys) that appear on more than one row; without an id, in a tab that
    names its deals, rows identical in every cell (two overlapping exports pasted)."""
    layout = reader.layout
    if layout.named_deal is not None:
        rows = Counter(map(whole_row, map(as_row, body)))
        return frozenset(k for k, n in rows.items() if n > 1 and any(k))
    if layout.record_id is None and not layout.line_key:
        return frozenset()
    if layout.record_id is not None and not layout.line_items:
        ids = list(map(_hashable, map(_cell_at(layout.record_id.index), body)))
        if len(set(ids)) == len(ids):
            return frozenset()
        counts = Counter(ids)
        return frozenset(k for k, n in counts.items() if n > 1 and not values.is_blank(k))
    keys: Counter[Any] = Counter()
    for row in body:
        row = as_row(row)
        code = reader.period(row, Status.WON)[2]
        number = reader.amount(row)[2]
        if isinstance(code, int) and isinstance(number, float | int):
            key = reader.dedupe_key(row, code, float(number))
            if key is not None:
                keys[key] += 1
    return frozenset(k for k, n in keys.items() if n > 1)


def read_long(
    rows: Sequence[Any],
    layout: Layout,
    groups: Sequence[Column],
    ctx: ReadContext,
    *,
    fast: bool = True,
) -> Facts:
    """A long table or deal rows: facts per (status, type, group, period)."""
    assert layout.period is not None
    width = max(c.index for c in _columns(layout, groups)) + 1
    body: Sequence[Any] = _Body(rows, layout.header_row + 1)
    if layout.amount is None:  # leads counted one row at a time: a small tab
        return _read_body(_padded(body, width), layout, groups, ctx, fast=False)
    try:
        return _read_body(body, layout, groups, ctx, fast=fast, strict=True)
    except _ShortRows:
        # Rows are normalised (copied, padded) only when they need it: the API leaves out
        # trailing empty cells of a row, and a caller may pass rows that are not lists.
        return _read_body(_padded(body, width), layout, groups, ctx, fast=fast)


class _ShortRows(Exception):
    """A row too short for an itemgetter, or not a list: normalise the rows and read again."""


def _read_body(
    body: Sequence[Any],
    layout: Layout,
    groups: Sequence[Column],
    ctx: ReadContext,
    *,
    fast: bool,
    strict: bool = False,
) -> Facts:
    first_row = layout.header_row + 2  # the sheet row of body[0]
    census = _first_census(body, layout, ctx, fast=fast)
    if ctx.reporting is None and census:
        ctx = replace(ctx, reporting=census.most_common(1)[0][0])

    def reader(context: ReadContext) -> RowReader:
        made = RowReader(layout, groups, context, body=body, first_row=first_row)
        made.duplicated = _duplicated(body, made)
        return made

    careful = reader(ctx)
    if careful.duplicated and (layout.record_id is None or layout.line_items):
        fast = False  # line-item reports are read row by row: they are small
    sums: dict[FactKey, tuple[float, int]] = {}
    if fast:
        try:
            sums = _read_fast(careful, body, first_row)
        except _TextAmounts:
            return _read_body(body, layout, groups, ctx, fast=False, strict=strict)
        except (TypeError, OverflowError, KeyError, IndexError):  # short rows, unhashable…
            if strict:
                raise _ShortRows from None  # normalise every row and read again
            fast, careful = False, reader(ctx)
    if not fast:
        for i, row in enumerate(body):
            careful.read_row(as_row(row), first_row + i, i)
    facts = careful.finish(sums)
    decided = careful._order[2] if careful._order is not None else None
    if decided is not None:
        facts.date_order = decided
        if decided[1] != "proved":  # an assumption, or a column that mixes both
            facts.issues.append(_order_issue(layout, ctx, decided))
    facts.census, facts.reporting = census or Counter(), careful.ctx.reporting
    return facts


def _first_census(
    body: Sequence[Any], layout: Layout, ctx: ReadContext, *, fast: bool
) -> Counter[str] | None:
    """The currencies a tab's rows are in, when they must be known before reading (the
    plan's currency is the reporting one, else the most common here). Counting costs a
    pass, so it is made only when the tab may hold several: a currency column, or a
    careful read (text amounts met by the fast pass send the tab there)."""
    if layout.currency is not None or not fast:
        return _census(body, layout, ctx.locale)
    if layout.currency_hint is not None:
        return Counter({layout.currency_hint: len(body)})
    return None


def _order_issue(layout: Layout, ctx: ReadContext, decided: tuple[str, str]) -> DataIssue:
    """How the column's text dates were read, when nothing in the column proved it."""
    assert layout.period is not None
    order, how = decided
    ref = f"{layout.tab}!{layout.period.letter}"
    if how == "mixed":
        return issues.note(
            layout.tab,
            f"{ref}: the {layout.period.header} column holds both day-first dates (31/03/2025) "
            "and month-first ones (03/31/2025); dates that could be either (04/03/2025) "
            "are refused: write them as 2025-03-04",
            row=layout.header_row + 1,
        )
    first = (
        "day first (04/03/2025 is 4 March)"
        if order == dates.DAY_FIRST
        else ("month first (04/03/2025 is April 3)")
    )
    why = {
        "proved": "a date in the column that can only be read one way proves it",
        "option": "as the dateOrder option says",
        "locale": f"as the spreadsheet's locale ({ctx.locale or 'en_US'}) writes dates; "
        "nothing in the column proves the order (the dateOrder option sets it)",
    }[how]
    return issues.note(
        layout.tab,
        f"{ref}: the {layout.period.header} column's text dates are read {first}, {why}",
        row=layout.header_row + 1,
        severity=Severity.INFO,
    )


class _TextAmounts(Exception):
    """Amounts written as text: their currencies must be counted before reading them."""


def _read_fast(
    reader: RowReader, body: Sequence[Any], first_row: int
) -> dict[FactKey, tuple[float, int]]:
    """Every row into a bucket by its raw cells, then each bucket read once.

    A bucket's key is the row's raw group, status, deal-type and currency cells (and
    marks: a repeated id, a Total in an ungrouped dimension) with its period code. A tab
    holds few distinct keys, so each key's cells are parsed once, carefully, and each
    bucket's amounts are summed with ``math.fsum``. Buckets whose key or amounts the fast
    path cannot vouch for (an unreadable group or date, a blank status, a currency with
    no rate, an amount that is not a number) are read again, row by row, carefully.
    """
    layout, ctx = reader.layout, reader.ctx
    assert layout.period is not None
    assert layout.amount is not None
    grain, start = layout.grain, ctx.start
    day_code = ctx.calendar.day_code

    def period_of(raw: Any) -> int | None:
        if layout.year is not None:
            return _year_code(raw, grain)
        order, mixed, _ = reader.date_order(raw)
        found = periods.code(raw, grain, start, order, mixed)
        if isinstance(found, Problem) or _names_a_total(raw):
            return None
        return day_code(found) if grain is Grain.DAY else found

    shape, buckets = _fill(_Shape.of(reader), body, period_of, reader)
    classes = _Classes(reader)
    types = _Codes(deal_type)
    rates = _Rates(reader)
    hint = layout.currency_hint
    base_rate = ctx.rates.rate(hint, ctx.reporting) if hint is not None else 1.0
    texts: dict[str, tuple[float | Problem, str | None]] = {}
    sums: defaultdict[FactKey, list[float]] = defaultdict(list)
    counts: Counter[FactKey] = Counter()
    again: set[tuple[Any, ...]] = set()
    for key, amounts in buckets.items():
        code = key[-1]
        which = classes[key[shape.group_slice] + key[shape.status_slice]]
        if rates.quarterly:
            rate = rates[key[shape.currency] if shape.currency is not None else None, code]
        else:
            rate = rates[key[shape.currency]] if shape.currency is not None else base_rate
        if code is None or which < 0 or rate is None or any(key[shape.marks]):
            again.add(key)
            continue
        kind = key[-2] if shape.typed else float
        total = (
            _fsum(amounts)
            if kind is float or kind is int
            else _text_total(amounts, texts, reader)
            if kind is str
            else None
        )
        if total is None or not abs(total * rate) < values.AMOUNT_LIMIT:
            again.add(key)
            continue
        group, status, text = classes.known[which]
        if layout.status is not None:
            reader.facts.status_rows[status, text] += len(amounts)
        deal = types[key[shape.deal_type]] if shape.deal_type is not None else 0
        fact = (int(status), deal, group, code)
        sums[fact].append(total * rate if rate != 1.0 else total)
        counts[fact] += len(amounts)
    if ctx.reporting is None and any(code for _, code in texts.values()):
        raise _TextAmounts  # currencies written in the amounts: count them, then read
    if again:
        known = _Periods(period_of)
        keys = shape.keyer()(body, known.codes, known.miss, _TOTAL_SPELLINGS, reader.duplicated)
        for i in compress(count(), map(again.__contains__, keys)):
            reader.read_row(body[i], first_row + i, i)
    return {fact: (math.fsum(parts), counts[fact]) for fact, parts in sums.items()}


def _fsum(amounts: Any) -> float | None:
    try:
        return math.fsum(amounts)
    except (OverflowError, ValueError):
        return None


def _text_total(
    amounts: list[Any], texts: dict[str, tuple[float | Problem, str | None]], reader: RowReader
) -> float | None:
    """The exact sum of a bucket of text amounts; None when one of them cannot be read
    here (the bucket is read again, row by row)."""
    numbers: list[float] = []
    for raw in amounts:
        found = texts.get(raw)
        if found is None:
            found = texts[raw] = _text_amount(reader, raw)
        if isinstance(found[0], Problem):
            return None
        numbers.append(found[0])
    return _fsum(numbers)


def _text_amount(reader: RowReader, raw: str) -> tuple[float | Problem, str | None]:
    """A text amount and the currency it names; a problem when it must be converted (the
    careful path does) or cannot be read (the careful path reports it)."""
    number = values.parse_amount(raw)
    if isinstance(number, Problem):
        return number, None
    code = currency.text_currency(raw, reader.ctx.locale)
    if code is not None and reader.ctx.reporting is not None and code != reader.ctx.reporting:
        return Problem("is in another currency"), code
    return number, code


def _fill(
    shape: _Shape, body: Sequence[Any], period_of: Any, reader: RowReader
) -> tuple[_Shape, dict[tuple[Any, ...], Any]]:
    """Every row's amount into its bucket, by key ``(*levels, period code)``. First on the
    assumption that amounts are numbers (the key then leaves out the amount's type, the
    common case's cheapest loop); text or blank amounts stop that loop, and checkboxes
    (which ``array`` would take as 1.0 and 0.0) are looked for whenever a bucket holds a 0
    or a 1: then the key keeps the amount's type, and those amounts are read apart."""
    extra = (_TOTAL_SPELLINGS, reader.duplicated)
    untyped = replace(shape, typed=False)
    bins = _Bins(period_of)
    try:
        untyped.bucketer()(body, bins.dates, bins.miss, *extra, _numbers)
    except TypeError:
        pass  # an amount that is text or blank (or a cell that cannot be a key)
    else:
        buckets = bins.walk(untyped)
        if not any(map(_holds_zero_or_one, buckets.values())) or not any(
            map(bool.__instancecheck__, map(itemgetter(shape.amount), body))
        ):
            return untyped, buckets
    bins = _Bins(period_of)
    shape.bucketer()(body, bins.dates, bins.miss, *extra, _typed)
    return shape, bins.walk(shape)


class _Bins:
    """The nested buckets of :meth:`_Shape.bucketer`: a period cell leads to its bin (one
    per period code), a bin to nested dicts of the key's parts, the last level to a
    bucket of amounts."""

    def __init__(self, period_of: Any) -> None:
        self.period_of = period_of
        self.dates: dict[Any, dict[Any, Any]] = {}
        self.bins: dict[Any, dict[Any, Any]] = {}

    def miss(self, cell: Any) -> dict[Any, Any]:
        code = self.period_of(cell)
        found = self.dates[cell] = self.bins.setdefault(code, {})
        return found

    def walk(self, shape: _Shape) -> dict[tuple[Any, ...], Any]:
        """Every bucket by its flat key ``(*levels, period code)``."""
        depth = len(shape._levels())
        out: dict[tuple[Any, ...], Any] = {}
        for code, levels in self.bins.items():
            for path, bucket in _leaves(levels, max(depth, 1)):
                out[(*path[:depth], code)] = bucket
        return out


def _leaves(tree: dict[Any, Any], depth: int) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if depth == 1:
        for part, leaf in tree.items():
            yield (part,), leaf
        return
    for part, sub in tree.items():
        for path, leaf in _leaves(sub, depth - 1):
            yield (part, *path), leaf


def _new_levels(bins: dict[Any, Any], path: tuple[Any, ...], bucket: Any) -> None:
    """Make the missing levels of ``path`` below ``bins`` and end it with ``bucket``."""
    node = bins
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = bucket


_ZERO, _ONE = array("d", (0.0,)).tobytes(), array("d", (1.0,)).tobytes()


def _holds_zero_or_one(bucket: array[float]) -> bool:
    """Whether a bucket holds an amount of exactly 0.0 or 1.0 (a checkbox would): a search
    of its bytes, which reads 8 MB in a few milliseconds where ``0.0 in bucket`` makes a
    float object per amount."""
    raw = bucket.tobytes()
    for pattern in (_ZERO, _ONE):
        at = raw.find(pattern)
        while at >= 0:
            if at % 8 == 0:
                return True
            at = raw.find(pattern, at + 1)
    return False


def _numbers(bins: dict[Any, Any], path: tuple[Any, ...], amount: Any) -> None:
    bucket = array("d")
    bucket.append(amount)  # a text or blank amount raises TypeError here: read typed
    _new_levels(bins, path, bucket)


def _typed(bins: dict[Any, Any], path: tuple[Any, ...], amount: Any) -> None:
    """Numbers go to ``array('d')``: their values are copied as the rows are read in order,
    so each bucket's sum reads memory in sequence (lists of float objects scattered over a
    million rows sum ten times slower); other amounts (text, checkboxes, blanks) to lists."""
    kind = path[-1]
    bucket: Any = array("d") if kind is float or kind is int else []
    bucket.append(amount)
    _new_levels(bins, path, bucket)


class _Periods:
    """Period cell -> period code (None: unreadable) in a plain dict (the generated loop's
    lookups are then the specialised fast ones), filled by ``miss`` on a cell's first
    sight."""

    def __init__(self, read: Any) -> None:
        self.codes: dict[Any, Any] = {}
        self.read = read

    def miss(self, cell: Any) -> Any:
        code = self.codes[cell] = self.read(cell)
        return code


@dataclass(frozen=True)
class _Shape:
    """Which columns a bucket key holds, and where each part sits in the key."""

    raw: tuple[int, ...]  # status (and Closed), group cells, deal type, currency
    totals: tuple[int, ...]  # ungrouped dimensions checked for a Total spelling
    record_id: int | None  # checked against the repeated ids
    period: int
    year: int | None
    amount: int
    status_slice: slice
    group_slice: slice
    deal_type: int | None
    currency: int | None
    marks: slice
    typed: bool = True  # the key ends with the amount's type (before the period)

    @classmethod
    def of(cls, reader: RowReader) -> _Shape:
        layout = reader.layout
        assert layout.period is not None
        assert layout.amount is not None
        raw = []
        if layout.status is not None:
            raw.append(layout.status.index)
            if layout.closed is not None:
                raw.append(layout.closed.index)
        status_slice = slice(0, len(raw))
        raw += [c.index for c in reader.groups]
        group_slice = slice(status_slice.stop, len(raw))
        deal_type = currency_at = None
        if layout.deal_type is not None:
            deal_type = len(raw)
            raw.append(layout.deal_type.index)
        if layout.currency is not None:
            currency_at = len(raw)
            raw.append(layout.currency.index)
        totals = tuple(c.index for c in reader.scanned)
        record_id = layout.record_id.index if reader.duplicated and layout.record_id else None
        marks = slice(len(raw), len(raw) + len(totals) + (record_id is not None))
        return cls(
            raw=tuple(raw),
            totals=totals,
            record_id=record_id,
            period=layout.period.index,
            year=layout.year.index if layout.year is not None else None,
            amount=layout.amount.index,
            status_slice=status_slice,
            group_slice=group_slice,
            deal_type=deal_type,
            currency=currency_at,
            marks=marks,
        )

    def _levels(self) -> list[str]:
        """The key's parts before the period, as expressions over ``row``."""
        parts = [f"row[{i}]" for i in self.raw]
        parts += [f"row[{i}] in totals" for i in self.totals]
        if self.record_id is not None:
            parts.append(f"row[{self.record_id}] in repeated")
        if self.typed:
            parts.append(f"kind(row[{self.amount}])")
        return parts

    def _cell(self) -> str:
        if self.year is None:
            return f"row[{self.period}]"
        return f"(row[{self.year}], row[{self.period}])"

    def bucketer(self) -> Any:
        """``bucket(body, dates, miss, totals, repeated, new)``: every row's amount into its
        bucket. Buckets are nested plain dicts, the period's bin first (``dates`` maps a
        period cell to its bin, ``miss`` adds a cell not seen yet), then one level per key
        part (``new`` makes the missing levels). Nested dicts keyed by single cells make
        no tuple per row, and plain dicts (not subclasses) keep CPython's specialised
        lookups; ``try`` costs nothing until it raises."""
        levels = self._levels() or ["0"]
        path = "".join(f"[{part}]" for part in levels)
        return _compiled(
            "def bucket(body, dates, miss, totals, repeated, new, kind=type):\n"
            "    for row in body:\n"
            f"        cell = {self._cell()}\n"
            "        try:\n"
            "            bins = dates[cell]\n"
            "        except KeyError:\n"
            "            bins = miss(cell)\n"
            "        try:\n"
            f"            bins{path}.append(row[{self.amount}])\n"
            "        except KeyError:\n"
            f"            new(bins, ({', '.join(levels)},), row[{self.amount}])\n",
            "bucket",
        )

    def keyer(self) -> Any:
        """``keys(body, periods, miss, totals, repeated)``: every row's key (the levels and
        the period code, as :func:`_walk` spells them), in order."""
        parts = [*self._levels(), "code"]
        return _compiled(
            "def keys(body, periods, miss, totals, repeated, kind=type):\n"
            "    out = []\n"
            "    for row in body:\n"
            f"        cell = {self._cell()}\n"
            "        try:\n"
            "            code = periods[cell]\n"
            "        except KeyError:\n"
            "            code = miss(cell)\n"
            f"        out.append(({', '.join(parts)},))\n"
            "    return out\n",
            "keys",
        )


@lru_cache(maxsize=512)
def _compiled(source: str, name: str) -> Any:
    """A loop generated for a tab's columns, as ``dataclasses`` and ``namedtuple``
    generate theirs: a plain Python loop with the column numbers as constants is the
    fastest row-by-row reading CPython 3.11 offers (faster than chains of ``map`` and
    ``itemgetter``, whose per-row calls and intermediate ints cost more). The source is
    built from column numbers only, never from cell or header text."""
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<reader:{name}>", "exec"), namespace)  # noqa: S102
    return namespace[name]


class _Rates(dict[Any, float | None]):
    """Currency cell -> rate to the reporting currency (None: no rate, or unreadable);
    with rates kept per quarter, (currency cell, period code) -> rate (``at``)."""

    def __init__(self, reader: RowReader) -> None:
        super().__init__()
        self.reader = reader
        self.quarterly = reader.ctx.rates.per_quarter

    def __missing__(self, key: Any) -> float | None:
        layout, ctx = self.reader.layout, self.reader.ctx
        cell, period = key if self.quarterly else (key, None)
        code: str | None
        if values.is_blank(cell):
            code = layout.currency_hint
        else:
            code = currency.code_of(cell, ctx.locale)
            if code is None:
                self[key] = None  # unreadable: the careful path reports it
                return None
        quarter = self.reader.quarter(period) if period is not None else None
        rate = ctx.rates.rate(code, ctx.reporting, quarter) if code is not None else 1.0
        self[key] = rate
        return rate


def _year_code(cells: Any, grain: Grain) -> int | None:
    year, value = cells
    found = periods.with_year(value, year, grain)
    return None if isinstance(found, Problem) else found


def _total_rows(body: Sequence[Any], columns: list[int]) -> list[int]:
    """Rows with a Total marker in an ungrouped dimension column (see ``RowReader.scanned``).

    Such columns (an owner, a deal name) can hold a million distinct values, so they are
    checked against common exact spellings (``Total``, ``GRAND TOTAL``, ``Subtotal:``…)
    in C, not parsed; :meth:`RowReader.total_row` applies the same rule.
    """
    if not columns:
        return []
    found: set[int] = set()
    width = min(map(len, body), default=0)
    for index in columns:
        if index < width:
            marks = map(_TOTAL_SPELLINGS.__contains__, map(itemgetter(index), body))
        else:
            marks = map(_is_total_spelling, map(_cell_at(index), body))
        found.update(compress(count(), marks))
    return sorted(found)


def read_wide(
    rows: Sequence[Any], layout: Layout, groups: Sequence[Column], ctx: ReadContext
) -> Facts:
    """A wide table: one row per group, one amount per quarter or month column."""
    first_row = layout.header_row + 2
    body = [as_row(row) for row in rows[layout.header_row + 1 :]]
    found: Counter[str] = Counter()
    for row in body:
        for column, _ in layout.period_columns:
            cell = row[column.index] if column.index < len(row) else None
            code = currency.text_currency(cell, ctx.locale) if isinstance(cell, str) else None
            if code is not None:
                found[code] += 1
    if layout.currency_hint is not None and not found:
        found[layout.currency_hint] += len(body)
    if ctx.reporting is None and found:
        ctx = replace(ctx, reporting=found.most_common(1)[0][0])
    reader = RowReader(layout, groups, ctx, body=body, first_row=first_row)
    for i, row in enumerate(body):
        reader.read_wide_row(row, first_row + i, i)
    facts = reader.finish()
    facts.census, facts.reporting = found, ctx.reporting
    return facts


def read_tab(
    rows: Sequence[Any], layout: Layout, groups: Sequence[Column], ctx: ReadContext
) -> Facts:
    if layout.kind in (Kind.WIDE, Kind.MONTHLY_WIDE):
        return read_wide(rows, layout, groups, ctx)
    return read_long(rows, layout, groups, ctx)


__all__ = [
    "DealType",
    "FactKey",
    "Facts",
    "GroupKey",
    "ReadContext",
    "RowReader",
    "TabRole",
    "deal_type",
    "read_long",
    "read_tab",
    "read_wide",
]
