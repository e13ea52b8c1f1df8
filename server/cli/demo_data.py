"""The demo spreadsheet: a Salesforce-style export of two regions' deals (won, lost and
open, with stages and deal types), a quarterly plan in fiscal labels, a Leads tab with one
row per lead, and the quarter in progress.

Dates are relative to the day the demo is built (``today``, default: the day it runs): the
eight quarters before today's are complete and today's quarter is in progress, so the
demo reads right whatever day it runs. Quarter ``i`` below is the i-th of those eight.
Amounts in thousands of dollars; each quarter's won deals sum exactly to its bookings.
The verdicts, drivers and causes are worked by hand and checked by the tests::

    AMER   plan / booked  won  lost  leads  verdict    why
    0       400 /  410      7    14   150   Beat       (no baseline)
    1       420 /  430      7    14   155   Beat
    2       440 /  425      8    16   165   Hard Miss  smaller deals: average 61.4k -> 53.1k (-14%)
    3       470 /  480      8    16   160   Beat
    4       500 /  495      7    14   136   Soft Miss  fewer leads: 160 -> 136, 0.050 -> 0.051
                                                       won deals per lead (conversion held)
    5-7     520, 550, 580 / 530, 560, 600, 7 deals each: Beat
    now     610 / 720 by the quarter's end, 7 deals

    EMEA   plan / booked  won  lost  win rate  verdict    why
    0       300 /  290      6    12   33%      No Baseline
    1       310 /  315      7    14   33%      Beat
    2       320 /  322      7    14   33%      Beat
    3       330 /  318      7    18   28%      Hard Miss  win rate down 5.3 points
    4       350 /  340      7    16   30%      Soft Miss
    5       360 /  365      7    14   33%      Beat
    6       380 /  350      7    19   27%      Hard Miss  win rate down 6.4 points
    7       400 /  335      7    26   21%      Hard Miss  second in a row; win rate down 5.7
    now     410 / 270 by the quarter's end, 7 deals

EMEA's quarter 7 also asks for 400 / 350 - 1 = 14.3 % growth, more than it ever showed
(best: 315 / 290 - 1 = 8.6 %): an unrealistic plan. Its "#REF!" deal is rejected, so
EMEA's quarter 7 and the total carry DATA_ISSUES; a won deal with the close date "TBD" is
rejected too. Every quarter of a region closes on one back-loaded pattern (the same deal
mix, half of a quarter's bookings in its last third, the first deal on day one), so the
pace of the quarter in progress projects AMER at 720 (on pace to beat 610) and EMEA at
270 (below its plan and below the 335 before it: a third Hard Miss). Won deals dated
after today are still open (pipeline), with four more open deals per region due this
quarter that will slip.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

REGIONS = ("AMER", "EMEA")
PLAN_K = {  # the eight complete quarters, the quarter in progress, the next quarter
    "AMER": [400, 420, 440, 470, 500, 520, 550, 580, 610, 640],
    "EMEA": [300, 310, 320, 330, 350, 360, 380, 400, 410, 420],
}
BOOKED_K = {
    "AMER": [410, 430, 425, 480, 495, 530, 560, 600],
    "EMEA": [290, 315, 322, 318, 340, 365, 350, 335],
}
WON = {"AMER": [7, 7, 8, 8, 7, 7, 7, 7], "EMEA": [6, 7, 7, 7, 7, 7, 7, 7]}
LOST = {"AMER": [14, 14, 16, 16, 14, 14, 14, 14], "EMEA": [12, 14, 14, 18, 16, 14, 19, 26]}
LEADS = {
    "AMER": [150, 155, 165, 160, 136, 160, 170, 180, 185],
    "EMEA": [110, 120, 125, 125, 130, 128, 130, 135, 135],
}
NOW_K = {"AMER": 720, "EMEA": 270}  # what the quarter in progress books by its end
NOW_WON = {"AMER": 7, "EMEA": 7}
NOW_LOST = {"AMER": 14, "EMEA": 28}  # over the whole quarter; those dated by today are lost
CAUSES = {  # (region, quarter index) -> the likely cause of the miss (with the Leads tab)
    ("AMER", 2): "SMALLER_DEALS",
    ("AMER", 4): "FEWER_LEADS",
    ("EMEA", 3): "LOWER_WIN_RATE",
    ("EMEA", 6): "LOWER_WIN_RATE",
    ("EMEA", 7): "LOWER_WIN_RATE",
}
VERDICTS = {  # (region, quarter index) -> verdict
    ("AMER", 2): "HARD_MISS",
    ("AMER", 4): "SOFT_MISS",
    ("AMER", 7): "BEAT",
    ("EMEA", 0): "NO_BASELINE",
    ("EMEA", 3): "HARD_MISS",
    ("EMEA", 4): "SOFT_MISS",
    ("EMEA", 6): "HARD_MISS",
    ("EMEA", 7): "HARD_MISS",
}

OWNERS = {"AMER": ("K. Chen", "M. Ortiz", "J. Walker"), "EMEA": ("P. Dubois", "S. Müller")}
ACCOUNTS = (
    "Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises",
    "Wonka Industries", "Tyrell Corp", "Cyberdyne", "Soylent", "Vandelay Industries", "Aperture",
    "Massive Dynamic", "Oscorp", "Gringotts", "Monarch", "Nakatomi", "Dunder Mifflin", "Pied Piper",
)  # fmt: skip
TYPES = (("New Customer", 6), ("Existing Customer - Upgrade", 3), ("Renewal", 2))
OPEN_STAGES = (
    ("Prospecting", 10), ("Qualification", 20), ("Needs Analysis", 30),
    ("Proposal/Price Quote", 60), ("Negotiation/Review", 80),
)  # fmt: skip
SOURCES = ("Web", "Webinar", "Partner", "Trade Show", "Outbound", "Referral")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted")
BOOKINGS_HEADER = [
    "Opportunity Owner",
    "Account Name",
    "Opportunity Name",
    "Region",
    "Type",
    "Stage",
    "Amount",
    "Probability (%)",
    "Expected Revenue",
    "Close Date",
    "Created Date",
    "Opportunity ID",
]
_EPOCH = date(1899, 12, 30)
BACK_LOADING = 0.7
SLIPPING = 4  # open deals due in the rest of the quarter in progress that will not close


def serial(day: date) -> int:
    """A Sheets date serial number (days since 1899-12-30)."""
    return (day - _EPOCH).days


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def shift(quarter: tuple[int, int], by: int) -> tuple[int, int]:
    index = quarter[0] * 4 + quarter[1] - 1 + by
    return index // 4, index % 4 + 1


def first_day(quarter: tuple[int, int]) -> date:
    return date(quarter[0], 3 * quarter[1] - 2, 1)


def days_in(quarter: tuple[int, int]) -> int:
    return (first_day(shift(quarter, 1)) - first_day(quarter)).days


def label(quarter: tuple[int, int]) -> str:
    """The canonical label, ``2025-Q4``."""
    return f"{quarter[0]}-Q{quarter[1]}"


def fiscal_label(quarter: tuple[int, int]) -> str:
    """As the demo's plan writes it, ``FY25 Q4`` (the fiscal year is the calendar year)."""
    return f"FY{quarter[0] % 100:02d} Q{quarter[1]}"


