"""Spreadsheet ids, parsed in one place: a bare id or a pasted spreadsheet URL.

Ids are URL-safe (letters, digits, ``-`` and ``_``); anything else never reaches Google
(it would be pasted into a request path).
"""

from __future__ import annotations

import re

from server.quoting import quoted
from sheets_adapter.port import SheetsError

_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")
_URL_MARKER = "/spreadsheets/d/"


class InvalidSpreadsheetId(SheetsError):
    """Neither a spreadsheet id nor a spreadsheet URL; the message quotes it (shortened)."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        super().__init__(
            f"{quoted(raw)} is not a spreadsheet id. Paste the spreadsheet's URL, or the part "
            "of it between /d/ and /edit."
        )


def is_spreadsheet_id(text: object) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def parse_spreadsheet_id(raw: str) -> str:
    """The id in ``raw``: a bare id (``1AbC…``) or a pasted URL
    (``https://docs.google.com/spreadsheets/d/1AbC…/edit#gid=0``)."""
    text = raw.strip()
    if _URL_MARKER in text:
        text = text.split(_URL_MARKER, 1)[1]
        for end in ("/", "?", "#"):
            text = text.split(end, 1)[0]
    if not is_spreadsheet_id(text):
        raise InvalidSpreadsheetId(raw)
    return text
