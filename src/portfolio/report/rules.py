"""改善提案・次期計画: registered rules over the report's figures, one small unit each.

A rule has an id, a horizon (短期 1–2 months, 中期 3–6, 長期 6+), one of the
original's themes, a priority, and a function of the figures that returns the
evidence (the triggering figure and the measured target, by name) or None. The
text catalogue holds one sentence per rule (``prop.<id>``) that names every piece
of evidence and nothing else; a test holds each rule's text and evidence together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal
from zoneinfo import ZoneInfo

from portfolio.config import Settings
from portfolio.report.model import (
    Availability,
    Costs,
    ErrorBudget,
    Horizon,
    IncidentRow,
    Performance,
    Proposal,
    SecurityStatus,
    Services,
    Theme,
    WorkDone,
)

Evidence = dict[str, int | float | str]

UNDERUSED_FRACTION: Final = 0.5
"""CPU and memory both below this share of their target: the tasks are larger than needed."""
FAST_TARGET_FRACTION: Final = 0.7
"""The short-term response-time goal: this share of the KPI target (100 ms → 70 ms)."""


SERVICE_NAMES: dict[str, str] = {
    "Amazon Elastic Container Service": "ECS Fargate",
    "Amazon Elastic Load Balancing": "ALB",
    "Amazon DynamoDB": "DynamoDB",
    "Amazon Simple Storage Service": "S3",
    "Amazon CloudFront": "CloudFront",
    "AmazonCloudWatch": "CloudWatch",
    "Amazon Virtual Private Cloud": "VPC",
    "AWS Secrets Manager": "Secrets Manager",
    "Amazon Simple Notification Service": "SNS",
    "AWS Budgets": "Budgets",
    "AWS Data Transfer": "Data Transfer",
    "EC2 - Other": "EC2 Other",
    "AWS Key Management Service": "KMS",
    "AWS Lambda": "Lambda",
    "Amazon API Gateway": "API Gateway",
}
"""Billing names (Cost Explorer's SERVICE dimension) as the original's cost table writes them."""


ARCHITECTURE_NAMES: dict[str, str] = {
    "fargate-alb": "Fargate ARM64 + ALB",
    "fargate-x86-alb": "Fargate x86 + ALB",
    "fargate-spot-alb": "Fargate Spot ARM64 + ALB",
    "lambda-http-api": "Lambda ARM64 + API Gateway (HTTP API)",
    "lambda-function-url": "Lambda ARM64 + Function URL (CloudFront)",
}
"""The estimator's designs (costs.Architecture) by product name, the same in both languages."""


@dataclass(frozen=True)
class RuleInputs:
    """The figures rules read; built once by the report builder."""

    settings: Settings
    availability: Availability
    error_rate: float | None
    performance: Performance
    incidents: list[IncidentRow]
    work: WorkDone
    security: SecurityStatus
    costs: Costs
    services: Services
    budget: ErrorBudget
    p95_ms: float | None
    performance_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    """The report's time zone, for times named in a proposal."""


@dataclass(frozen=True)
class Rule:
    id: str
    horizon: Horizon
    theme: Theme
    priority: Literal["high", "medium", "low"]
    evaluate: Callable[[RuleInputs], Evidence | None]


RULES: list[Rule] = []
"""Every proposal rule, in the order proposals are listed within a theme."""


def rule(
    rule_id: str, horizon: Horizon, theme: Theme, priority: Literal["high", "medium", "low"]
) -> Callable[[Callable[[RuleInputs], Evidence | None]], Callable[[RuleInputs], Evidence | None]]:
    def register(
        fn: Callable[[RuleInputs], Evidence | None],
    ) -> Callable[[RuleInputs], Evidence | None]:
        RULES.append(Rule(rule_id, horizon, theme, priority, fn))
        return fn

    return register


def proposals(inputs: RuleInputs) -> list[Proposal]:
    out = []
    for r in RULES:
        evidence = r.evaluate(inputs)
        if evidence is not None:
            out.append(
                Proposal(
                    id=r.id,
                    priority=r.priority,
                    horizon=r.horizon,
                    theme=r.theme,
                    evidence=evidence,
                )
            )
    return out


# -- 短期改善（1-2ヶ月）: パフォーマンス向上 -------------------------------------------


@rule("latency_p95_goal", "short", "performance", "medium")
def _p95_goal(x: RuleInputs) -> Evidence | None:
    goal = round(x.settings.kpi.response_time_ms * FAST_TARGET_FRACTION, 1)
    if x.p95_ms is None or x.p95_ms <= goal:
        return None
    return {"p95_ms": x.p95_ms, "goal_ms": goal}


@rule("peak_p95_over_target", "short", "performance", "medium")
def _peak(x: RuleInputs) -> Evidence | None:
    p95 = x.performance.peak.peak.p95
    target = x.settings.kpi.response_time_ms
    if p95 is None or p95 <= target:
        return None
    hours = ", ".join(f"{h}" for h in x.performance.peak.peak_hours)
    return {"peak_p95_ms": p95, "target_ms": target, "peak_hours": hours}


@rule("latency_rising", "short", "performance", "medium")
def _rising(x: RuleInputs) -> Evidence | None:
    rising = [w for w in x.performance.weekly if w.trend == "rising"]
    if not rising:
        return None
    last = rising[-1]
    return {
        "week": last.week,
        "change_percent": last.change_percent or 0.0,
        "avg_ms": last.avg_ms or 0.0,
        "target_ms": x.settings.kpi.response_time_ms,
    }


@rule("enable_prober", "short", "performance", "high")
def _prober(x: RuleInputs) -> Evidence | None:
    return {"probes": 0} if x.availability.probes == 0 else None


@rule("prober_coverage_low", "short", "performance", "high")
def _coverage(x: RuleInputs) -> Evidence | None:
    a = x.availability
    if a.coverage_sufficient is not False or a.coverage_percent is None:
        return None
    unmeasured_h = round((a.total_minutes - (a.monitored_minutes or 0.0)) / 60, 1)
    return {
        "coverage_percent": a.coverage_percent,
        "threshold_percent": a.coverage_threshold_percent,
        "unmeasured_hours": unmeasured_h,
    }


def _checks_rule(kind: str, priority: Literal["high", "medium", "low"]) -> None:
    @rule(f"{kind}_checks_missed", "short", "performance", priority)
    def _missed(x: RuleInputs) -> Evidence | None:
        check = next((c for c in x.work.checks if c.kind == kind), None)
        if check is None or not check.expected or check.done >= check.expected:
            return None
        return {"done": check.done, "expected": check.expected}


for _kind, _priority in (("daily", "medium"), ("weekly", "medium"), ("monthly", "high")):
    _checks_rule(_kind, _priority)  # type: ignore[arg-type]


@rule("cpu_high", "short", "performance", "high")
def _cpu(x: RuleInputs) -> Evidence | None:
    value, target = x.services.compute.cpu_avg_percent, x.settings.kpi.cpu_mem_pct
    return (
        None
        if value is None or value <= target
        else {"avg_percent": value, "target_percent": target}
    )


@rule("memory_high", "short", "performance", "high")
def _memory(x: RuleInputs) -> Evidence | None:
    value, target = x.services.compute.memory_avg_percent, x.settings.kpi.cpu_mem_pct
    return (
        None
        if value is None or value <= target
        else {"avg_percent": value, "target_percent": target}
    )


# -- 短期改善: コスト最適化 --------------------------------------------------------------


@rule("cost_over_budget", "short", "cost", "high")
def _over_budget(x: RuleInputs) -> Evidence | None:
    c = x.costs
    if c.total_usd is None or c.total_usd <= c.budget_usd or not c.lines:
        return None
    top = c.lines[0]
    return {
        "total_usd": round(c.total_usd, 2),
        "budget_usd": c.budget_usd,
        "top_service": SERVICE_NAMES.get(top.service, top.service),
        "top_usd": round(top.usd, 2),
    }


@rule("rightsize_tasks", "short", "cost", "low")
def _rightsize(x: RuleInputs) -> Evidence | None:
    c = x.services.compute
    target = x.settings.kpi.cpu_mem_pct
    limit = target * UNDERUSED_FRACTION
    if c.cpu_avg_percent is None or c.memory_avg_percent is None:
        return None
    if c.cpu_avg_percent >= limit or c.memory_avg_percent >= limit:
        return None
    return {"cpu_percent": c.cpu_avg_percent, "memory_percent": c.memory_avg_percent,
            "limit_percent": round(limit, 1)}  # fmt: skip


# -- 中期改善（3-6ヶ月）: 可用性向上 ----------------------------------------------------


@rule("availability_below_target", "mid", "availability", "high")
def _availability(x: RuleInputs) -> Evidence | None:
    a, target = x.availability, x.settings.kpi.availability_pct
    if a.percent is None or a.percent >= target:
        return None
    return {"availability_percent": a.percent, "target_percent": target, "outages": len(a.outages)}


@rule("error_rate_above_target", "mid", "availability", "high")
def _errors(x: RuleInputs) -> Evidence | None:
    target = x.settings.kpi.error_rate_pct
    if x.error_rate is None or x.error_rate <= target:
        return None
    return {"error_rate_percent": x.error_rate, "target_percent": target}


@rule("error_budget_burning", "mid", "availability", "high")
def _burning(x: RuleInputs) -> Evidence | None:
    b = x.budget
    if b.burn_rate is None or b.burn_rate <= 1:
        return None
    return {"burn_rate": b.burn_rate, "remaining_minutes": b.remaining_minutes or 0.0}


@rule("incident_response_slow", "mid", "availability", "medium")
def _response(x: RuleInputs) -> Evidence | None:
    times = [i.response_minutes for i in x.incidents if i.response_minutes is not None]
    target = x.settings.kpi.incident_response_minutes
    if not times or max(times) <= target:
        return None
    return {"worst_minutes": max(times), "target_minutes": target}


@rule("record_incident_causes", "mid", "availability", "medium")
def _causes(x: RuleInputs) -> Evidence | None:
    missing = [i for i in x.incidents if i.cause is None]
    if not missing:
        return None
    first = missing[0].start.astimezone(x.performance_zone).strftime("%Y-%m-%d %H:%M")
    return {"incidents": len(missing), "first": first}


# -- 中期改善: セキュリティ強化 --------------------------------------------------------------


@rule("security_findings", "mid", "security", "high")
def _findings(x: RuleInputs) -> Evidence | None:
    s = x.security
    if not s.findings_fail:
        return None
    return {"fail": s.findings_fail}


@rule("access_anomalies", "mid", "security", "medium")
def _anomalies(x: RuleInputs) -> Evidence | None:
    m = x.security.metrics
    if not m.anomalous_requests and not m.burst_minutes:
        return None
    return {"requests": m.anomalous_requests or 0, "burst_minutes": m.burst_minutes or 0}


@rule("security_scans_not_run", "mid", "security", "medium")
def _scans(x: RuleInputs) -> Evidence | None:
    m = x.security.metrics
    missing = [item for item in (m.scan, m.vulnerabilities) if item.outcome == "not_run"]
    return {"count": len(missing)} if missing else None


# -- 長期改善（6ヶ月以上）: アーキテクチャ進化 -------------------------------------------


@rule("cheaper_architecture", "long", "architecture", "medium")
def _cheaper(x: RuleInputs) -> Evidence | None:
    c = x.costs
    if c.cheapest_design is None or c.cheapest_design_saving_usd is None:
        return None
    if c.cheapest_design_saving_usd <= 0 or c.total_usd is None:
        return None
    return {
        "architecture": ARCHITECTURE_NAMES.get(c.cheapest_design, c.cheapest_design),
        "usd": round(c.cheapest_design_usd or 0.0, 2),
        "current_usd": round(c.total_usd, 2),
        "saving_usd": round(c.cheapest_design_saving_usd, 2),
    }