def quarters(today: date | None = None) -> list[tuple[int, int]]:
    """The eight complete quarters before ``today``'s, oldest first."""
    now = quarter_of(today or date.today())
    return [shift(now, i - 8) for i in range(8)]


def in_progress(today: date | None = None) -> tuple[int, int]:
    return quarter_of(today or date.today())


def expected(today: date | None = None) -> dict[tuple[str, str], str]:
    """(region, quarter label) -> verdict, for the tests."""
    done = quarters(today)
    return {(region, label(done[i])): v for (region, i), v in VERDICTS.items()}


def expected_causes(today: date | None = None) -> dict[tuple[str, str], str]:
    done = quarters(today)
    return {(region, label(done[i])): cause for (region, i), cause in CAUSES.items()}


#: the quarters and verdicts as of the day this module was imported (tests use these)
QUARTERS = quarters()
EXPECTED = expected()
FIRST, LATEST = label(QUARTERS[0]), label(QUARTERS[-1])  # "2024-Q4", "2026-Q3"


def _amounts(total_cents: int, weights: list[float]) -> list[int]:
    """Deal amounts in cents in proportion to ``weights``, summing to ``total_cents``."""
    scale = total_cents / sum(weights)
    cents = [int(w * scale) for w in weights]
    cents[-1] += total_cents - sum(cents)
    return cents


