"""The monthly cost of the synthesized stacks, and of the designs that could replace them.

The usage profile's shape (task count and size, CPU architecture, public IPs, alarms,
dashboards, secrets) is read from the templates, so the estimate follows the code; the
traffic comes from the profile (default: the original's ~21,600 requests a day).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portfolio.costs import Architecture, CostEstimate, PriceTable, UsageProfile, compare, estimate
from portfolio.errors import InfraError
from portfolio.infra.assembly import Assembly

# Whether each design keeps the original's targets (99.9 % availability, p95 < 100 ms,
# 5xx < 1 %), and why. A judgement, stated next to the figures it qualifies.
ASSESSMENTS: dict[Architecture, tuple[bool, str]] = {
    Architecture.FARGATE_ALB: (True, "the deployed design; two tasks in two AZs"),
    Architecture.FARGATE_X86_ALB: (True, "same as the original at the dearer x86 rate"),
    Architecture.FARGATE_SPOT_ALB: (
        False,
        "Spot can reclaim both tasks at once with 2 minutes' notice: 99.9 % is not assured",
    ),
    Architecture.LAMBDA_HTTP_API: (
        True,
        "multi-AZ by default; at ~0.25 req/s one warm environment serves almost every"
        " request, so cold starts stay well under the 5 % of requests that would move"
        " p95; needs the in-process telemetry flush reworked for Lambda's freeze/thaw",
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


def profile_from_assembly(
    assembly: Assembly, base: UsageProfile | None = None
) -> tuple[UsageProfile, Architecture]:
    """The usage profile with the shape of the synthesized stacks, and their architecture."""
    base = base or UsageProfile()
    services = assembly.of_type("AWS::ECS::Service")
    task_definitions = assembly.of_type("AWS::ECS::TaskDefinition")
    if len(services) != 1 or len(task_definitions) != 1:
        raise InfraError("expected exactly one ECS service and task definition in the templates")
    service = services[0].properties
    task = task_definitions[0].properties
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
    alb_ips = sum(
        len(lb.properties.get("Subnets", []))
        for lb in assembly.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer")
    )
    profile = base.model_copy(
        update={
            "tasks": _int(service.get("DesiredCount", 1), "DesiredCount"),
            "task_vcpu": _int(task.get("Cpu"), "Cpu") / 1024,
            "task_memory_gb": _int(task.get("Memory"), "Memory") / 1024,
            "task_public_ipv4": network.get("AssignPublicIp") == "ENABLED",
            "alb_public_ipv4": alb_ips,
            "alarms": len(assembly.of_type("AWS::CloudWatch::Alarm")),
            "dashboards": len(assembly.of_type("AWS::CloudWatch::Dashboard")),
            "secrets": len(assembly.of_type("AWS::SecretsManager::Secret")),
        }
    )
    return profile, architecture


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
    return StackCost(
        profile=profile,
        architecture=architecture,
        estimate=estimate(profile, prices, architecture),
        alternatives=compare(profile, prices),
        budget_usd=budget_from_assembly(assembly),
    )
