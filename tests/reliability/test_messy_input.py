"""Bad input through the whole product: hypothesis builds messy Plan and Bookings tabs,
real gspread stores them in the emulator, the GraphQL API classifies them.

Every answer must be verdicts or a coded error with a message a person can read (never
``INTERNAL``, never a 5xx), Plan and Bookings must be byte-identical afterwards, and no tab
but Summary may appear.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.api import documents
from tests.reliability.conftest import PROFILE, Tally, trials
from tests.support.backend import Stack, seed

pytestmark = pytest.mark.e2e

# -- the parts a messy sheet is made of ------------------------------------------------------


def spelled(word: str) -> st.SearchStrategy[str]:
    """A header as people type it: any case, stray spaces, a trailing colon or unit."""
    return st.tuples(
        st.sampled_from([word, word.upper(), word.lower(), word.title()]),
        st.sampled_from(["", " ", "  "]),
        st.sampled_from(["", ":", " ($)", " (USD)", " *"]),
    ).map(lambda t: f"{t[1]}{t[0]}{t[2]}")


GROUP_HEADERS = ["Region", "Segment", "Territory", "Team"]
QUARTER_HEADERS = ["Quarter", "Qtr", "Period", "Fiscal Quarter", "FQ"]
DATE_HEADERS = ["Close Date", "Closed On", "Booked On", "Date"]
PLAN_HEADERS = ["Plan", "Target", "Quota", "Budget", "Goal"]
BOOKINGS_HEADERS = ["Bookings", "Booked", "Actual", "Amount", "ACV", "Closed Won"]
GROUPS = ["AMER", "EMEA", "APAC", "amer ", "Emea", "LATAM", "Nordics 🇸🇪", "Ελλάδα", "مصر"]
ERROR_VALUES = ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#ERROR!", "#NULL!"]
FORMULA_TEXT = ["=SUM(B2:B9)", '=IMPORTXML("http://x","//a")', "+1+1", "-2+3", "@SUM(1)", "=1/0"]
UNICODE = ["‮TLA", "Q1 ２０２５", "１２３", "\u00a0100", "1\u2009000", "Ⅳ", "🤷", "\u0000", "\t"]
QUARTERS = [
    "Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025", "2025-Q1", "2025 Q2", "FY25 Q3", "Q4 FY2025",
    "1Q26", "Q1-26", "q2 '26", "2026Q3",
]  # fmt: skip
BAD_QUARTERS = ["Q5 2025", "Q0 2025", "2025-Q9", "Quarter 1", "TBD", "Q1", "FY Q2", "2025"]
DATES = [45_658, 45_750.5, "2025-03-31", "3/31/2025", "31 Mar 2025", "2025-05-01T10:00:00Z"]
BAD_DATES = ["2025-02-30", "13/13/2025", "yesterday", -5, 10**9, "2025-00-01", True]
TEXT_AMOUNTS = ["$1,200.50", "(300)", "1.2k", "3M", "2B", "€ 1.234", "-$45", "12%", "1e3", "1,2,3"]


def amounts() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(min_value=0, max_value=5_000_000),
        st.floats(min_value=-1e6, max_value=1e7, allow_nan=False),
        st.sampled_from(TEXT_AMOUNTS),
        st.sampled_from([10**15, -(10**15), 1e300, -1e300, 1e-9, -0.0]),
    )


junk: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.just(""),
    st.booleans(),
    st.sampled_from(ERROR_VALUES + FORMULA_TEXT + UNICODE + BAD_QUARTERS + BAD_DATES),
    st.text(max_size=10),
)


def cell(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a good value (six times in seven), sometimes junk."""
    return st.sampled_from([True] * 6 + [False]).flatmap(lambda ok: good if ok else junk)


@st.composite
def grid(draw: st.DrawFn, role: str) -> list[list[Any]]:
    """A Plan (``role="plan"``) or Bookings tab: long, wide or deal rows, with title rows,
    ragged and empty rows, Total rows and junk cells."""
    layout = draw(
        st.sampled_from(["long", "wide", "deals"] if role == "bookings" else ["long", "wide"])
    )
    group = draw(spelled(draw(st.sampled_from(GROUP_HEADERS))))
    value_words = PLAN_HEADERS if role == "plan" else BOOKINGS_HEADERS
    value = draw(spelled(draw(st.sampled_from(value_words))))
    n = draw(st.sampled_from(range(15)))
    rows: list[list[Any]]
    if layout == "long":
        quarter = draw(spelled(draw(st.sampled_from(QUARTER_HEADERS))))
        rows = [[group, quarter, value]]
        for _ in range(n):
            rows.append(
                [
                    draw(cell(st.sampled_from(GROUPS))),
                    draw(cell(st.sampled_from(QUARTERS))),
                    draw(cell(amounts())),
                ]
            )
    elif layout == "wide":
        labels = draw(st.lists(st.sampled_from(QUARTERS + BAD_QUARTERS), min_size=1, max_size=6))
        rows = [[group, *labels]]
        for _ in range(n):
            rows.append(
                [draw(cell(st.sampled_from(GROUPS)))] + [draw(cell(amounts())) for _ in labels]
            )
    else:
        when = draw(spelled(draw(st.sampled_from(DATE_HEADERS))))
        rows = [["Deal", group, when, value]]
        for i in range(n):
            rows.append(
                [
                    f"D-{i}",
                    draw(cell(st.sampled_from(GROUPS))),
                    draw(cell(st.sampled_from(DATES))),
                    draw(cell(amounts())),
                ]
            )
    # people's additions: totals, blank and ragged rows, stray notes
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        additions: list[list[Any]] = [
            ["Total", "", 123],
            [],
            ["", "", ""],
            ["note:", "ask Bob"],
            [draw(junk)] * 5,
        ]
        extra = draw(st.sampled_from(additions))
        rows.insert(draw(st.integers(min_value=1, max_value=len(rows))), list(extra))
    if draw(st.booleans()):  # title rows above the header
        rows[:0] = [["FY2025 " + role.title() + " — CONFIDENTIAL"], []]
    return rows


