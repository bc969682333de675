"""Every check, on collected data: a healthy snapshot passes, a broken one warns or fails."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from portfolio.checks.base import Kind
from portfolio.checks.registry import all_checks, evaluate, get_check
from portfolio.checks.snapshot import (
    BucketConfig,
    ContainerConfig,
    DependencyAudit,
    DistributionConfig,
    EndpointLatency,
    HealthAnswer,
    IacScan,
    ImageScan,
    IngressRule,
    LoadBalancerConfig,
    PolicyStatement,
    RestoreTest,
    TargetHealth,
    TaskCount,
    Utilisation,
    Vulnerability,
)
from portfolio.config import Design
from portfolio.store.records import FindingStatus
from tests.checks import snapshots as s

PASS, WARN, FAIL = FindingStatus.PASS, FindingStatus.WARN, FindingStatus.FAIL
NO_DATA = FindingStatus.NO_DATA
M = s.monthly()
FUNCTION_CHECKS = (
    "function_active",
    "function_errors",
    "function_throttles",
    "function_concurrency",
)
TABLES = M.tables or []

# (check id, snapshot, expected status): at least one PASS and one FAIL per check.
CASES: list[tuple[str, object, FindingStatus]] = [
    # daily
    ("health_endpoint", s.daily(), PASS),
    ("health_endpoint", replace(s.daily(), health=HealthAnswer(False, 503, 3.0, "store")), FAIL),
    ("health_endpoint", replace(s.daily(), health=HealthAnswer(True, 200, 250.0)), WARN),
    ("health_endpoint", replace(s.daily(), health=None), WARN),
    ("health_targets", s.daily(), PASS),
    ("health_targets", replace(s.daily(), targets=TargetHealth(0, 2, "tg")), FAIL),
    ("health_targets", replace(s.daily(), targets=TargetHealth(1, 2, "tg")), WARN),
    ("health_tasks", s.daily(), PASS),
    ("health_tasks", replace(s.daily(), tasks=TaskCount(0, 2)), FAIL),
    ("health_tasks", replace(s.daily(), tasks=TaskCount(1, 2)), WARN),
    ("health_tasks", replace(s.daily(), tasks=None), NO_DATA),  # not sampled yet: no FAIL
    ("health_tasks", replace(s.daily(), tasks=None, health=HealthAnswer(False, 503, None)), FAIL),
    ("health_recent_5xx", s.daily(), PASS),
    ("health_recent_5xx", replace(s.daily(), errors_5xx=201), FAIL),
    ("health_recent_5xx", replace(s.daily(), errors_5xx=150), WARN),
    ("health_recent_5xx", replace(s.daily(), requests=0, errors_5xx=0), PASS),
    ("health_error_logs", s.daily(), PASS),
    ("health_error_logs", replace(s.daily(), error_log_lines=1001), FAIL),
    ("health_error_logs", replace(s.daily(), error_log_lines=300), WARN),
    # daily, serverless design
    ("function_active", s.serverless_daily(), PASS),
    ("function_active", s.serverless_daily(state=None), FAIL),
    ("function_active", s.serverless_daily(state="Inactive"), FAIL),
    ("function_active", s.serverless_daily(last_update="Failed"), WARN),
    ("function_active", s.daily(), WARN),
    ("function_errors", s.serverless_daily(), PASS),
    ("function_errors", s.serverless_daily(errors=201), FAIL),
    ("function_errors", s.serverless_daily(errors=150), WARN),
    ("function_errors", s.serverless_daily(invocations=0, errors=0), PASS),
    ("function_throttles", s.serverless_daily(), PASS),
    ("function_throttles", s.serverless_daily(throttles=5), WARN),
    ("function_throttles", s.serverless_daily(throttles=500), FAIL),
    ("function_concurrency", s.serverless_daily(), PASS),
    ("function_concurrency", s.serverless_daily(peak_concurrency=8), WARN),
    ("function_concurrency", s.serverless_daily(peak_concurrency=10), FAIL),
    ("function_concurrency", s.serverless_daily(concurrency_limit=0), FAIL),
    ("function_concurrency", s.serverless_daily(peak_concurrency=None), PASS),
    ("function_concurrency", s.serverless_daily(concurrency_limit=None), WARN),
    # weekly
    ("perf_latency_target", s.weekly(), PASS),
    (
        "perf_latency_target",
        replace(s.weekly(), this_week=replace(s.week(), avg_ms=120.0)),
        FAIL,
    ),
    ("perf_latency_target", replace(s.weekly(), this_week=s.week(p95=130.0)), WARN),
    ("perf_latency_trend", s.weekly(), PASS),
    ("perf_latency_trend", replace(s.weekly(), this_week=s.week(p95=90.0)), FAIL),
    ("perf_latency_trend", replace(s.weekly(), this_week=s.week(p95=72.0)), WARN),
    ("perf_latency_trend", replace(s.weekly(), last_week=None), NO_DATA),
    ("perf_error_rate", s.weekly(), PASS),
    ("perf_error_rate", replace(s.weekly(), this_week=s.week(errors=1600)), FAIL),
    ("perf_error_rate", replace(s.weekly(), this_week=s.week(errors=900)), WARN),
    ("perf_cpu_headroom", s.weekly(), PASS),
    ("perf_cpu_headroom", replace(s.weekly(), cpu=Utilisation(85.0, 99.0)), FAIL),
    ("perf_cpu_headroom", replace(s.weekly(), cpu=Utilisation(50.0, 95.0)), WARN),
    ("perf_memory_headroom", s.weekly(), PASS),
    ("perf_memory_headroom", replace(s.weekly(), memory=Utilisation(81.0, 90.0)), FAIL),
    ("perf_memory_headroom", replace(s.weekly(), memory=None), WARN),
    ("perf_slowest_endpoints", s.weekly(), PASS),
    (
        "perf_slowest_endpoints",
        replace(s.weekly(), endpoints=[EndpointLatency("/api/v1/metrics", 500, 240.0)]),
        FAIL,
    ),
    (
        "perf_slowest_endpoints",
        replace(s.weekly(), endpoints=[EndpointLatency("/api/v1/metrics", 500, 120.0)]),
        WARN,
    ),
    ("perf_slowest_endpoints", replace(s.weekly(), endpoints=None), WARN),
    # monthly
    ("sec_task_role_least_privilege", M, PASS),
    (
        "sec_task_role_least_privilege",
        replace(M, task_role=[PolicyStatement("Allow", ("dynamodb:*",), ("ref:Users",))]),
        FAIL,
    ),
    (
        "sec_task_role_least_privilege",
        replace(M, task_role=[PolicyStatement("Allow", ("s3:GetObject",), ("*",))]),
        FAIL,
    ),
    (
        "sec_task_role_least_privilege",
        replace(M, task_role=[PolicyStatement("Deny", ("*",), ("*",))]),
        PASS,
    ),
    ("sec_public_ingress", M, PASS),
    (
        "sec_public_ingress",
        replace(M, ingress=[IngressRule("tasks", "0.0.0.0/0", "tcp", 22, 22, False)]),
        FAIL,
    ),
    (
        "sec_public_ingress",
        replace(M, ingress=[IngressRule("alb", "::/0", "tcp", 0, 65535, True)]),
        FAIL,
    ),
    ("encrypt_tables", M, PASS),
    ("encrypt_tables", replace(M, tables=[replace(TABLES[0], encryption="none")]), FAIL),
    ("encrypt_tables", replace(M, tables=[replace(TABLES[0], encryption="aws-owned")]), WARN),
    ("encrypt_buckets", M, PASS),
    (
        "encrypt_buckets",
        replace(M, buckets=[BucketConfig("site", None, True, True, False)]),
        FAIL,
    ),
    ("encrypt_logs", M, PASS),
    ("encrypt_logs", replace(M, buckets=[BucketConfig("logs", None, True, False, True)]), FAIL),
    ("sec_s3_public_access_blocked", M, PASS),
    (
        "sec_s3_public_access_blocked",
        replace(M, buckets=[BucketConfig("site", "AES256", False, True, False)]),
        FAIL,
    ),
    ("sec_cloudfront_tls", M, PASS),
    (
        "sec_cloudfront_tls",
        replace(M, distributions=[DistributionConfig("d", ("allow-all",), None, True, True)]),
        FAIL,
    ),
    (  # no custom domain: the default certificate is all there is, nothing to fix
        "sec_cloudfront_tls",
        replace(M, distributions=[DistributionConfig("d", ("https-only",), None, True, True)]),
        PASS,
    ),
    (  # a domain, yet the default certificate: TLS cannot be set
        "sec_cloudfront_tls",
        replace(
            M,
            distributions=[
                DistributionConfig("d", ("https-only",), None, True, True, custom_domain=True)
            ],
        ),
        WARN,
    ),
    (
        "sec_cloudfront_tls",
        replace(
            M,
            distributions=[
                DistributionConfig(
                    "d", ("redirect-to-https",), "TLSv1", False, True, custom_domain=True
                )
            ],
        ),
        WARN,
    ),
    ("sec_access_logging", M, PASS),
    (
        "sec_access_logging",
        replace(M, load_balancers=[LoadBalancerConfig("portfolio-alb", access_logs=False)]),
        FAIL,
    ),
    (
        "sec_access_logging",
        replace(M, buckets=[BucketConfig("site", "AES256", True, False, False)]),
        FAIL,
    ),
    ("sec_task_definition_secrets", M, PASS),
    (
        "sec_task_definition_secrets",
        replace(M, containers=[ContainerConfig("c", (("DB_PASSWORD", "hunter2"),), ())]),
        FAIL,
    ),
    (
        "sec_task_definition_secrets",
        replace(M, containers=[ContainerConfig("c", (("CONFIG", "AKIAABCDEFGHIJKLMNOP"),), ())]),
        FAIL,
    ),
    ("backup_pitr_enabled", M, PASS),
    ("backup_pitr_enabled", replace(M, tables=[TABLES[0], replace(TABLES[1], pitr=False)]), FAIL),
    ("backup_pitr_enabled", replace(M, tables=[TABLES[0]]), FAIL),
    ("backup_pitr_restorable", M, PASS),
    (
        "backup_pitr_restorable",
        replace(M, tables=[replace(TABLES[0], latest_restorable=s.AT - timedelta(hours=3))]),
        FAIL,
    ),
    (
        "backup_pitr_restorable",
        replace(M, tables=[replace(TABLES[0], latest_restorable=None)]),
        FAIL,
    ),
    ("backup_pitr_restorable", replace(M, restore_window_observable=False), WARN),
    ("backup_restore_test", M, PASS),
    (
        "backup_restore_test",
        replace(M, restore_tests=[RestoreTest("portfolio-users", 40, 39, 12.0)]),
        FAIL,
    ),
    (
        "backup_restore_test",
        replace(M, restore_tests=[RestoreTest("t", None, None, 1.0, error="Boom")]),
        FAIL,
    ),
    ("backup_restore_test", replace(M, restore_tests=None), WARN),
    ("sec_iac_scan", replace(M, iac_scan=IacScan(0, 0, 2, 150, 0)), PASS),
    ("sec_iac_scan", replace(M, iac_scan=IacScan(0, 0, 0, 150, 1)), FAIL),
    ("sec_dependency_audit", replace(M, dependency_audit=DependencyAudit(9, "db", ())), PASS),
    (
        "sec_dependency_audit",
        replace(M, dependency_audit=DependencyAudit(9, "db", (Vulnerability("a", "1", "V"),))),
        FAIL,
    ),
    ("sec_image_vulnerabilities", replace(M, image_scan=ImageScan("r:t", (("LOW", 1),))), PASS),
    ("sec_image_vulnerabilities", replace(M, image_scan=ImageScan("r:t", (("MEDIUM", 1),))), WARN),
    (
        "sec_image_vulnerabilities",
        replace(M, image_scan=ImageScan("r:t", (("CRITICAL", 1),))),
        FAIL,
    ),
]


@pytest.mark.parametrize(
    ("check_id", "snapshot", "expected"),
    CASES,
    ids=[f"{c}-{e.value}-{i}" for i, (c, _, e) in enumerate(CASES)],
)
def test_check(check_id: str, snapshot: object, expected: FindingStatus) -> None:
    finding = get_check(check_id).run(snapshot)
    assert finding.status is expected, finding.detail
    assert finding.detail.endswith("."), "a detail is one sentence"
    assert finding.check_id == check_id


def test_every_check_has_a_pass_and_a_fail_case() -> None:
    statuses: dict[str, set[FindingStatus]] = {}
    for check_id, _, expected in CASES:
        statuses.setdefault(check_id, set()).add(expected)
    assert set(statuses) == {c.id for c in all_checks()}
    assert all({PASS, FAIL} <= found for found in statuses.values()), statuses


def test_healthy_snapshots_pass_their_whole_checklist() -> None:
    for kind, snapshot in ((Kind.DAILY, s.daily()), (Kind.WEEKLY, s.weekly()), (Kind.MONTHLY, M)):
        run = evaluate(kind, snapshot, target="test", started_at=s.AT, finished_at=s.AT)
        assert run.passed, [f for f in run.findings if f.status is not PASS]
        assert run.kind == kind.value


def test_healthy_serverless_day_passes_its_checklist_without_ecs_or_alb_checks() -> None:
    run = evaluate(
        Kind.DAILY,
        s.serverless_daily(),
        target="test",
        started_at=s.AT,
        finished_at=s.AT,
        design=Design.SERVERLESS,
    )
    assert run.passed, [f for f in run.findings if f.status is not PASS]
    ids = {f.check_id for f in run.findings}
    assert ids == {"health_endpoint", "health_error_logs", *FUNCTION_CHECKS}


def test_original_design_runs_no_function_check() -> None:
    run = evaluate(Kind.DAILY, s.daily(), target="test", started_at=s.AT, finished_at=s.AT)
    assert {f.check_id for f in run.findings} == {
        "health_endpoint",
        "health_targets",
        "health_tasks",
        "health_recent_5xx",
        "health_error_logs",
    }


def test_ecs_and_alb_checks_apply_to_the_original_design_only() -> None:
    serverless = {c.id for c in all_checks() if Design.SERVERLESS in c.designs}
    original = {c.id for c in all_checks() if Design.ORIGINAL in c.designs}
    assert not {"health_targets", "health_tasks", "perf_cpu_headroom"} & serverless
    assert not set(FUNCTION_CHECKS) & original
    assert {"encrypt_tables", "backup_pitr_enabled", "health_endpoint"} <= serverless & original


def test_report_reads_backup_and_encryption_checks_by_id() -> None:
    """build.py finds the data store's backup/encryption lines by these words in the ids."""
    monthly = [c.id for c in all_checks() if c.kind is Kind.MONTHLY]
    assert [i for i in monthly if "pitr" in i or "backup" in i]
    assert [i for i in monthly if "encrypt" in i]


def test_every_check_has_both_languages() -> None:
    for c in all_checks():
        for text in (
            c.title_ja,
            c.title_en,
            c.risk_ja,
            c.risk_en,
            c.remediation_ja,
            c.remediation_en,
        ):
            assert text.strip(), c.id
