"""The monthly cost of the synthesized stacks, and of the designs that could replace them.

The usage profile's shape (task count and size, CPU architecture, public IPs, billed
alarm metrics, composite alarms, health checks, scheduled jobs, dashboards, secrets) is
read from the templates, so the estimate follows the code; the traffic comes from the
profile (default: the original's ~21,600 requests a day). Prices exclude tax.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portfolio.costs import Architecture, CostEstimate, PriceTable, UsageProfile, compare, estimate
from portfolio.errors import InfraError
from portfolio.infra.assembly import Assembly, Resource

HEALTH_CHECKERS = 15
"""Route 53 checkers probing one endpoint (about 15, DESIGN.md section 5)."""
ANOMALY_BAND_METRICS = 3
"""CloudWatch bills an anomaly-detection alarm as three metrics (the metric and its band)."""
HEALTH_CHECK_FEATURES = {"HTTPS": 1, "HTTPS_STR_MATCH": 2, "HTTP_STR_MATCH": 1}
DAYS_PER_WEEK = 7
ALB_LOG_FILES_PER_HOUR = 2 * 12
"""A file every 5 minutes from each of the ALB's two nodes (one per AZ)."""

# Whether each design keeps the original's targets (99.9 % availability, p95 < 100 ms,
# 5xx < 1 %), and why. A judgement, stated next to the figures it qualifies.
ASSESSMENTS: dict[Architecture, tuple[bool, str]] = {
    Architecture.FARGATE_ALB: (True, "the deployed design; two tasks in two AZs"),
    Architecture.FARGATE_X86_ALB: (True, "same as the original at the dearer x86 rate"),
    Architecture.FARGATE_SPOT_ALB: (
        False,
        "Spot can reclaim both tasks at once with 2 minutes' notice: 99.9 % is not assured",
    ),
    Architecture.LAMBDA_FUNCTION_URL: (
        True,
        "multi-AZ by default; one warm environment serves almost every request at the"
        " original's traffic and the outside probe's; telemetry is written once a minute per"
        " instance (a recycled instance loses at most its open minute); availability is"
        " measured by the outside check",
    ),
    Architecture.LAMBDA_HTTP_API: (
        True,
        "as the serverless design (portfolio.api.lambda_app), with API Gateway's per-request"
        " charge on top of the Function URL's none",
    ),
}


@dataclass(frozen=True, slots=True)
class StackCost:
    """The stacks' estimate, the alternatives on the same traffic, and the budget."""

    profile: UsageProfile
    architecture: Architecture
    estimate: CostEstimate
    alternatives: list[CostEstimate]
    budget_usd: float | None

    @property
    def over_budget(self) -> bool:
        return self.budget_usd is not None and self.estimate.total_usd > self.budget_usd

    def lines_over_budget(self) -> list[str]:
        """Services that alone cost more than the whole budget: why it cannot hold."""
        if self.budget_usd is None:
            return []
        return [
            service for service, usd in self.estimate.by_service().items() if usd > self.budget_usd
        ]

    def cheapest_keeping_targets(self) -> CostEstimate:
        keeping = [e for e in self.alternatives if ASSESSMENTS[e.architecture][0]]
        return min(keeping, key=lambda e: e.total_usd)


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InfraError(f"template {what} is not a number: {value!r}") from None


def template_shape(assembly: Assembly) -> Callable[[UsageProfile], UsageProfile]:
    """Measured usage -> the template's profile with it: how the report prices a month the
    way ``infra cost`` prices the template (one design, one usage, one figure)."""

    def shape(usage: UsageProfile) -> UsageProfile:
        return profile_from_assembly(assembly, usage)[0]

    return shape


