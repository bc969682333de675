"""`portfolio check daily|weekly|monthly`: run a checklist, print it, record it.

Exit codes fit cron and CI: 0 every check passed, 1 a check warned or failed, 2 the
checks could not run (one line on stderr, via the CLI's PortfolioError rule).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from portfolio.checks.base import Kind
from portfolio.checks.export import run_to_dict
from portfolio.checks.registry import get_check
from portfolio.checks.run import DEFAULT_URL, CheckContext, run_checks
from portfolio.cli.common import (
    AwsEndpointOption,
    CreateOption,
    DbOption,
    console,
    existing_store,
    load_settings,
    show_time,
)
from portfolio.config import Design
from portfolio.store.records import CheckRun, FindingStatus

Target = Literal["local", "aws"]
"""The check targets (checks/run.py registers a collector per target and kind)."""
PrintFormat = Literal["table", "json"]
STYLE = {FindingStatus.PASS: "green", FindingStatus.WARN: "yellow", FindingStatus.FAIL: "red",
         FindingStatus.NO_DATA: "dim"}  # fmt: skip


def _print_table(run: CheckRun, zone: ZoneInfo) -> None:
    table = Table(title=f"{run.kind} checks on {run.target} at {show_time(run.started_at, zone)}")
    table.add_column("status")
    table.add_column("check")
    table.add_column("severity")
    table.add_column("detail")
    for f in run.findings:
        spec = get_check(f.check_id)
        table.add_row(
            f"[{STYLE[f.status]}]{f.status.value}[/]", f.check_id, spec.severity.value, f.detail
        )
    console.print(table)


def run_json(run: CheckRun) -> str:
    return json.dumps(run_to_dict(run), indent=2, ensure_ascii=False)


def check(
    kind: Annotated[
        Kind, typer.Argument(help="Which checklist.", metavar="KIND", show_default=False)
    ],
    target: Annotated[
        Target, typer.Option(help="This machine's service, store and CDK template, or AWS.")
    ] = "local",
    fmt: Annotated[PrintFormat, typer.Option("--format", help="How to print the run.")] = "table",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    restore_test: Annotated[
        bool,
        typer.Option(
            "--restore-test", help="monthly: restore into a scratch copy, compare, delete it."
        ),
    ] = False,
    iac_scan: Annotated[
        bool,
        typer.Option(
            "--iac-scan", help="monthly: run cdk-nag, cfn-lint and checkov and record their counts."
        ),
    ] = False,
    dependency_audit: Annotated[
        bool,
        typer.Option(
            "--dependency-audit",
            help="monthly: check uv.lock's packages against PyPI's vulnerability data.",
        ),
    ] = False,
    design: Annotated[
        Design | None,
        typer.Option(help="The deployment checked (default PORTFOLIO_DESIGN)."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help=f"Entry point for /health (local default {DEFAULT_URL}; aws: the ALB)."),
    ] = None,
    endpoint_url: Annotated[str | None, AwsEndpointOption] = None,
    db: Annotated[Path | None, DbOption] = None,
    create: Annotated[bool, CreateOption] = False,
) -> None:
    """Run the daily, weekly or monthly checklist; exit 0 all pass, 1 findings, 2 could not run."""
    settings = load_settings(store__sqlite_path=db, design=design)
    store = existing_store(settings, create=create)
    try:
        run = run_checks(
            kind,
            target,
            CheckContext(
                settings=settings,
                store=store,
                url=url,
                restore_test=restore_test,
                endpoint_url=endpoint_url,
                iac_scan=iac_scan,
                dependency_audit=dependency_audit,
            ),
        )
    finally:
        store.close()
    if fmt == "json" or as_json:
        typer.echo(run_json(run))
    else:
        _print_table(run, ZoneInfo(settings.report.timezone))
    if not run.passed:
        raise typer.Exit(1)