@st.composite
def spreadsheets(draw: st.DrawFn) -> dict[str, list[list[Any]]]:
    """The tabs of one spreadsheet; sometimes a tab is missing, empty or pure junk."""
    tabs: dict[str, list[list[Any]]] = {}
    for title, role in (("Plan", "plan"), ("Bookings", "bookings")):
        shape = draw(st.sampled_from(["messy"] * 8 + ["missing", "empty", "junk"]))
        if shape == "messy":
            tabs[title] = draw(grid(role))
        elif shape == "empty":
            tabs[title] = []
        elif shape == "junk":
            tabs[title] = draw(st.lists(st.lists(junk, max_size=5), min_size=1, max_size=6))
    if not tabs:
        tabs["Notes"] = [["nothing here yet"]]
    return tabs


# -- the property ----------------------------------------------------------------------------

CODED = {"BAD_INPUT", "NOT_FOUND"}


@settings(PROFILE, max_examples=trials(60, 600))
@given(
    tabs=spreadsheets(),
    options=st.fixed_dictionaries(
        {},
        optional={
            "fiscalYearStartMonth": st.integers(min_value=1, max_value=12),
            "comparison": st.sampled_from(["PRIOR_QUARTER", "SAME_QUARTER_LAST_YEAR"]),
            "groupBy": st.sampled_from([[], ["Region"], ["Team", "Segment"]]),
        },
    ),
)
def test_messy_sheets_get_verdicts_or_a_coded_error_and_stay_untouched(
    stack: Stack, tally: Tally, tabs: dict[str, list[list[Any]]], options: dict[str, Any]
) -> None:
    sheet = seed(stack.emulator.url, tabs)
    before = stack.stored(sheet)["values"]

    answer = stack.send(documents.CLASSIFY, {"spreadsheetId": sheet, "options": options})
    tally.count("messy_input", "tried")

    after = stack.stored(sheet)["values"]
    changed = {title for title, rows in before.items() if after.get(title) != rows}
    added = set(after) - set(before) - {"Summary"}
    if answer.status_code >= 500:
        tally.count("messy_input", "server_errors")
    if changed or added:
        tally.count("messy_input", "input_tabs_changed")
    assert answer.status_code == 200, answer.text
    assert not changed, f"input tabs changed: {changed}"
    assert not added, f"tabs added besides Summary: {added}"

    body = answer.json()
    if body.get("errors"):
        error = body["errors"][0]
        code = error.get("extensions", {}).get("code")
        if code not in CODED:
            tally.count("messy_input", "internal_errors")
        assert code in CODED, body
        message: str = error["message"]
        assert 15 <= len(message) <= 600, message
        assert "Traceback" not in message
        assert "'Plan'" in message or "'Bookings'" in message, message  # names the tab
        assert body.get("data") is None
        assert "Summary" not in after or "Summary" in before, "no Summary for a refused sheet"
        tally.count("messy_input", f"coded_errors_{code}")
        return

    run = body["data"]["classifyQuarter"]
    assert run["current"], "verdicts for the quarter"
    assert run["current"][0]["group"] is None, "company total first"
    assert all(v["action"] for v in run["verdicts"])
    for issue in run["issues"]:
        assert issue["tab"] in ("Plan", "Bookings")
        assert issue["row"] >= 1
        assert issue["message"]
    summary = after["Summary"]
    assert summary[0][0] == "Group", summary[:2]
    written = sorted((str(row[0]), str(row[1])) for row in summary[1 : 1 + len(run["verdicts"])])
    answered = sorted((v["group"] or "Total", v["quarter"]) for v in run["verdicts"])
    assert written == answered, "the Summary holds every verdict of the answer"
    tally.count("messy_input", "verdicts")
    tally.count("messy_input", "data_issues_reported", len(run["issues"]))
