"""The scheduled operations, the outside health check, the SLO alerts and the API's route
through CloudFront, as synthesized."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portfolio import names
from portfolio.config import KpiTargets
from portfolio.infra.assembly import Assembly, Resource, StackTemplate

KPI = KpiTargets()
JOBS = {
    # job: (cron expression, what it is)
    "daily": "cron(0 9 * * ? *)",
    "weekly": "cron(30 9 ? * MON *)",
    "monthly": "cron(0 10 L * ? *)",
    "report": "cron(0 12 3 * ? *)",
}


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def _by_id(stack: StackTemplate, logical_id: str | None) -> Resource:
    return next(r for r in stack.resources() if r.logical_id == logical_id)


def _statements(stack: StackTemplate, role_id: str | None) -> list[dict[str, Any]]:
    return [
        s
        for p in stack.of_type("AWS::IAM::Policy")
        if role_id in {_ref(r) for r in p.properties["Roles"]}
        for s in p.properties["PolicyDocument"]["Statement"]
    ]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_each_job_runs_its_command_on_the_services_image_in_tokyo_time(
    api: StackTemplate,
) -> None:
    schedules = api.of_type("AWS::Scheduler::Schedule")
    service = api.of_type("AWS::ECS::Service")[0].properties
    api_task = _by_id(api, _ref(service["TaskDefinition"])).properties
    api_image = api_task["ContainerDefinitions"][0]["Image"]
    found = {}
    for schedule in schedules:
        props = schedule.properties
        assert props["ScheduleExpressionTimezone"] == "Asia/Tokyo"
        assert props["State"] == "ENABLED"
        target = props["Target"]
        assert _ref(target["Arn"]) == _ref(service["Cluster"])
        ecs = target["EcsParameters"]
        assert ecs["LaunchType"] == "FARGATE"
        task = _by_id(api, _ref(ecs["TaskDefinitionArn"])).properties
        [container] = task["ContainerDefinitions"]
        assert container["Image"] == api_image  # the service's own image
        command = container["Command"]
        assert command[:3] == ["portfolio", "ops", "run"]
        found[command[3]] = props["ScheduleExpression"]
        environment = {e["Name"]: e["Value"] for e in container["Environment"]}
        assert environment["PORTFOLIO_STORE__BACKEND"] == "dynamodb"
        assert "PORTFOLIO_OPS_REPORTS_BUCKET" in environment
        assert "PORTFOLIO_OPS_TOPIC_ARN" in environment
    assert found == JOBS


def test_reports_bucket_is_versioned_encrypted_private_and_tls_only(api: StackTemplate) -> None:
    task = next(
        t
        for t in api.of_type("AWS::ECS::TaskDefinition")
        if "Command" in t.properties["ContainerDefinitions"][0]
    )
    environment = {
        e["Name"]: e["Value"] for e in task.properties["ContainerDefinitions"][0]["Environment"]
    }
    bucket = _by_id(api, _ref(environment["PORTFOLIO_OPS_REPORTS_BUCKET"]))
    props = bucket.properties
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(props["PublicAccessBlockConfiguration"].values())
    policy = next(
        p
        for p in api.of_type("AWS::S3::BucketPolicy")
        if _ref(p.properties["Bucket"]) == bucket.logical_id
    )
    denies = [s for s in policy.properties["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any("aws:SecureTransport" in json.dumps(s) for s in denies)
    topic = environment["PORTFOLIO_OPS_TOPIC_ARN"]
    alarm_topics = {_ref(a) for x in api.of_type("AWS::CloudWatch::Alarm")
                    for a in x.properties.get("AlarmActions", [])}  # fmt: skip
    assert _ref(topic) in alarm_topics  # the topic e-mail subscribes to


WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteTable",
    "dynamodb:RestoreTableToPointInTime",
    "s3:PutObject",
    "sns:Publish",
}


def test_ops_role_is_its_own_and_writes_only_what_it_must(api: StackTemplate) -> None:
    service = api.of_type("AWS::ECS::Service")[0].properties
    api_role = _ref(_by_id(api, _ref(service["TaskDefinition"])).properties["TaskRoleArn"])
    ops_tasks = [
        t for t in api.of_type("AWS::ECS::TaskDefinition")
        if "Command" in t.properties["ContainerDefinitions"][0]
    ]  # fmt: skip
    assert len(ops_tasks) == len(JOBS)
    [ops_role] = {_ref(t.properties["TaskRoleArn"]) for t in ops_tasks}
    assert ops_role != api_role
    statements = _statements(api, ops_role)
    sids = [s.get("Sid") for s in statements]
    assert all(sids), "every permission names its use"
    assert len(set(sids)) == len(sids)
    tables = {t.logical_id for t in api.of_type("AWS::DynamoDB::Table")}
    for statement in statements:
        actions = set(_listed(statement["Action"]))
        assert not any(a.endswith("*") for a in actions), statement["Sid"]
        writes = actions & WRITES
        if not writes:
            continue
        resources = _listed(statement["Resource"])
        assert "*" not in resources, statement["Sid"]
        text = json.dumps(resources)
        if writes & {"dynamodb:DeleteItem", "dynamodb:DeleteTable", "dynamodb:BatchWriteItem"}:
            # Only the restore test's scratch copies may be emptied or deleted.
            assert all("-restore-test-*" in json.dumps(r) for r in resources), statement["Sid"]
        elif "s3:PutObject" in writes:
            assert "/reports/*" in text
            assert "/checks/*" in text
        elif "sns:Publish" in writes:
            assert [_ref(r) for r in resources] == [
                _ref(t) for t in [{"Ref": api.of_type("AWS::SNS::Topic")[0].logical_id}]
            ]
        else:
            assert {_ref(r) for r in resources} <= tables, statement["Sid"]


def test_outside_health_check_probes_the_public_site_over_https_and_pages(
    web: StackTemplate,
) -> None:
    [check] = web.of_type("AWS::Route53::HealthCheck")
    config = check.properties["HealthCheckConfig"]
    assert (config["Type"], config["Port"], config["ResourcePath"]) == ("HTTPS", 443, "/health")
    distribution = web.of_type("AWS::CloudFront::Distribution")[0]
    assert config["FullyQualifiedDomainName"] == {
        "Fn::GetAtt": [distribution.logical_id, "DomainName"]
    }
    status_alarms = [
        a.properties
        for a in web.of_type("AWS::CloudWatch::Alarm")
        if a.properties.get("MetricName") == "HealthCheckStatus"
    ]
    [alarm] = status_alarms
    assert alarm["Namespace"] == "AWS/Route53"
    assert _ref(alarm["Dimensions"][0]["Value"]) == check.logical_id
    assert alarm["ComparisonOperator"] == "LessThanThreshold"
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"]


def _burn_windows(stack: StackTemplate, slo: str) -> dict[tuple[int, float], str]:
    """(period seconds, threshold) -> alarm logical id, for one SLO's window alarms."""
    windows = {}
    for alarm in stack.of_type("AWS::CloudWatch::Alarm"):
        props = alarm.properties
        if not str(props.get("AlarmDescription", "")).startswith(slo):
            continue
        periods = {m["MetricStat"]["Period"] for m in props["Metrics"] if "MetricStat" in m}
        [period] = periods
        windows[(period, round(props["Threshold"], 6))] = alarm.logical_id
    return windows


