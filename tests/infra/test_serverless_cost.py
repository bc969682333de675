"""`infra cost --design serverless`: the template priced line by line; the crossover."""

from __future__ import annotations

import pytest

from portfolio.costs import Architecture, UsageProfile, estimate, load_prices
from portfolio.infra.assembly import Assembly
from portfolio.infra.cost import crossover_requests_per_day, profile_from_assembly, stack_cost

EVERY_BILLED_LINE = {
    "lambda_request",
    "lambda_arm_gb_second",
    "lambda_function_url_request",
    "cloudfront_https_request_japan",
    "cloudfront_dto_japan_gb",
    "dynamodb_write_request_unit",
    "dynamodb_read_request_unit",
    "dynamodb_storage_gb_month",
    "cloudwatch_logs_ingest_gb",
    "cloudwatch_logs_storage_gb_month",
    "cloudwatch_alarm_month",
    "cloudwatch_dashboard_month",
    "route53_health_check_month",
    "s3_standard_gb_month",
    "s3_put_request",
    "scheduler_invocation",
    "secret_month",
    "secret_api_call",
}


def test_serverless_design_meets_the_budget_at_the_original_traffic(
    serverless_assembly: Assembly,
) -> None:
    cost = stack_cost(serverless_assembly, load_prices())
    assert cost.architecture is Architecture.LAMBDA_FUNCTION_URL
    assert {line.price_key for line in cost.estimate.lines} >= EVERY_BILLED_LINE
    assert not {"alb_hour", "public_ipv4_hour", "fargate_arm_vcpu_hour"} & {
        line.price_key for line in cost.estimate.lines
    }
    assert cost.profile.requests_per_month == UsageProfile().requests_per_month
    assert cost.budget_usd == 10
    assert not cost.over_budget, cost.estimate.total_usd
    # Read from the template: the API's memory, the four schedules, three secrets
    assert cost.profile.lambda_memory_gb == 0.5
    assert cost.profile.scheduled_runs_per_month > 30
    assert cost.profile.secrets == 3


def test_both_designs_count_the_outside_probe(
    assembly: Assembly, serverless_assembly: Assembly
) -> None:
    """Route 53's checks are invocations, reads and load-balancer traffic, and cost no
    telemetry write of their own (the serverless instance writes once a minute)."""
    prices = load_prices()
    serverless = stack_cost(serverless_assembly, prices)
    probes = serverless.profile.health_check_requests_per_month
    assert probes > 1_000_000  # ~15 checkers every 30 s
    lines = {line.price_key: line for line in serverless.estimate.lines}
    users = serverless.profile.requests_per_month
    assert lines["lambda_request"].quantity >= users + probes
    assert lines["dynamodb_read_request_unit"].quantity == pytest.approx(users + probes)
    minutes = serverless.profile.hours_in_month * 60
    writes = lines["dynamodb_write_request_unit"].quantity
    per_minute = serverless.profile.lambda_telemetry_writes_per_instance_minute  # measured
    assert writes == pytest.approx(users * 0.1 + 2 * minutes * per_minute)
    doubled = serverless.profile.model_copy(update={"health_check_requests_per_month": 2 * probes})
    again = estimate(doubled, prices, Architecture.LAMBDA_FUNCTION_URL).lines
    # twice the probe, the same writes: a probe's request costs no write of its own
    assert next(x for x in again if x.price_key == "dynamodb_write_request_unit").quantity == writes
    assert serverless.estimate.total_usd <= 10
    original = stack_cost(assembly, prices)
    assert original.profile.health_check_requests_per_month == probes
    reads = {line.price_key: line for line in original.estimate.lines}["dynamodb_read_request_unit"]
    assert reads.quantity == pytest.approx(original.profile.requests_per_month + probes)


def test_crossover_is_where_both_designs_cost_the_same(
    assembly: Assembly, serverless_assembly: Assembly
) -> None:
    prices = load_prices()
    original, original_arch = profile_from_assembly(assembly)
    serverless, _ = profile_from_assembly(serverless_assembly)
    per_day = crossover_requests_per_day(original, serverless, prices)
    assert per_day is not None
    assert per_day > 21_600  # cheaper at the original's traffic, dearer at some point

    def total(profile: UsageProfile, architecture: Architecture) -> float:
        scaled = profile.model_copy(update={"requests_per_month": per_day * 31})
        return estimate(scaled, prices, architecture).total_usd

    assert total(original, original_arch) == pytest.approx(
        total(serverless, Architecture.LAMBDA_FUNCTION_URL), abs=0.01
    )
