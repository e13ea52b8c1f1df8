"""The product on the realistic-workbook corpus: right, or flagged or refused with a reason.

Each case in ``tests/corpus/cases`` is a workbook as a CRM, a BI tool or an FP&A team
writes it, with the answer worked by hand (``tests/corpus/README.md``). This test runs
``classify`` on every case and fails on any answer that is wrong without saying so: a
``right`` case must match exactly, a ``flagged`` case must carry ``DATA_ISSUES`` and the
listed issues, a ``refused`` case must be refused with a message naming what to fix.
The checks are :mod:`tests.corpus.checks`, shared with the run of a handful of cases
through the whole stack (``tests/e2e/test_corpus_stack.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from server.classification import (
    ClassificationError,
    ClassificationResult,
    classify,
    parse_quarter,
)
from sheets_adapter.csv_files import read_csv
from sheets_adapter.errors import TabNotFound
from tests.corpus.checks import Seen, check, check_refusal
from tests.corpus.load import Case, load_all

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


@pytest.mark.parametrize("case", CASES, ids=[c.slug for c in CASES])
def test_every_case_comes_out_right_or_says_why_not(case: Case) -> None:
    if case.expect.outcome == "refused":
        with pytest.raises((ClassificationError, TabNotFound)) as raised:
            run(case)
        check_refusal(case, str(raised.value))
        return
    result = run(case)
    quarter = result.quarter
    if case.quarter is not None:
        quarter = parse_quarter(case.quarter, result.options.fiscal_year_start_month).label
        assert quarter in result.quarters, f"{case.slug}: {quarter} not classified"
    check(case, Seen.from_result(result, quarter))
