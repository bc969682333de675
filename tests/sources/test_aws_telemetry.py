"""Acceptance of issue 22: the AWS report's traffic is the service's own telemetry.

moto (control plane: ALB, ECS, CloudFront, CloudWatch, Cost Explorer, S3 logs) and
DynamoDB Local (the metrics table) are seeded with a month whose truth is known
(tests/sources/aws_month.py); the report of each design gives its requests, error rate
and cache hit ratio exactly, its latency percentiles within the sketch's accuracy, and
Route 53's checker requests apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from portfolio import names
from portfolio.config import Design, Settings
from portfolio.costs import load_prices
from portfolio.report.build import build_report
from portfolio.report.model import Report
from portfolio.report.render.markdown import render_markdown
from portfolio.sketch import RELATIVE_ACCURACY
from portfolio.sources.base import SourceOptions, make_source
from portfolio.store import open_store
from portfolio.store.dynamodb import DynamoDBStore
from tests.dynamodb_local import new_table_prefix, shared_client
from tests.sources.aws_month import (
    LAMBDA_INVOCATIONS,
    LAMBDA_THROTTLES,
    PERIOD,
    Truth,
    seed_cloudfront_logs,
    seed_distribution,
    seed_lambda,
    seed_telemetry,
)
from tests.sources.moto_aws import COSTS, Moto, aws_env, seed, start_moto

FUNCTION = "portfolio-api-serverless-test"


@pytest.fixture(scope="module")
def account() -> Iterator[Moto]:
    """A moto of this module's own: the log files it seeds must not reach other tests."""
    aws_env()
    yield from start_moto()


@pytest.fixture(scope="module")
def month(account: Moto) -> Iterator[tuple[Settings, Truth]]:
    seeded = seed(account)
    endpoint: str = shared_client().meta.endpoint_url
    prefix = new_table_prefix()
    settings = Settings(
        store={
            "backend": "dynamodb",
            "dynamodb_endpoint_url": endpoint,
            "users_table": f"{prefix}-portfolio-users",
            "metrics_table": f"{prefix}-portfolio-metrics",
        }
    )
    admin = DynamoDBStore.from_settings(settings)
    admin.create_tables()
    truth = seed_telemetry(open_store(settings))
    seed_cloudfront_logs(account, seeded.distribution_id, truth)
    seed_lambda(account, FUNCTION)
    yield settings, truth
    admin.delete_tables()
    admin.close()


def _report(account: Moto, settings: Settings) -> tuple[Report, str]:
    source = make_source("aws", SourceOptions(settings=settings, endpoint_url=account.endpoint))
    now = PERIOD.end + timedelta(days=5)
    report = build_report(source, PERIOD, settings, now=now, prices=load_prices())
    return report, render_markdown(report, "en")


def _assert_the_known_month(report: Report, truth: Truth) -> None:
    assert report.traffic.total_requests == truth.requests
    assert report.error_rate == round(100 * truth.errors_5xx / truth.requests, 4)
    assert report.traffic.outside_probe_requests == truth.probe_requests
    assert names.OUTSIDE_PROBE_ENDPOINT not in {e.endpoint for e in report.traffic.by_endpoint}
    assert {e.endpoint for e in report.traffic.by_endpoint} >= {names.USERS_PATH}
    for q, figure in ((0.5, report.latency_ms.p50), (0.95, report.latency_ms.p95),
                      (0.99, report.latency_ms.p99)):  # fmt: skip
        exact = truth.exact(q)
        assert figure == pytest.approx(exact, rel=RELATIVE_ACCURACY, abs=0.01)
    site = report.services.static_site
    assert site.requests == truth.site_requests
    assert site.cache_hit_ratio_percent == round(100 * truth.site_hits / truth.site_requests, 2)
    kpis = {k.id: k for k in report.kpis}
    assert kpis["monthly_cost"].actual == pytest.approx(round(sum(COSTS.values()), 2))


def test_the_original_design_reports_the_known_month(
    account: Moto, month: tuple[Settings, Truth]
) -> None:
    settings, truth = month
    report, text = _report(account, settings)
    _assert_the_known_month(report, truth)
    assert f"{truth.probe_requests:,}" in text
    notes = " ".join(report.document.notes)
    assert "the load balancer (portfolio-alb) counted" in notes
    assert f"recorded {truth.requests + truth.probe_requests:,}" in notes


def test_the_serverless_design_reports_the_same_month_and_names_its_function(
    account: Moto, month: tuple[Settings, Truth]
) -> None:
    settings, truth = month
    serverless = settings.model_copy(update={"design": Design.SERVERLESS, "api_function": FUNCTION})
    report, _ = _report(account, serverless)
    _assert_the_known_month(report, truth)
    notes = " ".join(report.document.notes)
    assert f"Lambda ({FUNCTION}) counted {LAMBDA_INVOCATIONS + LAMBDA_THROTTLES:,}" in notes
    assert f"{LAMBDA_THROTTLES:,} throttled" in notes
    assert "portfolio-alb" not in notes
    assert report.services.compute.desired_tasks is None


def test_without_log_files_the_cache_hit_ratio_is_no_data(
    account: Moto, month: tuple[Settings, Truth]
) -> None:
    """A distribution that logs elsewhere and has no file: CloudWatch's count, no ratio."""
    from portfolio.cloud import Aws
    from portfolio.sources.aws_site import observe_site

    other = seed_distribution(account, prefix="elsewhere/", requests_per_hour=50.0)
    site = observe_site(Aws(Settings(), account.endpoint), [other], PERIOD)
    assert site.stats is not None
    assert site.stats.requests == 50 * 3
    assert site.stats.cache_hits is None
    assert "cache hit ratio no data" in site.notes[0]
