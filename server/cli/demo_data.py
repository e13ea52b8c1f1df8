"""The demo spreadsheet: two regions, eight quarters, deal rows, a few messy cells.

Quarterly bookings (thousands of dollars) were chosen so that the demo shows every kind
of verdict; the verdicts below are worked by hand and checked by the tests::

    quarter   AMER plan/booked  verdict     EMEA plan/booked  verdict
    2024-Q1     400 / 410       Beat          300 / 290       No baseline (first quarter)
    2024-Q2     420 / 430       Beat          310 / 315       Beat
    2024-Q3     440 / 425       Hard Miss     320 / 322       Beat
    2024-Q4     470 / 480       Beat          330 / 318       Hard Miss  (318 < 322)
    2025-Q1     500 / 495       Soft Miss     350 / 340       Soft Miss  (340 > 318)
    2025-Q2     520 / 530       Beat          360 / 365       Beat
    2025-Q3     550 / 560       Beat          380 / 350       Hard Miss  (350 < 365)
    2025-Q4     580 / 600       Beat          400 / 335       Hard Miss, consecutive

EMEA 2025-Q4 also asks for 400 / 350 - 1 = 14.3 % growth, more than its best quarter
(2024-Q2: 315 / 290 - 1 = 8.6 %): an unrealistic plan. Its "#REF!" deal is rejected, so
EMEA 2025-Q4 and the total carry DATA_ISSUES.
"""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any

REGIONS = ("AMER", "EMEA")
QUARTERS = [(2024, q) for q in range(1, 5)] + [(2025, q) for q in range(1, 5)]
PLAN_K = {
    "AMER": [400, 420, 440, 470, 500, 520, 550, 580],
    "EMEA": [300, 310, 320, 330, 350, 360, 380, 400],
}
BOOKED_K = {
    "AMER": [410, 430, 425, 480, 495, 530, 560, 600],
    "EMEA": [290, 315, 322, 318, 340, 365, 350, 335],
}
EXPECTED = {  # (group, quarter) -> verdict, for the tests
    ("AMER", "2024-Q3"): "HARD_MISS",
    ("AMER", "2025-Q1"): "SOFT_MISS",
    ("AMER", "2025-Q4"): "BEAT",
    ("EMEA", "2024-Q1"): "NO_BASELINE",
    ("EMEA", "2024-Q4"): "HARD_MISS",
    ("EMEA", "2025-Q1"): "SOFT_MISS",
    ("EMEA", "2025-Q3"): "HARD_MISS",
    ("EMEA", "2025-Q4"): "HARD_MISS",
}
_EPOCH = date(1899, 12, 30)


def serial(day: date) -> int:
    """A Sheets date serial number (days since 1899-12-30)."""
    return (day - _EPOCH).days


def _split(total_cents: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.sample(range(1, total_cents), parts - 1))
    edges = [0, *cuts, total_cents]
    return [b - a for a, b in itertools.pairwise(edges)]


def plan_tab() -> list[list[Any]]:
    header: list[Any] = ["Region", *[f"Q{q} {y}" for y, q in QUARTERS]]
    rows: list[list[Any]] = [["FY2024–FY2025 bookings plan (USD)"], [], header]
    for region in REGIONS:
        rows.append([region, *[k * 1000 for k in PLAN_K[region]]])
    rows.append(
        ["Total", *[(a + e) * 1000 for a, e in zip(PLAN_K["AMER"], PLAN_K["EMEA"], strict=True)]]
    )
    return rows


def bookings_tab(seed: int = 2025) -> list[list[Any]]:
    rng = random.Random(seed)
    rows: list[list[Any]] = [
        ["Closed-won deals, exported from the CRM"],
        ["Deal", "Region", "Close Date", "Amount"],
    ]
    deal = 1000
    for region in REGIONS:
        for (year, q), booked in zip(QUARTERS, BOOKED_K[region], strict=True):
            first_month = 3 * (q - 1) + 1
            for cents in _split(booked * 100_000, rng.randint(6, 12), rng):
                deal += 1
                day = date(year, first_month + rng.randint(0, 2), rng.randint(1, 28))
                rows.append([f"D-{deal}", region, serial(day), cents / 100])
    body = rows[2:]
    rng.shuffle(body)
    rows[2:] = body
    # What real exports look like: text amounts, a broken formula, an unknown date.
    rows[5][3] = f"${rows[5][3]:,.2f}"
    rows.append(["D-9001", "EMEA", serial(date(2025, 11, 20)), "#REF!"])
    rows.append(["D-9002", "amer ", "TBD", 12000])
    return rows


def demo_tabs() -> dict[str, list[list[Any]]]:
    return {"Plan": plan_tab(), "Bookings": bookings_tab()}
