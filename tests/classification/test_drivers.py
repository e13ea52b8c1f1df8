"""The drivers behind a verdict (docs/rules.md, "Why"): deals, size, win rate, mix, leads,
the count/size split and the likely cause of a miss, with numbers worked by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from server.classification import Cause, Drivers, QuarterVerdict, Verdict, classify

EPOCH = date(1899, 12, 30)
Q1, Q2 = date(2025, 2, 10), date(2025, 5, 12)  # a day in 2025-Q1 and one in 2025-Q2


def serial(day: date) -> int:
    return (day - EPOCH).days


def deals(day: date, count: int, amount: float, stage: str = "Closed Won") -> list[list[Any]]:
    return [[serial(day), amount, stage, "New Business"] for _ in range(count)]


def run(
    rows: list[list[Any]],
    plan: tuple[float, float] = (100_000, 120_000),
    leads: list[list[Any]] | None = None,
) -> dict[str, QuarterVerdict]:
    plan_tab: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", plan[0]], ["Q2 2025", plan[1]]]
    bookings: list[list[Any]] = [["Close Date", "Amount", "Stage", "Type"], *rows]
    result = classify(plan_tab, bookings, {"asOf": "2025-07-15"}, leads_values=leads)
    return {v.quarter: v for v in result.verdicts}


def drivers_of(verdict: QuarterVerdict) -> Drivers:
    assert verdict.drivers is not None
    return verdict.drivers


def test_won_deals_average_lost_and_win_rate() -> None:
    # Q1: 10 won x 10,000 = 100,000; 10 lost. Win rate 10 / (10 + 10) = 50%.
    got = run(deals(Q1, 10, 10_000) + deals(Q1, 10, 9_999, "Closed Lost"))
    q1 = drivers_of(got["2025-Q1"])
    assert (q1.deals, q1.average_deal, q1.lost_deals, q1.win_rate) == (10, 10_000, 10, 0.5)
    assert q1.explanation == "10 deals, average $10k, win rate 50%"
    assert q1.cause is None  # a Beat has no cause


def test_count_and_size_effects_split_the_change_exactly() -> None:
    # Q1: 10 deals x 10,000 = 100,000. Q2: 8 deals x 12,000 = 96,000 (plan 120,000).
    # Change -4,000 = count effect (8 - 10) x 10,000 = -20,000
    #               + size effect 8 x (12,000 - 10,000) = +16,000.
    got = run(deals(Q1, 10, 10_000) + deals(Q2, 8, 12_000))
    q2 = drivers_of(got["2025-Q2"])
    assert q2.count_effect is not None
    assert q2.size_effect is not None
    assert q2.count_effect == pytest.approx(-20_000)
    assert q2.size_effect == pytest.approx(16_000)
    assert q2.count_effect + q2.size_effect == pytest.approx(96_000 - 100_000)
    assert got["2025-Q2"].verdict is Verdict.HARD_MISS  # 96,000 <= 100,000
    assert q2.cause is Cause.FEWER_DEALS  # no lead data, no lost rows: fewer deals
    assert q2.explanation == "8 deals (\u221220%), average $12k (+20%)"


def _win_rates(lost_q1: int, lost_q2: int) -> dict[str, QuarterVerdict]:
    rows = deals(Q1, 10, 10_000) + deals(Q1, lost_q1, 5_000, "Closed Lost")
    rows += deals(Q2, 9, 10_000) + deals(Q2, lost_q2, 5_000, "Closed Lost")
    return run(rows)


def test_a_win_rate_down_5_points_is_the_cause() -> None:
    # Q1: 10 won, 10 lost: 50%. Q2: 9 won, 11 lost: 9/20 = 45%: exactly 5 points down.
    # Bookings 90,000 <= 100,000: Hard Miss; deal size unchanged.
    got = _win_rates(10, 11)
    q2 = drivers_of(got["2025-Q2"])
    assert q2.win_rate == pytest.approx(0.45)
    assert q2.cause is Cause.LOWER_WIN_RATE
    assert "win rate 45% (\u22125 pts)" in q2.explanation
    assert "win rate fell" in got["2025-Q2"].action


def test_a_win_rate_down_less_than_5_points_is_not() -> None:
    # Q1: 10 won, 10 lost: 50%. Q2: 9 won, 10 lost: 9/19 = 47.4%: 2.6 points down.
    q2 = drivers_of(_win_rates(10, 10)["2025-Q2"])
    assert q2.win_rate == pytest.approx(9 / 19)
    assert q2.cause is Cause.FEWER_DEALS  # 9 < 10 deals, and the win rate held


def test_an_average_deal_down_10_percent_is_the_cause() -> None:
    # Q1: 10 x 10,000 = 100,000. Q2: 10 x 9,000 = 90,000: the same number of deals, the
    # average exactly 10% smaller. Size effect 10 x -1,000 = -10,000; count effect 0.
    got = run(deals(Q1, 10, 10_000) + deals(Q2, 10, 9_000))
    q2 = drivers_of(got["2025-Q2"])
    assert q2.count_effect == pytest.approx(0)
    assert q2.size_effect == pytest.approx(-10_000)
    assert q2.cause is Cause.SMALLER_DEALS
    assert "deals got smaller" in got["2025-Q2"].action


def test_an_average_deal_down_less_than_10_percent_is_not() -> None:
    # Q2: 10 x 9,100 = 91,000: 9% smaller, same count: no cause the rules can name.
    q2 = drivers_of(run(deals(Q1, 10, 10_000) + deals(Q2, 10, 9_100))["2025-Q2"])
    assert q2.cause is None


def test_fewer_leads_while_conversion_held() -> None:
    # Leads (one row per lead, Created Date): Q1 100, Q2 80. Won deals 10 -> 8: won per
    # lead 0.10 -> 0.10 (held). Bookings 100,000 -> 80,000.
    leads: list[list[Any]] = [["Lead ID", "Created Date"]]
    leads += [[f"L{i}", serial(date(2025, 1, 15))] for i in range(100)]
    leads += [[f"M{i}", serial(date(2025, 4, 15))] for i in range(80)]
    got = run(deals(Q1, 10, 10_000) + deals(Q2, 8, 10_000), leads=leads)
    q2 = drivers_of(got["2025-Q2"])
    assert q2.leads == 80
    assert q2.deals_per_lead == pytest.approx(0.1)
    assert q2.bookings_per_lead == pytest.approx(80_000 / 80)
    assert q2.cause is Cause.FEWER_LEADS
    assert q2.explanation.endswith("80 leads (\u221220%)")


def test_unrealistic_plan_is_the_cause_of_a_soft_miss() -> None:
    # Five quarters growing 10% (2024-Q1..2025-Q1: 100k, 110k, 121k, 133.1k, 146.41k),
    # then 2025-Q2 books 150k (grew) against a plan of 200k (+36.6% asked, best +10%).
    plan: list[list[Any]] = [["Quarter", "Plan"]]
    rows: list[list[Any]] = []
    booked = [100_000, 110_000, 121_000, 133_100, 146_410, 150_000]
    for i, amount in enumerate(booked):
        year, quarter = 2024 + (i // 4), i % 4 + 1
        plan.append([f"Q{quarter} {year}", 200_000 if i == 5 else amount])
        rows.append([serial(date(year, quarter * 3 - 1, 10)), amount, "Closed Won", "New"])
    bookings: list[list[Any]] = [["Close Date", "Amount", "Stage", "Type"], *rows]
    result = classify(plan, bookings, {"asOf": "2025-07-15"})
    q6 = next(v for v in result.verdicts if v.quarter == "2025-Q2")
    assert q6.verdict is Verdict.SOFT_MISS
    assert drivers_of(q6).cause is Cause.UNREALISTIC_PLAN


def test_bookings_by_deal_type() -> None:
    rows = [
        [serial(Q1), 50_000, "Closed Won", "New Business"],
        [serial(Q1), 20_000, "Closed Won", "Existing Business - Upsell"],
        [serial(Q1), 30_000, "Closed Won", "Renewal"],
        [serial(Q1), 5_000, "Closed Won", "Other"],
    ]
    q1 = drivers_of(run(rows)["2025-Q1"])
    assert (q1.new_business, q1.expansion, q1.renewal) == (50_000, 20_000, 30_000)
    assert q1.deals == 4


def test_no_lost_rows_no_win_rate_and_no_type_column_no_mix() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 10]]
    bookings: list[list[Any]] = [["Close Date", "Amount"], [serial(Q1), 10]]
    (total,) = classify(plan, bookings, {"asOf": "2025-07-15"}).verdicts
    got = drivers_of(total)
    assert (got.lost_deals, got.win_rate, got.new_business, got.leads) == (None,) * 4


def test_quarterly_totals_have_no_drivers() -> None:
    plan: list[list[Any]] = [["Quarter", "Plan"], ["Q1 2025", 10]]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["Q1 2025", 10]]
    (total,) = classify(plan, bookings, {"asOf": "2025-07-15"}).verdicts
    assert total.drivers is None
