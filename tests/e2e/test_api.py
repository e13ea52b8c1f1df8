"""End to end over HTTP: the emulator and the server as real processes, gspread filling
the sheet, GraphQL classifying and querying, the Summary read back."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from gspread.utils import ValueRenderOption

from server.api import documents
from server.cli import demo_data
from server.cli.demo_data import EXPECTED, FIRST, LATEST, QUARTERS, fiscal_label, in_progress, label
from sheets_adapter.render import OTHER_VERDICT, VERDICT_COLOURS
from tests.support.backend import (
    OTHER,
    OWNER,
    Stack,
    backend,
    demo_tabs,
    error_code,
    gspread_client,
    seed,
)

pytestmark = pytest.mark.e2e

SUMMARY_HEADER = [
    "Group",
    "Quarter",
    "Label",  # the demo's plan writes FY25 Q1
    "Plan",
    "Bookings",
    "Gap",
    "Attainment",
    "Growth",
    "Verdict",
    "Flags",
    "Why",
    "Recommended action",
    "Notes",
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with backend(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="module")
def classified(stack: Stack) -> tuple[str, dict[str, Any]]:
    # the whole demo spreadsheet, as `make demo` makes it: Plan, Bookings and Leads
    sheet = seed(stack.emulator.url, demo_data.demo_tabs())
    answer = stack.answer(documents.CLASSIFY, {"spreadsheetId": sheet})
    assert not answer.get("errors"), answer
    return sheet, answer["data"]["classifyQuarter"]


def test_health_graphiql_and_request_ids(stack: Stack) -> None:
    assert httpx.get(f"{stack.api.url}/healthz", timeout=5).status_code == 200
    page = httpx.get(stack.graphql, headers={"Accept": "text/html"}, timeout=5)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    echoed = httpx.post(
        stack.graphql,
        json={"query": "{ __typename }"},
        headers={"X-Request-ID": "quarter-end-42"},
        timeout=5,
    )
    assert echoed.headers["x-request-id"] == "quarter-end-42"
    assert (
        len(httpx.post(stack.graphql, json={"query": "{ __typename }"}).headers["x-request-id"]) > 8
    )


def test_classify_answers_every_group_total_first(classified: tuple[str, dict[str, Any]]) -> None:
    sheet, run = classified
    assert run["spreadsheetId"] == sheet
    assert run["quarter"] == LATEST
    assert [v["group"] for v in run["current"]] == [None, "AMER", "EMEA"]
    by_key = {(v["group"], v["quarter"]): v for v in run["verdicts"]}
    for key, verdict in EXPECTED.items():
        assert by_key[key]["verdict"] == verdict, key
    emea = by_key[("EMEA", LATEST)]
    assert {"CONSECUTIVE_HARD_MISS", "UNREALISTIC_PLAN", "DATA_ISSUES"} <= set(emea["flags"])
    # Hand-worked (server/cli/demo_data.py): 335,000 booked of a 400,000 plan; baseline 350,000.
    assert emea["plan"] == 400_000
    assert emea["bookings"] == 335_000
    assert emea["baseline"] == 350_000
    assert emea["attainment"] == pytest.approx(335 / 400)
    assert emea["growth"] == pytest.approx(335 / 350 - 1)
    messages = [i["message"] for i in run["issues"]]
    assert any("#REF!" in m and m.startswith("Bookings!") for m in messages)
    assert any('"TBD"' in m for m in messages)


def test_the_summary_tab_holds_the_run(
    stack: Stack, classified: tuple[str, dict[str, Any]]
) -> None:
    sheet, run = classified
    book = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet)
    rows = book.worksheet("Summary").get_all_values()
    # The demo's quarter in progress comes first: "This quarter so far", then the table.
    now = in_progress()
    assert rows[0][0].startswith(f"This quarter so far: {label(now)} ({fiscal_label(now)})")
    pace = {r[0]: r for r in rows[2:5]}
    assert list(pace) == ["Total", "AMER", "EMEA"]
    top = next(i for i, r in enumerate(rows) if r[:2] == ["Group", "Quarter"])
    assert rows[top][: len(SUMMARY_HEADER)] == SUMMARY_HEADER
    column = {name: i for i, name in enumerate(SUMMARY_HEADER)}
    assert pace["AMER"][column["Plan"]] == f"${demo_data.PLAN_K['AMER'][8] * 1000:,.2f}"
    table = rows[top + 1 : top + 1 + len(run["verdicts"])]
    assert [r[0] for r in table[:8]] == ["Total"] * 8
    assert [r[1] for r in table[:8]] == [label(q) for q in QUARTERS]
    assert [r[2] for r in table[:8]] == [fiscal_label(q) for q in QUARTERS]
    emea_q4 = next(r for r in table if r[0] == "EMEA" and r[1] == LATEST)
    assert emea_q4[column["Verdict"]] == "Hard Miss"
    assert emea_q4[column["Plan"]] == "$400,000.00"
    assert emea_q4[column["Gap"]] == "-$65,000.00"
    assert "win rate 21% (−6 pts)" in emea_q4[column["Why"]]
    # The input tabs are untouched.
    plan = book.worksheet("Plan").get_all_values(value_render_option=ValueRenderOption.unformatted)
    assert plan[3][0] == "AMER"
    assert plan[3][1] == 400_000


@dataclass(frozen=True)
class StoredSummary:
    """The demo's Summary as the emulator stores it, read back through the Sheets API."""

    rows: list[list[str]]  # as Sheets shows them
    grid: list[list[dict[str, Any]]]  # CellData: userEnteredValue, userEnteredFormat
    tab: dict[str, Any]  # the Sheet resource: properties and charts
    top: int  # the table's header row

    def cell(self, row: int, name: str) -> dict[str, Any]:
        return self.grid[row][SUMMARY_HEADER.index(name)]

    def number(self, row: int, name: str) -> float:
        value: float = self.cell(row, name)["userEnteredValue"]["numberValue"]
        return value

    def format(self, row: int, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.cell(row, name)["userEnteredFormat"]["numberFormat"]
        return found

    def fill(self, row: int, name: str) -> dict[str, float]:
        found: dict[str, float] = self.cell(row, name)["userEnteredFormat"]["backgroundColor"]
        return found


DOLLARS = {"type": "CURRENCY", "pattern": '"$"#,##0.00'}  # the demo's currency is USD
PERCENT = {"type": "PERCENT", "pattern": "0.0%"}


@pytest.fixture(scope="module")
def stored(stack: Stack, classified: tuple[str, dict[str, Any]]) -> StoredSummary:
    sheet, _ = classified
    book = gspread_client(stack.emulator.url, OWNER).open_by_key(sheet)
    rows = book.worksheet("Summary").get_all_values()
    top = next(i for i, r in enumerate(rows) if r[:2] == ["Group", "Quarter"])
    answer = book.client.spreadsheets_get(
        sheet, params={"ranges": f"'Summary'!A1:M{len(rows)}", "includeGridData": "true"}
    )
    (tab,) = answer["sheets"]
    grid = [r.get("values", []) for r in tab["data"][0]["rowData"]]
    assert len(grid) == len(rows)
    return StoredSummary(rows, grid, tab, top)


def test_the_stored_pace_block_holds_the_runs_pace(
    stored: StoredSummary, classified: tuple[str, dict[str, Any]]
) -> None:
    _, run = classified
    assert run["currency"] == "USD"
    assert stored.grid[0][0]["userEnteredFormat"]["textFormat"] == {"bold": True, "fontSize": 12}
    assert [p["group"] for p in run["pace"]] == [None, "AMER", "EMEA"]
    for at, p in enumerate(run["pace"], start=2):  # under the title and the block's header
        assert stored.rows[at][0] == (p["group"] or "Total")
        # each figure sits under the table column of its kind (summary_blocks.PACE_COLUMNS)
        placed = {
            "Quarter": ("elapsed", PERCENT),
            "Plan": ("plan", DOLLARS),
            "Bookings": ("booked", DOLLARS),
            "Gap": ("projected", DOLLARS),
            "Attainment": ("pipeline", DOLLARS),
            "Growth": ("coverage", PERCENT),
        }
        for name, (field, number_format) in placed.items():
            assert stored.number(at, name) == pytest.approx(p[field]), (name, p["group"])
            assert stored.format(at, name) == number_format, (name, p["group"])
    # hand-worked in server/cli/demo_data.py: AMER on pace to beat, EMEA to a third Hard Miss
    outlooks = {stored.rows[at][0]: at for at in (3, 4)}
    for group, shown, key in (("AMER", "Beat", "beat"), ("EMEA", "Hard Miss", "hardmiss")):
        at = outlooks[group]
        assert stored.cell(at, "Verdict")["userEnteredValue"] == {"stringValue": shown}
        # Sheets keeps colours to 8 bits a channel (1/255 apart)
        assert stored.fill(at, "Verdict") == pytest.approx(VERDICT_COLOURS[key][0], abs=0.004)
    frozen = stored.tab["properties"]["gridProperties"]["frozenRowCount"]
    assert frozen == stored.top + 1  # the pace block and the table's header


def test_the_stored_table_is_the_runs_verdicts_typed_and_coloured(
    stored: StoredSummary, classified: tuple[str, dict[str, Any]]
) -> None:
    _, run = classified
    assert len(run["verdicts"]) == 24  # total, AMER and EMEA over eight quarters
    column = SUMMARY_HEADER.index
    for at, v in enumerate(run["verdicts"], start=stored.top + 1):
        row = stored.rows[at]
        assert row[:2] == [v["group"] or "Total", v["quarter"]]
        for name in ("Plan", "Bookings", "Gap"):
            assert stored.number(at, name) == pytest.approx(v[name.lower()]), (name, at)
            assert stored.format(at, name) == DOLLARS
        for name in ("Attainment", "Growth"):
            if v[name.lower()] is None:
                assert row[column(name)] == ""
            else:
                assert stored.number(at, name) == pytest.approx(v[name.lower()]), (name, at)
                assert stored.format(at, name) == PERCENT
        shown = row[column("Verdict")]
        key = shown.replace(" ", "").casefold()
        colour = VERDICT_COLOURS.get(key, OTHER_VERDICT)[0]
        assert stored.fill(at, "Verdict") == pytest.approx(colour, abs=0.004), shown
        drivers = v["drivers"]
        assert row[column("Why")] == (drivers["explanation"] if drivers else "")
    table = {(r[0], r[1]): r for r in stored.rows[stored.top + 1 :]}
    assert table[("EMEA", LATEST)][column("Verdict")] == "Hard Miss"
    assert table[("AMER", label(QUARTERS[2]))][column("Verdict")] == "Hard Miss"
    # hand-worked: AMER's Soft Miss came with fewer leads (160 -> 136), from the Leads tab
    soft = table[("AMER", label(QUARTERS[4]))]
    assert soft[column("Verdict")] == "Soft Miss"
    by_key = {(v["group"], v["quarter"]): v for v in run["verdicts"]}
    assert by_key[("AMER", label(QUARTERS[4]))]["drivers"]["cause"] == "FEWER_LEADS"
    assert "136 leads" in soft[column("Why")]


def test_the_stored_chart_draws_the_totals_plan_and_bookings(stored: StoredSummary) -> None:
    (chart,) = stored.tab["charts"]
    basic = chart["spec"]["basicChart"]
    (domain,) = basic["domains"][0]["domain"]["sourceRange"]["sources"]
    series = [s["series"]["sourceRange"]["sources"][0] for s in basic["series"]]
    top = stored.top
    for source in (domain, *series):  # the header and the total's eight quarters
        assert (source["startRowIndex"], source["endRowIndex"]) == (top, top + 9)
        assert source["sheetId"] == stored.tab["properties"]["sheetId"]
    column = SUMMARY_HEADER.index
    assert domain["startColumnIndex"] == column("Quarter")
    assert [s["startColumnIndex"] for s in series] == [column("Plan"), column("Bookings")]
    span = stored.rows[top : top + 9]
    assert [r[column("Quarter")] for r in span] == ["Quarter", *(label(q) for q in QUARTERS)]
    assert [r[0] for r in span[1:]] == ["Total"] * 8
    anchor = chart["position"]["overlayPosition"]["anchorCell"]
    assert (anchor["rowIndex"], anchor["columnIndex"]) == (top, len(SUMMARY_HEADER) + 1)


def test_how_this_was_read_ties_out_to_the_runs_inputs(
    stored: StoredSummary, classified: tuple[str, dict[str, Any]]
) -> None:
    _, run = classified
    rows, grid = stored.rows, stored.grid
    firsts = [r[0] for r in rows]
    issues, read = firsts.index("Severity"), firsts.index("How this was read")
    assert stored.top < issues < read  # below the table and its data issues
    assert any("#REF!" in " ".join(r) for r in rows[issues:read])
    tabs_at = next(i for i in range(read, len(rows)) if rows[i][:2] == ["Tab", "Header row"])
    assert [r["tab"] for r in run["inputs"]] == ["Plan", "Bookings", "Leads"]
    for at, reading in enumerate(run["inputs"], start=tabs_at + 1):
        line = grid[at]
        assert rows[at][0] == reading["tab"]
        figures = [line[i]["userEnteredValue"]["numberValue"] for i in range(1, 5)]
        expected = [reading[k] for k in ("headerRow", "rowsCounted", "rowsSkipped", "total")]
        assert figures == pytest.approx(expected), reading["tab"]
        money = reading["tab"] != "Leads"  # the Leads tab's control total is a count
        assert line[4].get("userEnteredFormat", {}).get("numberFormat") == (
            DOLLARS if money else None
        )
    # the control total is the money the run counted: every won deal of the Bookings tab
    bookings = run["inputs"][1]
    booked = sum(demo_data.BOOKED_K[r][i] for r in demo_data.REGIONS for i in range(8)) * 1000
    in_progress_booked = sum(p["booked"] for p in run["pace"] if p["group"] is not None)
    assert bookings["total"] == pytest.approx(booked + in_progress_booked)
    # a line per column used, with its role
    roles = {(r[0], r[2], r[3].split(":")[0]) for r in rows[tabs_at:] if len(r) > 3}
    assert ("Bookings", "amount", '"Amount"') in roles
    assert ("Bookings", "status", '"Stage"') in roles


def test_history_answers_from_the_store(
    stack: Stack, classified: tuple[str, dict[str, Any]]
) -> None:
    sheet, run = classified
    stack.clear_google_requests()
    query = """
      query($id: ID!) {
        latestRun(spreadsheetId: $id) {
          id quarter
          emea: verdicts(group: " emea ") { quarter verdict }
          early: verdicts(quarter: "EARLY") { quarter }
          total: verdicts(group: "Total") { group quarter }
        }
        runs(spreadsheetId: $id, limit: 5) { id }
      }""".replace("EARLY", "Q{1} {0}".format(*QUARTERS[5]))  # as a user types it
    data = stack.answer(query, {"id": sheet})["data"]
    latest = data["latestRun"]
    assert latest["id"] == run["id"]
    assert [v["quarter"] for v in latest["emea"]][-1] == LATEST
    assert len(latest["emea"]) == 8
    assert max(v["quarter"] for v in latest["early"]) == label(QUARTERS[5])
    assert {v["group"] for v in latest["total"]} == {None}
    assert run["id"] in [r["id"] for r in data["runs"]]
    # History never reads the spreadsheet (at most one access check).
    assert all(e["method"] == "GET" and "values" not in e["path"] for e in stack.google_requests())


@pytest.mark.parametrize(
    ("query", "variables", "token", "code", "words"),
    [
        (documents.CLASSIFY, {"spreadsheetId": "SHEET"}, None, "UNAUTHENTICATED", "Bearer"),
        (documents.CLASSIFY, {"spreadsheetId": "SHEET"}, "forged", "UNAUTHENTICATED", "Sign in"),
        (documents.CLASSIFY, {"spreadsheetId": "SHEET"}, OTHER, "FORBIDDEN", "share"),
        (documents.LATEST_RUN, {"spreadsheetId": "SHEET"}, OTHER, "FORBIDDEN", "cannot open"),
        (documents.CLASSIFY, {"spreadsheetId": "1NoSuchSheet0000"}, OWNER, "NOT_FOUND", "exist"),
        (
            documents.CLASSIFY,
            {"spreadsheetId": "SHEET", "options": {"planTab": "Budget"}},
            OWNER,
            "NOT_FOUND",
            "'Budget'",
        ),
        (
            documents.CLASSIFY,
            {"spreadsheetId": "SHEET", "quarter": "2031-Q1"},
            OWNER,
            "BAD_INPUT",
            f"{FIRST} to {label(in_progress())}",
        ),
        (
            documents.CLASSIFY,
            {"spreadsheetId": "SHEET", "quarter": "next one"},
            OWNER,
            "BAD_INPUT",
            "'next one'",
        ),
        (
            documents.CLASSIFY,
            {"spreadsheetId": "SHEET", "options": {"fiscalYearStartMonth": 13}},
            OWNER,
            "BAD_INPUT",
            "fiscalYearStartMonth",
        ),
        (
            documents.CLASSIFY,
            {"spreadsheetId": "SHEET", "options": {"summaryTab": "Plan"}},
            OWNER,
            "BAD_INPUT",
            "different",
        ),
        (documents.CLASSIFY, {"spreadsheetId": "../../etc"}, OWNER, "BAD_INPUT", "not a"),
        (documents.RUNS, {"spreadsheetId": "SHEET", "limit": 1000}, OWNER, "BAD_INPUT", "limit"),
    ],
)
def test_each_failure_has_its_code_and_a_message_to_act_on(
    stack: Stack,
    classified: tuple[str, dict[str, Any]],
    query: str,
    variables: dict[str, Any],
    token: str | None,
    code: str,
    words: str,
) -> None:
    sheet, _ = classified
    filled = {k: (sheet if v == "SHEET" else v) for k, v in variables.items()}
    answer = stack.answer(query, filled, token=token)
    assert error_code(answer) == code
    message = answer["errors"][0]["message"]
    assert words.lower() in message.lower(), message
    assert "Traceback" not in message
    if token:
        assert token not in message


def test_a_tab_without_a_header_names_the_tab(stack: Stack) -> None:
    sheet = seed(
        stack.emulator.url,
        {"Plan": [["notes"], ["call Bob"]], "Bookings": demo_tabs()["Bookings"]},
    )
    answer = stack.answer(documents.CLASSIFY, {"spreadsheetId": sheet})
    assert error_code(answer) == "BAD_INPUT"
    assert "'Plan'" in answer["errors"][0]["message"]


def test_a_quarter_end_burst_shares_one_read_and_one_write(stack: Stack) -> None:
    sheet = seed(stack.emulator.url, demo_tabs())
    stack.clear_google_requests()
    with concurrent.futures.ThreadPoolExecutor(max_workers=25) as pool:
        variables = {"spreadsheetId": sheet}
        answers = list(pool.map(lambda _: stack.answer(documents.CLASSIFY, variables), range(25)))
    ids = {a["data"]["classifyQuarter"]["id"] for a in answers}
    assert len(ids) == 1, "every caller got the same run"
    google = stack.google_requests(sheet)
    assert 2 <= len(google) <= 3, google


def test_abusive_queries_are_refused_before_any_resolver(
    stack: Stack, classified: tuple[str, dict[str, Any]]
) -> None:
    sheet, _ = classified
    stack.clear_google_requests()
    deep = f'query {{ latestRun(spreadsheetId: "{sheet}") {{ current {{ group }} }} }}'
    nested = "{ __schema { types " + "{ fields { type " * 4 + "{ name }" + " } }" * 4 + " } }"
    aliases = (
        "{ "
        + " ".join(f'a{i}: classifyQuarter(spreadsheetId: "{sheet}") {{ id }}' for i in range(20))
        + " }"
    )
    tokens = "{ __typename " + " ".join(["__typename"] * 3000) + " }"
    assert not stack.answer(deep, {}).get("errors")  # a normal query passes
    for abusive in (nested, aliases, tokens, "{ latestRun(", "{ noSuchField }"):
        answer = stack.answer(abusive, {})
        assert error_code(answer) == "BAD_INPUT", abusive[:60]
        assert answer["errors"][0]["extensions"]["reason"] == "INVALID_QUERY"
        assert answer.get("data") is None
    assert stack.google_requests() == [], "no resolver reached Google"


def test_google_outages_come_back_as_coded_errors(tmp_path: Path) -> None:
    with backend(tmp_path, env={"SALES_VERDICTS_SHEETS_DEADLINE": "2"}) as s:
        sheet = seed(s.emulator.url, demo_tabs())
        for statuses, code in (([429], "RATE_LIMITED"), ([503], "UPSTREAM_UNAVAILABLE")):
            s.faults(1.0, statuses=statuses)
            answer = s.answer(documents.CLASSIFY, {"spreadsheetId": sheet})
            assert error_code(answer) == code
            assert "try again" in answer["errors"][0]["message"].lower()
        s.faults(0)
        assert not s.answer(documents.CLASSIFY, {"spreadsheetId": sheet}).get("errors")


def test_introspection_can_be_switched_off(tmp_path: Path) -> None:
    with backend(tmp_path, env={"SALES_VERDICTS_INTROSPECTION": "false"}) as s:
        answer = s.answer("{ __schema { queryType { name } } }", {})
        assert answer.get("errors")
        assert "introspection" in answer["errors"][0]["message"].lower()
        assert s.answer("{ __typename }", {})["data"] == {"__typename": "Query"}
