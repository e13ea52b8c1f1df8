"""The verdicts and flags of docs/rules.md §1 and §2, with the arithmetic worked by hand.

Quarters run from 2023-Q1 unless said otherwise; tabs are long, without groups, so the
company total is the only series.
"""

from __future__ import annotations

from typing import Any

import pytest

from server.classification import Quarter
from server.classification.model import Flag, Verdict
from tests.classification.tabs import run_series


def test_beat_when_bookings_meet_plan_exactly() -> None:
    got = run_series([(100, 100)])
    assert got["2023-Q1"].verdict is Verdict.BEAT
    assert got["2023-Q1"].attainment == 1.0


def test_soft_miss_below_plan_but_grew() -> None:
    # Q1: 80 booked. Q2: plan 100, booked 90 < 100 and 90 > 80 -> soft miss.
    got = run_series([(50, 80), (100, 90)])
    q2 = got["2023-Q2"]
    assert q2.verdict is Verdict.SOFT_MISS
    assert q2.baseline == 80
    assert q2.attainment == pytest.approx(0.9)  # 90 / 100
    assert q2.growth == pytest.approx(0.125)  # 90 / 80 - 1


def test_flat_is_a_hard_miss() -> None:
    # Q2 books exactly what Q1 did (80) and misses plan: the team did not get better.
    got = run_series([(50, 80), (100, 80)])
    assert got["2023-Q2"].verdict is Verdict.HARD_MISS
    assert got["2023-Q2"].growth == 0.0


def test_fell_is_a_hard_miss() -> None:
    got = run_series([(50, 80), (100, 70)])
    assert got["2023-Q2"].verdict is Verdict.HARD_MISS
    assert got["2023-Q2"].growth == pytest.approx(-0.125)  # 70 / 80 - 1


def test_first_quarter_below_plan_has_no_baseline_above_plan_is_beat() -> None:
    assert run_series([(100, 90)])["2023-Q1"].verdict is Verdict.NO_BASELINE
    assert run_series([(100, 110)])["2023-Q1"].verdict is Verdict.BEAT


def test_no_plan_for_a_quarter_with_bookings() -> None:
    got = run_series([(100, 100), (None, 50)])
    q2 = got["2023-Q2"]
    assert q2.verdict is Verdict.NO_PLAN
    assert q2.plan is None
    assert q2.attainment is None


def test_plan_only_quarters_are_future_and_not_classified() -> None:
    got = run_series([(100, 100), (100, None), (100, None)])
    assert list(got) == ["2023-Q1"]


def test_a_baseline_of_zero_makes_any_positive_bookings_growth() -> None:
    # Q1 booked 0 (a real figure). Q2 books 10 < plan 100, and 10 > 0: soft miss;
    # growth is undefined over a baseline of 0.
    got = run_series([(100, 0), (100, 10)])
    assert got["2023-Q1"].verdict is Verdict.NO_BASELINE
    assert got["2023-Q2"].verdict is Verdict.SOFT_MISS
    assert got["2023-Q2"].growth is None
    assert got["2023-Q2"].baseline == 0


def test_a_missing_row_inside_the_span_booked_zero() -> None:
    # No bookings row for Q2, but Q1 and Q3 have rows: inside the span, a missing row of a
    # long table is 0 (pivot and BI exports leave out empty combinations), so Q2 is a
    # Hard Miss (0 <= 90) and Q3's baseline is that 0.
    got = run_series([(100, 90), (100, None), (100, 95)])
    assert got["2023-Q2"].bookings == 0
    assert got["2023-Q2"].verdict is Verdict.HARD_MISS
    assert got["2023-Q3"].baseline == 0
    assert got["2023-Q3"].verdict is Verdict.SOFT_MISS  # 95 > 0


def test_cents_decide_not_float_noise() -> None:
    # Plan rows 0.1 + 0.2 sum to 0.30000000000000004 in floats; bookings 0.3 meet it.
    plan: list[list[Any]] = [["Quarter", "Plan"], ["2025-Q1", 0.1], ["2025-Q1", 0.2]]
    bookings: list[list[Any]] = [["Quarter", "Bookings"], ["2025-Q1", 0.3]]
    from server.classification import classify

    (total,) = classify(plan, bookings).verdicts
    assert total.verdict is Verdict.BEAT
    assert total.plan == 0.3


def test_cents_round_half_even() -> None:
    # Plan 100.015 rounds half-even to 100.02 (the cent digit 1 is odd, so up):
    # bookings 100.01 fall short. Plan 100.025 rounds to 100.02: 100.02 meets it.
    # (Numbers, not text: "100.025" as text reads as 100,025 - see test_values.)
    assert run_series([(100.015, 100.01)])["2023-Q1"].verdict is Verdict.NO_BASELINE
    assert run_series([(100.025, 100.02)])["2023-Q1"].verdict is Verdict.BEAT


