"""An alert's text: one short chat message per run, for Slack and Google Chat alike.

Both take ``POST {"text": …}`` and both render ``*bold*``, ``_italic_`` and bare links, so
one text serves both; only escaping differs (:class:`~server.alerts.urls.Flavour`). Slack
reads ``&``, ``<`` and ``>`` as markup (``<!channel>`` pings everyone), so they are
escaped as Slack asks (``&amp;`` ``&lt;`` ``&gt;``); Google Chat shows entities as they
are but reads ``<users/all>`` as a mention, so there ``<`` and ``>`` become ``‹ ›``. Text
from the sheet (group names, the title) or an error is also stripped of control
characters and shortened, so a sheet cannot ping a channel or flood it.

::

    *Q4 Plan* · FY26 Q4 (2026-Q4)
    🔴 EMEA turned *Hard Miss* (was Soft Miss) — 71% of plan, $58k short
    🚩 AMER: *Consecutive Hard Miss* raised
    … and 7 more
    https://docs.google.com/spreadsheets/d/1AbC…/edit
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from server.alerts.events import Findings
from server.alerts.model import AlertOn, FlagRaised, RunReport, VerdictChange
from server.alerts.urls import Flavour
from server.classification.model import QuarterVerdict, Verdict
from server.classification.money import money
from server.classification.values import fold

MAX_LINES = 8  # changes listed before "… and N more"
MAX_TEXT = 3000  # characters; Slack truncates at 40,000 and advises under 4,000
MAX_NAME = 60  # characters of a group name or title
MAX_ERROR = 300  # characters of a failed run's error
SHEET_URL = "https://docs.google.com/spreadsheets/d/{}/edit"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Alert:
    """One message to post for one run: its text and the events that fired it."""

    spreadsheet_id: str
    run_id: str | None
    events: frozenset[AlertOn]
    text: str

    def body(self) -> dict[str, str]:
        """The JSON body both Slack and Google Chat incoming webhooks take."""
        return {"text": self.text}


def sheet_link(spreadsheet_id: str) -> str:
    return SHEET_URL.format(spreadsheet_id)


def compose(
    report: RunReport, events: Collection[AlertOn], found: Findings, flavour: Flavour
) -> str:
    """The text of the alert for ``report`` (see the module docstring)."""
    esc = _Escaper(flavour)
    head = f"*{esc(_title(report))}* · {esc(_quarter(report))}"
    if found.failed:
        error = _plain(report.error or "no reason recorded", MAX_ERROR)
        lines = [f"⚠️ {head}: the run failed", f"Error: {esc(error)}"]
    else:
        lines = [head, *_change_lines(report, events, found, esc)]
    body = "\n".join(lines)
    link = sheet_link(report.spreadsheet_id)
    room = MAX_TEXT - len(link) - 1
    if len(body) > room:
        body = body[: room - 1].rstrip() + "…"
    return f"{body}\n{link}"


def _change_lines(
    report: RunReport, events: Collection[AlertOn], found: Findings, esc: _Escaper
) -> list[str]:
    by_key = {(_fold(v.group), v.quarter): v for v in report.verdicts}
    lines: list[str] = []
    changes: list[VerdictChange] = []
    if AlertOn.NEW_HARD_MISS in events:
        changes += found.new_hard_misses
    if AlertOn.EVERY_RUN in events:
        changes += [c for c in found.changes if c not in changes]
    for change in changes:
        verdict = by_key.get((_fold(change.group), change.quarter))
        lines.append(_change_line(change, verdict, report, esc))
    if AlertOn.FLAG_RAISED in events:
        lines += [_flag_line(r, report, esc) for r in found.raised]
    if not lines:
        total = by_key.get((None, report.quarter))
        lines.append("No verdict changed." + (f" {_standing(total, report, esc)}" if total else ""))
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], f"… and {len(lines) - MAX_LINES + 1} more"]
    return lines


def _change_line(
    change: VerdictChange, verdict: QuarterVerdict | None, report: RunReport, esc: _Escaper
) -> str:
    who = _who(change.group, change.quarter, report, esc)
    after = change.after.text
    mark = "🔴 " if change.after is Verdict.HARD_MISS else ""
    if change.before is None:
        text = f"{mark}{who} is *{after}*"
    else:
        text = f"{mark}{who} turned *{after}* (was {change.before.text})"
    figures = _figures(verdict, report) if verdict is not None else ""
    return f"{text}{figures}"


def _flag_line(raised: FlagRaised, report: RunReport, esc: _Escaper) -> str:
    names = ", ".join(f"*{f.text}*" for f in raised.flags)
    return f"🚩 {_who(raised.group, raised.quarter, report, esc)}: {names} raised"


def _standing(total: QuarterVerdict, report: RunReport, esc: _Escaper) -> str:
    return f"{esc('Total')}: *{total.verdict.text}*{_figures(total, report)}"


def _figures(verdict: QuarterVerdict, report: RunReport) -> str:
    """`` — 71% of plan, $58k short``; empty without a plan."""
    if verdict.plan is None or verdict.attainment is None:
        return ""
    gap = verdict.gap
    if gap is None and verdict.bookings is not None:
        gap = verdict.bookings - verdict.plan
    text = f" — {verdict.attainment:.0%} of plan"
    if gap is not None and round(gap) != 0:
        amount = money(abs(gap), report.currency)
        text += f", {amount} short" if gap < 0 else f", {amount} over"
    return text


def _who(group: str | None, quarter: str, report: RunReport, esc: _Escaper) -> str:
    name = "Total" if group is None else _plain(group, MAX_NAME)
    return esc(name if quarter == report.quarter else f"{name} {quarter}")


def _title(report: RunReport) -> str:
    if report.title and report.title.strip():
        return _plain(report.title, MAX_NAME)
    return f"Spreadsheet {report.spreadsheet_id[:12]}…"


def _quarter(report: RunReport) -> str:
    label = _plain(report.label, 30) if report.label else ""
    if label and label != report.quarter:
        return f"{label} ({report.quarter})"
    return report.quarter


def _fold(group: str | None) -> str | None:
    return None if group is None else fold(group)


def _plain(text: str, limit: int) -> str:
    """``text`` on one line, without control characters, at most ``limit`` characters."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class _Escaper:
    """Escapes text from the sheet for one flavour (see the module docstring)."""

    def __init__(self, flavour: Flavour) -> None:
        self.flavour = flavour

    def __call__(self, text: str) -> str:
        if self.flavour is Flavour.GOOGLE_CHAT:
            return text.replace("<", "‹").replace(">", "›")
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