@pytest.mark.parametrize(
    ("stack_name", "slo", "objective"),
    [
        ("Portfolio-production", "5xx SLO", 100 - KPI.error_rate_pct),
        ("Portfolio-production-web", "Availability SLO", KPI.availability_pct),
    ],
)
def test_burn_rate_alarms_follow_the_sre_workbook(
    assembly: Assembly, stack_name: str, slo: str, objective: float
) -> None:
    stack = next(s for s in assembly.stacks if s.name == stack_name)
    budget = 1 - objective / 100
    windows = _burn_windows(stack, slo)
    expected = {
        (3600, round(14.4 * budget, 6)),
        (300, round(14.4 * budget, 6)),
        (21600, round(6 * budget, 6)),
        (1800, round(6 * budget, 6)),
    }
    assert set(windows) == expected
    [composite] = [
        c.properties
        for c in stack.of_type("AWS::CloudWatch::CompositeAlarm")
        if str(c.properties["AlarmDescription"]).startswith(slo)
    ]
    rule = json.dumps(composite["AlarmRule"])
    fast = (windows[(3600, round(14.4 * budget, 6))], windows[(300, round(14.4 * budget, 6))])
    slow = (windows[(21600, round(6 * budget, 6))], windows[(1800, round(6 * budget, 6))])
    for long_id, short_id in (fast, slow):
        assert rule.index(long_id) < rule.index(short_id)
    assert " OR " in rule
    assert rule.count(" AND ") == 2
    assert composite["AlarmActions"]


