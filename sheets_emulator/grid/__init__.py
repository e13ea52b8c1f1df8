"""The in-memory spreadsheet model and what reads and writes it cell by cell.

:mod:`.model` (spreadsheets, sheets, permissions), :mod:`.cells` (cell values, typed input),
:mod:`.seed` (seeded values), :mod:`.a1` (A1 notation, on ``gspread.utils``), :mod:`.ranges`
(A1 text and ``GridRange`` to windows), :mod:`.formats` (number formats), :mod:`.formulas`
(the formulas it computes), :mod:`.render` (``valueRenderOption``), :mod:`.defaults` (what a
new spreadsheet looks like). No HTTP here.
"""
