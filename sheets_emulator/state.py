"""Everything the emulator remembers, in memory, behind one lock.

:class:`EmulatorState` holds the spreadsheets (with their Drive permissions), the bearer
tokens and the service accounts it accepts, the request log and the fault settings. Every
method takes the lock, so one state can serve many threads. It is also the seeding API for
tests and the demo::

    state = EmulatorState()
    sid = state.create_spreadsheet("ana@example.com", "Plan", {"Plan": [["Quarter", "Plan"]]})
    state.share(sid, "bo@example.com", "reader")
    state.add_token("t0ken", "ana@example.com")
"""

from __future__ import annotations

import hashlib
import random
import string
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sheets_emulator.grid import defaults
from sheets_emulator.grid.cells import Formula, json_number
from sheets_emulator.grid.model import (
    CELL_LIMIT,
    PERMISSION_TYPES,
    ROLES,
    Permission,
    Sheet,
    Spreadsheet,
    now,
)
from sheets_emulator.grid.seed import seed_rows
from sheets_emulator.sheets.get import spreadsheet_resource

_ID_CHARS = string.ascii_letters + string.digits + "-_"
LOG_LIMIT = 10_000


#: The scopes a token registered without any carries (``userinfo``/``tokeninfo`` show them).
DEFAULT_SCOPE = (
    "openid https://www.googleapis.com/auth/userinfo.email "
    "https://www.googleapis.com/auth/spreadsheets https://www.googleapis.com/auth/drive.file"
)
#: The OAuth client a token registered without one was issued to (``azp``/``aud``).
DEFAULT_CLIENT_ID = "sheets-emulator.apps.googleusercontent.com"


@dataclass
class Token:
    email: str
    expires_at: float | None = None  # time.time(); None: never
    scope: str = DEFAULT_SCOPE
    client_id: str = DEFAULT_CLIENT_ID


@dataclass
class ServiceAccountKey:
    """A public key (or x509 certificate) the token endpoint checks JWTs against."""

    email: str
    public_pem: str
    key_id: str | None = None


@dataclass
class Faults:
    rate: float = 0.0
    latency_ms: int = 0
    statuses: tuple[int, ...] = (429, 500, 503)


@dataclass
class _Initial:
    tokens: dict[str, Token] = field(default_factory=dict)
    service_accounts: list[ServiceAccountKey] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)