def test_p95_latency_has_an_anomaly_detection_alarm(api: StackTemplate) -> None:
    [alarm] = [
        a.properties for a in api.of_type("AWS::CloudWatch::Alarm")
        if "ThresholdMetricId" in a.properties
    ]  # fmt: skip
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    band = metrics[alarm["ThresholdMetricId"]]["Expression"]
    assert band.startswith("ANOMALY_DETECTION_BAND(")
    stat = next(m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m)
    assert (stat["Metric"]["MetricName"], stat["Stat"]) == ("TargetResponseTime", "p95")
    assert alarm["ComparisonOperator"] == "GreaterThanUpperThreshold"
    assert alarm["AlarmActions"]


def test_cloudfront_routes_the_api_to_the_load_balancer_with_the_origin_secret(
    web: StackTemplate,
) -> None:
    config = web.of_type("AWS::CloudFront::Distribution")[0].properties["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert {"/api/*", names.HEALTH_PATH} <= set(behaviors)
    for path in ("/api/*", names.HEALTH_PATH):
        behavior = behaviors[path]
        assert behavior["ViewerProtocolPolicy"] == "https-only"
        assert "POST" in behavior["AllowedMethods"]
        # CloudFront's managed CachingDisabled policy: every API answer is fresh.
        assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
        origin = origins[behavior["TargetOriginId"]]
        assert "VpcOriginConfig" in origin  # tests/infra/test_private_origin.py
        # The load balancer's name, from the API stack (cross-region reference reader).
        assert "LoadBalancer" in json.dumps(origin["DomainName"])
        headers = {h["HeaderName"]: h["HeaderValue"] for h in origin["OriginCustomHeaders"]}
        assert headers["X-Origin-Verify"].startswith("{{resolve:secretsmanager:portfolio/")


def test_tables_have_an_on_demand_throughput_ceiling(api: StackTemplate) -> None:
    tables = api.of_type("AWS::DynamoDB::Table")
    assert len(tables) == 2, "portfolio-users and portfolio-metrics"
    for table in tables:
        ceiling = table.properties["OnDemandThroughput"]
        assert ceiling["MaxReadRequestUnits"] > 0
        assert ceiling["MaxWriteRequestUnits"] > 0


def test_the_image_build_context_holds_only_what_the_dockerfile_needs(
    assembly: Assembly,
) -> None:
    manifest = json.loads(
        (assembly.directory / "Portfolio-production.assets.json").read_text(encoding="utf-8")
    )
    [image] = manifest["dockerImages"].values()
    context = Path(assembly.directory) / image["source"]["directory"]
    assert sorted(p.name for p in context.iterdir()) == sorted(
        [".dockerignore", "Dockerfile", "README.md", "pyproject.toml", "src", "uv.lock"]
    )


def test_the_estimate_counts_every_billed_alarm_metric_check_and_job(assembly: Assembly) -> None:
    from portfolio.infra.cost import profile_from_assembly, runs_per_month

    profile, _ = profile_from_assembly(assembly)
    alarms = assembly.of_type("AWS::CloudWatch::Alarm")
    plain = sum(1 for a in alarms if "MetricName" in a.properties)
    anomaly = sum(1 for a in alarms if "ThresholdMetricId" in a.properties)
    math = sum(
        sum(1 for m in a.properties["Metrics"] if "MetricStat" in m)
        for a in alarms
        if "Metrics" in a.properties and "ThresholdMetricId" not in a.properties
    )
    assert anomaly == 1
    assert profile.alarm_metrics == plain + 3 * anomaly + math > len(alarms)
    assert profile.composite_alarms == 2
    assert (profile.health_checks, profile.health_check_features) == (1, 1)  # HTTPS
    days = profile.hours_in_month / 24
    assert profile.scheduled_runs_per_month == pytest.approx(days + days / 7 + 2)
    assert runs_per_month("cron(0 10 L * ? *)", 744) == 1
    assert runs_per_month("cron(30 9 ? * MON *)", 744) == pytest.approx(31 / 7)
