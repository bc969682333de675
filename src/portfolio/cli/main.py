"""The `portfolio` command: sub-apps registered here, errors turned into exit codes.

Exit codes: 0 success; 1 the command ran and found problems (checks); 2 the
command could not run (bad input, bad settings, unreachable store) — with one
line on stderr saying why.
"""

from __future__ import annotations

import sys

import typer

from portfolio import __version__
from portfolio.cli import check, report, serve
from portfolio.cli.docs import docs_app
from portfolio.cli.infra import infra_app
from portfolio.cli.logs import logs_app
from portfolio.cli.opslog import incident_app, maintenance_app, worklog_app
from portfolio.cli.store import store_app
from portfolio.errors import PortfolioError

app = typer.Typer(
    name="portfolio",
    help="Run and operate the AWS Portfolio Infrastructure: API, telemetry, checks, reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command(name="serve")(serve.serve)
app.command(name="report")(report.report)
app.command(name="demo")(report.demo)
app.command(name="check")(check.check)
app.add_typer(incident_app, name="incident")
app.add_typer(maintenance_app, name="maintenance")
app.add_typer(worklog_app, name="worklog")
app.add_typer(docs_app, name="docs")
app.add_typer(infra_app, name="infra")
app.add_typer(logs_app, name="logs")
app.add_typer(store_app, name="store")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def run(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map failures to one line and an exit code."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="portfolio", standalone_mode=False)
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        print("portfolio: aborted", file=sys.stderr)
        return 130
    except typer.TyperException as err:  # usage errors: unknown option, bad value, ...
        format_message = getattr(err, "format_message", None)
        message = format_message() if callable(format_message) else str(err)
        print(f"portfolio: {message}", file=sys.stderr)
        return 2
    except PortfolioError as err:
        print(f"portfolio: {err}", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())