def permission_id(email: str) -> str:
    """A stable numeric permission id per account, as Drive gives users."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return str(int(digest, 16) % 10**20).rjust(20, "0")


def subject_id(email: str) -> str:
    """A stable numeric account id (``sub``) per e-mail, as Google gives accounts."""
    return str(int(hashlib.sha256(email.lower().encode()).hexdigest(), 16) % 10**21)


class EmulatorState:
    """The emulator's memory. Thread-safe; see the module docstring for seeding."""

    def __init__(self, *, seed: int | None = None) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.tokens: dict[str, Token] = {}
        self.service_accounts: list[ServiceAccountKey] = []
        self.faults = Faults()
        self.log: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
        self.signing_key: Any = None  # built on first use by sheets_emulator.auth.id_tokens
        self._initial = _Initial()

    # --- configuration ------------------------------------------------------------------

    def configure(
        self,
        *,
        tokens: Mapping[str, str] = {},
        service_accounts: Iterable[ServiceAccountKey] = (),
        fault_rate: float = 0.0,
        latency_ms: int = 0,
    ) -> None:
        """Start-up configuration; :meth:`reset` returns to it."""
        with self.lock:
            for token, email in tokens.items():
                self._initial.tokens[token] = Token(email)
            self._initial.service_accounts.extend(service_accounts)
            self._initial.faults = Faults(fault_rate, latency_ms)
            self.tokens.update(self._initial.tokens)
            self.service_accounts.extend(service_accounts)
            self.faults = Faults(fault_rate, latency_ms)

    def reset(self) -> None:
        """Forget spreadsheets, runtime tokens, service accounts and the log; keep start-up
        configuration (tokens, service accounts and faults given to ``create_app``)."""
        with self.lock:
            self.spreadsheets.clear()
            self.tokens = dict(self._initial.tokens)
            self.service_accounts = list(self._initial.service_accounts)
            self.faults = Faults(
                self._initial.faults.rate,
                self._initial.faults.latency_ms,
                self._initial.faults.statuses,
            )
            self.log.clear()

    def add_token(
        self,
        token: str,
        email: str,
        expires_in: float | None = None,
        *,
        scope: str | None = None,
        client_id: str | None = None,
    ) -> None:
        """Accept ``token`` for ``email`` (for ``expires_in`` seconds, or for ever), with its
        space-separated ``scope`` (default: :data:`DEFAULT_SCOPE`)."""
        with self.lock:
            expires = None if expires_in is None else time.time() + expires_in
            self.tokens[token] = Token(
                email, expires, scope or DEFAULT_SCOPE, client_id or DEFAULT_CLIENT_ID
            )

    def remove_token(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)

    def token_email(self, token: str) -> str | None:
        """The account of a valid token, ``None`` for an unknown or expired one."""
        found = self.token_info(token)
        return None if found is None else found.email

    def token_info(self, token: str) -> Token | None:
        """A valid token's record, ``None`` for an unknown or expired one."""
        with self.lock:
            found = self.tokens.get(token)
            if found is None:
                return None
            if found.expires_at is not None and found.expires_at < time.time():
                return None
            return found

    def add_service_account(self, key: ServiceAccountKey) -> None:
        with self.lock:
            self.service_accounts.append(key)

    def set_faults(
        self, rate: float, latency_ms: int = 0, statuses: Iterable[int] | None = None
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate {rate}: expected a share between 0 and 1")
        with self.lock:
            self.faults = Faults(rate, max(0, int(latency_ms)), tuple(statuses or (429, 500, 503)))

    def draw_fault(self) -> tuple[int | None, float]:
        """(status to fail with or ``None``, latency in seconds) for one API request."""
        with self.lock:
            faults = self.faults
            status = None
            if faults.rate > 0 and self.rng.random() < faults.rate:
                status = self.rng.choice(faults.statuses)
            return status, faults.latency_ms / 1000

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.append(entry)

    def request_log(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(e) for e in self.log]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()

    # --- ids ----------------------------------------------------------------------------

    def new_spreadsheet_id(self) -> str:
        with self.lock:
            while True:
                new = "1" + "".join(self.rng.choice(_ID_CHARS) for _ in range(43))
                if new not in self.spreadsheets:
                    return new

    def new_number(self, taken: Iterable[int] = ()) -> int:
        used = set(taken)
        with self.lock:
            while True:
                number = self.rng.randint(1, 2**31 - 1)
                if number not in used:
                    return number

    # --- spreadsheets -------------------------------------------------------------------

    def new_spreadsheet(
        self, owner: str, title: str, sheets: list[dict[str, Any]] | None = None
    ) -> Spreadsheet:
        """A spreadsheet owned by ``owner``; ``sheets`` are ``SheetProperties`` to start with
        (default: ``Sheet1``, id 0, 1000 × 26). Not stored: see :meth:`put`."""
        props = sheets or [{}]
        built: list[Sheet] = []
        for index, given in enumerate(props):
            sheet_id = given.get("sheetId")
            if sheet_id is None:
                sheet_id = 0 if index == 0 else self.new_number(s.sheet_id for s in built)
            grid = given.get("gridProperties", {})
            properties = defaults.sheet_properties(
                int(sheet_id),
                str(given.get("title") or f"Sheet{index + 1}"),
                index,
                int(grid.get("rowCount", defaults.DEFAULT_ROWS)),
                int(grid.get("columnCount", defaults.DEFAULT_COLUMNS)),
            )
            for key in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
                if key in grid:
                    properties["gridProperties"][key] = grid[key]
            for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
                if key in given:
                    properties[key] = given[key]
            built.append(Sheet(properties=defaults.normalise_colors(properties)))
        return Spreadsheet(
            spreadsheet_id=self.new_spreadsheet_id(),
            properties=defaults.spreadsheet_properties(title),
            sheets=built,
            permissions=[Permission(permission_id(owner), "user", "owner", email=owner)],
        )

    def put(self, spreadsheet: Spreadsheet) -> None:
        with self.lock:
            spreadsheet.modified = now()
            self.spreadsheets[spreadsheet.spreadsheet_id] = spreadsheet

    def create_spreadsheet(
        self,
        owner_email: str,
        title: str,
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        locale: str | None = None,
        time_zone: str | None = None,
        consume: bool = False,
    ) -> str:
        """Seed a spreadsheet owned by ``owner_email``: one sheet per tab, values stored as
        given (numbers stay numbers, text stays text — even ``=...``; ``date``/``datetime``
        become date serials with a date format; see :mod:`sheets_emulator.grid.seed`). A tab
        gets at least 1000 × 26 cells; a tab longer than 1000 rows gets exactly its own
        width, as the 10-million-cell limit requires of real million-row tabs. ``locale`` and
        ``time_zone`` set ``properties.locale`` / ``properties.timeZone`` (default ``en_US``,
        ``Etc/GMT``, what the real API gives a new spreadsheet). With ``consume`` the row
        lists of ``tabs`` (which the caller gives up) are emptied as they are stored.
        Returns the spreadsheet id."""
        tabs = dict(tabs or {})
        specs: list[dict[str, Any]] = []
        cells = 0
        for name, rows in tabs.items():
            width = max(map(len, rows), default=0)
            height = max(defaults.DEFAULT_ROWS, len(rows))
            cols = (
                max(defaults.DEFAULT_COLUMNS, width)
                if height <= defaults.DEFAULT_ROWS
                else max(width, 1)
            )
            specs.append(
                {"title": name, "gridProperties": {"rowCount": height, "columnCount": cols}}
            )
            cells += height * cols
        if cells > CELL_LIMIT:
            raise ValueError(
                f"{cells} cells: a spreadsheet holds at most {CELL_LIMIT} (rows × columns of "
                "every tab)"
            )
        spreadsheet = self.new_spreadsheet(owner_email, title, specs or None)
        if locale:
            spreadsheet.properties["locale"] = locale
        if time_zone:
            spreadsheet.properties["timeZone"] = time_zone
        for sheet, rows in zip(spreadsheet.sheets, tabs.values(), strict=False):
            sheet.rows, sheet.cell_data = seed_rows(rows, consume=consume)
        self.put(spreadsheet)
        return spreadsheet.spreadsheet_id

    def share(
        self,
        spreadsheet_id: str,
        email: str | None,
        role: str,
        *,
        type: str = "user",
        discoverable: bool | None = None,
    ) -> Permission:
        """Give a role to ``email`` (a user's or a group's address), to a domain
        (``type="domain"``, ``email`` is the domain: ``example.com``) or to anyone with the
        link (``type="anyone"``, ``email`` unused). A new role replaces the old one."""
        if role not in ROLES:
            raise ValueError(f"role {role!r}: expected one of {', '.join(ROLES)}")
        if type not in PERMISSION_TYPES:
            raise ValueError(f"type {type!r}: expected one of {', '.join(PERMISSION_TYPES)}")
        who = (email or "").strip()
        if type in ("user", "group") and "@" not in who:
            raise ValueError(f"a {type} share needs an e-mail address")
        if type == "domain" and (not who or "@" in who):
            raise ValueError("a domain share needs a domain name, e.g. example.com")
        with self.lock:
            spreadsheet = self.spreadsheets[spreadsheet_id]
            if type == "anyone":
                pid = "anyone" if discoverable else "anyoneWithLink"
                spreadsheet.permissions = [p for p in spreadsheet.permissions if p.type != "anyone"]
            else:
                pid = permission_id(who)
                spreadsheet.permissions = [p for p in spreadsheet.permissions if p.id != pid]
            perm = Permission(
                pid,
                type,
                role,
                email=who if type in ("user", "group") else None,
                domain=who.lower() if type == "domain" else None,
                discoverable=discoverable if type in ("domain", "anyone") else None,
            )
            spreadsheet.permissions.append(perm)
            return perm

    def get(self, spreadsheet_id: str) -> Spreadsheet | None:
        with self.lock:
            return self.spreadsheets.get(spreadsheet_id)

    def delete(self, spreadsheet_id: str) -> None:
        with self.lock:
            self.spreadsheets.pop(spreadsheet_id, None)

    def values(self, spreadsheet_id: str, tab: str) -> list[list[Any]]:
        """A tab's stored values (formulas as their text), trailing empties trimmed."""
        with self.lock:
            sheet = self.spreadsheets[spreadsheet_id].sheet_by_title(tab)
            if sheet is None:
                raise KeyError(tab)
            out: list[list[Any]] = []
            for row in sheet.rows:
                cells = [
                    v.text
                    if isinstance(v, Formula)
                    else json_number(v)
                    if isinstance(v, float)
                    else ("" if v is None else v)
                    for v in row
                ]
                while cells and cells[-1] == "":
                    cells.pop()
                out.append(cells)
            while out and not out[-1]:
                out.pop()
            return out

    def dump(self, spreadsheet_id: str) -> dict[str, Any]:
        """The Spreadsheet resource, each sheet's stored values and the permissions."""
        with self.lock:
            spreadsheet = self.spreadsheets[spreadsheet_id]
            return {
                "spreadsheet": spreadsheet_resource(spreadsheet),
                "values": {
                    s.title: self.values(spreadsheet_id, s.title) for s in spreadsheet.sheets
                },
                "permissions": [p.resource() for p in spreadsheet.permissions],
            }
