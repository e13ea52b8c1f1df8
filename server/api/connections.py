"""How uvicorn serves the app: connections whose headers never finish are closed.

uvicorn times out an idle kept-alive connection (``timeout_keep_alive``,
``SALES_VERDICTS_KEEP_ALIVE``), but a client
that opens a connection and sends its request line and headers a byte at a time holds it
for ever (a slow-loris): no timer runs until the headers are complete. :class:`TimedH11Protocol`
is uvicorn's h11 protocol with one more timer: from the moment a connection waits for a
request's headers (it opened, or the previous response went out), the client has
``read_timeout`` seconds (``SALES_VERDICTS_READ_TIMEOUT``) to complete them, or the
connection is closed. The body has its own deadline, in :mod:`server.api.guard`.

:func:`uvicorn_options` gives both ``sales-verdicts serve`` and the demo the same options.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from server.config import Settings


@functools.cache
def _read_timeout() -> float:
    """The deadline from this process's settings (each worker process reads its own)."""
    return Settings.from_env().read_timeout


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's headers."""

    _headers_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._stop_waiting()  # the headers are in: the app and the guard take over

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._await_headers()  # kept alive: the next request has the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        if self._headers_timer is None:
            self._headers_timer = self.loop.call_later(_read_timeout(), self._headers_too_slow)

    def _stop_waiting(self) -> None:
        if self._headers_timer is not None:
            self._headers_timer.cancel()
            self._headers_timer = None

    def _headers_too_slow(self) -> None:
        self._headers_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """The options every uvicorn server of the app is started with: the headers'
    deadline, and ``SALES_VERDICTS_KEEP_ALIVE`` for idle kept-alive connections."""
    return {"http": TimedH11Protocol, "timeout_keep_alive": Settings.from_env().keep_alive}