def _close_days(quarter: tuple[int, int], amounts: list[int]) -> list[date]:
    """Back-loaded close dates: a quarter's deals close so that the share of its bookings
    closed by the fraction ``t`` of the quarter is about ``t ** (1 / BACK_LOADING)``
    (a third by its middle, half by two thirds in); the first, small, closes on the first
    day (it slipped from the quarter before). Days are counted on a 90-day quarter, so
    a deal of the mix closes on the same day of every quarter, whatever its length."""
    start, total, done, out = first_day(quarter), sum(amounts), 0, []
    for cents in amounts:
        point = ((done + cents / 2) / total) ** BACK_LOADING if done else 0.0
        done += cents
        out.append(start + timedelta(days=round(point * 89)))
    return out


class _Deals:
    """Bookings rows as a Salesforce "Opportunities" report writes them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[list[Any]] = []
        self.next_id = 1000
        self._mix: dict[tuple[str, int], list[float]] = {}

    def mix(self, region: str, count: int) -> list[float]:
        """A region's deal sizes relative to each other, in closing order, the same every
        quarter it wins ``count`` deals (the smallest first): so its quarters close on one
        pattern, as a team's do, and the pace of the quarter in progress can be read."""
        key = (region, count)
        if key not in self._mix:
            weights = [1 + self.rng.uniform(-0.3, 0.3) for _ in range(count)]
            smallest = weights.index(min(weights))
            weights.insert(0, weights.pop(smallest))
            self._mix[key] = weights
        return self._mix[key]

    def add(self, region: str, stage: str, probability: int, amount: float, close: date) -> None:
        rng = self.rng
        self.next_id += 1
        account = rng.choice(ACCOUNTS)
        kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
        created = close - timedelta(days=rng.randint(25, 120))
        self.rows.append(
            [
                rng.choice(OWNERS[region]),
                account,
                f"{account} - {kind.split(' - ')[-1]}",
                region,
                kind,
                stage,
                amount,
                probability,
                round(amount * probability / 100, 2),
                serial(close),
                serial(created),
                f"006{self.next_id:012d}",
            ]
        )

    def won(self, region: str, quarter: tuple[int, int], total_k: int, count: int) -> None:
        amounts = _amounts(total_k * 100_000, self.mix(region, count))
        for cents, day in zip(amounts, _close_days(quarter, amounts), strict=True):
            self.add(region, "Closed Won", 100, cents / 100, day)

    def lost(self, region: str, quarter: tuple[int, int], count: int, until: date) -> None:
        start, length = first_day(quarter), days_in(quarter)
        for _ in range(count):
            day = start + timedelta(days=self.rng.randint(0, length - 1))
            if day <= until:
                self.add(region, "Closed Lost", 0, self.rng.randint(25, 90) * 1000.0, day)

    def now(self, region: str, quarter: tuple[int, int], today: date) -> None:
        """The quarter in progress: what closes by today is won, the rest still open;
        a few more open deals will slip to the next quarter."""
        amounts = _amounts(NOW_K[region] * 100_000, self.mix(region, NOW_WON[region]))
        for cents, day in zip(amounts, _close_days(quarter, amounts), strict=True):
            if day <= today:
                self.add(region, "Closed Won", 100, cents / 100, day)
            else:
                stage, probability = self.rng.choice(OPEN_STAGES[2:])
                self.add(region, stage, probability, cents / 100, day)
        self.lost(region, quarter, NOW_LOST[region], today)
        last = first_day(shift(quarter, 1)) - timedelta(days=1)
        for _ in range(SLIPPING if today < last else 0):  # open, due this quarter, will slip
            stage, probability = self.rng.choice(OPEN_STAGES)
            day = today + timedelta(days=self.rng.randint(1, (last - today).days))
            self.add(region, stage, probability, self.rng.randint(30, 90) * 1000.0, day)
        for _ in range(3):
            stage, probability = self.rng.choice(OPEN_STAGES)
            later = last + timedelta(days=self.rng.randint(5, 80))
            self.add(region, stage, probability, self.rng.randint(30, 90) * 1000.0, later)


