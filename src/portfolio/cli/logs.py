"""`portfolio logs`: a quick look at any set of ALB access logs, and the Athena path.

``summary`` reads files, directories, .gz files or s3:// prefixes with the same
engine the ``alb-logs`` report source uses; ``athena`` prints the table and the
queries to run the same analysis in Athena when the logs outgrow one machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from portfolio.cli.common import console, load_settings
from portfolio.period import Period
from portfolio.sources import alb_format
from portfolio.sources.alb_logs import AlbScan, describe_skipped, scan_alb, sketches_by_endpoint
from portfolio.sources.logfiles import find_files
from portfolio.sources.progress import file_progress, warn

logs_app = typer.Typer(
    add_completion=False, help="Analyse ALB access logs (files, .gz, directories, s3://)."
)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def summary_tables(scan: AlbScan) -> list[Table]:
    """The summary as Rich tables: overview, requests by endpoint and status, percentiles."""
    overview = Table(title="ALB access logs", show_header=False)
    overview.add_row("files", f"{scan.files:,}")
    overview.add_row("lines", f"{scan.lines:,}")
    overview.add_row("requests", f"{scan.requests:,}")
    overview.add_row("skipped (malformed)", f"{scan.skipped:,}")
    span = (
        "-"
        if scan.first is None or scan.last is None
        else f"{scan.first:%Y-%m-%d %H:%M:%S} – {scan.last:%Y-%m-%d %H:%M:%S} UTC"
    )
    overview.add_row("time range", span)
    lb = int(scan.hourly["lb"].sum()) if scan.hourly else 0
    overview.add_row("load balancer's own 5xx", f"{lb:,}")

    by_status = Table(title="requests by endpoint and status")
    for name in ("endpoint", "status", "requests"):
        by_status.add_column(name, justify="right" if name != "endpoint" else "left")
    latency = Table(title="target latency per endpoint (ms; ±1 %)")
    for name in ("endpoint", "requests", "timed", "avg", "p50", "p95", "p99", "max"):
        latency.add_column(name, justify="right" if name != "endpoint" else "left")
    if scan.hourly and len(scan.hourly["hour"]):
        counts: dict[tuple[str, int], int] = {}
        for endpoint, status, n in zip(
            scan.hourly["endpoint"].tolist(), scan.hourly["status"].tolist(),
            scan.hourly["n"].tolist(), strict=True,
        ):  # fmt: skip
            counts[(endpoint, status)] = counts.get((endpoint, status), 0) + n
        per_endpoint: dict[str, int] = {}
        for (endpoint, status), n in sorted(counts.items()):
            by_status.add_row(endpoint, str(status), f"{n:,}")
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + n
        for endpoint, sketch in sorted(
            sketches_by_endpoint(scan).items(), key=lambda item: -per_endpoint[item[0]]
        ):
            latency.add_row(
                endpoint, f"{per_endpoint[endpoint]:,}", f"{sketch.count:,}", _ms(sketch.mean),
                _ms(sketch.quantile(0.5)), _ms(sketch.quantile(0.95)), _ms(sketch.quantile(0.99)),
                _ms(sketch.max if sketch.count else None),
            )  # fmt: skip
    return [overview, by_status, latency]


@logs_app.command()
def summary(
    paths: Annotated[list[str], typer.Argument(help="Log files, directories or s3:// prefixes.")],
    endpoint_url: Annotated[
        str | None, typer.Option(help="S3 endpoint override (local stand-ins).")
    ] = None,
) -> None:
    """Lines, skipped lines, time range, requests by endpoint/status, p50/p95/p99 per endpoint."""
    files = find_files(paths, endpoint_url=endpoint_url)
    with file_progress(len(files)) as advance:
        scan = scan_alb(files, endpoint_url=endpoint_url, progress=advance)
    if scan.skipped:
        warn(describe_skipped(scan))
    for table in summary_tables(scan):
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
