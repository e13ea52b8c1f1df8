"""The in-memory spreadsheet: sheets of rows, their properties and the Drive file around them.

Values live in ``Sheet.rows``, a list of ragged rows (a million-row tab costs a million
small rows, not millions of dict entries). A seeded row is a tuple, shared by copies of the
sheet and turned into a list the first time it changes. Everything else a cell can carry
(format, note, data validation) lives in the sparse ``Sheet.cell_data`` keyed by
``(row, col)``. Properties, developer metadata and the other objects are kept as the API's
JSON objects, so field masks apply to them directly.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sheets_emulator.grid.cells import CellValue, Row
from sheets_emulator.grid.formulas import Context

ROLES = ("reader", "commenter", "writer", "owner")
PERMISSION_TYPES = ("user", "group", "domain", "anyone")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
CELL_LIMIT = 10_000_000


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Sheet:
    """One tab: properties (``sheetId``, ``title``, ``index``, ``gridProperties`` ...) and data."""

    properties: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    cell_data: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    merges: list[dict[str, int]] = field(default_factory=list)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    row_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    col_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    row_groups: list[dict[str, Any]] = field(default_factory=list)
    column_groups: list[dict[str, Any]] = field(default_factory=list)
    developer_metadata: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sheet_id(self) -> int:
        return int(self.properties["sheetId"])

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    @property
    def grid(self) -> dict[str, Any]:
        grid: dict[str, Any] = self.properties.setdefault("gridProperties", {})
        return grid

    @property
    def row_count(self) -> int:
        return int(self.grid.get("rowCount", 0))

    @property
    def col_count(self) -> int:
        return int(self.grid.get("columnCount", 0))

    def clone(self) -> Sheet:
        """A copy safe to mutate (list rows are copied; tuple rows, never changed in place, are
        shared)."""
        return replace(
            self,
            properties=copy.deepcopy(self.properties),
            rows=[row if type(row) is tuple else list(row) for row in self.rows],
            cell_data={key: copy.deepcopy(value) for key, value in self.cell_data.items()},
            merges=copy.deepcopy(self.merges),
            conditional_formats=copy.deepcopy(self.conditional_formats),
            charts=copy.deepcopy(self.charts),
            protected_ranges=copy.deepcopy(self.protected_ranges),
            basic_filter=copy.deepcopy(self.basic_filter),
            row_meta=copy.deepcopy(self.row_meta),
            col_meta=copy.deepcopy(self.col_meta),
            row_groups=copy.deepcopy(self.row_groups),
            column_groups=copy.deepcopy(self.column_groups),
            developer_metadata=copy.deepcopy(self.developer_metadata),
        )

    def get(self, row: int, col: int) -> CellValue:
        if row < len(self.rows):
            cells = self.rows[row]
            if col < len(cells):
                return cells[col]
        return None

    def _mutable(self, row: int) -> list[CellValue]:
        """Row ``row`` as a list this sheet may change (a tuple row is replaced by a list)."""
        cells = self.rows[row]
        if type(cells) is not list:
            cells = self.rows[row] = list(cells)
        return cells

    def set(self, row: int, col: int, value: CellValue) -> None:
        if value is None:
            if row < len(self.rows) and col < len(self.rows[row]):
                self._mutable(row)[col] = None
            return
        if row >= len(self.rows):
            self.rows.extend([] for _ in range(row + 1 - len(self.rows)))
        cells = self._mutable(row)
        if col >= len(cells):
            cells.extend([None] * (col + 1 - len(cells)))
        cells[col] = value

    def format_of(self, row: int, col: int) -> dict[str, Any] | None:
        data = self.cell_data.get((row, col))
        if not data:
            return None
        fmt = data.get("userEnteredFormat", {}).get("numberFormat")
        return fmt if isinstance(fmt, dict) else None

    def clear_values(self, r0: int, r1: int, c0: int, c1: int) -> None:
        for r in range(r0, min(r1, len(self.rows))):
            if c0 >= len(self.rows[r]):
                continue
            cells = self._mutable(r)
            for c in range(c0, min(c1, len(cells))):
                cells[c] = None

    def used_extent(self) -> tuple[int, int]:
        """(rows, columns) up to the last non-empty value."""
        last_row, last_col = 0, 0
        for r, cells in enumerate(self.rows):
            width = len(cells)
            while width and cells[width - 1] is None:
                width -= 1
            if width:
                last_row = r + 1
                last_col = max(last_col, width)
        return last_row, last_col

    # structural edits -----------------------------------------------------------------------

    def insert_rows(self, at: int, count: int) -> None:
        if at < len(self.rows):
            self.rows[at:at] = [[] for _ in range(count)]
        self.cell_data = _shift(self.cell_data, 0, at, count)
        self.row_meta = {(k + count if k >= at else k): v for k, v in self.row_meta.items()}
        self._shift_ranges("Row", at, count)
        self.grid["rowCount"] = self.row_count + count

    def delete_rows(self, start: int, end: int) -> None:
        del self.rows[start:end]
        count = end - start
        self.cell_data = _drop(self.cell_data, 0, start, end)
        self.row_meta = {
            (k - count if k >= end else k): v
            for k, v in self.row_meta.items()
            if not start <= k < end
        }
        self._shift_ranges("Row", end, -count, lower=start)
        self.grid["rowCount"] = self.row_count - count

    def insert_cols(self, at: int, count: int) -> None:
        for r, cells in enumerate(self.rows):
            if at < len(cells):
                self._mutable(r)[at:at] = [None] * count
        self.cell_data = _shift(self.cell_data, 1, at, count)
        self.col_meta = {(k + count if k >= at else k): v for k, v in self.col_meta.items()}
        self._shift_ranges("Column", at, count)
        self.grid["columnCount"] = self.col_count + count

    def delete_cols(self, start: int, end: int) -> None:
        for r, cells in enumerate(self.rows):
            if start < len(cells):
                del self._mutable(r)[start:end]
        count = end - start
        self.cell_data = _drop(self.cell_data, 1, start, end)
        self.col_meta = {
            (k - count if k >= end else k): v
            for k, v in self.col_meta.items()
            if not start <= k < end
        }
        self._shift_ranges("Column", end, -count, lower=start)
        self.grid["columnCount"] = self.col_count - count

    def _shift_ranges(self, axis: str, at: int, delta: int, lower: int | None = None) -> None:
        """Move merges after an insert (``delta`` > 0 at ``at``) or a delete of
        ``[lower, at)`` (``delta`` < 0)."""
        keys = (f"start{axis}Index", f"end{axis}Index")
        for merge in self.merges:
            for n, key in enumerate(keys):
                index = merge[key]
                if delta > 0:
                    if index > at or (index == at and n == 0):
                        merge[key] = index + delta
                elif lower is not None:
                    merge[key] = index if index <= lower else max(lower, index + delta)
                    if index > at:
                        merge[key] = index + delta
        self.merges = [m for m in self.merges if m[keys[1]] > m[keys[0]]]


def _shift(
    data: dict[tuple[int, int], dict[str, Any]], axis: int, at: int, count: int
) -> dict[tuple[int, int], dict[str, Any]]:
    out = {}
    for key, value in data.items():
        index = key[axis]
        if index >= at:
            key = (key[0] + count, key[1]) if axis == 0 else (key[0], key[1] + count)
        out[key] = value
    return out


def _drop(
    data: dict[tuple[int, int], dict[str, Any]], axis: int, start: int, end: int
) -> dict[tuple[int, int], dict[str, Any]]:
    out = {}
    count = end - start
    for key, value in data.items():
        index = key[axis]
        if start <= index < end:
            continue
        if index >= end:
            key = (key[0] - count, key[1]) if axis == 0 else (key[0], key[1] - count)
        out[key] = value
    return out


@dataclass
class Permission:
    """A Drive permission on the spreadsheet's file."""

    id: str
    type: str  # user | group | domain | anyone
    role: str  # reader | commenter | writer | owner
    email: str | None = None
    domain: str | None = None
    discoverable: bool | None = None  # allowFileDiscovery, for domain and anyone

    def resource(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "drive#permission", "id": self.id, "type": self.type}
        if self.email:
            out["emailAddress"] = self.email
            out["displayName"] = self.email.split("@")[0]
        if self.domain:
            out["domain"] = self.domain
            out["displayName"] = self.domain
        out["role"] = self.role
        if self.discoverable is not None and self.type in ("domain", "anyone"):
            out["allowFileDiscovery"] = self.discoverable
        out["deleted"] = False
        out["pendingOwner"] = False
        return out

    def covers(self, email: str | None) -> bool:
        """Whether this permission gives ``email`` access: its own address, its group's (a
        group is matched by its address), its domain (``ana@example.com`` for a share with
        ``example.com``) or anyone."""
        if self.type == "anyone":
            return True
        if email is None:
            return False
        address = email.strip().lower()
        if self.type in ("user", "group"):
            return (self.email or "").strip().lower() == address
        if self.type == "domain":
            domain = (self.domain or "").strip().lower()
            return bool(domain) and address.rpartition("@")[2] == domain
        return False


