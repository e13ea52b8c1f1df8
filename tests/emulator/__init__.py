"""The Sheets API emulator: conformance with recordings of the real API, gspread over HTTP."""
