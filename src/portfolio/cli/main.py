"""The `portfolio` command: sub-commands by name, loaded when used; errors to exit codes.

Exit codes: 0 success; 1 the command ran and found problems (checks); 2 the
command could not run (bad input, bad settings, unreachable store, AWS without
credentials or an endpoint that does not answer, a path it cannot write) — with one
line on stderr saying why.

Each sub-command's module is imported only when that command runs (or when
help lists it): a cron job running ``portfolio check daily`` should not pay for
importing DuckDB, the CDK helpers and the report renderers first.
"""

from __future__ import annotations

import importlib
import sys
from difflib import get_close_matches
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from portfolio import __version__
from portfolio.cli import lifetime
from portfolio.cli.help import HelpContext, adopt
from portfolio.cli.suggest import did_you_mean, with_suggestion
from portfolio.errors import PortfolioError

VERSION = f"portfolio {__version__}"
"""The one way the version is shown, by `--version` and by `version`."""

# name -> (module, attribute): a Typer sub-app, or a function registered as one command.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("portfolio.cli.serve", "serve"),
    "report": ("portfolio.cli.report", "report_app"),
    "demo": ("portfolio.cli.report", "demo"),
    "check": ("portfolio.cli.check", "check"),
    "incident": ("portfolio.cli.opslog", "incident_app"),
    "maintenance": ("portfolio.cli.opslog", "maintenance_app"),
    "worklog": ("portfolio.cli.opslog", "worklog_app"),
    "docs": ("portfolio.cli.docs", "docs_app"),
    "infra": ("portfolio.cli.infra", "infra_app"),
    "logs": ("portfolio.cli.logs", "logs_app"),
    "store": ("portfolio.cli.store", "store_app"),
    "ops": ("portfolio.cli.ops", "ops_app"),
}


class LazyGroup(TyperGroup):
    """A command group that imports a sub-command's module when the command is asked for."""

    context_class = HelpContext

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attribute = COMMANDS[cmd_name]
        target = getattr(importlib.import_module(module), attribute)
        lifetime.imports_done()
        command: Any
        if isinstance(target, typer.Typer):  # always a group, even with one sub-command
            command = typer.main.get_group(target)
        else:
            single = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
            single.command(name=cmd_name)(target)
            command = typer.main.get_command(single)
        command.name = cmd_name
        return adopt(command)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As Typer's, with "did you mean" over the lazily loaded commands too."""
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as err:
            message = getattr(err, "message", None)
            if not args or not isinstance(message, str) or "Did you mean" in message:
                raise
            matches = get_close_matches(args[0], self.list_commands(ctx), n=3)
            if matches:
                err.message = f"{message.rstrip('.')}.{did_you_mean(args[0], matches)}"
            raise


app = typer.Typer(
    name="portfolio",
    help="Run and operate the AWS Portfolio Infrastructure: API, telemetry, checks, reports.",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every command
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(VERSION)
        raise typer.Exit(0)


@app.callback()
def _root(
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print only results asked for (--json) and errors; no progress."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Run and operate the AWS Portfolio Infrastructure: API, telemetry, checks, reports.

    Times are shown in one zone, PORTFOLIO_REPORT__TIMEZONE (default Asia/Tokyo), with
    its name. Exit codes: 0 success, 1 findings (checks), 2 could not run.
    """
    from portfolio.cli.common import set_quiet  # here, so `--version` stays quick

    set_quiet(quiet)


@app.command()
def version() -> None:
    """Print the version (as --version does)."""
    typer.echo(VERSION)


def _botocore_errors() -> tuple[type[Exception], ...]:
    """botocore's base error once a command has loaded botocore; none can be raised before."""
    loaded = sys.modules.get("botocore.exceptions")
    return (loaded.BotoCoreError,) if loaded is not None else ()


def _aws_failure(err: Exception) -> str | None:
    """The one line for AWS that could not be asked (credentials, endpoint), else None."""
    from portfolio.cloud import unreachable

    return unreachable(err)


def run(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map failures to one line and an exit code."""
    command = adopt(typer.main.get_command(app))
    words = sys.argv[1:] if argv is None else argv  # for "did you mean"
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
        if message.startswith("Usage: "):  # a group run without its command: its help
            print(message, file=sys.stderr)
        else:
            print(f"portfolio: {with_suggestion(err, message, words)}", file=sys.stderr)
        return 2
    except PortfolioError as err:
        print(f"portfolio: {err}", file=sys.stderr)
        return 2
    except _botocore_errors() as err:  # before OSError: a connect timeout is one too
        message = _aws_failure(err)
        if message is None:
            raise
        print(f"portfolio: {message}", file=sys.stderr)
        return 2
    except OSError as err:  # a path the command cannot create, read or write
        where = f": {err.filename}" if err.filename else ""
        print(f"portfolio: {err.strerror or err}{where}", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0


def main() -> None:
    """The `portfolio` process: one command, with the collector set for it (cli/lifetime.py)."""
    lifetime.arm()
    code = run()
    lifetime.exiting()
    sys.exit(code)
