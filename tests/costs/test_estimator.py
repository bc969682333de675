"""The estimator against a small price table whose figures are easy to redo by hand."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from portfolio import names
from portfolio.costs import Architecture, UsageProfile, compare, estimate, load_prices, parse_prices
from portfolio.costs.prices import PriceTable
from portfolio.errors import ConfigError, InputError

# key: (usd per unit, always-free units per month)
ROUND_PRICES: dict[str, tuple[float, float]] = {
    "fargate_arm_vcpu_hour": (0.04, 0),
    "fargate_arm_gb_hour": (0.004, 0),
    "fargate_x86_vcpu_hour": (0.05, 0),
    "fargate_x86_gb_hour": (0.005, 0),
    "fargate_spot_arm_vcpu_hour": (0.01, 0),
    "fargate_spot_arm_gb_hour": (0.001, 0),
    "alb_hour": (0.02, 0),
    "alb_lcu_hour": (0.01, 0),
    "public_ipv4_hour": (0.005, 0),
    "dynamodb_write_request_unit": (1e-6, 0),
    "dynamodb_read_request_unit": (2e-7, 0),
    "dynamodb_storage_gb_month": (0.25, 25),
    "dynamodb_pitr_gb_month": (0.2, 0),
    "s3_standard_gb_month": (0.02, 0),
    "s3_put_request": (5e-6, 0),
    "s3_get_request": (4e-7, 0),
    "cloudfront_dto_japan_gb": (0.1, 1024),
    "cloudfront_https_request_japan": (1e-6, 10_000_000),
    "cloudwatch_logs_ingest_gb": (0.5, 5),
    "cloudwatch_logs_storage_gb_month": (0.03, 0),
    "cloudwatch_custom_metric_month": (0.3, 10),
    "cloudwatch_alarm_month": (0.1, 10),
    "cloudwatch_dashboard_month": (3.0, 3),
    "secret_month": (0.4, 0),
    "secret_api_call": (5e-6, 0),
    "data_transfer_out_gb": (0.1, 100),
    "lambda_request": (2e-7, 1_000_000),
    "lambda_arm_gb_second": (1e-5, 400_000),
    "apigw_http_request": (1e-6, 0),
    "lambda_function_url_request": (0.0, 0),
    "sns_email_notification": (2e-5, 1000),
    "budget_month": (0.0, 0),
    "cloudwatch_composite_alarm_month": (0.5, 0),
    "route53_health_check_month": (0.5, 0),
    "route53_health_check_feature_month": (1.0, 0),
    "scheduler_invocation": (1e-6, 14_000_000),
}


def _table(prices: dict[str, tuple[float, float]] = ROUND_PRICES) -> PriceTable:
    rows = [
        "[meta]",
        'region = "test-region"',
        'currency = "USD"',
        "as_of = 2026-01-01",
    ]
    for key, (usd, free) in prices.items():
        rows += [
            f"[prices.{key}]",
            'service = "Svc ' + key.split("_")[0] + '"',
            f'description = "{key}"',
            'unit = "u"',
            f"usd = {usd!r}",
            f"free_per_month = {free!r}",
            'source = "https://aws.amazon.com/pricing/"',
            "as_of = 2026-01-01",
            "verified = true",
        ]
    return parse_prices("\n".join(rows))


# 100 hours and 360,000 requests make exactly 1 request per second.
PROFILE = UsageProfile(
    hours_in_month=100,
    requests_per_month=360_000,
    avg_request_bytes=500,
    avg_response_bytes=500,
    tasks=2,
    task_vcpu=0.25,
    task_memory_gb=0.5,
    alb_public_ipv4=2,
    dynamodb_reads_per_request=1,
    dynamodb_writes_per_request=0.1,
    telemetry_writes_per_task_minute=4,
    dynamodb_storage_gb=30,
    log_ingest_gb=0,
    log_stored_gb=0,
    static_requests_per_month=0,
    static_gb_per_month=0,
    static_storage_gb=0,
    access_log_storage_gb=0,
    access_log_objects_per_month=0,
    alarm_metrics=12,
    dashboards=1,
    secrets=1,
    secret_api_calls=0,
    alarm_notifications=0,
    api_on_cloudfront=False,
)


def test_original_architecture_by_hand() -> None:
    result = estimate(PROFILE, _table(), Architecture.FARGATE_ALB)
    by_service = result.by_service()
    # vCPU 2 × 0.25 × 100 h × 0.04 = 2.0; memory 2 × 0.5 × 100 h × 0.004 = 0.4
    assert by_service["Svc fargate"] == pytest.approx(2.4)
    # ALB 100 h × 0.02 = 2.0; LCU max(1/25, 60/3000, 0.0036 GB/h) = 0.04 × 100 h × 0.01
    assert by_service["Svc alb"] == pytest.approx(2.04)
    # (2 ALB + 2 task IPs) × 100 h × 0.005
    assert by_service["Svc public"] == pytest.approx(2.0)
    # writes 36,000 + 2 × 6,000 min × 4 = 84,000 × 1e-6; reads 360,000 × 2e-7;
    # storage (30 − 25 free) × 0.25; PITR 30 × 0.2
    assert by_service["Svc dynamodb"] == pytest.approx(0.084 + 0.072 + 1.25 + 6.0)
    # alarms (12 − 10 free) × 0.1; one dashboard is within the 3 free
    assert by_service["Svc cloudwatch"] == pytest.approx(0.2)
    assert by_service["Svc secret"] == pytest.approx(0.4)
    # 0.18 GB out is inside the 100 GB free
    assert by_service["Svc data"] == 0
    assert result.total_usd == pytest.approx(14.446)


def test_without_always_free_every_unit_is_billed() -> None:
    result = estimate(PROFILE, _table(), Architecture.FARGATE_ALB, always_free=False)
    by_service = result.by_service()
    assert by_service["Svc cloudwatch"] == pytest.approx(12 * 0.1 + 1 * 3.0)
    assert by_service["Svc dynamodb"] == pytest.approx(0.084 + 0.072 + 30 * 0.25 + 6.0)
    assert by_service["Svc data"] == pytest.approx(0.18 * 0.1)


def test_lambda_has_no_load_balancer_task_or_ipv4_and_is_priced_per_request() -> None:
    profile = PROFILE.model_copy(
        update={
            "requests_per_month": 2_000_000,
            "lambda_avg_duration_ms": 100,
            "lambda_memory_gb": 0.5,
        }
    )
    result = estimate(profile, _table(), Architecture.LAMBDA_HTTP_API)
    by_service = result.by_service()
    assert not {"Svc fargate", "Svc alb", "Svc public"} & by_service.keys()
    # 2 M × 0.1 s × 0.5 GB = 100,000 GB-s, inside the 400,000 free; (2 M − 1 M) × 2e-7
    assert by_service["Svc lambda"] == pytest.approx(0.2)
    assert by_service["Svc apigw"] == pytest.approx(2.0)
    # writes 2 M × 0.1 API + 2 instances × the month's minutes × the measured WRU of one
    # instance-minute: each active instance writes its telemetry once a minute, however many
    # requests it served
    writes = next(line for line in result.lines if line.price_key == "dynamodb_write_request_unit")
    minutes = profile.hours_in_month * 60
    per_minute = profile.lambda_telemetry_writes_per_instance_minute
    assert writes.quantity == pytest.approx(2_000_000 * 0.1 + 2 * minutes * per_minute)


def test_serverless_design_prices_invocations_telemetry_and_ops_by_hand() -> None:
    profile = PROFILE.model_copy(
        update={
            "requests_per_month": 2_000_000,
            "lambda_avg_duration_ms": 100,
            "lambda_memory_gb": 0.5,
            "lambda_telemetry_writes_per_instance_minute": 3,
            "lambda_active_instances": 1,
            "health_check_requests_per_month": 1_000_000,
            "scheduled_runs_per_month": 40,
            "scheduled_task_minutes_per_run": 5,
            "scheduled_task_memory_gb": 1,
        }
    )
    result = estimate(profile, _table(), Architecture.LAMBDA_FUNCTION_URL)
    by_service = result.by_service()
    assert not {"Svc fargate", "Svc alb", "Svc public", "Svc apigw"} & by_service.keys()
    lines = {line.price_key: line for line in result.lines}
    # (2 M users' + 1 M probe) × 0.1 s × 0.5 GB = 150,000 + ops 40 × 300 s × 1 GB = 12,000
    # GB-s (free)
    assert lines["lambda_arm_gb_second"].quantity == pytest.approx(162_000)
    # (2 M + 1 M probe + 40 − 1 M free) × 2e-7: the outside checks are invocations
    assert by_service["Svc lambda"] == pytest.approx(2_000_040 * 2e-7)
    # 2 M × 0.1 API WRU + 1 instance × the month's minutes × 3 telemetry WRU: a probe's
    # request costs no write of its own
    minutes = profile.hours_in_month * 60
    assert lines["dynamodb_write_request_unit"].quantity == pytest.approx(200_000 + minutes * 3)
    # 2 M × 1 RRU + 1 M probe × 1 RRU (its /health reads both tables)
    assert lines["dynamodb_read_request_unit"].quantity == pytest.approx(3_000_000)
    assert lines["scheduler_invocation"].quantity == 40


def test_api_through_cloudfront_is_billed_at_the_edge() -> None:
    profile = PROFILE.model_copy(update={"api_on_cloudfront": True})
    lines = {line.price_key: line for line in estimate(profile, _table()).lines}
    assert "data_transfer_out_gb" not in lines
    assert lines["cloudfront_dto_japan_gb"].quantity == pytest.approx(360_000 * 500 / 1e9)
    assert lines["cloudfront_https_request_japan"].quantity == 360_000


def test_spot_and_x86_use_their_own_rates() -> None:
    spot = estimate(PROFILE, _table(), Architecture.FARGATE_SPOT_ALB).by_service()
    x86 = estimate(PROFILE, _table(), Architecture.FARGATE_X86_ALB).by_service()
    assert spot["Svc fargate"] == pytest.approx(50 * 0.01 + 100 * 0.001)
    assert x86["Svc fargate"] == pytest.approx(50 * 0.05 + 100 * 0.005)


def test_every_line_is_billable_quantity_times_price_and_says_how() -> None:
    result = estimate(PROFILE, _table())
    for line in result.lines:
        assert line.usd == pytest.approx(line.billable_quantity * line.unit_usd)
        assert line.billable_quantity <= line.quantity
        assert "×" in line.basis
    vcpu = next(line for line in result.lines if line.price_key == "fargate_arm_vcpu_hour")
    assert vcpu.basis.startswith("2 tasks × 0.25 vCPU × 100 h × $0.04/")
    assert sum(result.by_service().values()) == pytest.approx(result.total_usd)


def test_compare_orders_cheapest_first_on_the_packaged_table() -> None:
    estimates = compare(UsageProfile(), load_prices())
    totals = [e.total_usd for e in estimates]
    assert totals == sorted(totals)
    by_arch = {e.architecture: e.total_usd for e in estimates}
    assert by_arch[Architecture.FARGATE_SPOT_ALB] < by_arch[Architecture.FARGATE_ALB]
    assert by_arch[Architecture.FARGATE_ALB] < by_arch[Architecture.FARGATE_X86_ALB]


def test_default_profile_is_the_originals_traffic() -> None:
    profile = UsageProfile()
    assert profile.requests_per_month == 21_600 * 31
    assert profile.tasks == names.DESIRED_TASKS
    assert (profile.task_vcpu, profile.task_memory_gb) == (0.25, 0.5)
    assert profile.requests_per_second == pytest.approx(0.25)


def test_profile_refuses_impossible_values() -> None:
    with pytest.raises(ValidationError):
        UsageProfile(requests_per_month=-1)
    with pytest.raises(ValidationError):
        UsageProfile(hours_in_month=800)


def test_a_missing_price_row_is_named() -> None:
    partial = {k: v for k, v in ROUND_PRICES.items() if k != "alb_hour"}
    with pytest.raises(InputError, match="alb_hour"):
        estimate(PROFILE, _table(partial), Architecture.FARGATE_ALB)


def test_price_rows_must_cite_an_aws_page() -> None:
    text = (
        '[meta]\nregion = "r"\ncurrency = "USD"\nas_of = 2026-01-01\n'
        '[prices.x]\nservice = "S"\ndescription = "d"\nunit = "u"\nusd = 1.0\n'
        'source = "https://example.com/"\nas_of = 2026-01-01\nverified = true\n'
    )
    with pytest.raises(ConfigError, match="source"):
        parse_prices(text)


def test_operations_alerting_and_outside_checks_by_hand() -> None:
    profile = PROFILE.model_copy(
        update={
            "composite_alarms": 2,
            "health_checks": 1,
            "health_check_features": 1,
            "health_check_requests_per_month": 1_000_000,
            "static_requests_per_month": 9_500_000,
            "scheduled_runs_per_month": 40,
            "scheduled_task_minutes_per_run": 5,
            "scheduled_task_vcpu": 0.25,
            "scheduled_task_memory_gb": 1.0,
        }
    )
    base = estimate(PROFILE, _table(), Architecture.FARGATE_ALB).by_service()
    by_service = estimate(profile, _table(), Architecture.FARGATE_ALB).by_service()
    # 2 composite alarms × 0.5 on top of (12 − 10 free) × 0.1
    assert by_service["Svc cloudwatch"] == pytest.approx(0.2 + 1.0)
    # one check 0.5 + one optional feature (HTTPS) 1.0
    assert by_service["Svc route53"] == pytest.approx(1.5)
    # 40 runs × 5 min = 3.33 h: × 0.25 vCPU × 0.04 + × 1 GB × 0.004
    assert by_service["Svc fargate"] - base["Svc fargate"] == pytest.approx(
        40 * 5 / 60 * (0.25 * 0.04 + 1.0 * 0.004)
    )
    # the checkers' requests go through CloudFront: (9.5 M + 1 M − 10 M free) × 1e-6
    assert by_service["Svc cloudfront"] == pytest.approx(0.5)
    # 40 invocations are inside Scheduler's 14 M free
    assert by_service["Svc scheduler"] == 0
