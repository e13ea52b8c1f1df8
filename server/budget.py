"""One time budget per piece of work, shared by everything it waits for.

A request to the API has one budget (``SALES_VERDICTS_UPSTREAM_BUDGET``) for every Google
call it makes and every lock it waits for, so that the answer comes back before Apps
Script's UrlFetch gives up (about 60 s) however the time is spread over them. The
budget is a deadline in a context variable: :func:`within` sets it for a block (a nested
one can only make it tighter), worker threads started with ``anyio.to_thread`` see the
caller's, and the layers that wait (the Sheets adapter's retries and sockets, the run
store's locks) ask :func:`remaining` and wait no longer. Knows nothing of the project,
so every layer may use it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("budget_deadline", default=None)


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """The block (and what it calls) may take at most ``seconds`` more; None: no new
    bound. An enclosing budget that ends sooner still holds."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + max(0.0, seconds)
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


def deadline() -> float | None:
    """The current budget's end as a ``time.monotonic()``, None when there is none."""
    return _deadline.get()


def remaining() -> float | None:
    """Seconds left in the current budget (0 when spent), None when there is none."""
    end = _deadline.get()
    return None if end is None else max(0.0, end - time.monotonic())


def capped(seconds: float | None) -> float | None:
    """``seconds``, or what is left of the budget when that is less (None: unbounded)."""
    left = remaining()
    if left is None:
        return seconds
    return left if seconds is None else min(seconds, left)