def test_same_quarter_last_year_for_seasonal_businesses() -> None:
    # 2023: 90, 100, 110, 150 (strong Q4). 2024-Q1: plan 120, booked 100.
    # Prior quarter: 100 <= 150 -> hard miss. Same quarter last year: 100 > 90 -> soft.
    seq = [(90, 90), (100, 100), (110, 110), (150, 150), (120, 100)]
    assert run_series(seq)["2024-Q1"].verdict is Verdict.HARD_MISS
    seasonal = run_series(seq, {"comparison": "SAME_QUARTER_LAST_YEAR"})["2024-Q1"]
    assert seasonal.verdict is Verdict.SOFT_MISS
    assert seasonal.baseline == 90
    assert seasonal.growth == pytest.approx(100 / 90 - 1)
    # The first year has no baseline a year earlier: Q2 2023 missed nothing, but a
    # miss there would be NO_BASELINE.
    first_year = run_series([(100, 100), (200, 150)], {"comparison": "SAME_QUARTER_LAST_YEAR"})
    assert first_year["2023-Q2"].verdict is Verdict.NO_BASELINE


# -- flags -----------------------------------------------------------------------------------


def _flags(got: dict, quarter: str) -> set[Flag]:  # type: ignore[type-arg]
    return set(got[quarter].flags)


def test_consecutive_hard_miss() -> None:
    # 100, then 90 (hard), then 80 (hard): the second in a row is flagged.
    got = run_series([(100, 100), (200, 90), (200, 80)])
    assert got["2023-Q2"].verdict is Verdict.HARD_MISS
    assert Flag.CONSECUTIVE_HARD_MISS not in _flags(got, "2023-Q2")
    assert Flag.CONSECUTIVE_HARD_MISS in _flags(got, "2023-Q3")
    assert Flag.REPEATED_HARD_MISS in _flags(got, "2023-Q3")


def test_windows_count_fiscal_quarters_and_a_missing_row_is_zero() -> None:
    # Same-quarter-last-year baselines. 2023: 100 each quarter. 2024-Q1: 90 (hard),
    # Q2 has no row: 0 (hard), Q3: 95 (hard, <= 100). Q2 sits between them, so Q3
    # follows a Hard Miss: consecutive.
    seq = [(100, 100)] * 4 + [(200, 90), (200, None), (200, 95)]
    got = run_series(seq, {"comparison": "SAME_QUARTER_LAST_YEAR"})
    assert got["2024-Q1"].verdict is Verdict.HARD_MISS
    assert got["2024-Q2"].bookings == 0
    assert got["2024-Q2"].verdict is Verdict.HARD_MISS
    assert got["2024-Q3"].verdict is Verdict.HARD_MISS
    assert Flag.CONSECUTIVE_HARD_MISS in _flags(got, "2024-Q3")
    assert Flag.REPEATED_HARD_MISS in _flags(got, "2024-Q3")


def _hard_at(positions: set[int], length: int) -> list[tuple[int, int]]:
    """Quarters that beat (plan = bookings, rising) except hard misses at ``positions``."""
    seq, booked = [], 1000
    for i in range(length):
        if i in positions:
            seq.append((booked + 500, booked - 1))  # below plan and below last quarter
            booked -= 1
        else:
            booked += 10
            seq.append((booked, booked))
    return seq


@pytest.mark.parametrize(("gap", "flagged"), [(7, True), (8, False)])
def test_repeated_hard_miss_window_of_8_quarters(gap: int, flagged: bool) -> None:
    # Hard misses at quarter 1 and 1 + gap: the window of 8 ending at the second holds
    # quarters (1 + gap - 7) .. (1 + gap), so it holds the first only when gap <= 7.
    seq = _hard_at({1, 1 + gap}, 2 + gap)
    got = run_series(seq)
    second = Quarter(2023, 1).shift(1 + gap).label
    assert got[second].verdict is Verdict.HARD_MISS
    assert (Flag.REPEATED_HARD_MISS in _flags(got, second)) is flagged


@pytest.mark.parametrize(("gap", "flagged"), [(3, True), (4, False)])
def test_hard_miss_window_option(gap: int, flagged: bool) -> None:
    seq = _hard_at({1, 1 + gap}, 2 + gap)
    got = run_series(seq, {"hardMissWindow": 4})
    second = Quarter(2023, 1).shift(1 + gap).label
    assert (Flag.REPEATED_HARD_MISS in _flags(got, second)) is flagged


def test_repeated_flag_stays_while_both_misses_are_in_the_window() -> None:
    seq = _hard_at({1, 3}, 12)
    got = run_series(seq)
    # Misses at quarters 1 and 3 (2023-Q2, 2023-Q4). Windows of 8 ending at quarters
    # 3..8 hold both; the window ending at quarter 9 (2025-Q2) starts at quarter 2.
    assert Flag.REPEATED_HARD_MISS in _flags(got, "2025-Q1")  # quarter 8
    assert Flag.REPEATED_HARD_MISS not in _flags(got, "2025-Q2")  # quarter 9
    assert got["2025-Q1"].verdict is Verdict.BEAT


