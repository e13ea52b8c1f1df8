"""Big ``values.batchGet`` answers, read fast and lean.

A tab at Google's 10-million-cell limit is about 100 MB of JSON and millions of row
lists. Two things made reading it cost several times the request itself:

* the cyclic garbage collector, which walked the growing heap of row lists again and
  again while they were being built (rows of numbers and text hold no cycles: there is
  nothing for it to find); :func:`gc_paused` holds it off while a read is under way;
* ``requests``' ``.json()`` (what gspread calls): the body decoded to a ``str`` first,
  then parsed by the standard library; :func:`parse` parses the bytes with orjson.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (nor inside any other thread's
    block running at the same time); the collector runs as before once the last ends.
    Garbage is still freed by reference counting meanwhile."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def parse(content: bytes) -> Any:
    """A JSON answer from its bytes (``orjson.JSONDecodeError`` when it is not JSON)."""
    return orjson.loads(content)
