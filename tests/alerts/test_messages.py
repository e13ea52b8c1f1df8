"""The text of an alert: what changed, where, with a link; short, and safe in both chats."""

from __future__ import annotations

import pytest

from server.alerts import AlertOn, Flavour, RunReport, compose, findings, sheet_link
from server.alerts.messages import MAX_LINES, MAX_TEXT
from server.classification.model import Flag, QuarterVerdict, Verdict
from tests.alerts.conftest import qv

B, S, H = Verdict.BEAT, Verdict.SOFT_MISS, Verdict.HARD_MISS
SHEET = "1AbCdEfGhIjKlMnOp"


def text(
    current: list[QuarterVerdict],
    previous: list[QuarterVerdict] | None,
    events: set[AlertOn],
    flavour: Flavour = Flavour.SLACK,
    *,
    title: str | None = None,
    label: str = "",
    currency: str | None = None,
) -> str:
    report = RunReport(
        SHEET,
        "2025-Q4",
        verdicts=tuple(current),
        previous=None if previous is None else tuple(previous),
        title=title,
        label=label,
        currency=currency,
    )
    return compose(report, events, findings(report), flavour)


def test_a_new_hard_miss_names_sheet_quarter_group_figures_and_link() -> None:
    message = text(
        [qv(None, S, bookings=190_000), qv("EMEA", H)],
        [qv(None, S, bookings=190_000), qv("EMEA", S)],
        {AlertOn.NEW_HARD_MISS},
        title="Q4 Plan",
        label="FY26 Q4",
    )
    assert message.splitlines() == [
        "*Q4 Plan* · FY26 Q4 (2025-Q4)",
        "🔴 EMEA turned *Hard Miss* (was Soft Miss) — 71% of plan, $58k short",
        f"https://docs.google.com/spreadsheets/d/{SHEET}/edit",
    ]
    assert sheet_link(SHEET) in message


def test_the_total_a_first_verdict_an_older_quarter_and_currency() -> None:
    message = text(
        [qv(None, H), qv("EMEA", H, "2025-Q3"), qv("EMEA", H, plan=100, bookings=120)],
        [qv(None, B), qv("EMEA", S, "2025-Q3")],
        {AlertOn.NEW_HARD_MISS},
        currency="EUR",
    )
    lines = message.splitlines()
    assert lines[0] == f"*Spreadsheet {SHEET[:12]}…* · 2025-Q4"
    assert lines[1] == "🔴 Total turned *Hard Miss* (was Beat) — 71% of plan, €58k short"
    assert (
        lines[2] == "🔴 EMEA 2025-Q3 turned *Hard Miss* (was Soft Miss) — 71% of plan, €58k short"
    )
    assert lines[3] == "🔴 EMEA is *Hard Miss* — 120% of plan, €20 over"


def test_flags_raised_are_listed_per_group_and_quarter() -> None:
    flags = (Flag.CONSECUTIVE_HARD_MISS, Flag.REPEATED_HARD_MISS)
    message = text([qv("AMER", H, flags=flags)], [qv("AMER", H)], {AlertOn.FLAG_RAISED})
    assert "🚩 AMER: *Consecutive Hard Miss*, *Repeated Hard Miss* raised" in message
    assert "turned" not in message


def test_every_run_lists_every_change_or_says_none_and_where_the_total_stands() -> None:
    moved = text(
        [qv(None, B, bookings=260_000), qv("EMEA", S)],
        [qv(None, B), qv("EMEA", H)],
        {AlertOn.EVERY_RUN},
    )
    assert "EMEA turned *Soft Miss* (was Hard Miss) — 71% of plan, $58k short" in moved
    assert "🔴" not in moved
    still = text(
        [qv(None, B, bookings=260_000)], [qv(None, B, bookings=250_000)], {AlertOn.EVERY_RUN}
    )
    assert "No verdict changed. Total: *Beat* — 130% of plan, $60k over" in still


def test_a_failed_run_says_so_with_its_error() -> None:
    report = RunReport(
        SHEET, "2025-Q4", error="UPSTREAM_UNAVAILABLE: Google\ndid not answer", title="Plan"
    )
    message = compose(report, {AlertOn.RUN_FAILED}, findings(report), Flavour.SLACK)
    assert message.splitlines() == [
        "⚠️ *Plan* · 2025-Q4: the run failed",
        "Error: UPSTREAM_UNAVAILABLE: Google did not answer",
        sheet_link(SHEET),
    ]


def test_long_lists_are_capped_with_a_count_of_the_rest() -> None:
    groups = [f"Team {n:02}" for n in range(15)]
    message = text([qv(g, H) for g in groups], [qv(g, S) for g in groups], {AlertOn.NEW_HARD_MISS})
    lines = message.splitlines()
    assert len(lines) == 1 + MAX_LINES + 1
    assert lines[-2] == f"… and {15 - MAX_LINES + 1} more"
    assert "Team 06" in message
    assert "Team 07" not in message


def test_the_text_stays_short_and_keeps_its_link_whatever_the_sheet_holds() -> None:
    long_name = "Very long team name " * 40
    error = "x" * 10_000
    message = text([qv(long_name + str(n), H) for n in range(30)], None, {AlertOn.NEW_HARD_MISS})
    assert len(message) <= MAX_TEXT
    assert message.endswith(sheet_link(SHEET))
    assert max(len(line) for line in message.splitlines()) < 150
    report = RunReport(SHEET, "2025-Q4", error=error, title="t" * 500)
    failed = compose(report, {AlertOn.RUN_FAILED}, findings(report), Flavour.SLACK)
    assert len(failed) < 500
    assert failed.endswith(sheet_link(SHEET))


@pytest.mark.parametrize(
    ("flavour", "shown", "absent"),
    [
        (Flavour.SLACK, "&lt;!channel&gt; R&amp;D", ["<!channel>", "R&D"]),
        (Flavour.GOOGLE_CHAT, "‹users/all› R&D", ["<users/all>", "<"]),
    ],
)
def test_text_from_the_sheet_cannot_ping_a_channel(
    flavour: Flavour, shown: str, absent: list[str]
) -> None:
    name = "<!channel> R&D" if flavour is Flavour.SLACK else "<users/all> R&D"
    message = text([qv(name, H)], [qv(name, S)], {AlertOn.NEW_HARD_MISS}, flavour, title="A\x00B")
    assert f"🔴 {shown} turned *Hard Miss*" in message
    for bad in absent:
        assert bad not in message
    assert "\x00" not in message
    assert message.startswith("*A B*")
