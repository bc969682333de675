"""The collected data every check reads: one snapshot per kind, plain and typed.

A field is ``None`` when the target cannot observe it (the local service has no load
balancer; a template has no restore window): the check then says so as a warning
rather than guessing. Collectors (local, template, AWS, the demo's simulated history)
fill these; nothing here knows where the figures came from except ``source``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# -- daily: health --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HealthAnswer:
    """One GET /health through the entry point (load balancer, or the local server)."""

    ok: bool
    status: int | None
    latency_ms: float | None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TargetHealth:
    healthy: int
    total: int
    basis: str


@dataclass(frozen=True, slots=True)
class TaskCount:
    running: int
    desired: int


@dataclass(frozen=True, slots=True)
class FunctionState:
    """The serverless design's API function: its state and its last day in AWS/Lambda.

    ``state`` is None when the function does not exist. ``concurrency_limit`` is its
    reserved concurrency, or the account's unreserved pool when none is reserved.
    """

    name: str
    state: str | None
    last_update: str | None
    invocations: int
    errors: int
    throttles: int
    peak_concurrency: int | None
    concurrency_limit: int | None
    limit_basis: str


@dataclass(frozen=True, slots=True)
class DailySnapshot:
    at: datetime
    source: str
    window_hours: float
    health: HealthAnswer | None
    targets: TargetHealth | None
    tasks: TaskCount | None
    requests: int | None
    errors_5xx: int | None
    error_log_lines: int | None
    latency_target_ms: float
    error_rate_target_pct: float
    function: FunctionState | None = None
    """Only the serverless design's collectors fill this (None: not observed)."""


# -- weekly: performance ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Requests of one week: counts and latency figures (ms)."""

    requests: int
    errors_5xx: int
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    @property
    def error_rate_pct(self) -> float | None:
        return 100 * self.errors_5xx / self.requests if self.requests else None


@dataclass(frozen=True, slots=True)
class EndpointLatency:
    endpoint: str
    requests: int
    p95_ms: float | None


@dataclass(frozen=True, slots=True)
class Utilisation:
    avg_pct: float
    max_pct: float


@dataclass(frozen=True, slots=True)
class WeeklySnapshot:
    at: datetime
    source: str
    this_week: WindowStats | None
    last_week: WindowStats | None
    cpu: Utilisation | None
    memory: Utilisation | None
    endpoints: list[EndpointLatency] | None
    latency_target_ms: float
    error_rate_target_pct: float
    utilisation_target_pct: float


# -- monthly: security and backup ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyStatement:
    """An Allow/Deny statement; resources that are references print as ``ref:<id>``."""

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


def as_list(value: Any) -> list[Any]:
    """IAM documents allow one value where a list is meant; read both as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def policy_statements(
    document: Mapping[str, Any], render: Callable[[Any], str] = str
) -> list[PolicyStatement]:
    """The statements of an IAM policy document, from AWS or from a template.

    ``render`` turns a value into text: ``str`` for documents AWS returns, the
    template reader's ``text`` for CloudFormation values that may be references.
    """
    return [
        PolicyStatement(
            effect=str(st.get("Effect", "Allow")),
            actions=tuple(render(a) for a in as_list(st.get("Action"))),
            resources=tuple(render(r) for r in as_list(st.get("Resource"))),
        )
        for st in as_list(document.get("Statement"))
    ]


@dataclass(frozen=True, slots=True)
class IngressRule:
    group: str
    cidr: str
    protocol: str
    from_port: int | None
    to_port: int | None
    load_balancer_group: bool


@dataclass(frozen=True, slots=True)
class TableConfig:
    """A table's encryption ("aws-owned", "aws-managed-kms", "customer-kms") and PITR."""

    name: str
    encryption: str
    pitr: bool
    latest_restorable: datetime | None = None


@dataclass(frozen=True, slots=True)
class BucketConfig:
    name: str
    encryption: str | None
    public_access_blocked: bool
    access_logging: bool
    receives_logs: bool


@dataclass(frozen=True, slots=True)
class LogGroupConfig:
    name: str
    kms_key: bool
    retention_days: int | None


@dataclass(frozen=True, slots=True)
class DistributionConfig:
    name: str
    viewer_protocol_policies: tuple[str, ...]
    minimum_protocol_version: str | None
    default_certificate: bool
    logging: bool
    custom_domain: bool = False
    """Aliases configured: only then can a certificate (and its TLS minimum) be chosen."""


@dataclass(frozen=True, slots=True)
class LoadBalancerConfig:
    name: str
    access_logs: bool


@dataclass(frozen=True, slots=True)
class ContainerConfig:
    """A container's plain environment (name, value) and the names injected as secrets."""

    name: str
    environment: tuple[tuple[str, str], ...]
    secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RestoreTest:
    """A restore of one table (or the store) into a scratch copy, compared and deleted."""

    table: str
    source_items: int | None
    restored_items: int | None
    seconds: float
    error: str | None = None
    basis: str = ""
    """What was compared, when not the whole table (a live table: its settled items)."""


@dataclass(frozen=True, slots=True)
class IacScan:
    """The infrastructure gates over the synthesized templates (`--iac-scan`)."""

    nag_unacknowledged: int
    cfn_lint_errors: int | None
    """None: cfn-lint is not installed here and did not run (the demo's install)."""
    cfn_lint_warnings: int | None
    checkov_passed: int | None
    """None: checkov is not installed here (`make infra-gates` installs it)."""
    checkov_failed: int | None


@dataclass(frozen=True, slots=True)
class Vulnerability:
    package: str
    version: str
    id: str
    fixed_in: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DependencyAudit:
    """uv.lock's packages against a vulnerability database (`--dependency-audit`)."""

    packages: int
    source: str
    vulnerabilities: tuple[Vulnerability, ...]


@dataclass(frozen=True, slots=True)
class ImageScan:
    """ECR's scan-on-push findings for the image the service runs."""

    image: str
    counts: tuple[tuple[str, int], ...]
    """(severity, findings) as ECR reports them: CRITICAL, HIGH, MEDIUM, LOW, ..."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class MonthlySnapshot:
    at: datetime
    source: str
    expected_tables: tuple[str, ...]
    task_role: list[PolicyStatement] | None
    ingress: list[IngressRule] | None
    tables: list[TableConfig] | None
    buckets: list[BucketConfig] | None
    log_groups: list[LogGroupConfig] | None
    distributions: list[DistributionConfig] | None
    load_balancers: list[LoadBalancerConfig] | None
    containers: list[ContainerConfig] | None
    restore_window_observable: bool
    restore_tests: list[RestoreTest] | None = None
    notes: list[str] = field(default_factory=list)
    iac_scan: IacScan | None = None
    dependency_audit: DependencyAudit | None = None
    image_scan: ImageScan | None = None
