"""The ``aws`` target's weekly collector: a week's traffic, latency and utilisation.

The service's own telemetry first (as the report reads it); CloudWatch's load balancer
figures and the ALB's access logs only for a week the telemetry has nothing of.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from portfolio.checks.aws import alb_queries, aws_for, ecs_queries
from portfolio.checks.base import Kind
from portfolio.checks.collect import WEEK
from portfolio.checks.collectors import CheckContext, register_collector
from portfolio.checks.snapshot import (
    EndpointLatency,
    Utilisation,
    WeeklySnapshot,
    WindowStats,
)
from portfolio.checks.weekly_telemetry import telemetry_week
from portfolio.cloud import (
    Aws,
    load_balancer,
    metric_data,
    total,
)
from portfolio.config import Design
from portfolio.errors import InputError
from portfolio.sketch import LatencySketch
from portfolio.sources.logfiles import find_files

LATENCY_STATS = {
    "avg": ("TargetResponseTime", "Average"),
    "p50": ("TargetResponseTime", "p50"),
    "p95": ("TargetResponseTime", "p95"),
    "p99": ("TargetResponseTime", "p99"),
    "requests": ("RequestCount", "Sum"),
    "target_5xx": ("HTTPCode_Target_5XX_Count", "Sum"),
    "elb_5xx": ("HTTPCode_ELB_5XX_Count", "Sum"),
}


def _ms(series: dict[datetime, float]) -> float | None:
    """The one datapoint of a week-long period, seconds -> ms."""
    return round(1000 * next(iter(series.values())), 3) if series else None


def _week(aws: Aws, lb_arn: str, start: datetime, end: datetime) -> WindowStats | None:
    period = int((end - start).total_seconds())
    data = metric_data(
        aws.client("cloudwatch"), alb_queries(lb_arn, period, LATENCY_STATS), start, end
    )
    requests = int(total(data["requests"]))
    if not requests:
        return None
    return WindowStats(
        requests=requests,
        errors_5xx=int(total(data["target_5xx"]) + total(data["elb_5xx"])),
        avg_ms=_ms(data["avg"]),
        p50_ms=_ms(data["p50"]),
        p95_ms=_ms(data["p95"]),
        p99_ms=_ms(data["p99"]),
    )


def alb_log_prefix(aws: Aws, lb: dict[str, Any]) -> str | None:
    """s3://bucket/prefix/AWSLogs/<account>/elasticloadbalancing/<region>/, if logging."""
    attrs = aws.client("elbv2").describe_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"]
    )
    values = {a["Key"]: a["Value"] for a in attrs.get("Attributes", [])}
    if values.get("access_logs.s3.enabled") != "true" or not values.get("access_logs.s3.bucket"):
        return None
    _arn, _partition, _service, region, account, _rest = lb["LoadBalancerArn"].split(":", 5)
    prefix = values.get("access_logs.s3.prefix", "").strip("/")
    base = f"s3://{values['access_logs.s3.bucket']}/" + (f"{prefix}/" if prefix else "")
    return f"{base}AWSLogs/{account}/elasticloadbalancing/{region}/"


def week_endpoints(
    aws: Aws, lb: dict[str, Any], start: datetime, end: datetime
) -> list[EndpointLatency] | None:
    """Requests and p95 per endpoint from the ALB's log files of [start, end).

    The logs are read straight from S3 with the same reader as `report --source
    alb-logs` (one GET per 5-minute file: ~4,000 a week, a fraction of a cent); None
    when the load balancer does not log, or no file of the week exists yet.
    """
    # Imported here, not at the top: the log reader brings numpy, and every `portfolio
    # check` run (daily, from cron) imports this module to register its collector.
    from portfolio.sources.alb_logs import scan_alb
    from portfolio.sources.alb_source import traffic_buckets

    base = alb_log_prefix(aws, lb)
    if base is None:
        return None
    days = {(start + timedelta(days=i)).date() for i in range((end - start).days + 1)}
    folders = [f"{base}{day:%Y/%m/%d}/" for day in sorted(days) if day <= end.date()]
    files = []
    for folder in folders:
        try:
            files += find_files([folder], endpoint_url=aws.endpoint_url)
        except InputError:
            continue  # no file that day (yet): those hours are simply not covered
    if not files:
        return None
    buckets = traffic_buckets(
        scan_alb(files, endpoint_url=aws.endpoint_url), int(start.timestamp()), int(end.timestamp())
    )
    counts: dict[str, int] = {}
    sketches: dict[str, LatencySketch] = {}
    for bucket in buckets:
        counts[bucket.endpoint] = counts.get(bucket.endpoint, 0) + bucket.count
        sketches.setdefault(bucket.endpoint, LatencySketch()).merge(bucket.sketch)
    return [
        EndpointLatency(
            endpoint=name,
            requests=count,
            p95_ms=None if (p95 := sketches[name].quantile(0.95)) is None else round(p95, 3),
        )
        for name, count in sorted(counts.items(), key=lambda item: -item[1])
    ]


@register_collector("aws", Kind.WEEKLY)
def weekly(context: CheckContext, at: datetime) -> WeeklySnapshot:
    aws = aws_for(context)
    end = at.replace(minute=0, second=0, microsecond=0)
    # The serverless design has no ALB or ECS service: nothing of theirs to ask for.
    has_service = context.settings.design is Design.ORIGINAL
    lb = load_balancer(aws) if has_service else None
    # Traffic from the service's own telemetry, as the report reads it (both designs);
    # the load balancer's figures only for a week the telemetry has no request of.
    this = telemetry_week(context.store, end - WEEK, end)
    last = telemetry_week(context.store, end - 2 * WEEK, end - WEEK)
    this_week, last_week = this.stats, last.stats
    if lb is not None and this_week is None:
        this_week = _week(aws, lb["LoadBalancerArn"], end - WEEK, end)
    if lb is not None and last_week is None:
        last_week = _week(aws, lb["LoadBalancerArn"], end - 2 * WEEK, end - WEEK)
    endpoints = this.endpoints or None
    if endpoints is None and lb is not None:
        # Without telemetry, the ALB's access logs of the week have per-path figures.
        endpoints = week_endpoints(aws, lb, end - WEEK, end)
    period = int(WEEK.total_seconds())
    ecs: dict[str, dict[datetime, float]] = (
        metric_data(
            aws.client("cloudwatch"), ecs_queries(aws.settings.resources, period), end - WEEK, end
        )
        if has_service
        else {}
    )

    def utilisation(metric: str) -> Utilisation | None:
        avg, peak = ecs.get(f"{metric}_average"), ecs.get(f"{metric}_maximum")
        if not avg or not peak:
            return None
        return Utilisation(avg_pct=sum(avg.values()) / len(avg), max_pct=max(peak.values()))

    return WeeklySnapshot(
        at=at,
        source=f"AWS {aws.region}: the service's telemetry, CloudWatch",
        this_week=this_week,
        last_week=last_week,
        cpu=utilisation("cpu"),
        memory=utilisation("memory"),
        endpoints=endpoints,
        latency_target_ms=context.settings.kpi.response_time_ms,
        error_rate_target_pct=context.settings.kpi.error_rate_pct,
        utilisation_target_pct=context.settings.kpi.cpu_mem_pct,
    )
