"""The emulator's pure parts: A1 notation, typed input, number formats, formulas, masks."""

from __future__ import annotations

from typing import Any

import pytest

from sheets_emulator import fields
from sheets_emulator.grid import a1
from sheets_emulator.grid.cells import CellError, Formula, parse_user_entered
from sheets_emulator.grid.formats import format_number, general
from sheets_emulator.state import EmulatorState


@pytest.mark.parametrize(
    ("text", "sheet", "bounds"),
    [
        ("Sheet1!A1:C3", "Sheet1", a1.Bounds(0, 3, 0, 3)),
        ("'My Tab'!B2", "My Tab", a1.Bounds(1, 2, 1, 2)),
        ("'It''s'!A:C", "It's", a1.Bounds(0, None, 0, 3)),
        ("Data!2:4", "Data", a1.Bounds(1, 4, 0, None)),
        ("A2:C", None, a1.Bounds(1, None, 0, 3)),
        ("D4:A1", None, a1.Bounds(0, 4, 0, 4)),
        ("$A$1:$B$2", None, a1.Bounds(0, 2, 0, 2)),
        ("'Sheet!1'!A1", "Sheet!1", a1.Bounds(0, 1, 0, 1)),
    ],
)
def test_a1_parse(text: str, sheet: str | None, bounds: a1.Bounds) -> None:
    parsed = a1.parse(text)
    assert (parsed.sheet, parsed.bounds) == (sheet, bounds)


@pytest.mark.parametrize("text", ["", "Sheet1!", "'open", "'x'A1", "Sheet1!A0", "A1:B2:C3"])
def test_a1_rejects(text: str) -> None:
    def cells_only(value: str) -> a1.A1Range:
        parsed = a1.parse(value)
        if parsed.name is not None:
            raise a1.A1Error(value)
        return parsed

    with pytest.raises(a1.A1Error):
        cells_only(text)


def test_a1_names_and_quoting() -> None:
    assert a1.parse("Sheet1") == a1.A1Range(sheet=None, bounds=None, name="Sheet1")
    assert a1.parse("'Sheet1'") == a1.A1Range(sheet="Sheet1", bounds=None)
    assert [a1.quote_title(t) for t in ("Sheet1", "My Tab", "D3", "It's", "Résumé", "2025")] == [
        "Sheet1",
        "'My Tab'",
        "'D3'",
        "'It''s'",
        "Résumé",
        "'2025'",
    ]
    assert a1.column_letters(26) == "AA"
    assert a1.column_index("AA") == 26
    assert a1.format_range("Sheet1", 0, 1, 0, 1) == "Sheet1!A1"


@pytest.mark.parametrize(
    ("typed", "value", "pattern"),
    [
        ("42", 42.0, None),
        ("0042", 42.0, None),
        ("-1.5", -1.5, None),
        ("1,234", 1234.0, "#,##0"),
        ("2,000,000.01", 2000000.01, "#,##0.00"),
        ("12%", 0.12, "0%"),
        ("12.5%", 0.125, "0.00%"),
        ("$1,234.50", 1234.5, '"$"#,##0.00'),
        ("-$5", -5.0, '"$"#,##0.00'),
        ("1e3", 1000.0, "0.00E+00"),
        ("2025-03-31", 45747.0, "yyyy-mm-dd"),
        ("3/31/2025", 45747.0, "M/d/yyyy"),
        ("Mar 31, 2025", 45747.0, "mmm d, yyyy"),
        ("31 Mar 2025", 45747.0, "d mmm yyyy"),
        ("10:30", 0.4375, "H:mm"),
        ("TRUE", True, None),
        ("false", False, None),
        ("'0042", "0042", None),
        ("1,23", "1,23", None),
        ("(1,200)", "(1,200)", None),
        ("€ 1.234", "€ 1.234", None),
        ("#REF!", "#REF!", None),
        ("2025-02-30", "2025-02-30", None),
    ],
)
def test_user_entered_parsing(typed: str, value: Any, pattern: str | None) -> None:
    parsed, fmt = parse_user_entered(typed)
    assert parsed == value
    assert (fmt or {}).get("pattern") == pattern


