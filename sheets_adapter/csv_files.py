"""Local mode: a spreadsheet made of CSV exports (File › Download › CSV, or Excel's Save As).

:class:`CsvSheets` implements the same port as the Google adapter, so a local run goes
through the same service, the same summary layout and the same GraphQL shape. The
Summary is written as a CSV file when a path is given, and nowhere otherwise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from typing_extensions import override

from sheets_adapter.port import (
    Share,
    SheetsAuth,
    SheetsError,
    SheetsPort,
    SpreadsheetSnapshot,
    SummarySheet,
    TabGrid,
)


class CsvFileError(SheetsError):
    """A CSV file is missing or unreadable; the message names it."""


def read_csv(path: Path) -> list[list[Any]]:
    """Rows of text cells, as a spreadsheet would show them (BOM and blank tail removed).

    UTF-8 first (Sheets' and Excel's "CSV UTF-8"); a file that is not UTF-8 is read as
    Windows-1252, what Excel on Windows writes for plain "CSV" (``€``, ``£``, ``é``)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CsvFileError(f"File {str(path)!r} does not exist.") from None
    except OSError as err:
        raise CsvFileError(f"File {str(path)!r} cannot be read: {err}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str | float | None) -> str | float:
    """A cell for a CSV that Excel or Sheets will open: text that would start a formula
    gets a leading apostrophe (CSV injection), numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class CsvSheets(SheetsPort):
    """Tabs from CSV files: ``files`` maps a tab name to its file. CSV files carry no
    locale: text dates no column decides are read as the ``dateOrder`` option says."""

    def __init__(self, files: Mapping[str, Path], summary_out: Path | None = None) -> None:
        self._files = dict(files)
        self._summary_out = summary_out
        self.written: SummarySheet | None = None

    @override
    def read(
        self,
        spreadsheet_id: str,
        tabs: Sequence[str],
        summary_tab: str,
        auth: SheetsAuth,
        *,
        optional: Sequence[str] = (),
    ) -> SpreadsheetSnapshot:
        grids = {}
        for tab in tabs:
            if tab not in self._files:
                raise CsvFileError(f"No CSV file was given for tab {tab!r}.")
        for index, tab in enumerate(dict.fromkeys([*tabs, *optional])):
            path = self._files.get(tab)
            if path is not None:
                grids[tab] = TabGrid(title=tab, sheet_id=index, values=read_csv(path))
        return SpreadsheetSnapshot(
            spreadsheet_id=spreadsheet_id,
            title=spreadsheet_id,
            sheet_ids={tab: grid.sheet_id for tab, grid in grids.items()},
            tabs=grids,
            summary=None,
        )

    @override
    def write_summary(
        self, snapshot: SpreadsheetSnapshot, summary: SummarySheet, auth: SheetsAuth
    ) -> None:
        self.written = summary
        if self._summary_out is None:
            return
        with self._summary_out.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            for row in summary.rows():
                writer.writerow([_safe(c.value) for c in row])

    @override
    def open(self, spreadsheet_id: str, auth: SheetsAuth) -> None:
        return None  # local files: whoever runs the command may read them

    @override
    def can_open(self, spreadsheet_id: str, auth: SheetsAuth) -> bool:
        return True

    @override
    def sharing(self, spreadsheet_id: str, auth: SheetsAuth) -> tuple[Share, ...]:
        return ()
