"""The example spreadsheet export in examples/ (read with the csv module, all text).

Plan (wide, thousands of USD) and bookings (deal rows summed per quarter, thousands):

    quarter   AMER plan/booked  verdict       EMEA plan/booked  verdict
    2024-Q1     100 / 105       Beat            80 / 82         Beat
    2024-Q2     110 / 112       Beat            85 / 84         Soft (84 > 82)
    2024-Q3     120 / 118       Soft (>112)     90 / 80         Hard (80 <= 84)
    2024-Q4     130 / 135       Beat            95 / 92         Soft (92 > 80)
    2025-Q1     140 / 138       Soft (>135)    100 / 96         Soft (96 > 92)
    2025-Q2     150 / 152       Beat           105 / 90         Hard (90 <= 96), repeated
    2025-Q3     160 / 150       Hard (<=152)   110 / 88         Hard, consecutive
    2025-Q4     170 / 175       Beat           115 / 86         Hard, consecutive

    Total       180 / 187 Beat,  195 / 196 Beat,  210 / 198 Soft, 225 / 227 Beat,
                240 / 234 Soft,  255 / 242 Soft,  270 / 238 Hard, 285 / 261 Soft

Growth of EMEA (bookings / previous - 1): 84/82 2.4%, 80/84 -4.8%, 92/80 15.0%,
96/92 4.3%, 90/96 -6.3%, 88/90 -2.2%. 2025-Q3 asks 110/90 - 1 = 22.2% and 2025-Q4
asks 115/88 - 1 = 30.7%, both above the best 15.0%, with at least 4 earlier growth
figures: unrealistic plans. The total's 2025-Q4 asks 285/238 - 1 = 19.7%, above its best
(2024-Q4: 227/198 - 1 = 14.6%).

Messy cells: a "#REF!" EMEA deal closed 8/29/2025 (EMEA and total 2025-Q3 get
DATA_ISSUES), an AMER deal with close date "TBD" (listed; it cannot be placed in a
quarter, so every AMER quarter, and the total's, may be short: all get DATA_ISSUES), a
deal whose region is spelled "amer ", and Total rows in both tabs.
"""

from __future__ import annotations

import csv
from pathlib import Path

from server.classification import ClassificationResult, Severity, classify
from tests.classification.tabs import by_key, flags, verdicts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

QUARTERS = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
EXPECTED = {
    None: ["BEAT", "BEAT", "SOFT_MISS", "BEAT", "SOFT_MISS", "SOFT_MISS", "HARD_MISS", "SOFT_MISS"],
    "AMER": ["BEAT", "BEAT", "SOFT_MISS", "BEAT", "SOFT_MISS", "BEAT", "HARD_MISS", "BEAT"],
    "EMEA": ["BEAT", "SOFT_MISS", "HARD_MISS", "SOFT_MISS", "SOFT_MISS", "HARD_MISS", "HARD_MISS",
             "HARD_MISS"],
}  # fmt: skip
BOOKED_K = {
    None: [187, 196, 198, 227, 234, 242, 238, 261],
    "AMER": [105, 112, 118, 135, 138, 152, 150, 175],
    "EMEA": [82, 84, 80, 92, 96, 90, 88, 86],
}


def _read(name: str) -> list[list[str]]:
    with (EXAMPLES / name).open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _result() -> ClassificationResult:
    return classify(_read("plan.csv"), _read("bookings.csv"))


def test_example_verdicts_worked_by_hand() -> None:
    result = _result()
    expected = {
        (group, quarter): verdict
        for group, row in EXPECTED.items()
        for quarter, verdict in zip(QUARTERS, row, strict=True)
    }
    assert verdicts(result) == expected
    got = by_key(result)
    for group, row in BOOKED_K.items():
        for quarter, booked in zip(QUARTERS, row, strict=True):
            assert got[group, quarter].bookings == booked * 1000
    assert result.quarters == tuple(QUARTERS)
    assert result.group_columns == ("Region",)


def test_example_flags() -> None:
    result = _result()
    assert "CONSECUTIVE_HARD_MISS" in flags(result, "EMEA", "2025-Q3")
    assert "CONSECUTIVE_HARD_MISS" in flags(result, "EMEA", "2025-Q4")
    assert "CONSECUTIVE_HARD_MISS" not in flags(result, "EMEA", "2025-Q2")
    assert "REPEATED_HARD_MISS" in flags(result, "EMEA", "2025-Q2")  # 2024-Q3 and 2025-Q2
    assert "REPEATED_HARD_MISS" not in flags(result, "AMER", "2025-Q3")  # its only one
    assert "FREQUENT_SOFT_MISS" in flags(result, "AMER", "2025-Q1")  # 2024-Q3 and 2025-Q1
    assert "UNREALISTIC_PLAN" in flags(result, "EMEA", "2025-Q3")
    assert "UNREALISTIC_PLAN" in flags(result, "EMEA", "2025-Q4")
    assert "UNREALISTIC_PLAN" in flags(result, None, "2025-Q4")
    assert "UNREALISTIC_PLAN" not in flags(result, "EMEA", "2025-Q2")  # asks 9.4% < 15%
    assert "DATA_ISSUES" in flags(result, "EMEA", "2025-Q3")
    assert "DATA_ISSUES" in flags(result, None, "2025-Q3")
    assert "DATA_ISSUES" not in flags(result, "EMEA", "2025-Q2")  # #REF! is in Q3 only
    for quarter in QUARTERS:  # the TBD deal may belong to any of AMER's quarters
        assert "DATA_ISSUES" in flags(result, "AMER", quarter)
        assert "DATA_ISSUES" in flags(result, None, quarter)


def test_example_issues() -> None:
    result = _result()
    got = [(i.tab, i.row, i.column, i.value, i.severity) for i in result.issues]
    assert got == [
        ("Plan", 6, "Region", "Total", Severity.INFO),
        ("Bookings", 38, "Amount", "#REF!", Severity.ERROR),
        ("Bookings", 47, "Close Date", "TBD", Severity.ERROR),
        ("Bookings", 48, "Deal ID", "Total", Severity.INFO),
    ]
    assert result.issues[1].message == 'Bookings!D38: "#REF!" is a formula error, row skipped'
