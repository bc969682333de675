"""What the section builders share: rounding, the month's traffic index, views of the
observations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portfolio.config import Design, Settings
from portfolio.report.model import LatencyFigures
from portfolio.sketch import LatencySketch
from portfolio.sources.base import Observations, TrafficBucket
from portfolio.store.records import CheckRun, ProbeCounts, ResourceSummary
from portfolio.store.summaries import summarise_resources
from portfolio.telemetry.percentiles import latency_percentiles
from portfolio.telemetry.totals import RequestTotals


def rounded(value: float | None, digits: int = 2) -> float | None:
    """A figure rounded for the model (report.json), None kept: no data stays no data."""
    return None if value is None else round(value, digits)


def latency(sketch: LatencySketch) -> LatencyFigures:
    """Mean and percentiles of a merged sketch, as every section writes a latency."""
    figures = latency_percentiles(sketch, digits=2)
    return LatencyFigures(avg=figures.avg, p50=figures.p50, p95=figures.p95, p99=figures.p99)


@dataclass
class TrafficIndex:
    """The month's hourly buckets grouped every way the report needs, in one pass."""

    total: RequestTotals
    by_day: dict[date, RequestTotals]
    by_hour: dict[int, RequestTotals]
    by_endpoint: dict[str, RequestTotals]
    by_utc_hour: dict[datetime, RequestTotals]

    @classmethod
    def of(cls, buckets: Iterable[TrafficBucket], zone: ZoneInfo) -> TrafficIndex:
        """Buckets grouped by hour and by endpoint; days and hours of day from the ~720 hours.

        Merging sketches is the costly step of a report, so each grouping merges its
        sketches in one bulk step (RequestTotals.grouped) and days, hours of day and
        the month are built from the hours, not from every bucket again.
        """
        rows = list(buckets)
        by_utc_hour = RequestTotals.grouped(rows, [b.hour for b in rows])
        by_endpoint = RequestTotals.grouped(rows, [b.endpoint for b in rows])
        hours = list(by_utc_hour.values())
        local = [hour.astimezone(zone) for hour in by_utc_hour]
        total = RequestTotals.combined(hours, [None] * len(hours)).get(None, RequestTotals())
        by_day = RequestTotals.combined(hours, [moment.date() for moment in local])
        by_hour = RequestTotals.combined(hours, [moment.hour for moment in local])
        return cls(total, by_day, by_hour, by_endpoint, by_utc_hour)


# Sources give these as sums or as lists (Observations says which); one view of each.


def resource_summary(obs: Observations) -> ResourceSummary:
    return obs.resource_summary or summarise_resources(obs.resources)


def site_probe_counts(obs: Observations) -> ProbeCounts:
    if obs.site_probe_counts is not None:
        return obs.site_probe_counts
    return ProbeCounts(probes=len(obs.site_probes), ok=sum(1 for p in obs.site_probes if p.ok))


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def resource_names(settings: Settings) -> dict[str, str]:
    """The environment's resources as the design has them (the serverless design has no
    cluster, load balancer or target group: its function behind CloudFront)."""
    named = settings.resources
    if settings.design is Design.SERVERLESS:
        return {
            "cluster": "AWS Lambda",
            "service": settings.api_function,
            "load_balancer": "CloudFront → Lambda Function URL",
            "target_group": "—",
        }
    return {"cluster": named.cluster, "service": named.service,
            "load_balancer": named.load_balancer, "target_group": named.target_group}  # fmt: skip


def latest_run(runs: list[CheckRun], kind: str) -> CheckRun | None:
    matching = [r for r in runs if r.kind == kind]
    return max(matching, key=lambda r: r.started_at) if matching else None
