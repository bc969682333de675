"""Properties of the API stack that matter in operation: names, data safety, exposure, KPIs."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio import names
from portfolio.config import KpiTargets
from portfolio.infra.assembly import Assembly, Resource, StackTemplate
from portfolio.store import keys

KPI = KpiTargets()


def _one(stack: StackTemplate, resource_type: str) -> Resource:
    found = stack.of_type(resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def _service_task(stack: StackTemplate) -> dict[str, Any]:
    """The API service's task definition (the ops jobs have their own)."""
    service = _one(stack, "AWS::ECS::Service").properties
    logical_id = _logical_id_of(service["TaskDefinition"])
    return dict(
        next(
            t for t in stack.of_type("AWS::ECS::TaskDefinition") if t.logical_id == logical_id
        ).properties
    )


def _service_log_group(stack: StackTemplate) -> dict[str, Any]:
    return dict(
        next(
            g.properties
            for g in stack.of_type("AWS::Logs::LogGroup")
            if g.properties["LogGroupName"] == names.LOG_GROUP
        )
    )


def _by_name(stack: StackTemplate, resource_type: str, key: str) -> dict[str, Resource]:
    return {r.properties[key]: r for r in stack.of_type(resource_type)}


def test_resources_carry_the_originals_names(api: StackTemplate) -> None:
    assert _one(api, "AWS::ECS::Cluster").properties["ClusterName"] == names.CLUSTER
    assert _one(api, "AWS::ECS::Service").properties["ServiceName"] == names.SERVICE
    assert (
        _one(api, "AWS::ElasticLoadBalancingV2::LoadBalancer").properties["Name"]
        == names.LOAD_BALANCER
    )
    assert (
        _one(api, "AWS::ElasticLoadBalancingV2::TargetGroup").properties["Name"]
        == names.TARGET_GROUP
    )
    assert _service_log_group(api)["LogGroupName"] == names.LOG_GROUP
    assert set(_by_name(api, "AWS::DynamoDB::Table", "TableName")) == {
        names.USERS_TABLE,
        names.METRICS_TABLE,
    }


@pytest.mark.parametrize("schema", keys.TABLES, ids=lambda s: s.name)
def test_tables_follow_the_key_schema_and_are_safe(
    api: StackTemplate, schema: keys.TableSchema
) -> None:
    table = _by_name(api, "AWS::DynamoDB::Table", "TableName")[schema.name].properties
    key_schema = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    assert key_schema["HASH"] == schema.partition_key.name
    assert key_schema.get("RANGE") == (schema.sort_key.name if schema.sort_key else None)
    indexes = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
    assert indexes == {i.name for i in schema.global_indexes}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True  # KMS, AWS managed key
    assert table["DeletionProtectionEnabled"] is True
    ttl = table.get("TimeToLiveSpecification")
    if schema.ttl_attribute:
        assert ttl == {"AttributeName": schema.ttl_attribute, "Enabled": True}
    else:
        assert ttl is None


def test_tables_survive_stack_deletion(api: StackTemplate) -> None:
    tables = {
        logical_id: body
        for logical_id, body in api.template["Resources"].items()
        if body["Type"] == "AWS::DynamoDB::Table"
    }
    assert len(tables) == len(keys.TABLES), "both tables are in the stack"
    for logical_id, body in tables.items():
        assert body.get("DeletionPolicy") == "Retain", logical_id


