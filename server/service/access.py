"""Who may classify a spreadsheet, and who may read its runs.

* User mode: Google decides. The Sheets API is called with the caller's own token, so a
  caller opens (and edits) exactly what they may; runs are shown to whoever can open
  the sheet (:meth:`SheetsPort.can_open`).
* Service-account mode: the backend opens every sheet shared with its service account,
  so it asks Drive who the sheet is shared with (:meth:`SheetsPort.sharing`, listed as
  the service account) and lets the caller classify with writer access (or owner) and
  read runs with reader access or better: their own e-mail, their e-mail's domain for a
  domain share, or an ``anyone`` share. Group shares do not count (who is in a group is
  not the backend's to know). A caller without access gets :class:`AccessDenied`,
  which says nothing of the sheet.

"Yes" answers are kept ``ttl`` seconds (a "no" is asked again, so a share takes effect at
once) with the time they were given; runs recorded after that time are shown only after
asking again (:meth:`AccessPolicy.fresh_enough`), so a former collaborator never sees a
run made after the sheet was unshared.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from server.cache import TtlCache
from server.service.callers import Caller
from sheets_adapter.errors import PermissionDenied, SpreadsheetNotFound
from sheets_adapter.port import ServiceAccountAuth, Share, SheetsPort


class Need(enum.Enum):
    READ = "read its runs"
    WRITE = "classify it"


WRITERS = frozenset({"owner", "organizer", "fileOrganizer", "writer"})
READERS = WRITERS | {"commenter", "reader"}


class AccessDenied(Exception):
    """The caller may not do this with the spreadsheet; the message tells nothing of it."""

    def __init__(self, spreadsheet_id: str, message: str | None = None) -> None:
        self.spreadsheet_id = spreadsheet_id
        super().__init__(
            message
            or f"You cannot open spreadsheet {spreadsheet_id} with your Google account, "
            "so its runs are not shown. Ask its owner to share it with you."
        )


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].casefold()


def _grants(share: Share, email: str) -> bool:
    """Whether ``share`` is for ``email``: the user itself, its domain, or anyone."""
    match share.kind:
        case "user":
            return (share.email or "").casefold() == email.casefold()
        case "domain":
            return (share.domain or "").casefold() == _domain(email)
        case "anyone":
            return True
    return False  # a group: its members are not the backend's to know


def roles_of(email: str, shares: Iterable[Share]) -> set[str]:
    """The roles the sheet's shares give ``email`` (user, domain and anyone shares)."""
    return {share.role for share in shares if _grants(share, email)}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AccessPolicy:
    def __init__(
        self,
        sheets: SheetsPort,
        *,
        ttl: float = 30.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._sheets = sheets
        self._clock = clock
        # (spreadsheet, caller identity, need) -> when the "yes" was given
        self._yes: TtlCache[tuple[str, str, Need], datetime] = TtlCache(ttl, 16_384)

    def check(self, spreadsheet_id: str, caller: Caller, need: Need) -> datetime:
        """When the caller was last found allowed to ``need`` (now, or a kept answer);
        raises :class:`AccessDenied` (or, classifying in user mode, Google's own refusal)."""
        kept = self._yes.get((spreadsheet_id, caller.identity, need))
        return kept if kept is not None else self.ask(spreadsheet_id, caller, need)

    def ask(self, spreadsheet_id: str, caller: Caller, need: Need) -> datetime:
        """Ask Google now, whatever is kept."""
        asked = self._clock()
        if caller.operator:
            pass  # the command line runs as its operator: Google's answers are the check
        elif isinstance(caller.auth, ServiceAccountAuth):
            self._ask_drive(spreadsheet_id, caller, need)
        elif need is Need.WRITE:
            # Google refuses the edit itself if it must; this authenticates the token and
            # checks the sheet opens before anything waits for the sheet's lock.
            self._sheets.open(spreadsheet_id, caller.auth)
        elif not self._sheets.can_open(spreadsheet_id, caller.auth):
            raise AccessDenied(spreadsheet_id)
        self.remember(spreadsheet_id, caller, need, asked)
        return asked

    def remember(self, spreadsheet_id: str, caller: Caller, need: Need, at: datetime) -> None:
        """Keep a "yes" given at ``at`` (writing implies reading)."""
        needs = (Need.WRITE, Need.READ) if need is Need.WRITE else (Need.READ,)
        for each in needs:
            self._yes.put((spreadsheet_id, caller.identity, each), at)

    def fresh_enough(
        self, spreadsheet_id: str, caller: Caller, checked_at: datetime, newest: datetime | None
    ) -> None:
        """A run recorded after the answer was given is shown only after asking again."""
        if newest is not None and newest > checked_at:
            self.ask(spreadsheet_id, caller, Need.READ)

    def _ask_drive(self, spreadsheet_id: str, caller: Caller, need: Need) -> None:
        email = caller.email or ""
        try:
            shares = self._sheets.sharing(spreadsheet_id, caller.auth)
        except (PermissionDenied, SpreadsheetNotFound):
            raise AccessDenied(spreadsheet_id, self._not_open(spreadsheet_id)) from None
        roles = roles_of(email, shares) if email else set()
        if not roles & READERS:
            raise AccessDenied(spreadsheet_id, self._not_open(spreadsheet_id))
        if need is Need.WRITE and not roles & WRITERS:
            raise AccessDenied(
                spreadsheet_id,
                f"You can open spreadsheet {spreadsheet_id} but not edit it, so you cannot "
                "classify it (its Summary tab would be written for you). Ask its owner to "
                "share it with you as an editor.",
            )

    def _not_open(self, spreadsheet_id: str) -> str:
        robot = self._sheets.service_account_email or "this backend's service account"
        return (
            f"You cannot open spreadsheet {spreadsheet_id}, or it is not shared with "
            f"{robot}. Ask its owner to share it with you (as an editor, to classify it) "
            f"and with {robot} as an editor."
        )
