"""`portfolio logs`: a quick look at any set of ALB access logs, and the Athena path.

``summary`` reads files, directories, .gz files or s3:// prefixes with the same
scan the ``alb-logs`` report source uses; its figures come from
sources/log_summary.py and this module only formats them (tables or ``--json``).
``athena`` prints the table and the queries to run the same analysis in Athena
when the logs outgrow one machine.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from portfolio.cli.common import console, load_settings
from portfolio.period import Period
from portfolio.sources import alb_format
from portfolio.sources.alb_source import describe_skipped
from portfolio.sources.log_summary import LogSummary, PathCount, summarize_logs, to_json
from portfolio.sources.progress import file_progress, warn

logs_app = typer.Typer(
    add_completion=False, help="Analyse ALB access logs (files, .gz, directories, s3://)."
)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _when(value: datetime | None) -> str:
    """A time with its zone: the zone's name and its abbreviation (Asia/Tokyo, JST)."""
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M:%S %Z}"


def _paths_table(title: str, rows: list[PathCount]) -> Table:
    table = Table(title=title)
    table.add_column("path")
    table.add_column("requests", justify="right")
    table.add_column("scanner path", justify="center")
    for row in rows:
        table.add_row(row.path, f"{row.requests:,}", "yes" if row.scanner else "")
    return table


def summary_tables(summary: LogSummary) -> list[Table]:
    """The summary as Rich tables: overview, requests by endpoint and status, percentiles,
    the top unmatched and 404 paths."""
    overview = Table(title="ALB access logs", show_header=False)
    overview.add_row("files", f"{summary.files:,}")
    overview.add_row("lines", f"{summary.lines:,}")
    overview.add_row("requests", f"{summary.requests:,}")
    overview.add_row("skipped (malformed)", f"{summary.skipped:,}")
    span = (
        "-"
        if summary.first is None or summary.last is None
        else f"{_when(summary.first)} – {_when(summary.last)} ({summary.timezone})"
    )
    overview.add_row("time range", span)
    overview.add_row("load balancer's own 5xx", f"{summary.load_balancer_5xx:,}")
    a = summary.anomalies
    overview.add_row("requests to scanner paths", f"{a.scanner_requests:,}")
    overview.add_row(
        "401/403/404 bursts",
        f"{a.burst_minutes:,} minutes, {a.burst_clients or 0:,} clients ({a.rule})",
    )

    by_status = Table(title="requests by endpoint and status")
    for name in ("endpoint", "status", "requests"):
        by_status.add_column(name, justify="right" if name != "endpoint" else "left")
    for row in summary.by_status:
        by_status.add_row(row.endpoint, str(row.status), f"{row.requests:,}")
    latency = Table(title="target latency per endpoint (ms; ±1 %)")
    for name in ("endpoint", "requests", "timed", "avg", "p50", "p95", "p99", "max"):
        latency.add_column(name, justify="right" if name != "endpoint" else "left")
    for e in summary.endpoints:
        p = e.latency_ms
        latency.add_row(
            e.endpoint, f"{e.requests:,}", f"{p.count:,}", _ms(p.avg), _ms(p.p50), _ms(p.p95),
            _ms(p.p99), _ms(p.max),
        )  # fmt: skip
    return [
        overview,
        by_status,
        latency,
        _paths_table("top unmatched paths", summary.unmatched_paths),
        _paths_table("top 404 paths (not found)", summary.not_found_paths),
    ]


@logs_app.command()
def summary(
    paths: Annotated[list[str], typer.Argument(help="Log files, directories or s3:// prefixes.")],
    endpoint_url: Annotated[
        str | None, typer.Option(help="S3 endpoint override (local stand-ins).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on stdout.")
    ] = False,
    top: Annotated[int, typer.Option(min=1, help="Rows of the unmatched-path and 404 lists.")] = 10,
) -> None:
    """Lines, skipped lines, time range, requests by endpoint/status, p50/p95/p99 per endpoint,
    the top unmatched and 404 paths (scanner paths marked) and 401/403/404 bursts.

    Times are shown in the report's zone (PORTFOLIO_REPORT__TIMEZONE, Asia/Tokyo by default).
    """
    tz = load_settings().report.timezone
    result, scan = summarize_logs(
        paths, tz, endpoint_url=endpoint_url, progress=file_progress, top=top
    )
    if result.skipped:
        warn(describe_skipped(scan))
    if as_json:
        typer.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2))
        return
    for table in summary_tables(result):
        console.print(table)


@logs_app.command()
def athena(
    location: Annotated[
        str,
        typer.Option(
            help="S3 location of the logs (…/AWSLogs/<account>/elasticloadbalancing/<region>/)."
        ),
    ] = "s3://YOUR-BUCKET/AWSLogs/ACCOUNT/elasticloadbalancing/REGION/",
    table: Annotated[str, typer.Option(help="Table name.")] = "alb_logs",
    month: Annotated[
        str | None, typer.Option(help="YYYY-MM the queries cover (default: the previous month).")
    ] = None,
) -> None:
    """Print the Athena table (RegexSerDe, as AWS documents it) and the report's queries."""
    tz = load_settings().report.timezone
    period = Period.parse(month, tz) if month else Period.previous_to(datetime.now(UTC), tz)
    start = period.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    end = period.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    typer.echo("-- table over the ALB access logs (RegexSerDe)")
    typer.echo(alb_format.athena_ddl(location, table))
    for title, sql in alb_format.athena_queries(table, start=start, end=end).items():
        typer.echo(f"\n-- {title} ({period.label}, {tz})")
        typer.echo(sql)
