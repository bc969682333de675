"""Collect check snapshots from an AWS account (the ``aws`` target) with boto3: daily here.

Describe calls give the configuration (ECS, ELBv2, EC2, IAM, DynamoDB, S3, CloudFront,
CloudWatch Logs), CloudWatch the health and performance figures. Errors are branched
on their code: a missing resource is a finding's input (``None``/absent), an error we
do not know is raised. The restore test restores each table to a scratch table at its
latest restorable time, compares item counts and deletes the scratch table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from portfolio.checks.base import Kind
from portfolio.checks.collect import DAY, probe_health
from portfolio.checks.collectors import CheckContext, register_collector
from portfolio.checks.snapshot import (
    DailySnapshot,
    FunctionState,
    TargetHealth,
    TaskCount,
)
from portfolio.cloud import (
    NOT_FOUND,
    Aws,
    MetricQuery,
    ecs_service,
    error_code,
    lb_dimension,
    load_balancer,
    metric_data,
    project_distributions,
    public_hosts,
    target_health,
    total,
)
from portfolio.config import Design
from portfolio.names import ResourceNames

MAX_LOG_EVENTS = 100_000


def aws_for(context: CheckContext) -> Aws:
    """The AWS session a collector asks through (the context's endpoint, for tests)."""
    return Aws(context.settings, context.endpoint_url)


# -- shared lookups -------------------------------------------------------------------------


def alb_queries(lb_arn: str, period_s: int, stats: dict[str, tuple[str, str]]) -> list[MetricQuery]:
    dims = (("LoadBalancer", lb_dimension(lb_arn)),)
    return [
        MetricQuery(qid, "AWS/ApplicationELB", metric, dims, stat, period_s)
        for qid, (metric, stat) in stats.items()
    ]


def ecs_queries(named: ResourceNames, period_s: int) -> list[MetricQuery]:
    dims = (("ClusterName", named.cluster), ("ServiceName", named.service))
    return [
        MetricQuery(f"{m.lower()}_{s.lower()}", "AWS/ECS", f"{m}Utilization", dims, s, period_s)
        for m in ("CPU", "Memory")
        for s in ("Average", "Maximum")
    ]


# -- daily ------------------------------------------------------------------------------------


def _error_log_lines(aws: Aws, start: datetime, end: datetime, log_group: str) -> int | None:
    logs = aws.client("logs")
    count, token = 0, None
    while count < MAX_LOG_EVENTS:
        kwargs: dict[str, Any] = {
            "logGroupName": log_group,
            "startTime": int(start.timestamp() * 1000),
            "endTime": int(end.timestamp() * 1000),
            "filterPattern": '"ERROR"',
        }
        if token:
            kwargs["nextToken"] = token
        try:
            page = logs.filter_log_events(**kwargs)
        except ClientError as err:
            if error_code(err) in NOT_FOUND:
                return None
            raise
        count += len(page.get("events", []))
        token = page.get("nextToken")
        if not token:
            break
    return count


def public_url(aws: Aws, lb: dict[str, Any] | None) -> str | None:
    """Where people reach the API, in the scheme the stack serves there.

    The site's CloudFront distribution (HTTPS only) routes /health to the load balancer,
    which answers only CloudFront; without a distribution, an internet-facing load
    balancer itself, over HTTPS when it has a 443 listener (port 80 then only
    redirects). An internal one (behind a CloudFront VPC origin) has no public URL.
    """
    distributions = project_distributions(aws)
    if distributions:
        return f"https://{public_hosts(distributions[0])[0]}"
    if lb is None or lb.get("Scheme") == "internal":
        return None
    listeners = aws.client("elbv2").describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])
    ports = {int(item["Port"]) for item in listeners.get("Listeners", [])}
    return f"{'https' if 443 in ports else 'http'}://{lb['DNSName']}"


