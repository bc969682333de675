"""`portfolio ops run JOB`: one scheduled operation, as the ops task runs it on AWS.

EventBridge Scheduler starts the service's image with ``portfolio ops run daily`` (and
weekly, monthly, report); a person can run the same command by hand. Exit codes as
`check`: 0 nothing found, 1 findings, 2 could not run (a refused call, say: the
summary is still sent and says so).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from portfolio.checks.run import CheckContext
from portfolio.cli.common import (
    AwsEndpointOption,
    DbOption,
    console,
    existing_store,
    load_settings,
)
from portfolio.cloud import Aws
from portfolio.config import OPS_BUCKET_ENV, OPS_TOPIC_ENV
from portfolio.errors import SourceError
from portfolio.scheduled.deliver import Delivery
from portfolio.scheduled.jobs import JobContext, run_job

ops_app = typer.Typer(help="Scheduled operations: checks and the monthly report, delivered.")

Job = Literal["daily", "weekly", "monthly", "report"]
"""The jobs scheduled/jobs.py registers (a test keeps the two the same)."""
Place = Literal["aws", "local"]


@ops_app.command("run")
def run(
    job: Annotated[
        Job, typer.Argument(help="The scheduled job.", metavar="JOB", show_default=False)
    ],
    bucket: Annotated[
        str | None,
        typer.Option(
            envvar=OPS_BUCKET_ENV, help="Reports bucket (results stay local without one)."
        ),
    ] = None,
    topic_arn: Annotated[
        str | None,
        typer.Option(envvar=OPS_TOPIC_ENV, help="SNS topic for the summary (printed without one)."),
    ] = None,
    month: Annotated[
        str | None, typer.Option(help="report: YYYY-MM (default: last month).")
    ] = None,
    target: Annotated[Place, typer.Option(help="Check target.")] = "aws",
    source: Annotated[Place, typer.Option(help="Report source.")] = "aws",
    out: Annotated[
        Path | None, typer.Option(help="report: also keep the files here.", file_okay=False)
    ] = None,
    url: Annotated[str | None, typer.Option(help="daily: the public entry point.")] = None,
    endpoint_url: Annotated[str | None, AwsEndpointOption] = None,
    db: Annotated[Path | None, DbOption] = None,
) -> None:
    """Run one scheduled job, store its results in the bucket and send the summary."""
    settings = load_settings(store__sqlite_path=db)
    store = existing_store(settings)
    try:
        outcome = run_job(
            job,
            JobContext(
                checks=CheckContext(
                    settings=settings, store=store, url=url, endpoint_url=endpoint_url
                ),
                delivery=Delivery(Aws(settings, endpoint_url), bucket, topic_arn),
                now=datetime.now(UTC),
                target=target,
                source=source,
                month=month,
                out=out,
            ),
        )
    finally:
        store.close()
    if outcome.summary is not None:
        console.print(outcome.summary.subject, highlight=False)
        console.print(outcome.summary.message, highlight=False)
    if outcome.message_id is not None:
        console.print(f"published {outcome.message_id} to {topic_arn}", highlight=False)
    if outcome.error is not None:
        raise SourceError(f"ops run {job}: {outcome.error}")
    if not outcome.passed:
        raise typer.Exit(1)
