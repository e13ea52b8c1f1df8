"""A small GraphQL backend answering per the quarter-close workflow contract, for the add-on's
tests of what the real backend cannot be made to do on cue: a run that answers RUNNING a set
number of times, one that fails, one that never finishes.

It executes every request with graphql-core against the contract's schema
(``tests.addon.contract.workflow_schema``), so a document the real backend would refuse as
invalid is refused here too. Its data is one made-up spreadsheet, the same for every
spreadsheet id: four groups over nine quarters, a quarter in progress, three data issues.
How the runs of a spreadsheet go is scripted per id (``FakeBackend.script``)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from graphql import DocumentNode, GraphQLError, execute_sync, parse, validate

from tests.addon.contract import workflow_schema

WEBHOOK_HOSTS = ("hooks.slack.com", "chat.googleapis.com")
CALLERS = {"user-oauth-token-123": "analyst@example.com", "identity-token-456": "vp@example.com"}

# The sheet: canonical quarter, label as the sheet writes it, in progress, classifiable.
QUARTERS: list[tuple[str, str, bool, bool]] = [
    ("2026-Q4", "FY27 Q3", True, True),
    ("2026-Q3", "FY27 Q2", False, True),
    ("2026-Q2", "FY27 Q1", False, True),
    ("2026-Q1", "FY26 Q4", False, True),
    ("2025-Q4", "FY26 Q3", False, True),
    ("2025-Q3", "FY26 Q2", False, True),
    ("2025-Q2", "FY26 Q1", False, True),
    ("2025-Q1", "FY25 Q4", False, True),
    ("2024-Q4", "FY25 Q3", False, False),
]
LATEST_ENDED = "2026-Q3"
LABELS = {q: label for q, label, _, _ in QUARTERS}
HISTORY = sorted(q for q, _, in_progress, _ in QUARTERS if not in_progress)

# Each group's verdict in every ended quarter, oldest first (HISTORY's order).
TRENDS: dict[str | None, list[str]] = {
    None: [
        "NO_BASELINE",
        "BEAT",
        "BEAT",
        "SOFT_MISS",
        "BEAT",
        "SOFT_MISS",
        "SOFT_MISS",
        "HARD_MISS",
    ],
    "AMER": ["NO_BASELINE", "BEAT", "BEAT", "BEAT", "BEAT", "BEAT", "SOFT_MISS", "BEAT"],
    "EMEA": [
        "NO_BASELINE",
        "SOFT_MISS",
        "BEAT",
        "SOFT_MISS",
        "SOFT_MISS",
        "HARD_MISS",
        "SOFT_MISS",
        "HARD_MISS",
    ],
    "APAC": ["NO_BASELINE", "BEAT", "SOFT_MISS", "BEAT", "BEAT", "BEAT", "BEAT", "HARD_MISS"],
}

# The groups' figures for the run's quarter (the same whichever quarter is asked for).
CURRENT: list[dict[str, Any]] = [
    {
        "group": None,
        "plan": 3_000_000.0,
        "bookings": 2_460_000.0,
        "baseline": 2_610_000.0,
        "flags": ["CONSECUTIVE_HARD_MISS"],
        "action": "Hard Miss, $540k short of plan (82%): review the plan with the sales leader.",
        "drivers": {
            "deals": 41,
            "averageDeal": 60_000.0,
            "lostDeals": 97,
            "winRate": 0.297,
            "leads": 2_210,
            "bookingsPerLead": 1_113.0,
            "cause": "LOWER_WIN_RATE",
            "explanation": "41 deals (−7%), average $60k (+1%), win rate 30% (−6 pts)",
        },
    },
    {
        "group": "AMER",
        "plan": 1_400_000.0,
        "bookings": 1_470_000.0,
        "baseline": 1_380_000.0,
        "flags": [],
        "action": "Beat: recognise the team and keep the plan ambitious.",
        "drivers": {
            "deals": 20,
            "averageDeal": 73_500.0,
            "lostDeals": 38,
            "winRate": 0.345,
            "leads": None,
            "bookingsPerLead": None,
            "cause": None,
            "explanation": "20 deals (+5%), average $74k (+2%), win rate 34% (+1 pts)",
        },
    },
    {
        "group": "EMEA",
        "plan": 1_000_000.0,
        "bookings": 610_000.0,
        "baseline": 780_000.0,
        "flags": ["REPEATED_HARD_MISS"],
        "action": "Hard Miss, $390k short of plan (61%): something is broken; look at pricing.",
        "drivers": {
            "deals": 12,
            "averageDeal": 50_800.0,
            "lostDeals": 41,
            "winRate": 0.226,
            "leads": None,
            "bookingsPerLead": None,
            "cause": "SMALLER_DEALS",
            "explanation": "12 deals (−8%), average $51k (−15%), win rate 23% (−4 pts)",
        },
    },
    {
        "group": "APAC",
        "plan": 600_000.0,
        "bookings": 380_000.0,
        "baseline": 450_000.0,
        "flags": [],
        "action": "Hard Miss, $220k short of plan (63%).",
        "drivers": None,
    },
]
# Each group's verdict for the run's quarter follows from these figures (verdict_of), and for
# LATEST_ENDED it is the last one of TRENDS.

PACE: list[dict[str, Any]] = [
    {
        "group": None,
        "booked": 1_180_000.0,
        "projected": 2_640_000.0,
        "plan": 3_100_000.0,
        "pipeline": 910_000.0,
        "outlook": "SOFT_MISS",
    },
    {
        "group": "AMER",
        "booked": 640_000.0,
        "projected": 1_420_000.0,
        "plan": 1_450_000.0,
        "pipeline": 400_000.0,
        "outlook": "SOFT_MISS",
    },
    {
        "group": "EMEA",
        "booked": 300_000.0,
        "projected": 700_000.0,
        "plan": 1_050_000.0,
        "pipeline": 310_000.0,
        "outlook": "HARD_MISS",
    },
    {
        "group": "APAC",
        "booked": 240_000.0,
        "projected": 520_000.0,
        "plan": 600_000.0,
        "pipeline": 200_000.0,
        "outlook": "SOFT_MISS",
    },
]
PACE_METHOD = "median share closed by day 46 in the last 4 quarters (sales are back-loaded)"
PACE_ELAPSED = 0.5

ISSUES: list[dict[str, Any]] = [
    {
        "tab": "Bookings",
        "row": 14,
        "column": "Amount",
        "value": "#REF!",
        "cell": "C14",
        "severity": "ERROR",
        "message": 'Bookings!C14: "#REF!" is a formula error, row skipped',
    },
    {
        "tab": "Plan",
        "row": 3,
        "column": "Plan",
        "value": "TBD",
        "cell": "D3",
        "severity": "ERROR",
        "message": 'Plan!D3: "TBD" is not an amount, row skipped',
    },
    {
        "tab": "Bookings",
        "row": 40,
        "column": None,
        "value": None,
        "cell": None,
        "severity": "INFO",
        "message": "Bookings: a line-item report (one row per product): 2 further product"
        " lines of opportunities already counted (same Opportunity ID, rows 40, 41); each"
        " opportunity counted once",
    },
]
CHANGES: list[dict[str, Any]] = [
    {"group": "EMEA", "before": "SOFT_MISS", "after": "HARD_MISS"},
    {"group": None, "before": "SOFT_MISS", "after": "HARD_MISS"},
]


def verdict_of(row: dict[str, Any]) -> str:
    plan, booked, baseline = row["plan"], row["bookings"], row["baseline"]
    if booked >= plan:
        return "BEAT"
    return "SOFT_MISS" if booked > baseline else "HARD_MISS"


@dataclass
class Script:
    """How the runs of one spreadsheet go: ``run(id)`` answers RUNNING ``checks`` times
    (classifyQuarter already counts as one when ``checks`` is 0: the run is done within
    the wait), then ``outcome``; ``checks=None``: never done."""

    checks: int | None = 0
    outcome: str = "SUCCEEDED"
    error: str = ""
    refuse: str = ""  # a refusal while the caller waits: BAD_INPUT carrying data issues


@dataclass
class Run:
    id: str
    spreadsheet_id: str
    quarter: str
    trigger: str
    caller: str | None
    options: dict[str, Any]
    script: Script
    started: datetime
    status: str = "RUNNING"
    finished: datetime | None = None
    checks: int = 0

    @property
    def bad_input(self) -> bool:
        """Failed on the tabs' data: the run shows the issues found (the first 50)."""
        return self.status == "FAILED" and self.script.error.startswith("BAD_INPUT")

    def finish(self) -> None:
        self.status = self.script.outcome
        self.finished = datetime.now(UTC)

    def as_graphql(self) -> dict[str, Any]:
        done = self.status == "SUCCEEDED"
        quarter = self.quarter
        current = []
        for row in CURRENT if done else []:
            verdict = verdict_of(row)
            current.append(
                {
                    **row,
                    "quarter": quarter,
                    "label": LABELS.get(quarter, quarter),
                    "attainment": row["bookings"] / row["plan"],
                    "growth": row["bookings"] / row["baseline"] - 1,
                    "gap": row["bookings"] - row["plan"],
                    "verdict": verdict,
                    "inProgress": False,
                }
            )
        return {
            "id": self.id,
            "spreadsheetId": self.spreadsheet_id,
            "status": self.status,
            "error": self.script.error if self.status == "FAILED" else None,
            "caller": self.caller,
            "trigger": self.trigger,
            "optionsJson": json.dumps(self.options),
            "quarter": quarter,
            "quarterLabel": LABELS.get(quarter, quarter),
            "asOf": "2026-11-15",
            "startedAt": self.started.isoformat(),
            "finishedAt": self.finished.isoformat() if self.finished else None,
            "classifiedAt": (self.finished or self.started).isoformat(),
            "summaryTab": self.options.get("summaryTab") or "Summary",
            "currency": "USD" if done else None,
            "inQuarter": False,
            "current": current,
            "verdicts": self._verdicts if done else (lambda _info, **_: []),
            "pace": [
                {
                    **p,
                    "quarter": "2026-Q4",
                    "label": LABELS["2026-Q4"],
                    "asOf": "2026-11-15",
                    "elapsed": PACE_ELAPSED,
                    "coverage": (p["booked"] + p["pipeline"]) / p["plan"],
                    "method": PACE_METHOD,
                }
                for p in (PACE if done else [])
            ],
            "issues": ISSUES if done else ISSUES[:2] if self.bad_input else [],
            "inputs": [],
            "changes": [{**c, "quarter": quarter} for c in CHANGES] if done else [],
        }

    def _verdicts(
        self, _info: Any, group: str | None = None, quarter: str | None = None
    ) -> list[dict[str, Any]]:
        upto = quarter or self.quarter
        out: list[dict[str, Any]] = []
        for name, verdicts in TRENDS.items():
            if group is not None and (name or "Total") != group:
                continue
            for q, verdict in zip(HISTORY, verdicts, strict=True):
                if q <= upto:
                    out.append(
                        {
                            "group": name,
                            "quarter": q,
                            "label": LABELS[q],
                            "verdict": verdict,
                            "flags": [],
                            "action": "",
                            "inProgress": False,
                        }
                    )
        return out


