"""Who asked, for the record: the e-mail behind a caller's credentials.

* User mode: the e-mail behind the OAuth token, asked of Google's userinfo once per token
  and kept ``ttl`` seconds (an hour by default: an access token lives about that long),
  keyed by the token's hash (:attr:`Caller.identity`), at most ``size`` tokens. A token
  Google refuses is refused here too (``Unauthenticated``): this is where a junk token is
  turned away before its run waits for anything. When Google cannot be asked (down, out
  of quota) the run goes on and records no e-mail; that answer is not kept. Requests
  with one token ask one at a time, so a burst of one user's clicks asks Google once.
* Service-account mode: the ID token's e-mail, already on the :class:`Caller`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from server.cache import TtlCache
from server.service.callers import Caller
from sheets_adapter.errors import RetriesExhausted
from sheets_adapter.port import SheetsPort, UserToken

log = logging.getLogger(__name__)


class Identities:
    def __init__(self, sheets: SheetsPort, *, ttl: float = 3600.0, size: int = 10_000) -> None:
        self._sheets = sheets
        # 1-tuples: "Google gives no e-mail" (None) is an answer worth keeping too
        self._emails: TtlCache[str, tuple[str | None]] = TtlCache(ttl, size)
        # one question to Google per token at a time: a burst of one user's clicks asks once
        self._asking: dict[str, tuple[threading.Lock, int]] = {}
        self._guard = threading.Lock()

    def email(self, caller: Caller) -> str | None:
        """The caller's e-mail (blocking: may ask Google; call from a worker thread)."""
        if caller.email is not None or not isinstance(caller.auth, UserToken):
            return caller.email
        key = caller.identity
        known = self._emails.get(key)
        if known is not None:
            return known[0]
        with self._guard:
            lock, users = self._asking.get(key) or (threading.Lock(), 0)
            self._asking[key] = (lock, users + 1)
        try:
            with lock:
                known = self._emails.get(key)  # asked by the one before us, meanwhile
                return known[0] if known is not None else self._ask(key, caller.auth)
        finally:
            with self._guard:
                lock, users = self._asking[key]
                if users <= 1:
                    del self._asking[key]
                else:
                    self._asking[key] = (lock, users - 1)

    def _ask(self, key: str, auth: UserToken) -> str | None:
        try:
            email = self._sheets.email_of(auth)
        except RetriesExhausted as err:
            log.warning("userinfo not answered (%s): the run records no e-mail", err.status)
            return None
        self._emails.put(key, (email,))
        return email

    def named(self, caller: Caller) -> Caller:
        """``caller`` with its e-mail (blocking, as :meth:`email`)."""
        email = self.email(caller)
        return caller if email == caller.email else dataclasses.replace(caller, email=email)
