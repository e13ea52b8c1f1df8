"""A1 notation: parse the ranges clients send, print the ranges the API answers with.

Accepted forms, as the real API accepts them: ``Sheet1!A1:C3``, ``'My Tab'!A1`` (quotes doubled
inside: ``'It''s'!A1``), whole columns ``A:C``, whole rows ``1:3``, open ranges ``A2:C`` and
``A1:1``, single cells, reversed corners ``D4:A1``, a sheet name alone (``Sheet1``, ``'My Tab'``)
and a named range (``MyRange``, ``Sheet1!MyRange``). A range without a sheet name means the
first sheet. Indexes here are zero-based and end-exclusive, like the API's ``GridRange``;
``None`` means unbounded.

This is the emulator's one home for column letters, built on gspread's own
``gspread.utils`` (``rowcol_to_a1``, ``column_letter_to_index``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gspread.utils import column_letter_to_index, rowcol_to_a1

from sheets_emulator.errors import A1Error

__all__ = ["A1Error", "A1Range", "Bounds", "parse"]

MAX_COLUMNS = 18278  # ZZZ
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]{1,8})?$")
_PLAIN_TITLE = re.compile(r"^[^\W\d]\w*$")
_LOOKS_LIKE_REF = re.compile(r"^(?:[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*|[A-Za-z]{1,3}|[0-9]+)$")


@dataclass(frozen=True)
class Bounds:
    """Cell bounds, zero-based and end-exclusive; an ``end`` of ``None`` is unbounded."""

    start_row: int = 0
    end_row: int | None = None
    start_col: int = 0
    end_col: int | None = None


@dataclass(frozen=True)
class A1Range:
    """A parsed range: ``sheet`` is ``None`` for "the first sheet"; ``bounds`` ``None`` for
    the whole sheet. ``name`` is set when the cell part may be a named range instead."""

    sheet: str | None
    bounds: Bounds | None
    name: str | None = None


def column_letters(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA`` (``gspread.utils.rowcol_to_a1``, row dropped)."""
    return rowcol_to_a1(1, index + 1)[:-1]


def column_index(letters: str) -> int:
    """``A`` → 0, ``AA`` → 26 (``gspread.utils.column_letter_to_index``, zero-based)."""
    return column_letter_to_index(letters) - 1


def quote_title(title: str) -> str:
    """A sheet title as the API prints it: quoted when it is not a plain identifier."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_REF.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    """(0, 0) → ``A1``."""
    return rowcol_to_a1(row + 1, col + 1)


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """``Sheet1!A1:C3``; a single cell prints as ``Sheet1!A1``."""
    first = cell_name(start_row, start_col)
    if end_row - start_row <= 1 and end_col - start_col <= 1:
        return f"{quote_title(title)}!{first}"
    return f"{quote_title(title)}!{first}:{cell_name(end_row - 1, end_col - 1)}"


def format_requested(title: str, bounds: Bounds | None) -> str:
    """A requested range in canonical form, open ends kept (``Sheet1!A1:C``), for messages."""
    if bounds is None:
        return quote_title(title)

    def point(row: int | None, col: int | None) -> str:
        return (column_letters(col) if col is not None else "") + (
            str(row + 1) if row is not None else ""
        )

    first = cell_name(bounds.start_row, bounds.start_col)
    last = point(
        None if bounds.end_row is None else bounds.end_row - 1,
        None if bounds.end_col is None else bounds.end_col - 1,
    )
    if first == last or not last:
        return f"{quote_title(title)}!{first}"
    return f"{quote_title(title)}!{first}:{last}"


def _split_sheet(text: str) -> tuple[str | None, str | None]:
    """``'My Tab'!A1`` → (``My Tab``, ``A1``); ``A1`` → (None, ``A1``); ``'T'`` → (``T``, None)."""
    if text.startswith("'"):
        i = 1
        chars: list[str] = []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    chars.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(chars), None
                if rest.startswith("!"):
                    return "".join(chars), rest[1:]
                raise A1Error(text)
            chars.append(ch)
            i += 1
        raise A1Error(text)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def _point(text: str) -> tuple[int | None, int | None]:
    match = _CELL.match(text)
    if not match or (match.group(1) is None and match.group(2) is None):
        raise A1Error(text)
    col = column_index(match.group(1)) if match.group(1) else None
    row = int(match.group(2)) - 1 if match.group(2) else None
    if row is not None and row < 0:
        raise A1Error(text)
    if col is not None and col >= MAX_COLUMNS:
        raise A1Error(text)
    return row, col


def _span(a: int | None, b: int | None) -> tuple[int, int | None]:
    if a is not None and b is not None:
        return min(a, b), max(a, b) + 1
    if a is not None:
        return a, None
    if b is not None:
        return 0, b + 1
    return 0, None


def parse_cells(text: str) -> Bounds:
    """``A1:C3``, ``A:C``, ``1:3``, ``A2:C``, ``B5`` → :class:`Bounds`."""
    first, sep, last = text.partition(":")
    r0, c0 = _point(first)
    if not sep:
        if r0 is None or c0 is None:
            raise A1Error(text)
        return Bounds(r0, r0 + 1, c0, c0 + 1)
    r1, c1 = _point(last)
    start_row, end_row = _span(r0, r1)
    start_col, end_col = _span(c0, c1)
    return Bounds(start_row, end_row, start_col, end_col)


def parse(text: str) -> A1Range:
    """Parse a range; raises :class:`A1Error` for text that cannot be a range."""
    text = text.strip()
    if not text:
        raise A1Error(text)
    sheet, cells = _split_sheet(text)
    if cells is None:
        return A1Range(sheet=sheet, bounds=None)
    if cells == "":
        raise A1Error(text)
    try:
        return A1Range(sheet=sheet, bounds=parse_cells(cells))
    except A1Error:
        if sheet is None:
            # a bare word: a sheet title or a named range, decided against the spreadsheet
            return A1Range(sheet=None, bounds=None, name=cells)
        return A1Range(sheet=sheet, bounds=None, name=cells)
