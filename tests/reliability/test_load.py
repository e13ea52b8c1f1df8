"""The quick versions of the load benchmarks: request counts, not speed (speed is measured
only in bench/, by ``make bench``)."""

from __future__ import annotations

import pytest

from bench import burst, requests_per_classification
from tests.reliability.conftest import Tally, trials

pytestmark = pytest.mark.e2e


def test_a_quarter_end_burst_costs_at_most_three_google_requests(
    tally: Tally, capsys: pytest.CaptureFixture[str]
) -> None:
    rounds = trials(1, 3)
    figures = burst.main(["--callers", "50", "--rounds", str(rounds)])
    assert figures["max_requests"] <= 3, capsys.readouterr().out
    assert figures["consistent_rounds"] == rounds, "every caller got the same run"
    tally.count("burst", "tried", 50 * rounds)
    tally.count("burst", "rounds", rounds)
    tally.count("burst", "most_google_requests_in_a_round", int(figures["max_requests"]))


def test_a_classification_costs_three_requests_cold_two_warm_against_the_naive_ten(
    capsys: pytest.CaptureFixture[str],
) -> None:
    figures = requests_per_classification.main(["--sheets", "1"])
    out = capsys.readouterr().out
    assert figures["cold"] <= 3, out
    assert figures["warm"] <= 2, out
    assert figures["naive"] >= 9, "the baseline does what gspread's tutorials do"
