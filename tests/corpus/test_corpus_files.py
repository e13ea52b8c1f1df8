"""The corpus files themselves: they load, their CSV bytes are what they claim, each
expectation agrees with its outcome and with itself, and together they cover every shape
issue 12 names. (Running the product on the cases is a separate test.)"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from tests.corpus.load import (
    CORPUS,
    FILES,
    QUARTER,
    Case,
    CaseError,
    ExpectedVerdict,
    case_paths,
    load_all,
    load_case,
    quarter_shift,
)

# Topics a case may list in "covers"; every one must be covered at least once.
TOPICS: dict[str, str] = {
    # where the workbook comes from
    "salesforce": "a Salesforce report export",
    "hubspot": "a HubSpot deals export",
    "pipedrive": "a Pipedrive deals export",
    "zoho": "a Zoho CRM deals export",
    "netsuite": "a NetSuite saved search export",
    "close": "a Close opportunities export",
    "pivot": "an Excel or Sheets pivot table",
    "fpa-plan": "a plan kept the way FP&A teams keep them",
    # deal rows
    "status-mixed": "won, lost and open rows mixed; only won rows are bookings",
    "future-open-pipeline": "a later quarter holds only open pipeline: never the default",
    "date-columns": "close date beside created / modified / last-activity dates",
    "converted-amount": "a converted or company-currency amount beside the raw one",
    "weighted-amount": "weighted / expected amount and probability columns present",
    "currency-column": "a currency-code column",
    "acv-tcv": "ACV and TCV columns where the plan names ACV",
    "plan-commit-stretch": "Plan beside Commit / Stretch / Upside columns",
    "footer-lines": "export footer lines under the table",
    "title-rows": "title rows above the header",
    "won-statuses-option": "a won stage named by the wonStatuses option",
    # units and currency
    "unit-thousands-header": "($K) or similar in a header",
    "unit-thousands-title": "$000s or 'in thousands' in a title row",
    "unit-millions": "'in millions' / ($M)",
    "unit-20x-check": "a plan off by 1000x with no unit marker: flagged",
    "rates-tab": "two currencies converted through a Rates tab",
    "currency-without-rates": "two currencies, no Rates tab: rows rejected naming it",
    # periods
    "monthly-wide": "a plan with a column per month",
    "long-month": "a long table with a Month column",
    "year-quarter-columns": "separate Year and Quarter columns",
    "q-headers-year-in-title": "Q1..Q4 headers with the year in the title row",
    "month-missing": "a quarter of a monthly table with a month missing: reported",
    "fiscal-labels": "fiscal year starting February, FY26 Q1 labels",
    "fiscal-option-mismatch": "fiscal labels while fiscalYearStartMonth is left at 1",
    "incomplete-quarter": "the latest quarter's data stops early: flagged",
    "same-quarter-last-year": "SAME_QUARTER_LAST_YEAR comparison",
    # totals, pivots, groups
    "pivot-totals": "AMER Total / Total EMEA / Grand Total rows",
    "pivot-caption": "a cross-tab pivot's caption row (SUM of Amount) above its header",
    "blank-repeated-labels": "pivot-style blank repeated labels",
    "group-names-differ": "plan and CRM spell groups differently (Americas vs AMER)",
    "no-shared-group": "the tabs share no group column: the run says so",
    "group-starts-late": "a group that starts mid-history",
    "rep-left": "a rep who left: no rows after leaving",
    "missing-long-row": "a long table missing a quarter row inside a group's span (0)",
    # dates, files, duplicates
    "uk-text-dates": "UK dates as text (25/03/2025) in an en_GB sheet",
    "ambiguous-dates-locale": "only ambiguous dd/mm dates: decided by the locale",
    "mixed-date-orders": "25/03/2025 and 03/25/2025 in one column: an issue",
    "cp1252-csv": "a CSV file in Windows cp1252",
    "duplicate-ids": "overlapping pasted exports, repeated ids counted once",
    "line-items-amount": "Opportunities with Products, amount repeated per line",
    "line-items-total-price": "Opportunities with Products, Total Price summed",
    # outcomes and rules
    "refused": "an unreadable tab refused with a reason",
    "clean": "a clean, simple sheet that must simply come out right",
    "consecutive-hard-miss": "consecutive Hard Misses once lost/open deals are left out",
    "default-quarter": "no quarter asked: the default quarter is checked",
    # red-team shapes (issue 12 review): where a reader that goes by column names alone
    # gives a confident wrong answer
    "status-other-columns": "won/lost said by Outcome, Forecast Category, Is Closed Won, 1/0 flags",
    "split-rows": "one opportunity on several rows (opportunity splits)",
    "parent-rows": "a plan row that sums others without the word Total (Americas, All Regions)",
    "plan-versions": "Budget / Forecast / Actual versions, blocks or columns in one tab",
    "quarter-words": "quarters written as months (Jan-Mar 2025)",
    "formula-errors": "a won row whose date is a formula error or a placeholder",
    "rates-variants": "a Rates tab per quarter, or quoted the other way round",
    "units-per-row": "a unit that differs by row or is written like £m",
    "locale-amounts": "amounts in a locale's or Excel's format (1.234,56; 12 345,00 €; $ (5.00))",
    "fiscal-year-other-start": "a fiscal year from April or July (FY 2024/25, Q1 FY26)",
}

CASES = load_all()


def _id(case: Case) -> str:
    return case.slug


def _cents(amount: float) -> Decimal:
    return Decimal(repr(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 34


@pytest.mark.parametrize("path", case_paths(), ids=lambda p: p.stem)
def test_case_file_loads(path: Path) -> None:
    case = load_case(path)
    assert case.slug == path.stem


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    source = case_paths()[0].read_text(encoding="utf-8")
    broken = tmp_path / "broken-case.json"
    broken.write_text(source.replace('"worked":', '"workd": "", "worked":', 1), encoding="utf-8")
    with pytest.raises(CaseError, match="unknown keys"):
        load_case(broken)


def test_titles_are_unique_and_readme_lists_every_case_once() -> None:
    titles = Counter(case.title for case in CASES)
    assert [t for t, n in titles.items() if n > 1] == []
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    pattern = r"^- `([a-z0-9-]+)` \((right|flagged|refused)\): "
    listed = Counter(re.findall(pattern, readme, flags=re.MULTILINE))
    assert listed == Counter((case.slug, case.expect.outcome) for case in CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c.csv], ids=_id)
def test_csv_files_exist_in_their_declared_encoding(case: Case) -> None:
    for source in case.csv.values():
        raw = source.path.read_bytes()
        text = raw.decode(source.encoding)
        assert "\n" in text.strip(), "a CSV file needs a header and rows"
        if source.encoding == "cp1252":
            # Real Windows bytes: not ASCII, and not valid UTF-8 either.
            assert any(byte > 0x7F for byte in raw)
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")


def test_every_csv_file_belongs_to_a_case() -> None:
    used = {source.file for case in CASES for source in case.csv.values()}
    assert {path.name for path in FILES.glob("*.csv")} == used


def test_cp1252_is_represented() -> None:
    assert any(s.encoding == "cp1252" for case in CASES for s in case.csv.values())


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_expectation_agrees_with_outcome(case: Case) -> None:
    expect = case.expect
    assert "asOf" in case.options, "every case pins asOf so the answer never depends on today"
    assert len(case.worked) >= 80, "work the answer out"
    assert re.search(r"\d", case.worked), "work the answer out, with its figures"
    if expect.outcome == "refused":
        assert expect.refusal, "a refusal names the words its message must contain"
        assert not expect.verdicts
        assert not expect.absent
        assert not expect.inputs
        return
    assert not expect.refusal
    assert expect.quarter is not None, "a classified run is about a quarter"
    if expect.outcome == "right":
        assert expect.verdicts, "a right case pins at least one verdict"
        for v in expect.verdicts:
            assert {"plan", "bookings", "verdict"} <= v.given, f"{v.key} must pin its figures"
            assert "DATA_ISSUES" not in v.required_flags, f"{v.key}: right has no DATA_ISSUES"
    else:
        assert expect.verdicts or expect.issues, "a flagged case says where it is flagged"
        for v in expect.verdicts:
            if v.flags is not None:
                assert "DATA_ISSUES" in v.flags, f"{v.key}: flagged verdicts carry DATA_ISSUES"
    keys = [v.key for v in expect.verdicts]
    assert len(keys) == len(set(keys)), "each (group, quarter) once"
    assert not set(keys) & set(expect.absent), "a result cannot be both pinned and absent"
    for v in expect.verdicts:
        assert v.quarter <= expect.quarter, f"{v.key} lies after the quarter of the run"


@pytest.mark.parametrize("case", [c for c in CASES if c.expect.outcome != "refused"], ids=_id)
def test_verdicts_follow_the_rules_from_their_own_figures(case: Case) -> None:
    """SPEC 2.1 and 2.2 applied to the figures written in the file, as far as they go."""
    listed = {v.key: v for v in case.expect.verdicts}
    back = 4 if case.options.get("comparison") == "SAME_QUARTER_LAST_YEAR" else 1
    window = int(case.options.get("hardMissWindow", 8))
    for v in case.expect.verdicts:
        if v.verdict is None:
            continue
        if "plan" in v.given and v.plan is None:
            assert v.verdict == "NO_PLAN", f"{v.key}: no plan means NO_PLAN"
        if v.plan is not None and v.bookings is not None:
            beat = _cents(v.bookings) >= _cents(v.plan)
            assert (v.verdict == "BEAT") == beat, f"{v.key}: BEAT iff bookings >= plan"
        base = listed.get((v.group, quarter_shift(v.quarter, -back)))
        if base is not None and base.bookings is not None and v.bookings is not None:
            if v.verdict in ("SOFT_MISS", "HARD_MISS"):
                grew = _cents(v.bookings) > _cents(base.bookings)
                assert (v.verdict == "SOFT_MISS") == grew, f"{v.key}: against {base.key}"
            assert v.verdict != "NO_BASELINE", f"{v.key}: {base.key} is its baseline"
        prev = listed.get((v.group, quarter_shift(v.quarter, -1)))
        if "CONSECUTIVE_HARD_MISS" in v.required_flags:
            assert v.verdict == "HARD_MISS"
            assert prev is None or prev.verdict in (None, "HARD_MISS")
        if v.flags is not None:
            _implied_flags_present(v, listed, window)


def _implied_flags_present(
    v: ExpectedVerdict, listed: dict[tuple[str | None, str], ExpectedVerdict], window: int
) -> None:
    assert v.flags is not None

    def verdicts_back(count: int) -> list[str | None]:
        found = (listed.get((v.group, quarter_shift(v.quarter, -n))) for n in range(count))
        return [item.verdict for item in found if item is not None]

    prev = listed.get((v.group, quarter_shift(v.quarter, -1)))
    if v.verdict == "HARD_MISS" and prev is not None and prev.verdict == "HARD_MISS":
        assert "CONSECUTIVE_HARD_MISS" in v.flags, v.key
    if verdicts_back(window).count("HARD_MISS") >= 2:
        assert "REPEATED_HARD_MISS" in v.flags, v.key
    if verdicts_back(4).count("SOFT_MISS") >= 2:
        assert "FREQUENT_SOFT_MISS" in v.flags, v.key


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.quarter is None and c.expect.quarter], ids=_id
)
def test_default_quarter_has_ended_by_as_of(case: Case) -> None:
    assert case.expect.quarter is not None
    as_of = date.fromisoformat(case.options["asOf"])
    start = int(case.options.get("fiscalYearStartMonth", 1))
    assert _quarter_end(case.expect.quarter, start) < as_of


def _quarter_end(quarter: str, start_month: int) -> date:
    match = QUARTER.match(quarter)
    assert match is not None
    year, number = int(match.group(1)), int(match.group(2))
    # Fiscal year Y starts in start_month of Y-1 (of Y when the start is January).
    first = (year - (1 if start_month > 1 else 0)) * 12 + (start_month - 1) + 3 * (number - 1)
    following = first + 3
    return date(following // 12, following % 12 + 1, 1) - timedelta(days=1)


def test_quarter_end_follows_the_fiscal_calendar() -> None:
    assert _quarter_end("2025-Q3", 1) == date(2025, 9, 30)
    assert _quarter_end("2026-Q1", 2) == date(2025, 4, 30)
    assert _quarter_end("2026-Q4", 2) == date(2026, 1, 31)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_cases_stay_small_enough_to_work_by_hand(case: Case) -> None:
    for name, rows in case.tabs.items():
        assert len(rows) <= 90, f"{name}: {len(rows)} rows is too many to work by hand"
    for source in case.csv.values():
        assert source.path.read_bytes().count(b"\n") <= 90


def test_covers_name_known_topics_and_cover_them_all() -> None:
    named = Counter(topic for case in CASES for topic in case.covers)
    assert set(named) <= set(TOPICS), sorted(set(named) - set(TOPICS))
    assert sorted(set(TOPICS) - set(named)) == []
    outcomes = Counter(case.expect.outcome for case in CASES)
    assert outcomes["right"] >= 20
    assert outcomes["flagged"] >= 6
    assert outcomes["refused"] >= 3
    assert named["clean"] >= 3


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_each_case_covers_something(case: Case) -> None:
    assert case.covers, "tag the case with the topics it covers"
    assert len(set(case.covers)) == len(case.covers)
