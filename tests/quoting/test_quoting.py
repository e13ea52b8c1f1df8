"""The one helper for echoing caller input: quoted, shortened, control characters escaped."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.logs import RedactSecrets
from server.quoting import SHOWN, clean, quoted


def test_ordinary_values_read_as_python_writes_them() -> None:
    assert quoted("Plan") == "'Plan'"
    assert quoted("It's") == '"It\'s"'
    assert quoted(12) == "12"
    assert quoted(None) == "None"


def test_a_long_value_is_shortened_with_an_ellipsis() -> None:
    shown = quoted("x" * 10_000_000)
    assert shown == "'" + "x" * (SHOWN - 1) + "…'"
    assert quoted(list(range(1_000_000))).endswith("...]")
    assert len(quoted(list(range(1_000_000)))) <= SHOWN + 2


@pytest.mark.parametrize("sneaky", ["\n", "\r", "\x00", "\t", "\u2028", "\u202e", "\x1b[2J"])
def test_control_and_format_characters_are_escaped(sneaky: str) -> None:
    for shown in (quoted(f"a{sneaky}b"), clean(f"a{sneaky}b")):
        assert shown.isprintable(), repr(shown)
        assert shown.startswith(("'a", "a"))
        assert shown.endswith(("b'", "b"))


@given(st.text(max_size=400), st.integers(min_value=2, max_value=200))
def test_any_text_becomes_one_printable_bounded_line(text: str, limit: int) -> None:
    assert clean(text, limit).isprintable()
    assert len(clean(text, limit)) <= limit
    # quotes and escapes aside, a quoted value shows at most `limit` characters of it
    assert quoted(text, limit).isprintable()
    assert len(quoted(text, limit)) <= limit * 10 + 2


def test_a_log_record_s_arguments_stay_on_one_bounded_line() -> None:
    record = logging.LogRecord(
        "server.api", logging.INFO, __file__, 1, "tab %s refused", ("a\nFAKE " + "y" * 5000,), None
    )
    RedactSecrets().filter(record)
    line = record.getMessage()
    assert "\n" not in line
    assert len(line) < 1_100
