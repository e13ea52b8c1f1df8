"""Sheets API v4: :mod:`.endpoints` (one handler per method), :mod:`.get`
(``spreadsheets.get``: metadata, grid data, ``fields``), :mod:`.values` (``spreadsheets.values``),
:mod:`.batch_update` (``spreadsheets.batchUpdate`` and its request handlers),
:mod:`.developer_metadata` (``spreadsheets.developerMetadata`` and data filters)."""
