"""Healthy snapshots of every kind, for tests to break one field at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from portfolio.checks.snapshot import (
    BucketConfig,
    ContainerConfig,
    DailySnapshot,
    DistributionConfig,
    EndpointLatency,
    FunctionState,
    HealthAnswer,
    IngressRule,
    LoadBalancerConfig,
    LogGroupConfig,
    MonthlySnapshot,
    PolicyStatement,
    RestoreTest,
    TableConfig,
    TargetHealth,
    TaskCount,
    Utilisation,
    WeeklySnapshot,
    WindowStats,
)

AT = datetime(2025, 8, 12, 0, 0, tzinfo=UTC)


def daily() -> DailySnapshot:
    return DailySnapshot(
        at=AT,
        source="test",
        window_hours=24,
        health=HealthAnswer(ok=True, status=200, latency_ms=4.0),
        targets=TargetHealth(healthy=2, total=2, basis="tg"),
        tasks=TaskCount(running=2, desired=2),
        requests=20_000,
        errors_5xx=10,
        error_log_lines=10,
        latency_target_ms=100,
        error_rate_target_pct=1.0,
    )


def function(**changes: object) -> FunctionState:
    """A healthy API function's day: 20,000 invocations, 10 errors, peak 3 of 10."""
    healthy = FunctionState(
        name="portfolio-api-serverless",
        state="Active",
        last_update="Successful",
        invocations=20_000,
        errors=10,
        throttles=0,
        peak_concurrency=3,
        concurrency_limit=10,
        limit_basis="its reserved concurrency",
    )
    return replace(healthy, **changes)  # type: ignore[arg-type]


def serverless_daily(**changes: object) -> DailySnapshot:
    """The serverless design's daily snapshot: no targets, tasks or 5xx counts; a function."""
    return replace(
        daily(),
        targets=None,
        tasks=None,
        errors_5xx=None,
        function=function(**changes),
    )


def week(requests: int = 150_000, errors: int = 75, p95: float = 60.0) -> WindowStats:
    return WindowStats(
        requests=requests, errors_5xx=errors, avg_ms=25.0, p50_ms=18.0, p95_ms=p95, p99_ms=90.0
    )


def weekly() -> WeeklySnapshot:
    return WeeklySnapshot(
        at=AT,
        source="test",
        this_week=week(),
        last_week=week(p95=58.0),
        cpu=Utilisation(avg_pct=20.0, max_pct=55.0),
        memory=Utilisation(avg_pct=40.0, max_pct=45.0),
        endpoints=[
            EndpointLatency("/api/v1/users", 5000, 70.0),
            EndpointLatency("/health", 90_000, 5.0),
            EndpointLatency("/rare", 3, 900.0),
        ],
        latency_target_ms=100,
        error_rate_target_pct=1.0,
        utilisation_target_pct=80,
    )


def monthly() -> MonthlySnapshot:
    return MonthlySnapshot(
        at=AT,
        source="test",
        expected_tables=("portfolio-users", "portfolio-metrics"),
        task_role=[
            PolicyStatement("Allow", ("dynamodb:GetItem", "dynamodb:PutItem"), ("ref:Users",)),
        ],
        ingress=[
            IngressRule("alb", "0.0.0.0/0", "tcp", 443, 443, load_balancer_group=True),
            IngressRule("tasks", "sg:alb", "tcp", 8000, 8000, load_balancer_group=False),
        ],
        tables=[
            TableConfig("portfolio-users", "aws-managed-kms", True, AT - timedelta(minutes=5)),
            TableConfig("portfolio-metrics", "aws-managed-kms", True, AT - timedelta(minutes=6)),
        ],
        buckets=[
            BucketConfig("site", "AES256", True, access_logging=True, receives_logs=False),
            BucketConfig("logs", "AES256", True, access_logging=False, receives_logs=True),
        ],
        log_groups=[LogGroupConfig("/ecs/portfolio-api", kms_key=False, retention_days=365)],
        distributions=[
            DistributionConfig("site", ("https-only",), "TLSv1.2_2021", False, logging=True)
        ],
        load_balancers=[LoadBalancerConfig("portfolio-alb", access_logs=True)],
        containers=[
            ContainerConfig(
                "portfolio-api/api", (("PORTFOLIO_ENV", "production"),), ("PORTFOLIO_API_KEYS",)
            )
        ],
        restore_window_observable=True,
        restore_tests=[RestoreTest("portfolio-users", 40, 40, 12.0)],
    )