def profile_from_assembly(
    assembly: Assembly, base: UsageProfile | None = None
) -> tuple[UsageProfile, Architecture]:
    """The usage profile with the shape of the synthesized stacks, and their architecture."""
    base = base or UsageProfile()
    services = assembly.of_type("AWS::ECS::Service")
    if not services and _api_function(assembly) is not None:
        return _serverless_profile(assembly, base), Architecture.LAMBDA_FUNCTION_URL
    if len(services) != 1:
        raise InfraError("expected exactly one ECS service in the templates")
    service = services[0].properties
    task = _task_definition(assembly, service.get("TaskDefinition"))
    cpu_arch = task.get("RuntimePlatform", {}).get("CpuArchitecture", "X86_64")
    spot = any(
        item.get("CapacityProvider") == "FARGATE_SPOT"
        for item in service.get("CapacityProviderStrategy", [])
    )
    if spot:
        architecture = Architecture.FARGATE_SPOT_ALB
    elif cpu_arch == "ARM64":
        architecture = Architecture.FARGATE_ALB
    else:
        architecture = Architecture.FARGATE_X86_ALB
    network = service.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    # An internet-facing ALB holds a public IPv4 address per subnet; an internal one
    # (reached through a CloudFront VPC origin) holds none.
    alb_ips = sum(
        len(lb.properties.get("Subnets", []))
        for lb in assembly.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer")
        if lb.properties.get("Scheme", "internet-facing") != "internal"
    )
    profile = base.model_copy(
        update={
            "tasks": _int(service.get("DesiredCount", 1), "DesiredCount"),
            "task_vcpu": _int(task.get("Cpu"), "Cpu") / 1024,
            "task_memory_gb": _int(task.get("Memory"), "Memory") / 1024,
            "task_public_ipv4": network.get("AssignPublicIp") == "ENABLED",
            "alb_public_ipv4": alb_ips,
            "alarm_metrics": sum(
                _alarm_metrics(a) for a in assembly.of_type("AWS::CloudWatch::Alarm")
            ),
            "composite_alarms": len(assembly.of_type("AWS::CloudWatch::CompositeAlarm")),
            **_health_checks(assembly, base.hours_in_month),
            **_scheduled(assembly, base.hours_in_month),
            "dashboards": len(assembly.of_type("AWS::CloudWatch::Dashboard")),
            "secrets": sum(
                1 + len(s.properties.get("ReplicaRegions", []))  # a replica bills as a secret
                for s in assembly.of_type("AWS::SecretsManager::Secret")
            ),
        }
    )
    return profile, architecture


LAMBDA_DESIGNS = (Architecture.LAMBDA_FUNCTION_URL, Architecture.LAMBDA_HTTP_API)
API_FUNCTION_PREFIX = "portfolio-api"
OPS_FUNCTION_PREFIX = "portfolio-ops"


def _function(assembly: Assembly, prefix: str) -> Resource | None:
    for function in assembly.of_type("AWS::Lambda::Function"):
        if str(function.properties.get("FunctionName", "")).startswith(prefix):
            return function
    return None


def _api_function(assembly: Assembly) -> Resource | None:
    return _function(assembly, API_FUNCTION_PREFIX)


def _serverless_profile(assembly: Assembly, base: UsageProfile) -> UsageProfile:
    """The serverless design's shape: function sizes, no tasks, no ALB, no public IPv4."""
    api = _api_function(assembly)
    ops = _function(assembly, OPS_FUNCTION_PREFIX)
    assert api is not None  # noqa: S101 - checked by the caller
    runs = sum(
        runs_per_month(str(s.properties["ScheduleExpression"]), base.hours_in_month)
        for s in assembly.of_type("AWS::Scheduler::Schedule")
    )
    return base.model_copy(
        update={
            "tasks": 1,
            "task_public_ipv4": False,
            "alb_public_ipv4": 0,
            "lambda_memory_gb": _int(api.properties.get("MemorySize", 128), "MemorySize") / 1024,
            "scheduled_on_lambda": True,
            "scheduled_runs_per_month": runs,
            "scheduled_task_memory_gb": (
                _int(ops.properties.get("MemorySize", 128), "MemorySize") / 1024 if ops else 0.0
            ),
            "scheduled_log_reads_per_month": 0.0,  # no ALB logs to read
            "access_log_objects_per_month": 24 * base.hours_in_month / 24,  # CloudFront, hourly
            "alarm_metrics": sum(
                _alarm_metrics(a) for a in assembly.of_type("AWS::CloudWatch::Alarm")
            ),
            "composite_alarms": len(assembly.of_type("AWS::CloudWatch::CompositeAlarm")),
            **_health_checks(assembly, base.hours_in_month),
            "dashboards": len(assembly.of_type("AWS::CloudWatch::Dashboard")),
            "secrets": sum(
                1 + len(s.properties.get("ReplicaRegions", []))
                for s in assembly.of_type("AWS::SecretsManager::Secret")
            ),
        }
    )


def crossover_requests_per_day(
    original: UsageProfile,
    serverless: UsageProfile,
    prices: PriceTable,
    *,
    upper_per_day: float = 100_000_000,
) -> float | None:
    """The daily traffic at which both designs cost the same (None: no crossing below the cap).

    Bisection on the difference: the serverless design is cheaper at low traffic (no fixed
    hours) and grows with requests faster than the original's fixed tasks and ALB.
    """

    def gap(per_day: float) -> float:
        per_month = per_day * original.hours_in_month / 24
        a = estimate(original.model_copy(update={"requests_per_month": per_month}), prices)
        b = estimate(
            serverless.model_copy(update={"requests_per_month": per_month}),
            prices,
            Architecture.LAMBDA_FUNCTION_URL,
        )
        return b.total_usd - a.total_usd

    low, high = 0.0, upper_per_day
    if gap(low) >= 0 or gap(high) <= 0:
        return None
    for _ in range(80):
        middle = (low + high) / 2
        if gap(middle) < 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _logical_id(reference: Any) -> str | None:
    if isinstance(reference, Mapping):
        if "Ref" in reference:
            return str(reference["Ref"])
        if "Fn::GetAtt" in reference:
            return str(reference["Fn::GetAtt"][0])
    return None


