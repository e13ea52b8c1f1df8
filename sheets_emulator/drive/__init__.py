"""Drive API v3, the part gspread and the backend use: :mod:`.files`, :mod:`.permissions`
and their handlers in :mod:`.endpoints`."""
