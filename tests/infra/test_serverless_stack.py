"""The serverless design's template: Lambda arm64 behind CloudFront, least privilege, no IPv4."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portfolio.infra.assembly import Assembly, Resource, StackTemplate
from portfolio.store import keys

FORBIDDEN = (
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
)


@pytest.fixture(scope="module")
def api(serverless_assembly: Assembly) -> StackTemplate:
    return next(
        s for s in serverless_assembly.stacks if s.name == "Portfolio-production-serverless"
    )


@pytest.fixture(scope="module")
def web(serverless_assembly: Assembly) -> StackTemplate:
    return next(
        s for s in serverless_assembly.stacks if s.name == "Portfolio-production-serverless-web"
    )


def _function(api: StackTemplate, name: str) -> Resource:
    return next(
        f for f in api.of_type("AWS::Lambda::Function") if f.properties.get("FunctionName") == name
    )


def _statements(api: StackTemplate, role_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for policy in api.of_type("AWS::IAM::Policy"):
        if {"Ref": role_id} in policy.properties["Roles"]:
            out += policy.properties["PolicyDocument"]["Statement"]
    return out


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def test_no_nat_gateway_load_balancer_or_public_ipv4(serverless_assembly: Assembly) -> None:
    for _, resource in serverless_assembly.resources():
        assert resource.type not in FORBIDDEN, resource.logical_id
    functions = serverless_assembly.of_type("AWS::Lambda::Function")
    ours = [
        f for f in functions if str(f.properties.get("FunctionName", "")).startswith("portfolio")
    ]
    assert len(ours) == 2
    for function in ours:
        assert "VpcConfig" not in function.properties  # no ENI, no NAT, no public address


def test_api_function_runs_the_app_on_arm64_behind_a_url(api: StackTemplate) -> None:
    function = _function(api, "portfolio-api-serverless")
    props = function.properties
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == "portfolio.api.lambda_app.handler"
    assert props["Layers"]  # the locked dependencies, built for the platform by uv
    env = props["Environment"]["Variables"]
    assert env["PORTFOLIO_STORE__BACKEND"] == "dynamodb"
    assert "PORTFOLIO_API_KEYS" not in env  # the secret's ARN only, read at cold start
    assert "PORTFOLIO_API_KEYS_SECRET_ID" in env
    urls = api.of_type("AWS::Lambda::Url")
    assert len(urls) == 1
    assert urls[0].properties["AuthType"] == "NONE"


def test_same_tables_and_key_schema_as_the_original(api: StackTemplate, assembly: Assembly) -> None:
    def schemas(resources: list[Resource]) -> dict[str, Any]:
        return {
            t.properties["TableName"]: (
                t.properties["KeySchema"],
                t.properties.get("GlobalSecondaryIndexes"),
            )
            for t in resources
        }

    original = schemas(assembly.of_type("AWS::DynamoDB::Table"))
    serverless = schemas(api.of_type("AWS::DynamoDB::Table"))
    assert serverless == original
    assert set(serverless) == {t.name for t in keys.TABLES}


def test_api_function_may_touch_its_tables_and_secrets_only(api: StackTemplate) -> None:
    function = _function(api, "portfolio-api-serverless")
    role_id = function.properties["Role"]["Fn::GetAtt"][0]
    statements = _statements(api, role_id)
    actions = set().union(*(_actions(s) for s in statements))
    assert all(a.startswith(("dynamodb:", "secretsmanager:")) for a in actions), actions
    assert "dynamodb:DeleteTable" not in actions
    assert "dynamodb:CreateTable" not in actions
    for statement in statements:
        assert statement["Resource"] != "*"
        assert statement["Effect"] == "Allow"


def test_ops_role_writes_only_what_the_jobs_need(api: StackTemplate) -> None:
    function = _function(api, "portfolio-ops-serverless")
    role_id = function.properties["Role"]["Fn::GetAtt"][0]
    statements = _statements(api, role_id)
    wildcard = [s for s in statements if s["Resource"] == "*"]
    wildcard_actions = set().union(*(_actions(s) for s in wildcard))
    # Account-wide statements are reads only.
    assert all(
        a.split(":")[1].startswith(("Get", "List", "Describe", "Lookup")) for a in wildcard_actions
    ), wildcard_actions
    writes = {
        a
        for s in statements
        for a in _actions(s)
        if a.split(":")[1].startswith(("Put", "Update", "Delete", "Publish", "Restore"))
    }
    assert writes <= {
        "logs:PutLogEvents",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:DeleteTable",
        "dynamodb:RestoreTableToPointInTime",
        "s3:PutObject",
        "sns:Publish",
    }
    deletes = [
        s for s in statements if _actions(s) & {"dynamodb:DeleteItem", "dynamodb:DeleteTable"}
    ]
    assert deletes
    assert all("restore-test" in str(s["Resource"]) for s in deletes)


def test_schedules_invoke_the_ops_function_with_each_job(api: StackTemplate) -> None:
    schedules = api.of_type("AWS::Scheduler::Schedule")
    inputs = sorted(
        s.properties["Target"]["Input"]
        for s in schedules
        if isinstance(s.properties["Target"]["Input"], str)
    )
    # The monthly job starts the restore state machine (tests/infra/test_restore_machine.py).
    assert inputs == sorted(f'{{"ops":"{job}"}}' for job in ("daily", "weekly", "report"))
    assert len(schedules) == 4
    assert all(s.properties["ScheduleExpressionTimezone"] == "Asia/Tokyo" for s in schedules)


def test_lambda_alarms_and_budget(api: StackTemplate) -> None:
    metrics = {a.properties.get("MetricName") for a in api.of_type("AWS::CloudWatch::Alarm")}
    assert {"Duration", "Throttles", "ConcurrentExecutions"} <= metrics
    assert api.of_type("AWS::Budgets::Budget")
    assert api.of_type("AWS::SNS::Topic")


def test_cloudfront_routes_the_api_to_the_function_url(web: StackTemplate) -> None:
    (distribution,) = web.of_type("AWS::CloudFront::Distribution")
    config = distribution.properties["DistributionConfig"]
    patterns = {b["PathPattern"] for b in config["CacheBehaviors"]}
    assert {"/api/*", "/health"} <= patterns
    api_origins = [o for o in config["Origins"] if "CustomOriginConfig" in o]
    assert len(api_origins) == 1
    assert api_origins[0]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api_origins[0]["OriginCustomHeaders"][0]["HeaderName"] == "X-Origin-Verify"
    assert web.of_type("AWS::Route53::HealthCheck")


def test_beside_the_original_it_uses_the_original_tables_by_name(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from tests.infra.conftest import _synth

    beside = _synth(
        tmp_path_factory.mktemp("cdk.out.beside"),
        {"design": "serverless", "existing_tables": "true"},
    )
    assert not beside.of_type("AWS::DynamoDB::Table")  # nothing created, nothing to collide
    text = json.dumps([p.properties for p in beside.of_type("AWS::IAM::Policy")])
    for table in keys.TABLES:
        assert f"table/{table.name}" in text
    # Every other named resource carries the design's name: no clash with the original's.
    names = [
        str(r.properties.get(field))
        for _, r in beside.resources()
        for field in ("FunctionName", "Name", "DashboardName", "LogGroupName")
        if r.properties.get(field) and isinstance(r.properties.get(field), str)
    ]
    names += [
        str(b.properties["Budget"]["BudgetName"]) for b in beside.of_type("AWS::Budgets::Budget")
    ]
    assert names
    assert all("serverless" in name for name in names if name.startswith(("portfolio", "/aws")))
