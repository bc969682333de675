"""The scheduled jobs, by the name the schedules pass to `portfolio ops run NAME`.

Each job records what it ran into the store (the operations log the report reads),
stores its results in the reports bucket and sends one summary to the alarm topic:

- ``daily``, ``weekly``: that checklist on the AWS target.
- ``monthly``: the monthly checklist (with the restore test). It runs on the month's
  last day so it is part of the month it covers: a run on the 1st would count for the
  new month and the report would miss it.
- ``report``: the monthly report of the previous month, in every format the image can
  write, on the 1st.

A job that cannot finish (a call its role may not make, a source that refuses, AWS
without credentials or an endpoint that does not answer) still sends its summary,
saying what stopped it: a missing grant shows on the first night as one line in the
mail, not as a task that died with a traceback.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from portfolio.checks.base import Kind
from portfolio.checks.export import run_to_dict
from portfolio.checks.run import CheckContext, run_checks
from portfolio.cloud import refusal, unreachable
from portfolio.costs import load_prices
from portfolio.costs.designs import DESIGN_ARCHITECTURE
from portfolio.errors import ConfigError, SourceError
from portfolio.period import Period
from portfolio.registry import Registry
from portfolio.report.archive import MONTH_DIR, from_json, write_index
from portfolio.report.build import REPORT_JSON, compute_report, load_previous
from portfolio.report.model import Report
from portfolio.report.render.pdf import find_browser
from portfolio.report.write import WRITERS, Format, write_report
from portfolio.scheduled.deliver import Delivery, Link
from portfolio.scheduled.summary import Summary, summarize
from portfolio.sources.base import SourceOptions, make_source
from portfolio.store.records import CheckRun


@dataclass(frozen=True)
class JobContext:
    """What a job needs: the check context (settings, store, AWS endpoint) and where to deliver."""

    checks: CheckContext
    delivery: Delivery
    now: datetime
    target: str = "aws"
    source: str = "aws"
    month: str | None = None
    """The report's month (YYYY-MM); default the month before ``now`` in the report zone."""
    out: Path | None = None
    """Where report files are written before upload (default: a scratch directory)."""


@dataclass(frozen=True)
class Outcome:
    job: str
    run: CheckRun | None = None
    report: Report | None = None
    keys: list[str] = field(default_factory=list)
    summary: Summary | None = None
    message_id: str | None = None
    error: str | None = None
    """Why the job could not finish (then it has no run and no report)."""
    links: list[Link] = field(default_factory=list)
    """Presigned links to the report's files, for the message."""

    @property
    def passed(self) -> bool:
        return self.error is None and (self.run is None or self.run.passed)


Job = Callable[[JobContext], Outcome]
JOBS: Registry[str, Job] = Registry("job", unknown=ConfigError)


def run_job(name: str, context: JobContext) -> Outcome:
    """Run the named job, then send its summary; ConfigError for an unknown name."""
    job = JOBS[name]
    try:
        outcome = job(context)
    except ClientError as err:
        reason = refusal(err)
        if reason is None:
            raise
        outcome = Outcome(job=name, error=reason)
    except BotoCoreError as err:
        reason = unreachable(err)
        if reason is None:
            raise
        outcome = Outcome(job=name, error=reason)
    except SourceError as err:
        outcome = Outcome(job=name, error=str(err))
    summary = summarize(
        name,
        context.checks.settings.report.environment_name,
        run=outcome.run,
        report=outcome.report,
        keys=outcome.keys,
        error=outcome.error,
        links=outcome.links,
    )
    message_id = context.delivery.publish(summary.subject, summary.message)
    return replace(outcome, summary=summary, message_id=message_id)


def _checklist(kind: Kind, context: JobContext, *, restore_test: bool = False) -> Outcome:
    checks = replace(context.checks, now=context.now, restore_test=restore_test)
    run = run_checks(kind, context.target, checks)
    key = context.delivery.put_json(
        f"checks/{kind.value}/{run.started_at:%Y-%m-%dT%H%M%SZ}.json", run_to_dict(run)
    )
    return Outcome(job=kind.value, run=run, keys=[key] if key else [])


@JOBS.add("daily")
def daily(context: JobContext) -> Outcome:
    return _checklist(Kind.DAILY, context)


