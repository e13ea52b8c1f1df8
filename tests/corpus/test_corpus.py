"""The product on the realistic-workbook corpus: right, or flagged or refused with a reason.

Each case in ``tests/corpus/cases`` is a workbook as a CRM, a BI tool or an FP&A team
writes it, with the answer worked by hand (``tests/corpus/README.md``). This test runs
``classify`` on every case and fails on any answer that is wrong without saying so: a
``right`` case must match exactly, a ``flagged`` case must carry ``DATA_ISSUES`` and the
listed issues, a ``refused`` case must be refused with a message naming what to fix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from server.classification import (
    ClassificationError,
    ClassificationResult,
    QuarterVerdict,
    classify,
    parse_quarter,
)
from sheets_adapter.csv_files import read_csv
from sheets_adapter.errors import TabNotFound
from tests.corpus.load import Case, ExpectedVerdict, load_all

CASES = load_all()


def _tabs(case: Case) -> dict[str, list[list[Any]]]:
    tabs = {name: [list(row) for row in grid] for name, grid in case.tabs.items()}
    for name, source in case.csv.items():
        tabs[name] = read_csv(source.path)
    return tabs


def _tab(tabs: Mapping[str, list[list[Any]]], name: str) -> list[list[Any]]:
    """A tab as the service would find it (names folded), or the service's error."""
    for title, grid in tabs.items():
        if " ".join(title.split()).casefold() == " ".join(name.split()).casefold():
            return grid
    raise TabNotFound("corpus", name, sorted(tabs))


def run(case: Case) -> ClassificationResult:
    tabs = _tabs(case)
    options = dict(case.options)
    plan = _tab(tabs, options.get("planTab", "Plan"))
    bookings = _tab(tabs, options.get("bookingsTab", "Bookings"))
    leads = tabs.get(options.get("leadsTab", "Leads"))
    rates = tabs.get(options.get("ratesTab", "Rates"))
    return classify(
        plan, bookings, options, leads_values=leads, rates_values=rates, locale=case.locale
    )


def _found(result: ClassificationResult, expected: ExpectedVerdict) -> QuarterVerdict:
    for verdict in result.verdicts:
        if (verdict.group, verdict.quarter) == expected.key:
            return verdict
    known = sorted({(v.group or "Total", v.quarter) for v in result.verdicts})
    raise AssertionError(f"no verdict for {expected.key}; classified: {known}")


def _cents(amount: float | None) -> int | None:
    return None if amount is None else round(amount * 100)


def _check_verdict(case: Case, got: QuarterVerdict, want: ExpectedVerdict) -> None:
    where = f"{case.slug}: {want.key}"
    flags = {f.value for f in got.flags}
    if "plan" in want.given:
        assert _cents(got.plan) == _cents(want.plan), f"{where} plan {got.plan}"
    if "bookings" in want.given:
        assert _cents(got.bookings) == _cents(want.bookings), f"{where} bookings {got.bookings}"
    if want.verdict is not None:
        assert got.verdict.value == want.verdict, f"{where} verdict {got.verdict.value}"
    if want.flags is not None:
        assert flags == set(want.flags), f"{where} flags {sorted(flags)}"
    assert set(want.required_flags) <= flags, f"{where} flags {sorted(flags)} lack some"
    if want.label is not None:
        assert got.shown_label == want.label, f"{where} label {got.shown_label!r}"
    if case.expect.outcome == "flagged":
        assert "DATA_ISSUES" in flags, f"{where}: a flagged case must say so"


def _check_issues(case: Case, result: ClassificationResult) -> None:
    for want in case.expect.issues:
        candidates = [
            i
            for i in result.issues
            if (want.tab is None or i.tab == want.tab) and (want.row is None or i.row == want.row)
        ]
        text = want.contains.casefold()
        assert any(
            text in f"{i.column or ''} {i.value or ''} {i.message}".casefold() for i in candidates
        ), f"{case.slug}: no issue {want}; issues: {[i.message for i in result.issues]}"


def _check_inputs(case: Case, result: ClassificationResult) -> None:
    readings = {r.tab: r for r in result.inputs}
    for tab, want in case.expect.inputs.items():
        assert tab in readings, f"{case.slug}: no reading of {tab}"
        got = readings[tab]
        if want.layout is not None:
            assert got.layout == want.layout, f"{case.slug}: {tab} layout {got.layout}"
        roles = {c.header: c.role for c in got.columns}
        for header, role in want.columns.items():
            assert roles.get(header) == role, f"{case.slug}: {tab}!{header} is {roles.get(header)}"
        if want.unit is not None:
            assert got.unit == want.unit, f"{case.slug}: {tab} unit {got.unit}"
        if want.currency is not None:
            assert got.currency == want.currency, f"{case.slug}: {tab} currency {got.currency}"
        if want.rows_counted is not None:
            assert got.rows_counted == want.rows_counted, f"{case.slug}: {tab} rows counted"


@pytest.mark.parametrize("case", CASES, ids=[c.slug for c in CASES])
def test_every_case_comes_out_right_or_says_why_not(case: Case) -> None:
    expect = case.expect
    if expect.outcome == "refused":
        with pytest.raises((ClassificationError, TabNotFound)) as raised:
            run(case)
        message = str(raised.value).casefold()
        missing = [w for w in expect.refusal if w.casefold() not in message]
        assert not missing, f"{case.slug}: refusal {str(raised.value)!r} lacks {missing}"
        return
    result = run(case)
    quarter = result.quarter
    if case.quarter is not None:
        quarter = parse_quarter(case.quarter, result.options.fiscal_year_start_month).label
        assert quarter in result.quarters, f"{case.slug}: {quarter} not classified"
    if expect.quarter is not None:
        assert quarter == expect.quarter, f"{case.slug}: quarter {quarter}"
    if expect.currency is not None:
        assert result.currency == expect.currency, f"{case.slug}: currency {result.currency}"
    # A run keeps the verdicts up to its quarter (a quarter still in progress is judged
    # only when asked for by name), as the service records it.
    assert quarter is not None, f"{case.slug}: no quarter to report on"
    result = dataclasses.replace(
        result, verdicts=tuple(v for v in result.verdicts if v.quarter <= quarter)
    )
    for want in expect.verdicts:
        _check_verdict(case, _found(result, want), want)
    classified = {(v.group, v.quarter) for v in result.verdicts}
    for key in expect.absent:
        assert key not in classified, f"{case.slug}: {key} must not be classified"
    _check_issues(case, result)
    _check_inputs(case, result)
