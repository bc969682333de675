"""The AWS report source: CloudWatch, Cost Explorer and describe calls against moto, and
the report built from it end to end (percentile statistics via Stubber)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from portfolio import names
from portfolio.cloud import Aws
from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report.build import build_report
from portfolio.report.render.markdown import render_markdown
from portfolio.sources.aws import AwsSource
from portfolio.sources.base import SourceOptions, make_source
from portfolio.store.records import CheckRun, Finding, FindingStatus
from portfolio.store.sqlite import SQLiteStore
from tests.sources.moto_aws import (
    COSTS,
    HOURS,
    PREVIOUS_COSTS,
    REQUESTS_2XX,
    REQUESTS_4XX,
    REQUESTS_5XX,
    Moto,
    Seeded,
)

PERIOD = Period(2025, 8, "Asia/Tokyo")


def _source(moto: Moto, store: Path | None = None) -> AwsSource:
    settings = Settings()
    # One attempt: moto answers percentile queries with a 500 that retries cannot fix.
    factory = (lambda: SQLiteStore(store)) if store else None
    return AwsSource(Aws(settings, moto.endpoint, max_attempts=1), store_factory=factory)


def test_observe_maps_cloudwatch_costs_and_status(moto: Moto, seeded: Seeded) -> None:
    obs = _source(moto).observe(PERIOD)
    # Traffic is the service's telemetry (tests/sources/test_aws_telemetry.py); without a
    # store there is none, and the load balancer's count is only a cross-check.
    assert obs.traffic == []
    assert obs.outside_probe_requests is None
    requests = HOURS * (REQUESTS_2XX + REQUESTS_4XX + REQUESTS_5XX)
    assert any(f"counted {requests:,} requests" in note for note in obs.notes)
    assert obs.load_balancer_errors_5xx == HOURS
    assert obs.measured_costs is not None
    assert {c.service: c.usd for c in obs.measured_costs.lines} == COSTS
    assert {c.service: c.usd for c in obs.measured_costs.previous_lines or []} == PREVIOUS_COSTS
    assert obs.compute is not None
    assert (obs.compute.desired_tasks, obs.compute.healthy_targets) == (names.DESIRED_TASKS, 2)
    assert obs.data_store is not None
    assert obs.data_store.point_in_time_recovery is True
    assert len(obs.resources) == HOURS
    assert obs.resources[0].mem_pct == pytest.approx(41.0)
    reads = [s for s in obs.store_stats if s.operation == "get_item"]
    assert sum(s.count for s in reads) == HOURS * 40
    assert sum(s.latency_sum_ms for s in reads) / sum(s.count for s in reads) == pytest.approx(2.5)
    assert obs.static_site is not None
    assert obs.static_site.requests == HOURS * 100
    assert obs.static_site.cache_hits is None  # no log files: no data, not CacheHitRate


def test_a_report_from_aws_shows_the_seeded_figures(
    moto: Moto, seeded: Seeded, tmp_path: Path
) -> None:
    db = tmp_path / "ops.db"
    store = SQLiteStore(db)
    at = datetime(2025, 8, 31, 10, tzinfo=UTC)
    store.add_check_run(
        CheckRun(
            "run1",
            "monthly",
            "aws",
            at,
            at,
            (Finding("backup_pitr_enabled", FindingStatus.PASS, "PITR on for both tables."),),
        )
    )
    store.close()
    report = build_report(
        _source(moto, db), PERIOD, Settings(), now=at + timedelta(days=5), prices=load_prices()
    )
    kpis = {k.id: k for k in report.kpis}
    assert kpis["monthly_cost"].actual == pytest.approx(round(sum(COSTS.values()), 2))
    assert report.costs.source == "cost-explorer"
    assert "Cost Explorer" in report.costs.source_detail
    assert {row.service: row.usd for row in report.costs.lines} == pytest.approx(COSTS)
    assert report.costs.previous_total_usd == pytest.approx(sum(PREVIOUS_COSTS.values()))
    services = report.services
    assert services.compute.desired_tasks == names.DESIRED_TASKS
    assert services.compute.memory_avg_percent == pytest.approx(41.0)
    assert services.entry_point.load_balancer_errors_5xx == HOURS
    assert services.static_site.requests == HOURS * 100
    assert services.static_site.cache_hit_ratio_percent is None
    assert services.data_store.backup == "PASS: PITR on for both tables."
    assert report.security.last_run == at
    text = render_markdown(report, "en")
    assert f"{sum(COSTS.values()):,.2f}" in text


def test_aws_is_a_registered_source(moto: Moto) -> None:
    source = make_source("aws", SourceOptions(settings=Settings(), endpoint_url=moto.endpoint))
    assert source.name == "aws"


# -- availability from outside, target health, permission changes ---------------------------


def test_outside_probes_are_one_result_per_measured_minute() -> None:
    from portfolio.sources.aws import outside_probe_minutes

    t0 = datetime(2025, 8, 10, tzinfo=UTC)
    minutes = outside_probe_minutes(
        {t0: 1.0, t0 + timedelta(minutes=1): 0.0, t0 + timedelta(minutes=5): 1.0},
        {t0: 1.0, t0 + timedelta(minutes=1): 1.0, t0 + timedelta(minutes=5): 1.0},
        60,
    )
    assert [(p.at - t0, p.ok) for p in minutes] == [
        (timedelta(0), True),
        (timedelta(minutes=1), False),
        (timedelta(minutes=5), True),  # minutes 2-4: no datapoint, not measured, not "up"
    ]
    # A 5-minute datapoint with 5 samples, healthy 80 % of them: 4 minutes up, 1 down.
    five = outside_probe_minutes({t0: 0.8}, {t0: 5.0}, 300)
    assert len(five) == 5
    assert sum(p.ok for p in five) == 4
    # Only 3 samples in the 5 minutes: 3 measured minutes, not 5.
    assert len(outside_probe_minutes({t0: 1.0}, {t0: 3.0}, 300)) == 3


def test_route53_check_on_the_site_is_the_availability_source(
    moto: Moto, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1-minute datapoints whatever today's date (CloudWatch keeps them 15 days).
    monkeypatch.setattr("portfolio.sources.aws.finest_period_s", lambda start: 60)
    cloudfront = moto.client("cloudfront", "us-east-1")
    domain = cloudfront.get_distribution(Id=seeded.distribution_id)["Distribution"]["DomainName"]
    route53 = moto.client("route53", "us-east-1")
    check_id = route53.create_health_check(
        CallerReference="availability-test",
        HealthCheckConfig={
            "Type": "HTTPS",
            "FullyQualifiedDomainName": domain,
            "ResourcePath": names.HEALTH_PATH,
            "Port": 443,
            "RequestInterval": 30,
            "FailureThreshold": 3,
        },
    )["HealthCheck"]["Id"]
    now = datetime.now(UTC)
    period = Period(now.year, now.month, "UTC")
    start = period.start
    statuses = [1.0] * 7 + [0.0] * 3  # ten measured minutes, three of them down
    moto.client("cloudwatch", "us-east-1").put_metric_data(
        Namespace="AWS/Route53",
        MetricData=[
            {
                "MetricName": "HealthCheckStatus",
                "Dimensions": [{"Name": "HealthCheckId", "Value": check_id}],
                "Timestamp": start + timedelta(minutes=i, seconds=10),
                "Value": value,
            }
            for i, value in enumerate(statuses)
        ],
    )
    source = _source(moto)
    probes = source._outside_probes(period)
    assert probes is not None
    assert len(probes) == len(statuses)
    assert [p.ok for p in probes] == [v == 1.0 for v in statuses]
    assert {p.at - start for p in probes} == {timedelta(minutes=i) for i in range(10)}


def test_iam_write_events_are_permission_changes() -> None:
    from portfolio.sources.aws import iam_change

    at = datetime(2025, 8, 3, 4, 5, tzinfo=UTC)
    change = iam_change(
        {
            "EventName": "AttachRolePolicy",
            "EventTime": at,
            "Username": "ops-admin",
            "Resources": [{"ResourceType": "AWS::IAM::Role", "ResourceName": "portfolio-task"}],
        }
    )
    assert change is not None
    assert (change.kind, change.subject, change.detail, change.actor) == (
        "iam",
        "portfolio-task",
        "AttachRolePolicy",
        "ops-admin",
    )
    assert iam_change({"EventName": "GetRole", "EventTime": at}) is None
    assert iam_change({"EventName": "CreateUser", "EventTime": at, "ReadOnly": "true"}) is None


@dataclass
class _TrailAws:
    cloudtrail: Any
    region: str = "ap-northeast-1"

    def client(self, service: str, *, region: str | None = None) -> Any:
        assert (service, region) == ("cloudtrail", "us-east-1")  # IAM events live there
        return self.cloudtrail


def test_lookup_events_asks_for_iam_and_follows_pages() -> None:
    cloudtrail = boto3.client("cloudtrail", region_name="us-east-1")
    at = datetime(2025, 8, 3, tzinfo=UTC)
    expected = {
        "LookupAttributes": [
            {"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}
        ],
        "StartTime": PERIOD.start,
        "EndTime": PERIOD.end,
    }
    with Stubber(cloudtrail) as stub:
        stub.add_response(
            "lookup_events",
            {"Events": [{"EventName": "PutRolePolicy", "EventTime": at}], "NextToken": "t"},
            expected,
        )
        stub.add_response(
            "lookup_events",
            {"Events": [{"EventName": "ListRoles", "EventTime": at}]},
            {**expected, "NextToken": "t"},
        )
        source = AwsSource(_TrailAws(cloudtrail))  # type: ignore[arg-type]
        changes = source._permission_changes(PERIOD)
    assert changes is not None
    assert [c.detail for c in changes] == ["PutRolePolicy"]


def test_a_table_without_a_ceiling_leaves_no_capacity_reference() -> None:
    from portfolio.sources.aws import _ceiling

    assert _ceiling({"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}) == (100.0, 50.0)
    assert _ceiling({"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 50}) is None
    assert _ceiling({}) is None
