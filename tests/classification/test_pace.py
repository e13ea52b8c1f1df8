"""Pace of the quarter in progress (docs/rules.md, "Pace"), with numbers worked by hand.

As of 2025-05-15, 2025-Q2 (1 April - 30 June, 91 days) is on its day 45: 45/91 elapsed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from server.classification import Pace, Verdict, classify

EPOCH = date(1899, 12, 30)
AS_OF = "2025-05-15"
HISTORY = [(2024, 1), (2024, 2), (2024, 3), (2024, 4), (2025, 1)]


def serial(day: date) -> int:
    return (day - EPOCH).days


def quarter_start(year: int, quarter: int) -> date:
    return date(year, quarter * 3 - 2, 1)


def back_loaded(quarters: list[tuple[int, int]]) -> list[list[Any]]:
    """Each quarter: 20,000 won on its 10th day (by day 45) and 80,000 on its 80th."""
    rows = []
    for year, quarter in quarters:
        start = quarter_start(year, quarter).toordinal()
        rows.append(["West", serial(date.fromordinal(start + 9)), 20_000, "Closed Won"])
        rows.append(["West", serial(date.fromordinal(start + 79)), 80_000, "Closed Won"])
    return rows


CURRENT = [
    ["West", serial(date(2025, 4, 20)), 30_000, "Closed Won"],  # won to date
    ["West", serial(date(2025, 6, 10)), 50_000, "Negotiation"],  # pipeline this quarter
    ["West", serial(date(2025, 7, 20)), 70_000, "Proposal"],  # next quarter: not pipeline
    ["West", serial(date(2025, 5, 1)), 9_000, "Negotiation"],  # overdue: not due ahead
    ["West", serial(date(2025, 6, 1)), 40_000, "Closed Lost"],  # lost: never pipeline
]


def pace_of(rows: list[list[Any]], plan: float = 120_000) -> dict[str | None, Pace]:
    plan_tab: list[list[Any]] = [["Region", "Quarter", "Plan"], ["West", "Q2 2025", plan]]
    bookings: list[list[Any]] = [["Region", "Close Date", "Amount", "Stage"], *rows]
    result = classify(plan_tab, bookings, {"asOf": AS_OF})
    assert result.in_progress == "2025-Q2"
    return {p.group: p for p in result.pace}


def test_projection_from_the_groups_back_loaded_history() -> None:
    # The last 4 complete quarters (2024-Q2 .. 2025-Q1) each closed 20,000 of 100,000 by
    # day 45: median share 20%. Won to date 30,000: projected 30,000 / 0.2 = 150,000.
    got = pace_of(back_loaded(HISTORY) + CURRENT)
    for who in ("West", None):  # the group, and the company total (the same here)
        pace = got[who]
        assert pace.elapsed == pytest.approx(45 / 91, abs=1e-4)
        assert pace.booked == 30_000
        assert pace.projected == pytest.approx(150_000)
        assert pace.method.startswith("history")
        assert "20%" in pace.method
        assert pace.plan == 120_000
        # pipeline: only the open deal due after today and inside the quarter
        assert pace.pipeline == 50_000
        assert pace.coverage == pytest.approx((30_000 + 50_000) / 120_000)
        assert pace.outlook is Verdict.BEAT  # 150,000 >= 120,000
        assert pace.quarter == "2025-Q2"
        assert pace.as_of == AS_OF


def test_fallback_to_the_share_of_the_quarter_elapsed() -> None:
    # Only 2 complete quarters of history: projected 30,000 / (45/91) = 60,666.67.
    got = pace_of(back_loaded(HISTORY[-2:]) + CURRENT)["West"]
    assert got.method.startswith("elapsed share")
    assert got.projected == pytest.approx(30_000 * 91 / 45, abs=0.01)
    # Against plan 120,000 and last quarter's 100,000: below plan, below the baseline.
    assert got.outlook is Verdict.HARD_MISS


def test_outlook_soft_miss_when_the_projection_grows_but_misses() -> None:
    # History projection 150,000 against a plan of 200,000 and a baseline of 100,000.
    got = pace_of(back_loaded(HISTORY) + CURRENT, plan=200_000)["West"]
    assert got.outlook is Verdict.SOFT_MISS
    assert got.coverage == pytest.approx(80_000 / 200_000)


def test_without_a_status_column_there_is_no_pipeline() -> None:
    plan_tab: list[list[Any]] = [["Quarter", "Plan"], ["Q2 2025", 100_000]]
    bookings: list[list[Any]] = [["Close Date", "Amount"], [serial(date(2025, 4, 20)), 25_000]]
    (total,) = classify(plan_tab, bookings, {"asOf": AS_OF}).pace
    assert total.pipeline is None
    assert total.coverage == pytest.approx(0.25)  # 25,000 won of 100,000, nothing open


def test_monthly_bookings_give_pace_at_month_grain() -> None:
    # Monthly bookings: each earlier quarter 10,000 + 10,000 + 80,000 by month, so by its
    # second month a quarter has closed 20%. 2025-Q2 so far: April 5,000 + May 5,000.
    # As of 15 May (the quarter's second month): projected 10,000 / 0.2 = 50,000.
    rows: list[list[Any]] = [["Month", "Bookings"]]
    for year, quarter in HISTORY:
        first = quarter * 3 - 2
        for offset, amount in enumerate((10_000, 10_000, 80_000)):
            rows.append([f"{year}-{first + offset:02d}", amount])
    rows += [["2025-04", 5_000], ["2025-05", 5_000]]
    plan_tab: list[list[Any]] = [["Quarter", "Plan"], ["Q2 2025", 60_000]]
    (total,) = classify(plan_tab, rows, {"asOf": AS_OF}).pace
    assert total.booked == 10_000
    assert total.projected == pytest.approx(50_000)
    assert total.method.startswith("history")
    assert total.outlook is Verdict.HARD_MISS  # 50,000 < 60,000 and <= 100,000


def test_quarterly_totals_give_no_pace() -> None:
    plan_tab: list[list[Any]] = [["Quarter", "Plan"], ["Q2 2025", 100]]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 100], ["Q2 2025", 10]]
    assert classify(plan_tab, bookings, {"asOf": AS_OF}).pace == ()


def test_the_quarter_in_progress_is_not_the_default_quarter() -> None:
    plan_tab: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 10], ["Q2 2025", 10]]
    bookings: list[list[Any]] = [["Close Date", "Amount"]]
    bookings += [[serial(date(2025, 2, 1)), 10], [serial(date(2025, 4, 2)), 5]]
    got = classify(plan_tab, bookings, {"asOf": AS_OF})
    assert got.quarter == "2025-Q1"  # ended; 2025-Q2 is in progress
    q2 = next(v for v in got.verdicts if v.quarter == "2025-Q2")
    assert q2.in_progress
    assert q2.action.startswith("So far (quarter in progress)")