@JOBS.add("weekly")
def weekly(context: JobContext) -> Outcome:
    return _checklist(Kind.WEEKLY, context)


@JOBS.add("monthly")
def monthly(context: JobContext) -> Outcome:
    return _checklist(Kind.MONTHLY, context, restore_test=True)


def image_formats() -> list[Format]:
    """Every report format this installation can write (PDF only where Chromium is)."""
    try:
        find_browser()
    except ConfigError:
        return [fmt for fmt in WRITERS if fmt != "pdf"]
    return list(WRITERS)


@JOBS.add("report")
def report(context: JobContext) -> Outcome:
    """The month's report in every format, the archive's index over every month in the
    bucket, and presigned links to the month's HTML and PDF for the message."""
    settings = context.checks.settings
    tz = settings.report.timezone
    period = (
        Period.parse(context.month, tz) if context.month else Period.previous_to(context.now, tz)
    )
    source = make_source(
        context.source,
        SourceOptions(settings=settings, endpoint_url=context.checks.endpoint_url),
    )
    design = DESIGN_ARCHITECTURE[settings.design]
    with tempfile.TemporaryDirectory(prefix="portfolio-report-") as scratch:
        root = Path(scratch)
        _fetch_previous_json(context.delivery, period, root)
        observations = source.observe(period)
        previous = source.observe(period.previous(), traffic_only=True)
        prices = load_prices()
        last_month = load_previous(
            period, reports_dir=root, source=source, settings=settings, now=context.now,
            prices=prices, design=design,
        )  # fmt: skip
        built = compute_report(
            observations, settings, previous=previous, now=context.now, prices=prices,
            design=design, previous_month=last_month,
        )  # fmt: skip
        out = context.out or root / period.label
        written = write_report(built, out, formats=image_formats(), langs=["ja", "en"])
        prefix = f"{REPORTS_PREFIX}{period.label}/"
        keys = [
            key for path in written if (key := context.delivery.put_file(prefix + path.name, path))
        ]
        keys += _write_index(context.delivery, root / "index")
    links = [
        link
        for path in written
        if path.name in LINKED
        and (link := context.delivery.presign(prefix + path.name, LINKED[path.name]))
    ]
    return Outcome(job="report", report=built, keys=keys, links=links)


REPORTS_PREFIX = "reports/"
LINKED = {
    "operations-report.ja.html": "HTML (日本語)",
    "operations-report.en.html": "HTML (English)",
    "operations-report.ja.pdf": "PDF (日本語)",
    "operations-report.en.pdf": "PDF (English)",
}
"""The month's files the message links, by file name, with the link's label."""


def _fetch_previous_json(delivery: Delivery, period: Period, root: Path) -> None:
    """Last month's report.json from the bucket into ``root/<YYYY-MM>/``, if it is there."""
    label = period.previous().label
    data = delivery.get_bytes(f"{REPORTS_PREFIX}{label}/{REPORT_JSON}")
    if data is not None:
        (root / label).mkdir(parents=True, exist_ok=True)
        (root / label / REPORT_JSON).write_bytes(data)


def _write_index(delivery: Delivery, out: Path) -> list[str]:
    """The archive's index over every month's report.json in the bucket, uploaded beside
    the months (``reports/index.html``); the keys written (none without a bucket)."""
    keys = delivery.list_keys(REPORTS_PREFIX)
    names: dict[str, set[str]] = {}
    for key in keys:
        parts = key[len(REPORTS_PREFIX) :].split("/")
        if len(parts) == 2 and MONTH_DIR.match(parts[0]):
            names.setdefault(parts[0], set()).add(parts[1])
    contents: dict[str, tuple[object, set[str]]] = {}
    for month, files in names.items():
        raw = (
            delivery.get_bytes(f"{REPORTS_PREFIX}{month}/{REPORT_JSON}")
            if REPORT_JSON in files
            else None
        )
        if raw is not None:
            contents[month] = (_json_or_none(raw), files)
    if not contents:
        return []
    written = write_index(from_json(contents), out)
    return [k for path in written if (k := delivery.put_file(REPORTS_PREFIX + path.name, path))]


def _json_or_none(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        return None