def test_service_runs_two_arm64_tasks_with_rollback_and_health_checks(
    api: StackTemplate,
) -> None:
    service = _one(api, "AWS::ECS::Service").properties
    assert service["DesiredCount"] == names.DESIRED_TASKS
    breaker = service["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
    assert breaker == {"Enable": True, "Rollback": True}
    task = _service_task(api)
    assert task["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    assert (task["Cpu"], task["Memory"]) == ("256", "512")
    container = task["ContainerDefinitions"][0]
    # Liveness for ECS (not the store), readiness for the load balancer.
    command = " ".join(container["HealthCheck"]["Command"])
    assert names.LIVENESS_PATH in command
    assert names.HEALTH_PATH not in command
    target_group = _one(api, "AWS::ElasticLoadBalancingV2::TargetGroup").properties
    assert target_group["HealthCheckPath"] == names.HEALTH_PATH
    assert target_group["TargetType"] == "ip"


def test_autoscaling_is_two_to_four_tasks_at_the_kpi_utilization(api: StackTemplate) -> None:
    target = _one(api, "AWS::ApplicationAutoScaling::ScalableTarget").properties
    assert (target["MinCapacity"], target["MaxCapacity"]) == (names.DESIRED_TASKS, 4)
    policies = api.of_type("AWS::ApplicationAutoScaling::ScalingPolicy")
    metrics = {
        p.properties["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]: p.properties["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
        for p in policies
    }
    assert metrics == {
        "ECSServiceAverageCPUUtilization": KPI.cpu_mem_pct,
        "ECSServiceAverageMemoryUtilization": KPI.cpu_mem_pct,
    }


def _logical_id_of(reference: Any) -> str | None:
    if isinstance(reference, dict) and "Fn::GetAtt" in reference:
        return str(reference["Fn::GetAtt"][0])
    if isinstance(reference, dict) and "Ref" in reference:
        return str(reference["Ref"])
    return None


def test_tasks_accept_traffic_only_from_the_load_balancer(api: StackTemplate) -> None:
    service = _one(api, "AWS::ECS::Service").properties
    task_groups = {
        _logical_id_of(g)
        for g in service["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
    }
    alb = _one(api, "AWS::ElasticLoadBalancingV2::LoadBalancer").properties
    alb_groups = {_logical_id_of(g) for g in alb["SecurityGroups"]}
    ingress: list[dict[str, Any]] = []
    for group in api.of_type("AWS::EC2::SecurityGroup"):
        if group.logical_id in task_groups:
            ingress += group.properties.get("SecurityGroupIngress", [])
    for rule in api.of_type("AWS::EC2::SecurityGroupIngress"):
        if _logical_id_of(rule.properties["GroupId"]) in task_groups:
            ingress.append(dict(rule.properties))
    assert ingress, "the tasks must accept the ALB's traffic"
    for rule in ingress:
        assert "CidrIp" not in rule
        assert "CidrIpv6" not in rule
        assert _logical_id_of(rule["SourceSecurityGroupId"]) in alb_groups
        assert rule["FromPort"] == rule["ToPort"] == 8000


def test_no_nat_gateway(api: StackTemplate) -> None:
    assert api.of_type("AWS::EC2::NatGateway") == []


def test_api_keys_come_from_secrets_manager_never_the_template(api: StackTemplate) -> None:
    container = _service_task(api)["ContainerDefinitions"][0]
    secrets = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
    secret = next(
        s
        for s in api.of_type("AWS::SecretsManager::Secret")
        if s.properties["Name"] == "portfolio/api-keys"
    )
    assert _logical_id_of(secrets["PORTFOLIO_API_KEYS"]) == secret.logical_id
    assert "PORTFOLIO_API_KEYS" not in {e["Name"] for e in container["Environment"]}
    assert "GenerateSecretString" in secret.properties
    assert "SecretString" not in secret.properties


def test_task_role_may_touch_its_two_tables_only(api: StackTemplate) -> None:
    task = _service_task(api)
    task_role = _logical_id_of(task["TaskRoleArn"])
    tables = {t.logical_id for t in api.of_type("AWS::DynamoDB::Table")}
    policies = [
        p
        for p in api.of_type("AWS::IAM::Policy")
        if task_role in {_logical_id_of(r) for r in p.properties["Roles"]}
    ]
    assert policies
    for policy in policies:
        for statement in policy.properties["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else []
            assert all(a.startswith("dynamodb:") for a in actions)
            for resource in statement["Resource"]:
                target = _logical_id_of(resource)
                if target is None:  # "<table arn>/index/*" is an Fn::Join on the arn
                    target = _logical_id_of(resource["Fn::Join"][1][0])
                assert target in tables


def test_alb_logs_to_an_encrypted_private_bucket(api: StackTemplate) -> None:
    alb = _one(api, "AWS::ElasticLoadBalancingV2::LoadBalancer").properties
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    bucket_id = _logical_id_of(attributes["access_logs.s3.bucket"])
    bucket = next(b for b in api.of_type("AWS::S3::Bucket") if b.logical_id == bucket_id)
    encryption = bucket.properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(bucket.properties["PublicAccessBlockConfiguration"].values())


def test_log_group_keeps_logs_for_a_set_time(api: StackTemplate) -> None:
    groups = api.of_type("AWS::Logs::LogGroup")
    assert groups, "the service logs to a log group of its own"
    for group in groups:
        assert group.properties["RetentionInDays"] == 365


def _alarms(stack: StackTemplate) -> dict[str, dict[str, Any]]:
    return {
        str(a.properties["AlarmDescription"]): dict(a.properties)
        for a in stack.of_type("AWS::CloudWatch::Alarm")
    }


def test_every_kpi_has_an_alarm_at_the_configured_threshold(api: StackTemplate) -> None:
    alarms = _alarms(api)
    by_metric = {a.get("MetricName"): a for a in alarms.values() if a.get("MetricName")}
    p95 = by_metric["TargetResponseTime"]
    assert (p95["ExtendedStatistic"], p95["Threshold"]) == ("p95", KPI.response_time_ms / 1000)
    assert by_metric["UnHealthyHostCount"]["Threshold"] == 0
    running = by_metric["HealthyHostCount"]
    assert running["ComparisonOperator"] == "LessThanThreshold"
    assert running["Threshold"] == names.DESIRED_TASKS
    assert by_metric["CPUUtilization"]["Threshold"] == KPI.cpu_mem_pct
    assert by_metric["MemoryUtilization"]["Threshold"] == KPI.cpu_mem_pct
    expressions = {
        m["Expression"]: a["Threshold"]
        for a in alarms.values()
        for m in a.get("Metrics", [])
        if "Expression" in m and "Threshold" in a  # anomaly bands have a threshold metric
    }
    five_xx = next(t for e, t in expressions.items() if "5xx" in e)
    assert five_xx == KPI.error_rate_pct
    throttle_alarms = [d for d in alarms if "throttled" in d]
    assert len(throttle_alarms) == len(keys.TABLES)
    assert_every_alarm_notifies(api)


def assert_every_alarm_notifies(stack: StackTemplate) -> None:
    """Each alarm notifies, or is a window of a composite (burn-rate) alarm that does."""
    composites = stack.of_type("AWS::CloudWatch::CompositeAlarm")
    for composite in composites:
        assert composite.properties["AlarmActions"]
    rules = " ".join(str(c.properties["AlarmRule"]) for c in composites)
    for alarm in stack.of_type("AWS::CloudWatch::Alarm"):
        assert alarm.properties.get("AlarmActions") or alarm.logical_id in rules, alarm.logical_id


def test_budget_is_the_kpi_budget_with_actual_and_forecast_alerts(api: StackTemplate) -> None:
    budget = _one(api, "AWS::Budgets::Budget").properties
    assert budget["Budget"]["BudgetLimit"] == {"Amount": KPI.budget_usd, "Unit": "USD"}
    kinds = {n["Notification"]["NotificationType"] for n in budget["NotificationsWithSubscribers"]}
    assert kinds == {"ACTUAL", "FORECASTED"}


def test_without_a_certificate_the_alb_serves_http_only(api: StackTemplate) -> None:
    listeners = [r.properties for r in api.of_type("AWS::ElasticLoadBalancingV2::Listener")]
    assert [(lst["Protocol"], lst["Port"]) for lst in listeners] == [("HTTP", 80)]
    assert_only_cloudfront_is_forwarded(api, listeners[0])


def assert_only_cloudfront_is_forwarded(stack: StackTemplate, listener: dict[str, Any]) -> None:
    """Default: the load balancer's own 403; forward only with the origin-verify header."""
    default = listener["DefaultActions"][0]
    assert default["Type"] == "fixed-response"
    assert default["FixedResponseConfig"]["StatusCode"] == "403"
    [rule] = [r.properties for r in stack.of_type("AWS::ElasticLoadBalancingV2::ListenerRule")]
    assert rule["Actions"][0]["Type"] == "forward"
    [condition] = rule["Conditions"]
    header = condition["HttpHeaderConfig"]
    assert header["HttpHeaderName"] == "X-Origin-Verify"
    [value] = header["Values"]
    assert "{{resolve:secretsmanager:" in str(value)  # resolved at deploy, never in the template


def test_with_a_certificate_https_serves_and_http_redirects(https_assembly: Assembly) -> None:
    stack = next(s for s in https_assembly.stacks if s.name == "Portfolio-production")
    listeners = {
        r.properties["Port"]: r.properties
        for r in stack.of_type("AWS::ElasticLoadBalancingV2::Listener")
    }
    assert listeners[443]["Protocol"] == "HTTPS"
    assert_only_cloudfront_is_forwarded(stack, dict(listeners[443]))
    assert listeners[443]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
