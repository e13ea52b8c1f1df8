"""The ``sales-verdicts`` command line: serve, emulator, classify, demo."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from server.classification import ClassifyOptions
from server.cli.classify import ClassifyArgs, CliError
from server.cli.classify import classify as run_classify
from server.cli.terminal import print_refusal
from server.config import Settings, SettingsError

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Beat, Soft Miss or Hard Miss: classify each quarter's bookings against plan.",
)
console = Console()
errors = Console(stderr=True)


def _configure_logging(level: str) -> None:
    from server import logs

    logs.configure(level)


def _fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as err:
        raise _fail(str(err), 2) from None


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the GraphQL API: POST /graphql, GraphiQL on GET /graphql, GET /healthz."""
    import uvicorn

    from server.api.connections import uvicorn_options
    from server.logs import log_config

    settings = _settings()
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
        **uvicorn_options(),
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


#: The domain's options are the one home of the defaults; the CLI shows the same ones.
_DEFAULTS = ClassifyOptions()


@cli.command()
def classify(  # noqa: PLR0913 - a Typer command's parameters are its options
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
    plan_tab: Annotated[str, typer.Option(help="Name of the Plan tab.")] = _DEFAULTS.plan_tab,
    bookings_tab: Annotated[
        str, typer.Option(help="Name of the Bookings tab.")
    ] = _DEFAULTS.bookings_tab,
    summary_tab: Annotated[
        str, typer.Option(help="Name of the Summary tab.")
    ] = _DEFAULTS.summary_tab,
    fiscal_year_start_month: Annotated[
        int, typer.Option(help="First month of the fiscal year (1-12).")
    ] = _DEFAULTS.fiscal_year_start_month,
    comparison: Annotated[
        str, typer.Option(help="PRIOR_QUARTER or SAME_QUARTER_LAST_YEAR.")
    ] = _DEFAULTS.comparison.value,
    hard_miss_window: Annotated[
        int, typer.Option(help="Quarters looked back for repeated Hard Misses.")
    ] = _DEFAULTS.hard_miss_window,
    group_by: Annotated[
        list[str] | None, typer.Option(help="Group column (repeatable). Default: automatic.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="ISO date to look from (default: today in the sheet's time zone)."),
    ] = None,
    leads_tab: Annotated[
        str, typer.Option(help="Name of the optional Leads tab.")
    ] = _DEFAULTS.leads_tab,
    rates_tab: Annotated[
        str, typer.Option(help="Name of the optional Rates tab.")
    ] = _DEFAULTS.rates_tab,
    amount_column: Annotated[
        str | None, typer.Option(help="Bookings amount column (default: the reader's choice).")
    ] = None,
    date_column: Annotated[
        str | None, typer.Option(help="Bookings close-date column (default: the reader's).")
    ] = None,
    plan_column: Annotated[
        str | None, typer.Option(help="Plan amount column (default: the reader's choice).")
    ] = None,
    won_status: Annotated[
        list[str] | None, typer.Option(help="A stage that counts as won (repeatable).")
    ] = None,
    date_order: Annotated[
        str | None, typer.Option(help="DAY_FIRST or MONTH_FIRST, for text dates in CSV files.")
    ] = None,
    history_tab: Annotated[
        str | None, typer.Option(help="Keep one row per group and run in this tab.")
    ] = None,
    leads: Annotated[Path | None, typer.Option(help="Local mode: the Leads tab as CSV.")] = None,
    rates: Annotated[Path | None, typer.Option(help="Local mode: the Rates tab as CSV.")] = None,
    verbose: Annotated[bool, typer.Option(help="Log details (and tracebacks of bugs).")] = False,
) -> None:
    """Classify one spreadsheet (or two CSV exports) and print the verdict table."""
    args = ClassifyArgs(
        spreadsheet=spreadsheet_id,
        quarter=quarter,
        options={
            "plan_tab": plan_tab,
            "bookings_tab": bookings_tab,
            "summary_tab": summary_tab,
            "fiscal_year_start_month": fiscal_year_start_month,
            "comparison": comparison,
            "hard_miss_window": hard_miss_window,
            "group_by": group_by or None,
            "as_of": as_of,
            "leads_tab": leads_tab,
            "rates_tab": rates_tab,
            "amount_column": amount_column,
            "date_column": date_column,
            "plan_column": plan_column,
            "won_statuses": won_status or None,
            "date_order": date_order,
            "history_tab": history_tab,
        },
        as_json=as_json,
        plan=plan,
        bookings=bookings,
        leads=leads,
        rates=rates,
        summary_csv=summary_csv,
        token=token,
    )
    settings = _settings()
    _configure_logging("INFO" if verbose else "CRITICAL")
    try:
        run_classify(args, settings, os.environ, console)
    except CliError as err:
        failure = _fail(str(err), err.exit_code)
        print_refusal(errors, err.issues)
        raise failure from None


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
