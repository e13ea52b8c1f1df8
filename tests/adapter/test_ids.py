"""Spreadsheet ids are parsed in one place: a bare id or a pasted URL, nothing else."""

from __future__ import annotations

import pytest

from sheets_adapter.ids import InvalidSpreadsheetId, is_spreadsheet_id, parse_spreadsheet_id

ID = "1AbC-d_E2"


@pytest.mark.parametrize(
    "raw",
    [
        ID,
        f"  {ID} ",
        f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{ID}",
        f"https://docs.google.com/spreadsheets/d/{ID}?usp=sharing",
        f"https://docs.google.com/spreadsheets/d/{ID}#gid=12",
        f"docs.google.com/spreadsheets/d/{ID}/edit",
    ],
)
def test_a_bare_id_or_a_pasted_url_gives_the_id(raw: str) -> None:
    assert parse_spreadsheet_id(raw) == ID


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abcé",
        "../../etc",
        "a b",
        "a/b",
        "x" * 201,
        "https://docs.google.com/spreadsheets/d/",
    ],
)
def test_anything_else_is_refused_naming_what_was_sent(raw: str) -> None:
    with pytest.raises(InvalidSpreadsheetId, match="is not a spreadsheet id"):
        parse_spreadsheet_id(raw)
    assert not is_spreadsheet_id(raw.strip())
