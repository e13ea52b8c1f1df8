"""Load and validate the realistic-workbook corpus (``tests/corpus/cases/*.json``).

Each case file is one workbook (its tabs' cell values as the Sheets API returns them with
``UNFORMATTED_VALUE`` / ``SERIAL_NUMBER``) and the answer worked by hand. The format is
described in ``tests/corpus/README.md``; :func:`load_case` turns a file into a
:class:`Case` and raises :class:`CaseError` on anything the format does not allow
(unknown keys included), so a typo in a case fails loudly instead of weakening a test.

Nothing here computes an expected answer: the figures are the ones written in the files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

CORPUS = Path(__file__).resolve().parent
CASES = CORPUS / "cases"
FILES = CORPUS / "files"

Outcome = Literal["right", "flagged", "refused"]
Cell = str | int | float | bool
Tab = tuple[tuple[Cell, ...], ...]

OUTCOMES: frozenset[str] = frozenset({"right", "flagged", "refused"})
VERDICTS: frozenset[str] = frozenset({"BEAT", "SOFT_MISS", "HARD_MISS", "NO_PLAN", "NO_BASELINE"})
FLAGS: frozenset[str] = frozenset(
    {
        "CONSECUTIVE_HARD_MISS",
        "REPEATED_HARD_MISS",
        "FREQUENT_SOFT_MISS",
        "UNREALISTIC_PLAN",
        "DATA_ISSUES",
    }
)
ROLES: frozenset[str] = frozenset(
    {
        "date",
        "amount",
        "plan",
        "status",
        "group",
        "currency",
        "id",
        "type",
        "quarter",
        "month",
        "year",
        "line_total",
        "expected_close",
        "lost_date",
        "version",
        "ignored",
    }
)
LAYOUTS: frozenset[str] = frozenset({"LONG", "WIDE", "MONTHLY_WIDE", "DEALS"})
UNITS: frozenset[int] = frozenset({1, 1000, 1000000})
ENCODINGS: frozenset[str] = frozenset({"utf-8", "cp1252"})
# ClassifyOptions field names (SPEC 4.2, with the turn-2 additions).
OPTIONS: frozenset[str] = frozenset(
    {
        "planTab",
        "bookingsTab",
        "summaryTab",
        "fiscalYearStartMonth",
        "comparison",
        "hardMissWindow",
        "groupBy",
        "asOf",
        "leadsTab",
        "ratesTab",
        "amountColumn",
        "dateColumn",
        "planColumn",
        "wonStatuses",
        "dateOrder",
    }
)
COMPARISONS: frozenset[str] = frozenset({"PRIOR_QUARTER", "SAME_QUARTER_LAST_YEAR"})
DATE_ORDERS: frozenset[str] = frozenset({"DAY_FIRST", "MONTH_FIRST"})

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


class CaseError(ValueError):
    """A case file breaks the corpus format; the message names the file and the key."""


@dataclass(frozen=True)
class CsvSource:
    """A tab read from raw CSV bytes in ``tests/corpus/files/`` instead of ``tabs``."""

    file: str
    encoding: str

    @property
    def path(self) -> Path:
        return FILES / self.file


@dataclass(frozen=True)
class ExpectedVerdict:
    """One (group, quarter) result worked by hand; ``given`` names the keys the file set.

    ``plan`` may be given as ``None`` (no plan: ``NO_PLAN``); a key not given is not
    checked (only allowed where the case is ``flagged``).
    """

    group: str | None
    quarter: str
    given: frozenset[str]
    plan: float | None = None
    bookings: float | None = None
    verdict: str | None = None
    flags: frozenset[str] | None = None
    flags_include: frozenset[str] = frozenset()
    label: str | None = None

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.group, self.quarter)

    @property
    def required_flags(self) -> frozenset[str]:
        """Flags the result must carry (the exact set, or the listed subset)."""
        return self.flags if self.flags is not None else self.flags_include


@dataclass(frozen=True)
class ExpectedIssue:
    """A data issue that must be reported.

    ``tab`` and ``row`` (1-based) may be ``None``: an issue about the whole run (units,
    fiscal calendar) or the whole tab. ``contains`` is matched case-insensitively against
    the issue's column, value and message together.
    """

    tab: str | None
    row: int | None
    contains: str


@dataclass(frozen=True)
class ExpectedReading:
    """What the reader must make of one tab (``ClassificationRun.inputs``)."""

    layout: str | None
    columns: Mapping[str, str]
    unit: int | None
    currency: str | None
    rows_counted: int | None


@dataclass(frozen=True)
class Expectation:
    outcome: Outcome
    quarter: str | None
    currency: str | None
    verdicts: tuple[ExpectedVerdict, ...]
    absent: tuple[tuple[str | None, str], ...]
    issues: tuple[ExpectedIssue, ...]
    inputs: Mapping[str, ExpectedReading]
    refusal: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    slug: str
    title: str
    source: str
    locale: str
    options: Mapping[str, Any]
    quarter: str | None
    tabs: Mapping[str, Tab]
    csv: Mapping[str, CsvSource]
    expect: Expectation
    worked: str
    covers: tuple[str, ...]

    @property
    def tab_names(self) -> frozenset[str]:
        """Every tab the workbook holds, whether given as cells or as a CSV file."""
        return frozenset(self.tabs) | frozenset(self.csv)


def case_paths() -> list[Path]:
    return sorted(CASES.glob("*.json"))


def load_all() -> list[Case]:
    return [load_case(path) for path in case_paths()]


def load_case(path: Path) -> Case:
    slug = path.stem
    where = f"{path.name}"
    if not SLUG.match(slug):
        raise CaseError(f"{where}: slug {slug!r} must be lower-case words joined by dashes")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CaseError(f"{where}: not valid JSON: {err}") from err
    doc = _mapping(raw, where)
    _keys(
        doc,
        where,
        required={"title", "source", "locale", "options", "quarter", "tabs", "expect", "worked"},
        optional={"csv", "covers"},
    )
    locale = _str(doc["locale"], f"{where}: locale")
    if not LOCALE.match(locale):
        raise CaseError(f"{where}: locale {locale!r} is not like en_US")
    csv = _csv_sources(doc.get("csv", {}), where)
    tabs = _tabs(doc["tabs"], where)
    both = set(tabs) & set(csv)
    if both:
        raise CaseError(f"{where}: tabs {sorted(both)} are given both as cells and as CSV")
    case = Case(
        slug=slug,
        title=_text(doc["title"], f"{where}: title"),
        source=_text(doc["source"], f"{where}: source"),
        locale=locale,
        options=_options(doc["options"], where),
        quarter=_quarter_or_none(doc["quarter"], f"{where}: quarter"),
        tabs=tabs,
        csv=csv,
        expect=_expectation(doc["expect"], where),
        worked=_text(doc["worked"], f"{where}: worked"),
        covers=tuple(_str_list(doc.get("covers", []), f"{where}: covers")),
    )
    _check_references(case, where)
    return case


# --- sections ---------------------------------------------------------------------------


def _tabs(value: object, where: str) -> dict[str, Tab]:
    tabs: dict[str, Tab] = {}
    for name, rows in _mapping(value, f"{where}: tabs").items():
        rows_where = f"{where}: tabs.{name}"
        if not isinstance(rows, list):
            raise CaseError(f"{rows_where} must be a list of rows")
        grid: list[tuple[Cell, ...]] = []
        for index, row in enumerate(rows, start=1):
            if not isinstance(row, list):
                raise CaseError(f"{rows_where} row {index} must be a list of cells")
            grid.append(tuple(_cell(cell, f"{rows_where} row {index}") for cell in row))
        tabs[name] = tuple(grid)
    return tabs


def _cell(value: object, where: str) -> Cell:
    if isinstance(value, bool | str | int | float):
        return value
    raise CaseError(f"{where}: cell {value!r} is not a string, number or boolean")


def _csv_sources(value: object, where: str) -> dict[str, CsvSource]:
    sources: dict[str, CsvSource] = {}
    for tab, spec in _mapping(value, f"{where}: csv").items():
        spec_where = f"{where}: csv.{tab}"
        entry = _mapping(spec, spec_where)
        _keys(entry, spec_where, required={"file", "encoding"})
        file = _str(entry["file"], f"{spec_where}.file")
        encoding = _str(entry["encoding"], f"{spec_where}.encoding")
        if encoding not in ENCODINGS:
            raise CaseError(f"{spec_where}.encoding {encoding!r} not one of {sorted(ENCODINGS)}")
        if "/" in file or not file.endswith(".csv"):
            raise CaseError(f"{spec_where}.file {file!r} must be a .csv name in tests/corpus/files")
        sources[tab] = CsvSource(file=file, encoding=encoding)
    return sources


def _options(value: object, where: str) -> dict[str, Any]:
    options = dict(_mapping(value, f"{where}: options"))
    _keys(options, f"{where}: options", optional=OPTIONS)
    if "asOf" in options:
        text = _str(options["asOf"], f"{where}: options.asOf")
        try:
            date.fromisoformat(text)
        except ValueError as err:
            raise CaseError(f"{where}: options.asOf {text!r} is not an ISO date") from err
    if "fiscalYearStartMonth" in options:
        month = options["fiscalYearStartMonth"]
        if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
            raise CaseError(f"{where}: options.fiscalYearStartMonth must be 1-12")
    if "comparison" in options and options["comparison"] not in COMPARISONS:
        raise CaseError(f"{where}: options.comparison not one of {sorted(COMPARISONS)}")
    if "dateOrder" in options and options["dateOrder"] not in DATE_ORDERS:
        raise CaseError(f"{where}: options.dateOrder not one of {sorted(DATE_ORDERS)}")
    for key in ("groupBy", "wonStatuses"):
        if key in options:
            _str_list(options[key], f"{where}: options.{key}")
    return options


def _expectation(value: object, where: str) -> Expectation:
    exp_where = f"{where}: expect"
    doc = _mapping(value, exp_where)
    _keys(
        doc,
        exp_where,
        required={"outcome"},
        optional={"quarter", "currency", "verdicts", "absent", "issues", "inputs", "refusal"},
    )
    outcome = _str(doc["outcome"], f"{exp_where}.outcome")
    if outcome not in OUTCOMES:
        raise CaseError(f"{exp_where}.outcome {outcome!r} not one of {sorted(OUTCOMES)}")
    currency = doc.get("currency")
    if currency is not None and not CURRENCY.match(_str(currency, f"{exp_where}.currency")):
        raise CaseError(f"{exp_where}.currency {currency!r} is not an ISO code")
    verdicts = tuple(
        _verdict(item, f"{exp_where}.verdicts[{i}]")
        for i, item in enumerate(_list(doc.get("verdicts", []), f"{exp_where}.verdicts"))
    )
    absent = tuple(
        _group_quarter(item, f"{exp_where}.absent[{i}]")
        for i, item in enumerate(_list(doc.get("absent", []), f"{exp_where}.absent"))
    )
    issues = tuple(
        _issue(item, f"{exp_where}.issues[{i}]")
        for i, item in enumerate(_list(doc.get("issues", []), f"{exp_where}.issues"))
    )
    inputs = {
        tab: _reading(reading, f"{exp_where}.inputs.{tab}")
        for tab, reading in _mapping(doc.get("inputs", {}), f"{exp_where}.inputs").items()
    }
    return Expectation(
        outcome=cast(Outcome, outcome),
        quarter=_quarter_or_none(doc.get("quarter"), f"{exp_where}.quarter"),
        currency=cast(str | None, currency),
        verdicts=verdicts,
        absent=absent,
        issues=issues,
        inputs=inputs,
        refusal=tuple(_str_list(doc.get("refusal", []), f"{exp_where}.refusal")),
    )


def _verdict(value: object, where: str) -> ExpectedVerdict:
    doc = _mapping(value, where)
    _keys(
        doc,
        where,
        required={"group", "quarter"},
        optional={"plan", "bookings", "verdict", "flags", "flags_include", "label"},
    )
    verdict = doc.get("verdict")
    if verdict is not None and verdict not in VERDICTS:
        raise CaseError(f"{where}.verdict {verdict!r} not one of {sorted(VERDICTS)}")
    if "flags" in doc and "flags_include" in doc:
        raise CaseError(f"{where}: give flags (the exact set) or flags_include, not both")
    flags = _flags(doc["flags"], f"{where}.flags") if "flags" in doc else None
    label = doc.get("label")
    return ExpectedVerdict(
        group=_group(doc["group"], f"{where}.group"),
        quarter=_quarter(doc["quarter"], f"{where}.quarter"),
        given=frozenset(doc) - {"group", "quarter"},
        plan=_amount_or_none(doc.get("plan"), f"{where}.plan"),
        bookings=_amount_or_none(doc.get("bookings"), f"{where}.bookings"),
        verdict=verdict,
        flags=flags,
        flags_include=_flags(doc.get("flags_include", []), f"{where}.flags_include"),
        label=None if label is None else _text(label, f"{where}.label"),
    )


def _issue(value: object, where: str) -> ExpectedIssue:
    doc = _mapping(value, where)
    _keys(doc, where, required={"contains"}, optional={"tab", "row"})
    tab = doc.get("tab")
    row = doc.get("row")
    if row is not None and (not isinstance(row, int) or isinstance(row, bool) or row < 1):
        raise CaseError(f"{where}.row must be a 1-based row number")
    return ExpectedIssue(
        tab=None if tab is None else _text(tab, f"{where}.tab"),
        row=row,
        contains=_text(doc["contains"], f"{where}.contains"),
    )


def _reading(value: object, where: str) -> ExpectedReading:
    doc = _mapping(value, where)
    _keys(doc, where, optional={"layout", "columns", "unit", "currency", "rows_counted"})
    layout = doc.get("layout")
    if layout is not None and layout not in LAYOUTS:
        raise CaseError(f"{where}.layout {layout!r} not one of {sorted(LAYOUTS)}")
    columns: dict[str, str] = {}
    for header, role in _mapping(doc.get("columns", {}), f"{where}.columns").items():
        if role not in ROLES:
            raise CaseError(f"{where}.columns[{header!r}]: unknown role {role!r}")
        columns[header] = role
    unit = doc.get("unit")
    if unit is not None and unit not in UNITS:
        raise CaseError(f"{where}.unit {unit!r} not one of {sorted(UNITS)}")
    currency = doc.get("currency")
    if currency is not None and not CURRENCY.match(_str(currency, f"{where}.currency")):
        raise CaseError(f"{where}.currency {currency!r} is not an ISO code")
    rows = doc.get("rows_counted")
    if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 0):
        raise CaseError(f"{where}.rows_counted must be a count")
    return ExpectedReading(
        layout=layout,
        columns=columns,
        unit=unit,
        currency=cast(str | None, currency),
        rows_counted=rows,
    )


def _check_references(case: Case, where: str) -> None:
    """Tabs named by issues and inputs exist; ``quarter`` asked is the quarter expected."""
    names = case.tab_names
    for issue in case.expect.issues:
        if issue.tab is not None and issue.tab not in names:
            raise CaseError(f"{where}: an issue names tab {issue.tab!r}, not in the workbook")
    for tab in case.expect.inputs:
        if tab not in names:
            raise CaseError(f"{where}: inputs name tab {tab!r}, not in the workbook")
    if case.quarter is not None and case.expect.quarter not in (None, case.quarter):
        raise CaseError(f"{where}: quarter asked {case.quarter} but expect.quarter differs")


# --- scalars ----------------------------------------------------------------------------


def _keys(
    doc: Mapping[str, object],
    where: str,
    required: set[str] | frozenset[str] = frozenset(),
    optional: set[str] | frozenset[str] = frozenset(),
) -> None:
    missing = set(required) - set(doc)
    if missing:
        raise CaseError(f"{where}: missing {sorted(missing)}")
    unknown = set(doc) - set(required) - set(optional)
    if unknown:
        raise CaseError(f"{where}: unknown keys {sorted(unknown)}")


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise CaseError(f"{where} must be an object")
    return cast(Mapping[str, object], value)


def _list(value: object, where: str) -> Sequence[object]:
    if not isinstance(value, list):
        raise CaseError(f"{where} must be a list")
    return cast(Sequence[object], value)


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise CaseError(f"{where} must be a string")
    return value


def _text(value: object, where: str) -> str:
    text = _str(value, where)
    if not text.strip():
        raise CaseError(f"{where} must not be empty")
    return text


def _str_list(value: object, where: str) -> list[str]:
    return [_text(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where))]


def _group(value: object, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _quarter(value: object, where: str) -> str:
    text = _str(value, where)
    if not QUARTER.match(text):
        raise CaseError(f"{where} {text!r} is not a canonical quarter like 2025-Q3")
    return text


def _quarter_or_none(value: object, where: str) -> str | None:
    return None if value is None else _quarter(value, where)


def _group_quarter(value: object, where: str) -> tuple[str | None, str]:
    doc = _mapping(value, where)
    _keys(doc, where, required={"group", "quarter"})
    return (_group(doc["group"], f"{where}.group"), _quarter(doc["quarter"], f"{where}.quarter"))


def _amount_or_none(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CaseError(f"{where} must be a number or null")
    return float(value)


def _flags(value: object, where: str) -> frozenset[str]:
    flags = frozenset(_str_list(value, where))
    unknown = flags - FLAGS
    if unknown:
        raise CaseError(f"{where}: unknown flags {sorted(unknown)}")
    return flags


def quarter_shift(quarter: str, offset: int) -> str:
    """``2025-Q1`` shifted by ``offset`` fiscal quarters (labels are fiscal already)."""
    match = QUARTER.match(quarter)
    if match is None:
        raise ValueError(f"not a canonical quarter: {quarter!r}")
    index = int(match.group(1)) * 4 + int(match.group(2)) - 1 + offset
    return f"{index // 4}-Q{index % 4 + 1}"
