"""The ``sales-verdicts`` command line (SPEC 4.1): serve, emulator, classify, demo."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from server.api import documents
from server.api.auth import Authenticator
from server.api.context import Context
from server.api.errors import ApiError
from server.api.schema import build_schema
from server.classification import ClassifyOptions, InvalidOptions
from server.cli.terminal import print_run
from server.config import Settings, SettingsError
from server.service import Caller, ClassificationService
from server.store import open_store
from server.store.memory import MemoryRunStore
from server.store.port import RunStore
from sheets_adapter.port import ServiceAccountAuth, SheetsPort, UserToken

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Beat, Soft Miss or Hard Miss: classify each quarter's bookings against plan.",
)
console = Console()
errors = Console(stderr=True)

TOKEN_VARIABLES = ("SALES_VERDICTS_TOKEN", "GOOGLE_OAUTH_ACCESS_TOKEN")


def _configure_logging(level: str) -> None:
    from server import logs

    logs.configure(level)


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


class _FixedCaller(Authenticator):
    """The terminal user is who they are: no header to check."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    async def authenticate(self, authorization: str | None) -> Caller:
        return self._caller


def run_in_process(
    sheets: SheetsPort,
    store: RunStore,
    caller: Caller,
    spreadsheet_id: str,
    quarter: str | None,
    options: dict[str, Any],
) -> dict[str, Any]:
    """One classification through the GraphQL schema in this process: the answer has
    exactly the shape of the API's ``ClassificationRun``."""
    context = Context(
        service=ClassificationService(sheets, store),
        authenticator=_FixedCaller(caller),
        authorization=None,
        request_id="cli",
    )
    result = asyncio.run(
        build_schema().execute(
            documents.CLASSIFY,
            variable_values={
                "spreadsheetId": spreadsheet_id,
                "quarter": quarter,
                "options": options,
            },
            context_value=context,
        )
    )
    if result.errors:
        error = result.errors[0]
        code = (error.extensions or {}).get("code", "BAD_INPUT")
        raise ApiError(str(code), error.message)
    assert result.data is not None
    run: dict[str, Any] = result.data["classifyQuarter"]
    return run


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the GraphQL API: POST /graphql, GraphiQL on GET /graphql, GET /healthz."""
    import uvicorn

    from server.logs import log_config

    try:
        settings = Settings.from_env()
    except SettingsError as err:
        raise _fail(str(err), 2) from None
    _configure_logging(settings.log_level)
    uvicorn.run(
        "server.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=log_config(settings.log_level),
        proxy_headers=True,
    )


@cli.command()
def emulator(
    host: Annotated[str, typer.Option(help="Interface (keep it on loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    token: Annotated[
        list[str] | None, typer.Option(help="Register a bearer token: TOKEN=EMAIL (repeatable).")
    ] = None,
    fault_rate: Annotated[
        float, typer.Option(help="Share of answers that are 429/500/503 (0..1).")
    ] = 0.0,
    latency_ms: Annotated[int, typer.Option(help="Latency added to every answer.")] = 0,
    service_account: Annotated[
        list[Path] | None,
        typer.Option(help="Service-account key JSON to accept at the token endpoint."),
    ] = None,
) -> None:
    """Run the local Google Sheets API emulator (for tests and the demo)."""
    from sheets_emulator import serve as serve_emulator

    tokens: dict[str, str] = {}
    for item in token or []:
        value, sep, email = item.partition("=")
        if not sep or not value or "@" not in email:
            raise _fail(f"--token {item!r}: expected TOKEN=EMAIL, e.g. t0ken=ana@example.com", 2)
        tokens[value] = email
    if not 0.0 <= fault_rate <= 1.0:
        raise _fail(f"--fault-rate {fault_rate}: expected a share between 0 and 1", 2)
    _configure_logging("INFO")
    serve_emulator(
        host,
        port,
        tokens=tokens,
        fault_rate=fault_rate,
        latency_ms=latency_ms,
        service_account_files=list(service_account or []),
    )


@cli.command()
def classify(
    spreadsheet_id: Annotated[
        str | None, typer.Argument(help="Spreadsheet id (or URL). Omit with --plan/--bookings.")
    ] = None,
    quarter: Annotated[
        str | None, typer.Option(help="Quarter to report, e.g. 2025-Q3 (default: latest).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run as the GraphQL ClassificationRun.")
    ] = False,
    plan: Annotated[Path | None, typer.Option(help="Local mode: the Plan tab as CSV.")] = None,
    bookings: Annotated[
        Path | None, typer.Option(help="Local mode: the Bookings tab as CSV.")
    ] = None,
    summary_csv: Annotated[
        Path | None, typer.Option(help="Local mode: write the Summary tab to this CSV.")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="Google OAuth access token (user mode). Default: $SALES_VERDICTS_TOKEN.",
            show_default=False,
        ),
    ] = None,
    plan_tab: Annotated[str, typer.Option(help="Name of the Plan tab.")] = "Plan",
    bookings_tab: Annotated[str, typer.Option(help="Name of the Bookings tab.")] = "Bookings",
    summary_tab: Annotated[str, typer.Option(help="Name of the Summary tab.")] = "Summary",
    fiscal_year_start_month: Annotated[
        int, typer.Option(help="First month of the fiscal year (1-12).")
    ] = 1,
    comparison: Annotated[
        str, typer.Option(help="PRIOR_QUARTER or SAME_QUARTER_LAST_YEAR.")
    ] = "PRIOR_QUARTER",
    hard_miss_window: Annotated[
        int, typer.Option(help="Quarters looked back for repeated Hard Misses.")
    ] = 8,
    group_by: Annotated[
        list[str] | None, typer.Option(help="Group column (repeatable). Default: automatic.")
    ] = None,
    verbose: Annotated[bool, typer.Option(help="Log details (and tracebacks of bugs).")] = False,
) -> None:
    """Classify one spreadsheet (or two CSV exports) and print the verdict table."""
    options: dict[str, Any] = {
        "planTab": plan_tab,
        "bookingsTab": bookings_tab,
        "summaryTab": summary_tab,
        "fiscalYearStartMonth": fiscal_year_start_month,
        "comparison": comparison.upper(),
        "hardMissWindow": hard_miss_window,
        "groupBy": group_by or None,
    }
    try:
        ClassifyOptions.from_mapping(options)
    except InvalidOptions as err:
        raise _fail(str(err), 2) from None
    local = plan is not None or bookings is not None
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        raise _fail(str(err), 2) from None
    _configure_logging("INFO" if verbose else "CRITICAL")
    store: RunStore
    if local:
        if plan is None or bookings is None or spreadsheet_id is not None:
            raise _fail("local mode needs both --plan FILE and --bookings FILE, and no id", 2)
        from sheets_adapter.csv_files import CsvSheets

        sheets: SheetsPort = CsvSheets({plan_tab: plan, bookings_tab: bookings}, summary_csv)
        store = MemoryRunStore()
        caller = Caller(auth=ServiceAccountAuth("local"), email="local")
        spreadsheet_id = plan.stem
    else:
        if spreadsheet_id is None:
            raise _fail("give a SPREADSHEET_ID, or --plan FILE --bookings FILE", 2)
        from server.api.app import build_sheets

        sheets = build_sheets(settings)
        store = open_store(settings.database_url)
        if settings.service_account_mode:
            caller = Caller(auth=ServiceAccountAuth("cli"), email=None)
        else:
            secret = token or next(
                (os.environ[v] for v in TOKEN_VARIABLES if os.environ.get(v)), None
            )
            if not secret:
                raise _fail(
                    "user mode needs a Google OAuth access token: --token or "
                    "$SALES_VERDICTS_TOKEN (e.g. from `gcloud auth print-access-token`), "
                    "or set GOOGLE_APPLICATION_CREDENTIALS for service-account mode",
                    2,
                )
            caller = Caller(auth=UserToken(secret))
    try:
        run = run_in_process(sheets, store, caller, spreadsheet_id, quarter, options)
    except ApiError as err:
        hint = " (run again with --verbose for details)" if err.code == "INTERNAL" else ""
        raise _fail(
            f"{err.message} [{err.code}]{hint}", 2 if err.code == "BAD_INPUT" else 1
        ) from None
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    elif local:
        print_run(
            console,
            run,
            written_to=f"Summary written to {summary_csv}"
            if summary_csv
            else "Local mode: no Summary written (add --summary-csv FILE to keep one)",
        )
    else:
        print_run(console, run)


@cli.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the GraphQL server.")] = 8000,
    emulator_port: Annotated[int, typer.Option(help="Port of the Sheets emulator.")] = 8765,
    keep_serving: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Keep serving until Ctrl-C.")
    ] = True,
) -> None:
    """The embedded demo: emulator with a demo spreadsheet, the server, one classification."""
    from server.cli.demo import run_demo

    _configure_logging("WARNING")
    code = run_demo(console, port=port, emulator_port=emulator_port, keep_serving=keep_serving)
    raise typer.Exit(code)


def main() -> None:
    cli()