@dataclass
class FakeBackend:
    """The fake's state; ``url`` once started (``running()``)."""

    scripts: dict[str, Script] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.schema = workflow_schema()

    def _checked(self, query: str) -> DocumentNode | str:
        """The document, or why it does not parse or validate; kept per text."""
        cache: dict[str, DocumentNode | str] = self.__dict__.setdefault("_documents", {})
        if query not in cache:
            try:
                document = parse(query)
                errors = validate(self.schema, document)
                cache[query] = errors[0].message if errors else document
            except GraphQLError as err:
                cache[query] = err.message
        return cache[query]

    def script(self, spreadsheet_id: str, script: Script) -> None:
        with self.lock:
            self.scripts[spreadsheet_id] = script

    def seed_run(
        self,
        spreadsheet_id: str,
        *,
        quarter: str = LATEST_ENDED,
        trigger: str = "SCHEDULE",
        caller: str | None = "analyst@example.com",
        outcome: str = "SUCCEEDED",
        error: str = "",
        ago: timedelta = timedelta(0),
    ) -> str:
        """A run already over, as if started ``ago`` earlier (by the schedule, by default)."""
        with self.lock:
            run = Run(
                id=uuid.uuid4().hex,
                spreadsheet_id=spreadsheet_id,
                quarter=quarter,
                trigger=trigger,
                caller=caller,
                options={},
                script=Script(outcome=outcome, error=error),
                started=datetime.now(UTC) - ago,
            )
            run.finish()
            run.finished = run.started + timedelta(seconds=40)
            self.runs.append(run)
            return run.id

    def operations(self, spreadsheet_id: str | None = None) -> list[str]:
        """The operation names received, in order (those about one spreadsheet, or all)."""
        with self.lock:
            return [
                r["operationName"]
                for r in self.requests
                if spreadsheet_id is None or r["spreadsheetId"] == spreadsheet_id
            ]

    # -- GraphQL root -------------------------------------------------------------------

    def answer(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        query = str(body.get("query") or "")
        variables = body.get("variables") or {}
        document = self._checked(query)
        if isinstance(document, str):
            return _invalid(document)
        with self.lock:
            self.requests.append(
                {
                    "operationName": body.get("operationName"),
                    "variables": variables,
                    "spreadsheetId": variables.get("spreadsheetId")
                    or next(
                        (r.spreadsheet_id for r in self.runs if r.id == variables.get("id")), None
                    ),
                    "token": token,
                }
            )
        if not token:
            return {
                "data": None,
                "errors": [_error("No credentials were sent.", "UNAUTHENTICATED")],
            }
        result = execute_sync(
            self.schema,
            document,
            root_value=_Root(self, CALLERS.get(token, "analyst@example.com")),
            variable_values=variables,
            operation_name=body.get("operationName"),
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        return out


class _Root:
    def __init__(self, backend: FakeBackend, caller: str) -> None:
        self.backend = backend
        self.caller = caller

    # Query
    def run(self, _info: Any, id: str) -> dict[str, Any] | None:
        with self.backend.lock:
            run = next((r for r in self.backend.runs if r.id == id), None)
            if run is None:
                return None
            if run.status == "RUNNING":
                run.checks += 1
                limit = run.script.checks
                if limit is not None and run.checks > limit:
                    run.finish()
            return run.as_graphql()

    def latestRun(self, _info: Any, spreadsheetId: str) -> dict[str, Any] | None:
        """The newest SUCCEEDED run (a run going on or failed is in ``runs``)."""
        with self.backend.lock:
            mine = [
                r
                for r in self.backend.runs
                if r.spreadsheet_id == spreadsheetId and r.status == "SUCCEEDED"
            ]
            return mine[-1].as_graphql() if mine else None

    def runs(self, _info: Any, spreadsheetId: str, limit: int) -> list[dict[str, Any]]:
        with self.backend.lock:
            mine = [r for r in self.backend.runs if r.spreadsheet_id == spreadsheetId]
            return [r.as_graphql() for r in reversed(mine)][:limit]

    def quarters(self, _info: Any, **_args: Any) -> list[dict[str, Any]]:
        """The same quarters for every sheet, whatever the options."""
        return [
            {"quarter": q, "label": label, "inProgress": in_progress, "classifiable": ok}
            for q, label, in_progress, ok in QUARTERS
        ]

    def alerts(self, _info: Any, spreadsheetId: str) -> dict[str, Any] | None:
        with self.backend.lock:
            saved = self.backend.alerts.get(spreadsheetId)
            return _masked(spreadsheetId, saved) if saved else None

    # Mutation
    def classifyQuarter(
        self,
        _info: Any,
        spreadsheetId: str,
        quarter: str | None = None,
        options: dict[str, Any] | None = None,
        wait: int = 25,
        trigger: str = "API",
    ) -> dict[str, Any]:
        with self.backend.lock:
            script = self.backend.scripts.get(spreadsheetId, Script())
            if script.refuse:
                raise GraphQLError(
                    script.refuse,
                    extensions={"code": "BAD_INPUT", "issueCount": 2, "issues": ISSUES[:2]},
                )
            run = Run(
                id=uuid.uuid4().hex,
                spreadsheet_id=spreadsheetId,
                quarter=quarter or LATEST_ENDED,
                trigger=trigger,
                caller=self.caller,
                options=dict(options or {}),
                script=script,
                started=datetime.now(UTC),
            )
            if script.checks == 0 and wait > 0:
                run.finish()
            self.backend.runs.append(run)
            return run.as_graphql()

    def setAlerts(
        self,
        _info: Any,
        spreadsheetId: str,
        on: list[str],
        **rest: Any,
    ) -> dict[str, Any]:
        with self.backend.lock:
            # A URL left out removes the webhook, as null does (as the backend does).
            url = rest.get("webhookUrl")
            if url is not None:
                parts = urlsplit(url)
                if parts.scheme != "https" or parts.hostname not in WEBHOOK_HOSTS:
                    raise GraphQLError(
                        f"Webhooks may only go to {', '.join(WEBHOOK_HOSTS)}, "
                        f"not to {parts.hostname!r}.",
                        extensions={"code": "BAD_INPUT"},
                    )
            saved = {"webhookUrl": url, "on": list(on)}
            self.backend.alerts[spreadsheetId] = saved
            return _masked(spreadsheetId, saved)


def _masked(spreadsheet_id: str, saved: dict[str, Any]) -> dict[str, Any]:
    url = saved.get("webhookUrl")
    masked = None
    if url:
        parts = urlsplit(url)
        segments = parts.path.strip("/").split("/")
        masked = f"https://{parts.hostname}/{segments[0]}/{segments[1][:4]}…/…"
    return {"spreadsheetId": spreadsheet_id, "webhookUrl": masked, "on": saved.get("on", [])}


def _error(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, **extensions}}


def _invalid(message: str) -> dict[str, Any]:
    return {"data": None, "errors": [_error(message, "BAD_INPUT", reason="INVALID_QUERY")]}


class _Handler(BaseHTTPRequestHandler):
    backend: FakeBackend

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        data = json.dumps(self.backend.answer(body, token)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running() -> Iterator[FakeBackend]:
    """A fake backend listening on 127.0.0.1 (``backend.url`` is its GraphQL address)."""
    backend = FakeBackend()
    handler = type("Handler", (_Handler,), {"backend": backend})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    backend.url = f"http://127.0.0.1:{server.server_address[1]}/graphql"
    try:
        yield backend
    finally:
        server.shutdown()
        server.server_close()
