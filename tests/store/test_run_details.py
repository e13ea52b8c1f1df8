"""What a run showed besides its figures reads back exactly, from every store: asOf, the
reporting currency, the quarter in progress, pace, how each tab was read, fiscal labels,
and per verdict its gap, label, drivers and in-progress mark. Runs stored before these
existed (revision 0001) still read, with the fields' defaults."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text

from server.classification import classify
from server.classification.model import (
    Cause,
    ColumnUse,
    Drivers,
    LeftOut,
    Pace,
    TabReading,
    Verdict,
)
from server.store.engines import make_engine
from server.store.migrate import alembic_config, upgrade
from server.store.port import RunRecord
from server.store.sql import SqlRunStore
from server.store.urls import parse_database_url
from tests.corpus.load import CASES, load_case
from tests.store.conftest import SQL, MakeStore
from tests.store.runs import T0, run, verdict

DRIVERS = Drivers(
    deals=11,
    average_deal=23_456.789,  # not cents: drivers are kept as the values they are
    lost_deals=35,
    win_rate=11 / 46,
    new_business=150_000.5,
    expansion=98_000.0,
    renewal=None,
    leads=None,
    bookings_per_lead=None,
    deals_per_lead=None,
    count_effect=-61_000.25,
    size_effect=19_500.0,
    cause=Cause.LOWER_WIN_RATE,
    explanation="11 deals (−21%), average $23k (+9%), win rate 24% (−7 pts)",
)
PACE = (
    Pace(None, "2026-Q1", "2026-02-10", 0.4556, 120_000.0, 310_000.5, 400_000.0, 90_000.0,
         0.525, Verdict.SOFT_MISS, "history: median of 4 quarters", "FY26 Q1"),
    Pace("EMEA", "2026-Q1", "2026-02-10", 0.4556, 0, 0, None, None, None, None, "elapsed share"),
)  # fmt: skip
INPUTS = (
    TabReading(
        tab="Bookings",
        header_row=3,
        layout="DEALS",
        columns=(
            ColumnUse("A", "Opportunity ID", "id", "a row repeated … counts once"),
            ColumnUse("D", "Close Date", "date", None),
            ColumnUse("F", "Amount (converted)", "amount", "amounts converted to one currency"),
        ),
        rows_counted=1_234,
        rows_skipped=17,
        total=9_876_543.21,
        unit=1000.0,
        currency="EUR",
        left_out=(LeftOut("lost: Closed Lost", 12), LeftOut("formula errors", 5)),
        notes=("text dates read day first (31/03/2025): the spreadsheet's locale",),
    ),
    TabReading("Plan", 1, "WIDE", (), 4, 0, 0.0, 1.0, None),
)


def detailed(run_id: str) -> RunRecord:
    plain = run(run_id)
    return dataclasses.replace(
        plain,
        verdicts=(
            dataclasses.replace(
                verdict(None, "2025-Q4"), gap=-100.0, label="FY26 Q4", drivers=DRIVERS
            ),
            dataclasses.replace(verdict("AMER", "2026-Q1"), gap=None, in_progress=True),
        ),
        as_of=date(2026, 2, 10),
        currency="EUR",
        in_quarter=True,
        pace=PACE,
        inputs=INPUTS,
        labels={"2025-Q4": "FY26 Q4", "2026-Q1": "FY26 Q1"},
    )


def test_every_detail_reads_back_equal(make_store: MakeStore) -> None:
    stored = detailed("run-1")
    make_store().add(stored)
    for store in (make_store(), make_store()):  # the writer, and another instance
        got = store.get("run-1")
        assert got == stored
        assert got is not None
        assert got.verdicts[0].drivers == DRIVERS
        assert got.verdicts[0].drivers is not None
        assert got.verdicts[0].drivers.cause is Cause.LOWER_WIN_RATE
        assert got.pace[0].outlook is Verdict.SOFT_MISS
        assert got.pace[1].outlook is None
        assert got.inputs[0].columns[2].header == "Amount (converted)"
        assert got.inputs[0].left_out == INPUTS[0].left_out
        assert got.quarter_label == "FY26 Q4"


def test_the_gap_is_kept_at_cents_like_the_other_amounts(make_store: MakeStore) -> None:
    stored = dataclasses.replace(
        run("run-1"), verdicts=(dataclasses.replace(verdict(), gap=-100.005),)
    )
    make_store().add(stored)
    got = make_store().get("run-1")
    assert got is not None
    assert got.verdicts[0].gap == -100.0  # half-even at the cent, as the domain rounds


def test_a_real_classification_reads_back_equal(make_store: MakeStore) -> None:
    """Every value the domain produces for a CRM export with Leads and an open quarter."""
    case = load_case(CASES / "hubspot-deals-export-company-currency.json")
    tabs = {name: [list(r) for r in rows] for name, rows in case.tabs.items()}
    result = classify(tabs["Plan"], tabs["Bookings"], case.options, leads_values=tabs["Leads"])
    assert result.pace
    assert result.inputs
    assert result.labels
    assert any(v.drivers is not None and v.drivers.cause for v in result.verdicts)
    stored = RunRecord(
        id="real",
        spreadsheet_id="sheet-1",
        quarter="2025-Q3",
        classified_at=T0,
        summary_tab="Summary",
        options=result.options,
        verdicts=result.verdicts,
        issues=result.issues,
        as_of=result.as_of,
        currency=result.currency,
        in_quarter=False,
        pace=result.pace,
        inputs=result.inputs,
        labels=result.labels,
    )
    make_store().add(stored)
    got = make_store().get("real")
    assert got is not None
    assert got.verdicts == tuple(
        dataclasses.replace(v, gap=None if v.gap is None else round(v.gap, 2))
        for v in result.verdicts
    )
    assert (got.pace, got.inputs, got.labels) == (result.pace, result.inputs, result.labels)


@pytest.mark.parametrize("database_url", SQL, indirect=True)
def test_a_run_stored_before_the_details_reads_with_their_defaults(database_url: str) -> None:
    db = parse_database_url(database_url)
    engine = make_engine(db)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0001")
            connection.execute(
                text(
                    "INSERT INTO runs (id, spreadsheet_id, quarter, classified_at, summary_tab,"
                    " options, caller) VALUES ('old', 'sheet-1', '2025-Q4', :at, 'Summary',"
                    " '{}', NULL)"
                ),
                {"at": T0.replace(tzinfo=None) if db.kind == "sqlite" else T0},
            )
            connection.execute(
                text(
                    "INSERT INTO verdicts (run_id, position, group_name, quarter, plan,"
                    " bookings, baseline, attainment, growth, verdict, flags, action) VALUES"
                    " ('old', 0, NULL, '2025-Q4', 1000, 900, 800, 0.9, 0.125, 'SOFT_MISS',"
                    " '', 'Help the team.')"
                )
            )
    finally:
        engine.dispose()
    upgrade(database_url)
    store = SqlRunStore(database_url)
    try:
        old = store.get("old")
    finally:
        store.close()
    assert old is not None
    assert (old.as_of, old.currency, old.in_quarter) == (None, None, False)
    assert (old.pace, old.inputs, dict(old.labels)) == ((), (), {})
    (only,) = old.verdicts
    assert (only.gap, only.label, only.drivers, only.in_progress) == (None, "", None, False)
    assert only.bookings == 900.0
    assert old.quarter_label == "2025-Q4"