def test_user_entered_formulas() -> None:
    assert parse_user_entered("=SUM(A1:A3)") == (Formula("=SUM(A1:A3)"), None)
    assert parse_user_entered("=") == ("=", None)
    assert parse_user_entered("") == (None, None)


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (2000000.01, {"type": "NUMBER", "pattern": "#,##0.00"}, "2,000,000.01"),
        (-1200, {"type": "NUMBER", "pattern": "#,##0;(#,##0)"}, "(1,200)"),
        (0.125, {"type": "PERCENT", "pattern": "0.0%"}, "12.5%"),
        (5, {"type": "CURRENCY", "pattern": "[$€]#,##0.00"}, "€5.00"),
        (1500, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}, "1.50E+03"),
        (45747.75, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd H:mm:ss"}, "2025-03-31 18:00:00"),
        (0.9375, {"type": "TIME", "pattern": "h:mm am/pm"}, "10:30 PM"),
        (45747, {"type": "DATE", "pattern": "dddd, mmmm d"}, "Monday, March 31"),
        # No pattern: the en_US locale's pattern for the type, as Sheets does.
        (400000, {"type": "CURRENCY"}, "$400,000.00"),
        (-1234.5, {"type": "CURRENCY"}, "-$1,234.50"),
        (0.125, {"type": "PERCENT"}, "12.50%"),
        (1234.5, {"type": "NUMBER"}, "1,234.50"),
    ],
)
def test_number_formats(value: float, fmt: dict[str, str], text: str) -> None:
    assert format_number(value, fmt) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.0, "2"),
        (1.5, "1.5"),
        (1 / 3, "0.3333333333"),
        (0.0009765625, "0.0009765625"),
        (1e20, "1E+20"),
        (-0.0, "0"),
    ],
)
def test_automatic_number_format(value: float, text: str) -> None:
    assert general(value) == text


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=1+2*3", 7.0),
        ("= 1 / 1024", 0.0009765625),
        ("=SUM(A1:A3)", 6.0),
        ("=AVERAGE(A1:A3)+B1", 12.0),
        ('=A1&"-"&B1', "1-10"),
        ('=IF(A3>2, "big", "small")', "big"),
        ("=1/0", CellError("#DIV/0!")),
        ("=IFERROR(1/0, 5)", 5.0),
        ("=NOPE(1)", CellError("#NAME?")),
        ("=SUM(", CellError("#ERROR!")),
        ("=Other!A1*2", 14.0),
        ("=C1", CellError("#REF!")),
        ("=50%", 0.5),
        ("=ROUND(2.345, 2)", 2.35),
    ],
)
def test_formulas(formula: str, expected: Any) -> None:
    state = EmulatorState()
    sid = state.create_spreadsheet(
        "a@example.com", "F", {"Sheet1": [[1, 10], [2], [3]], "Other": [[7]]}
    )
    spreadsheet = state.spreadsheets[sid]
    sheet = spreadsheet.sheets[0]
    sheet.set(0, 2, Formula("=C1"))  # a cycle
    sheet.set(5, 5, Formula(formula))
    value = spreadsheet.formula_context().value("Sheet1", 5, 5)
    assert value == pytest.approx(expected) if isinstance(expected, float) else value == expected


def test_field_masks() -> None:
    assert fields.parse_paths("a.b,c(d,e/f),g") == [("a", "b"), ("c", "d"), ("c", "e", "f"), ("g",)]
    obj = {"a": {"b": 1, "x": 2}, "c": [{"d": 1, "z": 0}], "g": 3, "h": 4}
    assert fields.select(obj, fields.tree("a.b,c(d),g")) == {"a": {"b": 1}, "c": [{"d": 1}], "g": 3}
    target = {"a": {"b": 1, "x": 2}}
    fields.apply(target, {"a": {"b": 5}}, [("a", "b"), ("a", "x")])
    assert target == {"a": {"b": 5}}


def test_tokens_expire() -> None:
    state = EmulatorState()
    state.add_token("short", "a@example.com", expires_in=-1)
    state.add_token("long", "a@example.com", expires_in=60)
    assert state.token_email("short") is None
    assert state.token_email("long") == "a@example.com"


def test_column_letters_round_trip_over_every_column() -> None:
    assert [a1.column_letters(i) for i in (0, 25, 26, 51, 701, 702, 18277)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "ZZ",
        "AAA",
        "ZZZ",
    ]
    assert all(a1.column_index(a1.column_letters(i)) == i for i in range(a1.MAX_COLUMNS))
    assert a1.column_index("ab") == 27
    assert a1.cell_name(9, 27) == "AB10"