def _soft_at(positions: set[int], length: int) -> list[tuple[int, int]]:
    seq, booked = [], 1000
    for i in range(length):
        booked += 10
        seq.append((booked + 500, booked) if i in positions else (booked, booked))
    return seq


@pytest.mark.parametrize(("gap", "flagged"), [(3, True), (4, False)])
def test_frequent_soft_miss_window_of_4(gap: int, flagged: bool) -> None:
    # Soft misses (grew by 10, below plan) at quarters 1 and 1 + gap.
    got = run_series(_soft_at({1, 1 + gap}, 2 + gap))
    second = Quarter(2023, 1).shift(1 + gap).label
    assert got[second].verdict is Verdict.SOFT_MISS
    assert (Flag.FREQUENT_SOFT_MISS in _flags(got, second)) is flagged


# Bookings growing exactly 10% a quarter: 1000, 1100, 1210, 1331, 1464.10. Quarters 2..5
# have growth 1100/1000 - 1 = 1210/1100 - 1 = 1331/1210 - 1 = 1464.1/1331 - 1 = 10%.
TEN_PERCENT = [1000, 1100, 1210, 1331, 1464.10]


def test_unrealistic_plan_asks_for_more_growth_than_ever_shown() -> None:
    # Quarter 6 plan 1610.52 asks 1610.52 / 1464.10 - 1 = 10.0007% > best 10%.
    seq = [(b, b) for b in TEN_PERCENT] + [(1610.52, 1500)]
    got = run_series(seq)
    q6 = got["2024-Q2"]
    assert Flag.UNREALISTIC_PLAN in set(q6.flags)
    assert q6.verdict is Verdict.SOFT_MISS  # 1500 > 1464.10
    assert "+10%" in q6.action  # the action quotes what was asked and shown


def test_asking_exactly_the_best_growth_is_realistic() -> None:
    # 1464.10 * 1.1 = 1610.51: exactly the best growth shown, not above it.
    seq = [(b, b) for b in TEN_PERCENT] + [(1610.51, 1500)]
    assert Flag.UNREALISTIC_PLAN not in _flags(run_series(seq), "2024-Q2")


def test_unrealistic_plan_needs_four_earlier_growth_figures() -> None:
    # Only quarters 2..4 have growth (3 figures) before quarter 5.
    seq = [(b, b) for b in TEN_PERCENT[:4]] + [(2000, 1400)]
    assert Flag.UNREALISTIC_PLAN not in _flags(run_series(seq), "2024-Q1")


def test_unrealistic_plan_looks_at_the_best_of_the_trailing_8_quarters() -> None:
    # Quarter 1 grows 50% (1000 -> 1500), then 1% a quarter. At quarter 9 the
    # window of the 8 quarters before (1..8) still holds the 50%: a plan asking 20%
    # is not above it. At quarter 10 the window (2..9) holds only 1%: 20% is flagged.
    booked = [1000.0, 1500.0]
    for _ in range(9):
        booked.append(round(booked[-1] * 1.01, 2))
    seq: list[tuple[float, float]] = [(b, b) for b in booked[:9]]
    seq.append((round(booked[8] * 1.2, 2), booked[8]))  # quarter 9 asks +20%
    got = run_series(seq)
    assert Flag.UNREALISTIC_PLAN not in _flags(got, "2025-Q2")  # quarter 9
    seq[9] = (booked[9], booked[9])
    seq.append((round(booked[9] * 1.2, 2), booked[9]))  # quarter 10 asks +20%
    got = run_series(seq)
    assert Flag.UNREALISTIC_PLAN in _flags(got, "2025-Q3")  # quarter 10


def test_flags_are_listed_in_a_stable_order() -> None:
    got = run_series([(100, 100), (200, 90), (200, 80)])
    assert got["2023-Q3"].flags == (Flag.CONSECUTIVE_HARD_MISS, Flag.REPEATED_HARD_MISS)


def test_every_verdict_has_a_one_line_action() -> None:
    got = run_series([(100, 90), (100, 100), (200, 150), (200, 140), (200, 130), (None, 10)])
    for verdict in got.values():
        assert verdict.action
        assert "\n" not in verdict.action
    assert "help the team" in got["2023-Q3"].action  # soft miss: 150 > 100
    assert "broken" in got["2023-Q4"].action  # first hard miss: 140 <= 150
    assert "radical change" in got["2024-Q1"].action  # second hard miss in a row
    assert "Plan tab" in got["2024-Q2"].action  # no plan


def test_verdicts_and_flags_read_as_the_summary_and_alerts_write_them() -> None:
    # SPEC 3's words, one home for the Summary, the alerts and the sidebar's backend text
    assert [v.text for v in Verdict] == ["Beat", "Soft Miss", "Hard Miss", "No Plan", "No Baseline"]
    assert [f.text for f in Flag] == [
        "Consecutive Hard Miss",
        "Repeated Hard Miss",
        "Frequent Soft Miss",
        "Unrealistic Plan",
        "Data Issues",
    ]
