"""A case's expectations checked against what the product answered, wherever it answered.

The corpus runs twice: on the domain in process (``test_corpus.py``: a
``ClassificationResult``) and through the whole stack (``tests/e2e/test_corpus_stack.py``:
the GraphQL ``ClassificationRun`` of a spreadsheet in the emulator). Both are turned into
one :class:`Seen` and checked by the same :func:`check`, so the two runs hold the product
to the same answers. A failure names the case and what differed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.classification import ClassificationResult
from tests.corpus.load import Case, ExpectedVerdict


@dataclass(frozen=True)
class SeenVerdict:
    group: str | None
    quarter: str
    plan: float | None
    bookings: float | None
    verdict: str
    flags: frozenset[str]
    label: str  # the quarter as shown: the sheet's label, else canonical

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.group, self.quarter)


@dataclass(frozen=True)
class SeenIssue:
    tab: str
    row: int
    column: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class SeenReading:
    layout: str
    roles: Mapping[str, str]  # header -> role
    unit: float
    currency: str | None
    rows_counted: int


@dataclass(frozen=True)
class Seen:
    """What a run reported: its quarter, currency, verdicts up to its quarter, issues and
    how each tab was read."""

    quarter: str | None
    currency: str | None
    verdicts: tuple[SeenVerdict, ...]
    issues: tuple[SeenIssue, ...]
    inputs: Mapping[str, SeenReading]

    @classmethod
    def from_result(cls, result: ClassificationResult, quarter: str | None) -> Seen:
        """The domain's result as the service records a run about ``quarter``: verdicts
        up to it (a quarter still in progress is judged only when asked for by name)."""
        return cls(
            quarter=quarter,
            currency=result.currency,
            verdicts=tuple(
                SeenVerdict(
                    v.group,
                    v.quarter,
                    v.plan,
                    v.bookings,
                    v.verdict.value,
                    frozenset(f.value for f in v.flags),
                    v.shown_label,
                )
                for v in result.verdicts
                if quarter is not None and v.quarter <= quarter
            ),
            issues=tuple(
                SeenIssue(i.tab, i.row, i.column, i.value, i.message) for i in result.issues
            ),
            inputs={
                r.tab: SeenReading(
                    r.layout,
                    {c.header: c.role for c in r.columns},
                    r.unit,
                    r.currency,
                    r.rows_counted,
                )
                for r in result.inputs
            },
        )

    @classmethod
    def from_answer(cls, run: Mapping[str, Any]) -> Seen:
        """A ``ClassificationRun`` as GraphQL answered it (``verdicts`` are up to its
        quarter already)."""
        return cls(
            quarter=run["quarter"],
            currency=run["currency"],
            verdicts=tuple(
                SeenVerdict(
                    v["group"],
                    v["quarter"],
                    v["plan"],
                    v["bookings"],
                    v["verdict"],
                    frozenset(v["flags"]),
                    v["label"],
                )
                for v in run["verdicts"]
            ),
            issues=tuple(
                SeenIssue(i["tab"], i["row"], i["column"], i["value"], i["message"])
                for i in run["issues"]
            ),
            inputs={
                r["tab"]: SeenReading(
                    r["layout"],
                    {c["header"]: c["role"] for c in r["columns"]},
                    r["unit"],
                    r["currency"],
                    r["rowsCounted"],
                )
                for r in run["inputs"]
            },
        )


def _cents(amount: float | None) -> int | None:
    return None if amount is None else round(amount * 100)


def _found(case: Case, seen: Seen, want: ExpectedVerdict) -> SeenVerdict:
    for verdict in seen.verdicts:
        if verdict.key == want.key:
            return verdict
    known = sorted({(v.group or "Total", v.quarter) for v in seen.verdicts})
    raise AssertionError(f"{case.slug}: no verdict for {want.key}; classified: {known}")


def check_verdict(case: Case, got: SeenVerdict, want: ExpectedVerdict) -> None:
    where = f"{case.slug}: {want.key}"
    if "plan" in want.given:
        assert _cents(got.plan) == _cents(want.plan), f"{where} plan {got.plan}"
    if "bookings" in want.given:
        assert _cents(got.bookings) == _cents(want.bookings), f"{where} bookings {got.bookings}"
    if want.verdict is not None:
        assert got.verdict == want.verdict, f"{where} verdict {got.verdict}"
    if want.flags is not None:
        assert got.flags == want.flags, f"{where} flags {sorted(got.flags)}"
    assert want.required_flags <= got.flags, f"{where} flags {sorted(got.flags)} lack some"
    if want.label is not None:
        assert got.label == want.label, f"{where} label {got.label!r}"
    if case.expect.outcome == "flagged":
        assert "DATA_ISSUES" in got.flags, f"{where}: a flagged case must say so"


def check_issues(case: Case, issues: Sequence[SeenIssue]) -> None:
    for want in case.expect.issues:
        candidates = [
            i
            for i in issues
            if (want.tab is None or i.tab == want.tab) and (want.row is None or i.row == want.row)
        ]
        text = want.contains.casefold()
        assert any(
            text in f"{i.column or ''} {i.value or ''} {i.message}".casefold() for i in candidates
        ), f"{case.slug}: no issue {want}; issues: {[i.message for i in issues]}"


def check_inputs(case: Case, inputs: Mapping[str, SeenReading]) -> None:
    for tab, want in case.expect.inputs.items():
        assert tab in inputs, f"{case.slug}: no reading of {tab}"
        got = inputs[tab]
        if want.layout is not None:
            assert got.layout == want.layout, f"{case.slug}: {tab} layout {got.layout}"
        for header, role in want.columns.items():
            found = got.roles.get(header)
            assert found == role, f"{case.slug}: {tab}!{header} is {found}"
        if want.unit is not None:
            assert got.unit == want.unit, f"{case.slug}: {tab} unit {got.unit}"
        if want.currency is not None:
            assert got.currency == want.currency, f"{case.slug}: {tab} currency {got.currency}"
        if want.rows_counted is not None:
            assert got.rows_counted == want.rows_counted, f"{case.slug}: {tab} rows counted"


def check(case: Case, seen: Seen) -> None:
    """Every expectation of a case that is not refused, against what was seen."""
    expect = case.expect
    assert expect.outcome != "refused", f"{case.slug}: a refused case has no run to check"
    if expect.quarter is not None:
        assert seen.quarter == expect.quarter, f"{case.slug}: quarter {seen.quarter}"
    if expect.currency is not None:
        assert seen.currency == expect.currency, f"{case.slug}: currency {seen.currency}"
    assert seen.quarter is not None, f"{case.slug}: no quarter to report on"
    for want in expect.verdicts:
        check_verdict(case, _found(case, seen, want), want)
    classified = {v.key for v in seen.verdicts}
    for key in expect.absent:
        assert key not in classified, f"{case.slug}: {key} must not be classified"
    check_issues(case, seen.issues)
    check_inputs(case, seen.inputs)


def check_refusal(case: Case, message: str) -> None:
    """A refused case's message names what to fix (every listed word)."""
    said = message.casefold()
    missing = [w for w in case.expect.refusal if w.casefold() not in said]
    assert not missing, f"{case.slug}: refusal {message!r} lacks {missing}"
