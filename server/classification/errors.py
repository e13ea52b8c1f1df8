"""Errors of the classification domain.

Data problems in single cells are never exceptions: they become ``DataIssue``
values. These exceptions are for input that cannot be classified at all::

    ClassificationError
     ├── InvalidOptions      an option has a value outside its range
     ├── HeaderNotFound      a tab has no recognisable header row
     ├── ColumnNotFound      a column an option names is missing from a tab
     ├── NoWonDeals          a status column where no value reads as won
     ├── RivalVersions       a tab holds two versions of its figures for the same quarter
     ├── NoQuarters          nothing has a quarter and an amount, or no quarter has ended
     │    └── NoQuarterEnded  quarters have bookings, but none had ended by asOf
     └── UnknownQuarter      a requested quarter label cannot be read or was not classified

A refusal that comes after the tabs were read carries their data issues in ``issues``
(a refused run still delivers them, SPEC 2.5: a sheet whose every row was rejected is
refused, and the rejected rows say why).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from server.quoting import quoted


class ClassificationError(Exception):
    """Base class: the message is written for the person who sent the input."""

    #: the data issues (``DataIssue`` values: the model imports this module, so they are
    #: not named here) of the tabs, when the refusal came after reading them
    issues: tuple[Any, ...] = ()


class InvalidOptions(ClassificationError):
    def __init__(self, option: str, value: Any, expected: str) -> None:
        self.option = option
        self.value = value
        super().__init__(f"Option {option}={quoted(value)} {expected}.")


class HeaderNotFound(ClassificationError):
    def __init__(self, tab: str, expected: str, found: str | None = None) -> None:
        self.tab = tab
        self.expected = expected
        self.found = found
        detail = f" ({found})" if found else ""
        super().__init__(
            f"Tab {quoted(tab)} has no recognisable header in its first 10 rows{detail}: "
            f"expected {expected}."
        )


class ColumnNotFound(ClassificationError):
    def __init__(
        self, tab: str, column: str, available: list[str], option: str = "groupBy"
    ) -> None:
        self.tab = tab
        self.column = column
        self.available = available
        self.option = option
        have = ", ".join(quoted(c) for c in available[:30]) or "none"
        super().__init__(
            f"Tab {quoted(tab)} has no column {quoted(column)}, which the {option} option names "
            f"(its columns: {have})."
        )


class UnknownQuarter(ClassificationError):
    def __init__(self, value: str, known: list[str] | None = None) -> None:
        self.value = value
        self.known = known or []
        if known:
            span = f"{known[0]} to {known[-1]}" if len(known) > 1 else known[0]
            hint = f"; classified quarters are {span}"
        elif known is not None:
            hint = "; no quarter has bookings yet"
        else:
            hint = "; write it like 2025-Q3"
        super().__init__(f"Quarter {quoted(value)} is not a quarter this sheet can classify{hint}.")


class NoQuarters(ClassificationError):
    """Neither tab has a row with a readable quarter (or date) and amount."""

    def __init__(self, plan_tab: str, bookings_tab: str, rejected: int) -> None:
        self.rejected = rejected
        rows = f"{rejected} rows were" if rejected != 1 else "1 row was"
        why = f"; {rows} rejected (see the data issues)" if rejected else ""
        super().__init__(
            f"Nothing to classify: no row of {quoted(plan_tab)} or {quoted(bookings_tab)} has a "
            f"quarter (or a date) and an amount that could be read{why}."
        )


class NoQuarterEnded(NoQuarters):
    """Quarters have bookings, but none had ended by ``asOf``: the only quarter left to
    judge is still in progress, and that is done only when it is asked for by name."""

    def __init__(self, as_of: date, in_progress: str | None, known: list[str]) -> None:
        self.rejected = 0
        self.as_of = as_of
        self.in_progress = in_progress
        self.known = known
        if in_progress is not None:
            message = (
                f"No quarter has ended yet on {as_of.isoformat()}: {in_progress} is still "
                f"in progress. Ask for it by name (quarter {in_progress!r}) to see how it is "
                "going so far, or set the asOf option to a later date."
            )
        else:
            span = f"{known[0]} to {known[-1]}" if len(known) > 1 else (known or ["none"])[0]
            message = (
                f"No quarter with bookings had ended by {as_of.isoformat()} (the quarters "
                f"with bookings are {span}). Ask for one by name, or set the asOf option to "
                "a later date."
            )
        ClassificationError.__init__(self, message)


class NoWonDeals(ClassificationError):
    """A deal-status column in which no value reads as won: counting nothing would report
    zero bookings for every group, so the run is refused instead."""

    def __init__(self, tab: str, column: str, values: list[tuple[str, int]]) -> None:
        self.tab = tab
        self.column = column
        self.values = values
        shown = ", ".join(f"{quoted(v)} ({n} rows)" for v, n in values[:20])
        super().__init__(
            f"Tab {quoted(tab)}: no value of the {quoted(column)} column reads as a won deal (it "
            f"holds {shown}). Only won deals are bookings: name the won values with the "
            'wonStatuses option (e.g. ["Closed - Signed"]).'
        )


class RivalVersions(ClassificationError):
    """A tab that holds two versions or scenarios of its figures for the same quarter and
    group (``Base`` and ``High`` rows; ``Budget`` and ``Revised Budget`` blocks): summing
    them would count the figure twice, and picking one would be a guess."""

    def __init__(self, tab: str, where: str, values: list[tuple[str, int]], clash: str) -> None:
        self.tab = tab
        self.where = where
        self.values = values
        shown = ", ".join(f"{quoted(v)} ({n} rows)" if n else v for v, n in values[:8])
        super().__init__(
            f"Tab {quoted(tab)} holds more than one version of its figures in {where}: "
            f"{shown}; {clash}. Summing them would count the figure twice. Keep one "
            "version on this tab (move the others to another tab), or label the one to "
            "judge against Plan or Budget and the others Forecast."
        )