def _task_definition(assembly: Assembly, reference: Any) -> Mapping[str, Any]:
    wanted = _logical_id(reference)
    for resource in assembly.of_type("AWS::ECS::TaskDefinition"):
        if resource.logical_id == wanted:
            return resource.properties
    raise InfraError(f"task definition {wanted!r} is not in the templates")


def _alarm_metrics(alarm: Resource) -> int:
    """Billed metrics of one alarm: metric math bills each metric, anomaly bands three."""
    props = alarm.properties
    if "ThresholdMetricId" in props:
        return ANOMALY_BAND_METRICS
    queries = props.get("Metrics")
    if queries:
        return sum(1 for q in queries if "MetricStat" in q)
    return 1


def _health_checks(assembly: Assembly, hours: float) -> dict[str, float]:
    checks = [c.properties.get("HealthCheckConfig", {}) for c in assembly.of_type(
        "AWS::Route53::HealthCheck"
    )]  # fmt: skip
    features = 0
    requests = 0.0
    for config in checks:
        interval = int(config.get("RequestInterval", 30))
        features += HEALTH_CHECK_FEATURES.get(str(config.get("Type")), 0)
        features += int(interval == 10) + int(bool(config.get("MeasureLatency")))
        requests += HEALTH_CHECKERS * hours * 3600 / interval
    return {
        "health_checks": len(checks),
        "health_check_features": features,
        "health_check_requests_per_month": round(requests),
    }


_CRON = re.compile(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)")


def runs_per_month(expression: str, hours: float) -> float:
    """How often a Scheduler cron fires in a month of ``hours`` (day, weekday or daily)."""
    match = _CRON.fullmatch(expression.strip())
    if match is None:
        raise InfraError(f"schedule expression not understood: {expression!r}")
    _minute, _hour, day, _month, week_day, _year = match.groups()
    days = hours / 24
    if day not in ("*", "?"):
        return float(len(day.split(",")))
    if week_day not in ("*", "?"):
        return len(week_day.split(",")) * days / DAYS_PER_WEEK
    return days


def _scheduled(assembly: Assembly, hours: float) -> dict[str, float]:
    runs = 0.0
    sizes: list[tuple[float, float]] = []
    for schedule in assembly.of_type("AWS::Scheduler::Schedule"):
        runs += runs_per_month(str(schedule.properties["ScheduleExpression"]), hours)
        ecs = schedule.properties.get("Target", {}).get("EcsParameters")
        if ecs:
            task = _task_definition(assembly, ecs.get("TaskDefinitionArn"))
            sizes.append(
                (_int(task.get("Cpu"), "Cpu") / 1024, _int(task.get("Memory"), "Memory") / 1024)
            )
    if not runs:
        return {}
    vcpu, memory = max(sizes) if sizes else (0.0, 0.0)
    weekly = any(
        "weekly" in c.get("Command", [])
        for t in assembly.of_type("AWS::ECS::TaskDefinition")
        for c in t.properties.get("ContainerDefinitions", [])
    )
    return {
        # The weekly review reads each ALB log file once: 5-minute files from each node.
        "scheduled_log_reads_per_month": ALB_LOG_FILES_PER_HOUR * hours if weekly else 0.0,
        "scheduled_runs_per_month": runs,
        "scheduled_task_vcpu": vcpu,
        "scheduled_task_memory_gb": memory,
    }


def budget_from_assembly(assembly: Assembly) -> float | None:
    for budget in assembly.of_type("AWS::Budgets::Budget"):
        limit = budget.properties.get("Budget", {}).get("BudgetLimit", {})
        if "Amount" in limit:
            return float(limit["Amount"])
    return None


def stack_cost(
    assembly: Assembly, prices: PriceTable, base: UsageProfile | None = None
) -> StackCost:
    profile, architecture = profile_from_assembly(assembly, base)
    # A Lambda template has no task shape to price Fargate designs on: compare like with like.
    candidates = LAMBDA_DESIGNS if architecture in LAMBDA_DESIGNS else tuple(Architecture)
    return StackCost(
        profile=profile,
        architecture=architecture,
        estimate=estimate(profile, prices, architecture),
        alternatives=compare(profile, prices, candidates),
        budget_usd=budget_from_assembly(assembly),
    )