@dataclass
class Spreadsheet:
    """A spreadsheet and the Drive file that holds it."""

    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[Sheet]
    permissions: list[Permission]
    named_ranges: list[dict[str, Any]] = field(default_factory=list)
    developer_metadata: list[dict[str, Any]] = field(default_factory=list)  # spreadsheet-level
    created: datetime = field(default_factory=now)
    modified: datetime = field(default_factory=now)

    @property
    def title(self) -> str:
        return str(self.properties["title"])

    @property
    def owner(self) -> str:
        return next((p.email or "" for p in self.permissions if p.role == "owner"), "")

    def copy_for_update(self) -> Spreadsheet:
        """A shallow copy for a transaction: new lists, the same :class:`Sheet` objects."""
        return replace(
            self,
            properties=copy.deepcopy(self.properties),
            sheets=list(self.sheets),
            permissions=list(self.permissions),
            named_ranges=copy.deepcopy(self.named_ranges),
            developer_metadata=copy.deepcopy(self.developer_metadata),
        )

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        if exact is not None:
            return exact
        folded = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == folded), None)

    def reindex(self) -> None:
        for index, sheet in enumerate(self.sheets):
            sheet.properties["index"] = index

    def cell_count(self, extra: Iterable[tuple[int, int]] = ()) -> int:
        total = sum(s.row_count * s.col_count for s in self.sheets)
        return total + sum(r * c for r, c in extra)

    def role_of(self, email: str | None) -> str | None:
        """The caller's strongest role, or ``None`` without access."""
        best: str | None = None
        for perm in self.permissions:
            if perm.covers(email) and (best is None or ROLE_RANK[perm.role] > ROLE_RANK[best]):
                best = perm.role
        return best

    def formula_context(self) -> Context:
        """Resolves references of formulas in this spreadsheet (for one read)."""

        def extent(title: str | None) -> tuple[str, int, int] | None:
            sheet = self.sheets[0] if title is None else self.sheet_by_title(title)
            if sheet is None:
                return None
            return sheet.title, sheet.row_count, sheet.col_count

        def fetch(title: str | None, row: int, col: int) -> CellValue:
            sheet = self.sheets[0] if title is None else self.sheet_by_title(title)
            value = None if sheet is None else sheet.get(row, col)
            return float(value) if type(value) is int else value  # formulas see floats

        return Context(fetch=fetch, extent=extent)
