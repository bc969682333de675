"""CloudWatch periods by the age of the month: 60 s < 15 days, 300 s < 63, 3600 s < 455.

A month 70 days back is read from hourly datapoints — availability and target health
both — and the report's notes say so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portfolio import names
from portfolio.cloud import Aws, finest_period_s, load_balancer, period_label
from portfolio.config import Settings
from portfolio.period import Period
from portfolio.sources.aws import AwsSource
from tests.sources.moto_aws import Moto, Seeded


def test_the_period_follows_cloudwatchs_retention() -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    ages = {14: 60, 15: 300, 62: 300, 63: 3600, 70: 3600, 454: 3600}
    for days, period_s in ages.items():
        assert finest_period_s(now - timedelta(days=days), now) == period_s, days
    assert period_label(60) is None
    assert "hourly" in (period_label(3600) or "")
    assert "5-minute" in (period_label(300) or "")


def test_a_month_70_days_back_is_read_hourly_and_labelled(moto: Moto, seeded: Seeded) -> None:
    back = datetime.now(UTC) - timedelta(days=70)
    period = Period(back.year, back.month, "UTC")
    source = AwsSource(Aws(Settings(), moto.endpoint, max_attempts=1))
    check_id = source._health_check_id() or _health_check(moto, seeded)
    first = period.start + timedelta(hours=3)
    statuses = [1.0] * 60 + [1.0] * 45 + [0.0] * 15  # two hours: the second 15 minutes down
    cloudwatch_edge = moto.client("cloudwatch", "us-east-1")
    cloudwatch_edge.put_metric_data(
        Namespace="AWS/Route53",
        MetricData=[
            {"MetricName": "HealthCheckStatus",
             "Dimensions": [{"Name": "HealthCheckId", "Value": check_id}],
             "Timestamp": first + timedelta(minutes=i, seconds=5), "Value": value}
            for i, value in enumerate(statuses)
        ],
    )  # fmt: skip
    lb = load_balancer(source.aws)
    assert lb is not None
    group = moto.client("elbv2").describe_target_groups(Names=[names.TARGET_GROUP])
    dims = [
        {"Name": "TargetGroup", "Value": group["TargetGroups"][0]["TargetGroupArn"].split(":")[-1]},
        {"Name": "LoadBalancer", "Value": lb["LoadBalancerArn"].split(":loadbalancer/", 1)[1]},
    ]
    healthy = [2.0] * 60 + [2.0] * 30 + [1.0] * 30  # one target down half the second hour
    moto.client("cloudwatch").put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            datum
            for i, h in enumerate(healthy)
            for datum in (
                {"MetricName": "HealthyHostCount", "Dimensions": dims, "Value": h,
                 "Timestamp": first + timedelta(minutes=i, seconds=5)},
                {"MetricName": "UnHealthyHostCount", "Dimensions": dims, "Value": 2.0 - h,
                 "Timestamp": first + timedelta(minutes=i, seconds=5)},
            )
        ],
    )  # fmt: skip

    probes = source._outside_probes(period)
    assert probes is not None
    assert len(probes) == 120  # each hourly datapoint stands for its 60 sampled minutes
    assert sum(p.ok for p in probes) == 105
    samples = source._target_health(source.aws.client("cloudwatch"), lb, period)
    assert len(samples) == 120
    # The hour's Minimum healthy / Maximum unhealthy stand for all its minutes.
    assert sum(s.healthy for s in samples) == 60 * 2 + 60 * 1
    assert {s.total for s in samples} == {2}
    notes = " ".join(source.notes)
    assert "Availability (Route 53 health check): read from CloudWatch's hourly" in notes
    assert "Target health: read from CloudWatch's hourly" in notes


def _health_check(moto: Moto, seeded: Seeded) -> str:
    cloudfront = moto.client("cloudfront", "us-east-1")
    domain = cloudfront.get_distribution(Id=seeded.distribution_id)["Distribution"]["DomainName"]
    check = moto.client("route53", "us-east-1").create_health_check(
        CallerReference="periods-test",
        HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": domain,
                           "ResourcePath": names.HEALTH_PATH, "Port": 443},
    )  # fmt: skip
    return str(check["HealthCheck"]["Id"])
