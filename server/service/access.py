"""Who may read a spreadsheet's runs (the access policy of the run history).

* User mode: Google decides. The caller sees every run of a sheet their own token can
  open (:meth:`SheetsPort.can_open`), and nothing of a sheet it cannot.
* Service-account mode: the backend can open every sheet shared with it, so a caller
  sees only the runs they asked for themselves.

Classifying needs no check here: the Sheets API is called with the caller's own
credentials, and refuses what they may not open.
"""

from __future__ import annotations

from server.service.callers import Caller
from sheets_adapter.port import ServiceAccountAuth, SheetsPort, UserToken


class AccessDenied(Exception):
    """The caller may not see this spreadsheet's runs."""

    def __init__(self, spreadsheet_id: str) -> None:
        self.spreadsheet_id = spreadsheet_id
        super().__init__(
            f"You cannot open spreadsheet {spreadsheet_id} with your Google account, "
            "so its runs are not shown. Ask its owner to share it with you."
        )


class AccessPolicy:
    def __init__(self, sheets: SheetsPort) -> None:
        self._sheets = sheets

    def check(self, spreadsheet_id: str, caller: Caller) -> None:
        """Raise :class:`AccessDenied` unless ``caller`` may read the sheet's runs."""
        if isinstance(caller.auth, UserToken) and not self._sheets.can_open(
            spreadsheet_id, caller.auth
        ):
            raise AccessDenied(spreadsheet_id)

    @staticmethod
    def owner_filter(caller: Caller) -> str | None:
        """Whose runs the caller may see: the e-mail in service-account mode, None (every
        run of the sheet) in user mode."""
        if isinstance(caller.auth, ServiceAccountAuth):
            return caller.email or ""
        return None
