"""How a tab was read, for the run's ``inputs`` and the Summary's "How this was read".

Every choice the reader made is here: the header row, the layout, each column's role
and why, rows counted and left out by reason, the control total (so it ties out to
the CRM report), the unit and the currency, and the assumptions (date order…).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.classification.dates import DAY_FIRST
from server.classification.layout import Column, Kind, Layout
from server.classification.model import ColumnUse, LeftOut, TabReading, round_cents
from server.classification.reading import Facts
from server.classification.statuses import Status


def reading(
    layout: Layout,
    facts: Facts,
    *,
    currency: str | None,
    notes: Sequence[str] = (),
    groups: Sequence[Column] = (),
) -> TabReading:
    """The :class:`TabReading` of one tab."""
    uses = [(u.column, u.role, u.note) for u in layout.uses]
    uses += [(c, "group", "the groups judged") for c in groups]
    columns = tuple(
        ColumnUse(column.letter, column.header, role, note)
        for column, role, note in sorted(uses, key=lambda u: u[0].index)
    )
    left_out = [LeftOut(reason, rows) for reason, rows in facts.left_out.items() if rows]
    for (status, text), rows in sorted(facts.status_rows.items()):
        if status != Status.WON:
            left_out.append(LeftOut(f"{Status(status).name.lower()}: {text}", rows))
    left_out = [lo for lo in left_out if not lo.reason.endswith(" deals")]
    said = list(notes)
    if layout.unit != 1:
        said.append(f"amounts in units of {layout.unit:,} ({layout.unit_source})")
    if facts.date_order is not None:
        order, how = facts.date_order
        if how == "mixed":
            said.append("text dates are both day-first and month-first: ambiguous ones refused")
        else:
            first = "day first (31/03/2025)" if order == DAY_FIRST else "month first (3/31/2025)"
            why = {
                "proved": "a date in the column proves it",
                "option": "the dateOrder option",
                "locale": "the spreadsheet's locale (nothing in the column proves it)",
            }[how]
            said.append(f"text dates read {first}: {why}")
    if facts.filled_down:
        said.append(f"{facts.filled_down} blank repeated labels filled down (a pivot layout)")
    if layout.line_items:
        said.append("a line-item report: each opportunity counted once")
    rows_skipped = sum(lo.rows for lo in left_out)
    return TabReading(
        tab=layout.tab,
        header_row=layout.header_row + 1,
        layout=layout.kind.value,
        columns=columns,
        rows_counted=facts.rows_counted,
        rows_skipped=rows_skipped,
        total=round_cents(facts.total() * layout.unit),
        unit=float(layout.unit),
        currency=currency,
        left_out=tuple(left_out),
        notes=tuple(said),
    )


def is_deals(layout: Layout) -> bool:
    return layout.kind is Kind.DEALS
