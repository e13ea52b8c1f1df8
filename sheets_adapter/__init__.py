"""Adapters behind :class:`sheets_adapter.port.SheetsPort`.

* :mod:`sheets_adapter.gspread_adapter` — Google Sheets through gspread and google-auth
  (``GspreadSheets``), with :mod:`~sheets_adapter.config` (settings),
  :mod:`~sheets_adapter.errors` (the exception hierarchy), :mod:`~sheets_adapter.retry`,
  :mod:`~sheets_adapter.render` (the Summary as one batchUpdate) and
  :mod:`~sheets_adapter.transport` (sessions, credentials, the emulator redirect).
* :mod:`sheets_adapter.csv_files` — local CSV exports (``CsvSheets``).

Importing this package imports neither gspread nor google-auth.
"""