def daily_original(context: CheckContext, at: datetime) -> DailySnapshot:
    """The ECS service behind its ALB: targets, tasks and the ALB's request counts."""
    aws = aws_for(context)
    lb = load_balancer(aws)
    url = context.url or public_url(aws, lb)
    health = (
        probe_health(url, timeout_s=context.settings.telemetry.probe_timeout_s) if url else None
    )
    counted = target_health(aws)
    targets = (
        None
        if counted is None
        else TargetHealth(
            healthy=counted[0], total=counted[1], basis=aws.settings.resources.target_group
        )
    )
    service = ecs_service(aws)
    tasks = (
        TaskCount(running=int(service["runningCount"]), desired=int(service["desiredCount"]))
        if service
        else None
    )
    requests = errors = None
    start = at - DAY
    if lb is not None:
        data = metric_data(
            aws.client("cloudwatch"),
            alb_queries(
                lb["LoadBalancerArn"],
                3600,
                {
                    "requests": ("RequestCount", "Sum"),
                    "target_5xx": ("HTTPCode_Target_5XX_Count", "Sum"),
                    "elb_5xx": ("HTTPCode_ELB_5XX_Count", "Sum"),
                },
            ),
            start,
            at,
        )
        requests = int(total(data["requests"]))
        errors = int(total(data["target_5xx"]) + total(data["elb_5xx"]))
    return DailySnapshot(
        at=at,
        source=f"AWS {aws.region}",
        window_hours=DAY.total_seconds() / 3600,
        health=health,
        targets=targets,
        tasks=tasks,
        requests=requests,
        errors_5xx=errors,
        error_log_lines=_error_log_lines(aws, start, at, aws.settings.resources.log_group),
        latency_target_ms=context.settings.kpi.response_time_ms,
        error_rate_target_pct=context.settings.kpi.error_rate_pct,
    )


LAMBDA_DAY_STATS = {
    "invocations": ("Invocations", "Sum"),
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
    "concurrency": ("ConcurrentExecutions", "Maximum"),
}


def function_state(aws: Aws, name: str, start: datetime, end: datetime) -> FunctionState:
    """The API function's state, concurrency limit and its AWS/Lambda figures of [start, end)."""
    client = aws.client("lambda")
    try:
        found = client.get_function(FunctionName=name)
    except ClientError as err:
        if error_code(err) in NOT_FOUND:
            return FunctionState(name, None, None, 0, 0, 0, None, None, "no such function")
        raise
    configuration = found.get("Configuration", {})
    reserved = (found.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    limit: int | None
    if reserved is not None:
        limit, basis = int(reserved), "its reserved concurrency"
    else:
        account = client.get_account_settings().get("AccountLimit", {})
        unreserved = account.get("UnreservedConcurrentExecutions")
        limit = None if unreserved is None else int(unreserved)
        basis = "the account's unreserved concurrency"
    dims = (("FunctionName", name),)
    period = int((end - start).total_seconds())
    data = metric_data(
        aws.client("cloudwatch"),
        [
            MetricQuery(qid, "AWS/Lambda", metric, dims, stat, period)
            for qid, (metric, stat) in LAMBDA_DAY_STATS.items()
        ],
        start,
        end,
    )
    peaks = data["concurrency"].values()
    return FunctionState(
        name=name,
        state=configuration.get("State"),
        last_update=configuration.get("LastUpdateStatus"),
        invocations=int(total(data["invocations"])),
        errors=int(total(data["errors"])),
        throttles=int(total(data["throttles"])),
        peak_concurrency=int(max(peaks)) if peaks else None,
        concurrency_limit=limit,
        limit_basis=basis,
    )


def daily_serverless(context: CheckContext, at: datetime) -> DailySnapshot:
    """The API function behind CloudFront: its state and day in AWS/Lambda, no ALB or ECS."""
    aws = aws_for(context)
    url = context.url or public_url(aws, None)
    health = (
        probe_health(url, timeout_s=context.settings.telemetry.probe_timeout_s) if url else None
    )
    name = context.settings.api_function
    start = at - DAY
    function = function_state(aws, name, start, at)
    return DailySnapshot(
        at=at,
        source=f"AWS {aws.region} (serverless design)",
        window_hours=DAY.total_seconds() / 3600,
        health=health,
        targets=None,
        tasks=None,
        # Every request through CloudFront to the API is one invocation; the error-log
        # allowance is measured against them. Mangum's 5xx answers are not counted apart.
        requests=function.invocations if function.state is not None else None,
        errors_5xx=None,
        error_log_lines=_error_log_lines(aws, start, at, f"/aws/lambda/{name}"),
        latency_target_ms=context.settings.kpi.response_time_ms,
        error_rate_target_pct=context.settings.kpi.error_rate_pct,
        function=function,
    )


DAILY_BY_DESIGN = {Design.ORIGINAL: daily_original, Design.SERVERLESS: daily_serverless}
"""Each design's daily collector: it gathers only what that design's checks read."""


@register_collector("aws", Kind.DAILY)
def daily(context: CheckContext, at: datetime) -> DailySnapshot:
    return DAILY_BY_DESIGN[context.settings.design](context, at)
