"""``sales-verdicts classify``: one run from the terminal, through the service directly.

The command (:mod:`server.cli.commands`) builds a :class:`ClassifyArgs`; :func:`classify`
picks the source (a Google spreadsheet, or two CSV exports), runs the service once, as
the server runs it (recorded RUNNING, then SUCCEEDED or FAILED, ``trigger`` ``CLI``, the
caller the service account in service-account mode, alerts posted), and prints the run:
as a verdict table, or with ``--json`` exactly as the GraphQL ``ClassificationRun``
(:func:`server.api.serialize.run_answer`). Failures are translated
once, by the API's own :func:`server.api.errors.translate`: a bad input exits 2, any
other failure 1. A run refused after its tabs were read prints their data issues (on
stderr; with ``--json`` also the error as GraphQL answers it, ``extensions.issues``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

from server.alerts import AlertPoster, Sealer
from server.api.errors import BAD_INPUT, INTERNAL, ApiError, describe_failure, translate
from server.api.serialize import REFUSAL_ISSUES, issues_answer, run_answer
from server.classification import ClassifyOptions, InvalidOptions
from server.cli.terminal import print_run
from server.config import Settings
from server.service import Alerting, Caller, ClassificationService, ClassifyRequest, RunManager
from server.store import open_store
from server.store.memory import MemoryRunStore
from server.store.port import RunRecord, RunStore
from sheets_adapter.ids import parse_spreadsheet_id
from sheets_adapter.port import ServiceAccountAuth, SheetsPort, UserToken

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds the command waits for its run's alert to go out before it exits.
ALERT_GRACE = 20.0
#: Where ``--token`` is looked for when it is not given.
TOKEN_VARIABLES = ("SALES_VERDICTS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN")


class CliError(Exception):
    """A failure the command reports in one sentence, with its exit code (and the data
    issues of a run refused after its tabs were read, shaped as the API's ``DataIssue``)."""

    def __init__(self, message: str, exit_code: int, api: ApiError | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.api = api  # the failure as the API codes it, when it came from a run
        self.issues = issues_answer(api.issues) if api is not None else []


@dataclass(frozen=True)
class ClassifyArgs:
    """What ``sales-verdicts classify`` was asked, as Typer parsed it."""

    spreadsheet: str | None
    quarter: str | None
    options: Mapping[str, object]  # ClassifyOptions fields, by their Python names
    as_json: bool = False
    plan: Path | None = None
    bookings: Path | None = None
    leads: Path | None = None
    rates: Path | None = None
    summary_csv: Path | None = None
    token: str | None = None

    @property
    def local(self) -> bool:
        return any(p is not None for p in (self.plan, self.bookings, self.leads, self.rates))


@dataclass
class Source:
    """Where a run reads from, writes to and is recorded, and as whom."""

    sheets: SheetsPort
    store: RunStore
    caller: Caller
    spreadsheet_id: str
    written_to: str | None = None  # what the table's footer says about the Summary


def classify(
    args: ClassifyArgs, settings: Settings, environ: Mapping[str, str], console: Console
) -> None:
    """One run, printed; raises :class:`CliError` for anything the user can act on."""
    options = _options(args)
    source = csv_files(args, options) if args.local else google(args, settings, environ)
    try:
        run = _run(source, args.quarter, options, settings)
    except CliError as err:
        if args.as_json:
            sys.stdout.write(json.dumps(_error_answer(err), indent=2, ensure_ascii=False) + "\n")
        raise
    finally:
        source.store.close()
    shaped = run_answer(run)
    if args.as_json:
        sys.stdout.write(json.dumps(shaped, indent=2, ensure_ascii=False) + "\n")
    else:
        print_run(console, shaped, written_to=source.written_to)


def _error_answer(err: CliError) -> dict[str, Any]:
    """The failure as GraphQL answers it: ``{"errors": [{message, extensions}]}``."""
    api = err.api or ApiError(BAD_INPUT if err.exit_code == 2 else INTERNAL, str(err))
    extensions: dict[str, Any] = {"code": api.code}
    if err.issues:
        extensions["issues"] = err.issues[:REFUSAL_ISSUES]
        extensions["issueCount"] = len(err.issues)
    return {"errors": [{"message": api.message, "extensions": extensions}]}


def _options(args: ClassifyArgs) -> ClassifyOptions:
    try:
        return ClassifyOptions.from_mapping(args.options)
    except InvalidOptions as err:
        raise CliError(str(err), 2) from None


def csv_files(args: ClassifyArgs, options: ClassifyOptions) -> Source:
    """Local mode: two CSV exports, no Google at all; runs are kept in memory."""
    if args.plan is None or args.bookings is None or args.spreadsheet is not None:
        raise CliError("local mode needs both --plan FILE and --bookings FILE, and no id", 2)
    from sheets_adapter.csv_files import CsvSheets

    files = {options.plan_tab: args.plan, options.bookings_tab: args.bookings}
    files |= {
        tab: path
        for tab, path in ((options.leads_tab, args.leads), (options.rates_tab, args.rates))
        if path is not None
    }
    return Source(
        sheets=CsvSheets(files, args.summary_csv),
        store=MemoryRunStore(),
        caller=Caller(auth=ServiceAccountAuth("local"), email="local", operator=True),
        spreadsheet_id=args.plan.stem,
        written_to=f"Summary written to {args.summary_csv}"
        if args.summary_csv
        else "Local mode: no Summary written (add --summary-csv FILE to keep one)",
    )


def google(args: ClassifyArgs, settings: Settings, environ: Mapping[str, str]) -> Source:
    """A Google spreadsheet, as the user (a token) or as the service account."""
    if args.spreadsheet is None:
        raise CliError("give a SPREADSHEET_ID, or --plan FILE --bookings FILE", 2)
    spreadsheet_id = _translated(lambda: parse_spreadsheet_id(args.spreadsheet or ""))
    from sheets_adapter.gspread_adapter import GspreadSheets

    sheets = GspreadSheets.from_settings(settings)
    caller = _google_caller(args, settings, environ, sheets.service_account_email)
    return Source(sheets, open_store(settings.database_url), caller, spreadsheet_id)


def _google_caller(
    args: ClassifyArgs,
    settings: Settings,
    environ: Mapping[str, str],
    service_account: str | None,
) -> Caller:
    if settings.service_account_mode:
        # The run is the service account's own: it is the caller on record, and the
        # operator's (whose access is not checked against the sheet's sharing).
        return Caller(
            auth=ServiceAccountAuth(service_account), email=service_account, operator=True
        )
    secret = args.token or next((environ[v] for v in TOKEN_VARIABLES if environ.get(v)), None)
    if not secret:
        raise CliError(
            "user mode needs a Google OAuth access token: --token or $SALES_VERDICTS_TOKEN "
            "(e.g. from `gcloud auth print-access-token`), or set "
            "GOOGLE_APPLICATION_CREDENTIALS for service-account mode",
            2,
        )
    return Caller(auth=UserToken(secret))


def _run(
    source: Source, quarter: str | None, options: ClassifyOptions, settings: Settings
) -> RunRecord:
    service = ClassificationService(source.sheets, source.store, describe=describe_failure)
    request = ClassifyRequest(
        source.spreadsheet_id, quarter or None, options, source.caller, trigger="CLI"
    )
    return _translated(lambda: asyncio.run(_to_the_end(service, request, settings)))


async def _to_the_end(
    service: ClassificationService, request: ClassifyRequest, settings: Settings
) -> RunRecord:
    """The run as the server runs it (recorded, kept alive by the lease, alerts posted),
    waited for to its end; the alert is given a moment to go out before the command exits."""
    poster = AlertPoster(settings)
    alerting = Alerting(service.store, Sealer(settings.webhook_keys), settings, poster, service.now)
    runs = RunManager(service, lease=settings.run_lease, alerting=alerting)
    await runs.start()
    try:
        return await runs.classify(request, None)
    finally:
        await runs.stop(grace=ALERT_GRACE)
        poster.close(grace=ALERT_GRACE)


def _translated(work: Callable[[], T]) -> T:
    """``work()``, its failures as a :class:`CliError` coded as the API codes them."""
    try:
        return work()
    except Exception as err:
        api = translate(err)
        if api is None:
            log.exception("unexpected error")
            api = ApiError(INTERNAL, f"Unexpected error ({type(err).__name__}).")
            hint = " (run again with --verbose for details)"
        else:
            hint = ""
        raise CliError(
            f"{api.message} [{api.code}]{hint}", 2 if api.code == BAD_INPUT else 1, api
        ) from None