def won_row(opportunity_id: str, region: str, close: date, amount: float) -> list[Any]:
    """One Closed Won deal as the demo's Bookings tab writes it (tests append such rows)."""
    return [
        OWNERS[region][0],
        ACCOUNTS[0],
        f"{ACCOUNTS[0]} - Add-On Business",
        region,
        "Existing Customer - Upgrade",
        "Closed Won",
        amount,
        100,
        amount,
        serial(close),
        serial(close - timedelta(days=30)),
        opportunity_id,
    ]


def plan_tab(today: date | None = None) -> list[list[Any]]:
    done = quarters(today)
    shown = [*done, shift(done[-1], 1), shift(done[-1], 2)]
    header: list[Any] = ["Region", *[fiscal_label(q) for q in shown]]
    title = f"Bookings plan {fiscal_label(shown[0])} to {fiscal_label(shown[-1])} (USD)"
    rows: list[list[Any]] = [[title], [], header]
    for region in REGIONS:
        rows.append([region, *[k * 1000 for k in PLAN_K[region]]])
    totals = [(a + e) * 1000 for a, e in zip(PLAN_K["AMER"], PLAN_K["EMEA"], strict=True)]
    rows.append(["Total", *totals])
    return rows


def bookings_tab(today: date | None = None, seed: int = 2025) -> list[list[Any]]:
    day = today or date.today()
    done = quarters(day)
    deals = _Deals(random.Random(seed))
    for region in REGIONS:
        for i, quarter in enumerate(done):
            deals.won(region, quarter, BOOKED_K[region][i], WON[region][i])
            deals.lost(region, quarter, LOST[region][i], first_day(shift(quarter, 1)))
    for region in REGIONS:  # after the complete quarters, so today changes only this one
        deals.now(region, in_progress(day), day)
    body = deals.rows
    deals.rng.shuffle(body)
    # What real exports look like: a text amount, a broken formula, an unknown date.
    won_at = [i for i, row in enumerate(body) if row[5] == "Closed Won"]
    body[won_at[3]][6] = f"${body[won_at[3]][6]:,.2f}"
    last = done[-1]
    broken = first_day(last) + timedelta(days=50)
    deals.add("EMEA", "Closed Won", 100, 0.0, broken)
    body[-1][6] = "#REF!"
    body[-1][8] = "#REF!"
    deals.add("AMER", "Closed Won", 100, 12_000.0, broken)
    body[-1][3], body[-1][9] = "amer ", "TBD"
    return [["Opportunities: all stages, exported from Salesforce"], BOOKINGS_HEADER, *body]


def leads_tab(today: date | None = None, seed: int = 7) -> list[list[Any]]:
    """One row per lead, with the day it was created."""
    day = today or date.today()
    rng = random.Random(seed)
    rows: list[list[Any]] = [["Lead ID", "Created Date", "Region", "Lead Source", "Lead Status"]]
    number = 0
    for region in REGIONS:
        for quarter, count in zip([*quarters(day), in_progress(day)], LEADS[region], strict=True):
            start, length = first_day(quarter), days_in(quarter)
            for k in range(count):
                created = start + timedelta(days=k * length // count)
                if created > day:
                    break
                number += 1
                status = rng.choice(LEAD_STATUSES)
                rows.append(
                    [f"00Q{number:012d}", serial(created), region, rng.choice(SOURCES), status]
                )
    return rows


def demo_tabs(today: date | None = None) -> dict[str, list[list[Any]]]:
    return {"Plan": plan_tab(today), "Bookings": bookings_tab(today), "Leads": leads_tab(today)}
