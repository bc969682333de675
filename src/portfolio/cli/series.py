"""`portfolio report archive` and `portfolio report --notify`: the reports as a series.

The archive's index is written by the library (report.archive); the notice is the
message the AWS report job sends (scheduled.summary), with the files written in place
of the presigned links, so a cron line can mail it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from portfolio.cli.common import console
from portfolio.errors import InputError
from portfolio.report.archive import collect, write_index
from portfolio.scheduled.summary import summarize

if TYPE_CHECKING:
    from portfolio.config import Settings
    from portfolio.report.model import Report

NotifyOption = typer.Option(
    "--notify",
    help="Also write the delivery message (headline, changes, incidents, files) to FILE,"
    " or - for stdout: what the AWS report job mails, for a cron line to mail.",
    metavar="FILE",
)


def write_notice(
    target: str | None, settings: Settings, report: Report, written: list[Path]
) -> None:
    """The report job's message for this report, to ``target`` (a path, or - for stdout)."""
    if target is None:
        return
    summary = summarize(
        "report", settings.report.environment_name, run=None, report=report, keys=[],
        paths=[str(path) for path in written],
    )  # fmt: skip
    text = f"Subject: {summary.subject}\n\n{summary.message}"
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        Path(target).write_text(text, encoding="utf-8")


def archive(
    reports: Annotated[
        Path,
        typer.Option(help="The reports directory: one YYYY-MM folder a month.", file_okay=False),
    ] = Path("reports"),
) -> None:
    """Write index.html (and index.ja/.en.html) beside the months: one row per month with
    its four KPIs and links to each language and format, and the trends over all months.

    Built from each month's report.json (any schema version); nothing is fetched when
    the page is opened.
    """
    if not reports.is_dir():  # a typo must not become a new, empty archive
        raise InputError(f"no such reports directory: {reports}")
    found = collect(reports)
    for path in write_index(found, reports):
        console.print(f"wrote {path}", highlight=False)
    months = [m.figures.month for m in found.months]
    span = f"{months[0]} to {months[-1]}" if months else "none yet"
    console.print(f"{len(months)} months ({span})", highlight=False)
    if found.unreadable:
        console.print(f"could not read: {', '.join(found.unreadable)}", highlight=False)
        raise typer.Exit(1)
