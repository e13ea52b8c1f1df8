"""The quick versions of the load benchmarks: request counts, not speed (speed is measured
only in bench/, by ``make bench``)."""

from __future__ import annotations

import pytest

from bench import burst, quarter_close, requests_per_classification
from tests.reliability.conftest import FULL, Tally, trials

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


def test_quarter_close_many_sheets_and_many_callers_on_one_sheet_all_succeed(
    tally: Tally, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quarter-close scenario of bench/quarter_close.py, small under make test (8
    sheets, 6 callers on one sheet, Google 100 ms late), full size (100 sheets, 50 callers,
    400 ms) under make bench: every run ends SUCCEEDED, no API call takes longer than the
    25 s Apps Script leaves, at most 3 Google requests per run, userinfo once per caller."""
    sheets, callers, latency = (100, 50, 400) if FULL else (8, 6, 100)
    figures = quarter_close.main(
        ["--sheets", str(sheets), "--callers", str(callers), "--latency-ms", str(latency)]
    )
    out = capsys.readouterr().out
    for name, runs in (("many", sheets), ("one", callers)):
        scenario = figures[name]
        assert scenario["succeeded"] == runs, out
        assert scenario["longest_call_s"] <= quarter_close.LONGEST_CALL, out
        assert scenario["google_per_run"] <= quarter_close.MOST_REQUESTS_PER_RUN, out
        assert scenario["userinfo"] <= runs, out
        tally.count(f"quarter_close_{name}", "tried", runs)
        tally.count(f"quarter_close_{name}", "succeeded", int(scenario["succeeded"]))
        tally.count(f"quarter_close_{name}", "answered_running", int(scenario["answered_running"]))
        tally.count(f"quarter_close_{name}", "google_requests", int(scenario["google_requests"]))
