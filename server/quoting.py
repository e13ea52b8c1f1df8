"""Caller input, made safe to show: the one helper every message and log line uses to echo
an id, a tab name, an option value or a quarter that a caller sent.

* :func:`quoted` — in quotes, as Python's ``repr`` writes a string: control and format
  characters (newline, tab, NUL, right-to-left overrides, line separators) appear as
  escapes (``\\n``, ``\\u202e``), so they can neither forge a log line nor reorder text;
  shortened to ``limit`` characters with an ellipsis, so a 10 MB id is a short message.
* :func:`clean` — the same without the quotes, for text that is already a sentence
  (a log line's arguments): one line, at most ``limit`` characters.

Pure and dependency-free: every layer, the domain included, may import it.
"""

from __future__ import annotations

import reprlib

#: How much of a caller's value a message shows.
SHOWN = 80
#: How long one argument of a log line may be.
LOGGED = 1_000

_OTHERS = reprlib.Repr()
_OTHERS.maxstring = SHOWN
_OTHERS.maxother = SHOWN
_OTHERS.maxlist = _OTHERS.maxtuple = _OTHERS.maxdict = _OTHERS.maxset = 10


def _shorten(text: str, limit: int) -> str:
    limit = max(limit, 2)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: object, limit: int = SHOWN) -> str:
    """``value`` as a message shows caller input: ``'Plan'``, ``'a\\nb'``, ``'xxx…'``."""
    if isinstance(value, str):
        return repr(_shorten(value, limit))
    return _shorten(_OTHERS.repr(value), limit + 2)


def escape(text: str) -> str:
    """``text`` with every non-printable character written as its escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def clean(value: object, limit: int = LOGGED) -> str:
    """``value`` as one line of at most ``limit`` characters (unquoted)."""
    text = value if isinstance(value, str) else str(value)
    return _shorten(escape(_shorten(text, limit)), limit)
