"""A staging environment's jobs touch only staging's resources.

moto holds production's resources (the session's seed) and staging's beside them, named
as the CDK app names them (``names.in_environment``). Every AWS call of staging's daily,
weekly and monthly collection and of its report is recorded by the permissions test's
recorder (``tests.permissions.recorder``): each call as IAM authorizes it, (action, ARN),
with its parameters. No ARN may be a production resource's, every staging resource an
ARN can name is named by one, and no parameter names production either (a CloudWatch
dimension or a load balancer's name is no ARN: those calls are authorized on ``*``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portfolio import names
from portfolio.checks import aws as aws_checks
from portfolio.checks import aws_monthly, aws_weekly
from portfolio.checks.run import CheckContext
from portfolio.cloud import Aws
from portfolio.config import Design, Settings
from portfolio.sources.aws import AwsSource
from portfolio.store.sqlite import SQLiteStore
from tests.permissions.arns import Account
from tests.permissions.recorder import Recording, recording_calls
from tests.sources.aws_month import PERIOD
from tests.sources.moto_aws import REGION, Moto, Seeded

STAGING = names.ResourceNames.of("staging")
PRODUCTION = names.ResourceNames.of("production")
PRODUCTION_NAMES = [
    PRODUCTION.cluster, PRODUCTION.service, PRODUCTION.load_balancer, PRODUCTION.target_group,
    PRODUCTION.users_table, PRODUCTION.metrics_table, PRODUCTION.log_group,
    PRODUCTION.api_function,
]  # fmt: skip
ACCOUNT = Account()  # moto's default account


def _seed_staging(moto: Moto) -> None:
    ec2 = moto.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.41.{i}.0/24",
                          AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in enumerate("ac")
    ]  # fmt: skip
    elbv2 = moto.client("elbv2")
    elbv2.create_load_balancer(Name=STAGING.load_balancer, Subnets=subnets, Type="application")
    elbv2.create_target_group(Name=STAGING.target_group, Protocol="HTTP", Port=8000,
                              VpcId=vpc, TargetType="ip")  # fmt: skip
    ecs = moto.client("ecs")
    ecs.create_cluster(clusterName=STAGING.cluster)
    task = ecs.register_task_definition(
        family="portfolio-api-staging", networkMode="bridge",
        containerDefinitions=[{"name": "api", "image": "portfolio:test", "memory": 512}],
    )["taskDefinition"]  # fmt: skip
    ecs.create_service(cluster=STAGING.cluster, serviceName=STAGING.service,
                       taskDefinition=task["taskDefinitionArn"], desiredCount=1)  # fmt: skip
    dynamodb = moto.client("dynamodb")
    for table in (STAGING.users_table, STAGING.metrics_table):
        dynamodb.create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )  # fmt: skip
    moto.client("logs").create_log_group(logGroupName=STAGING.log_group)


@pytest.fixture
def calls() -> Iterator[Recording]:
    """Every AWS call made by a client created during the test, with its ARNs."""
    with recording_calls(ACCOUNT) as recording:
        yield recording


def _names(name: str) -> re.Pattern[str]:
    # A production name not continued by a suffix: portfolio-alb, not portfolio-alb-staging.
    return re.compile(re.escape(name) + r"(?![-\w])")


def _named_production(calls: Recording) -> list[tuple[str, str, str]]:
    """(action, ARN or parameter, production name) for each call that names production."""
    found = []
    for call, params in zip(calls.calls, calls.parameters, strict=True):
        for arn in call.resources:
            found += [(call.action, arn, n) for n in PRODUCTION_NAMES if _names(n).search(arn)]
        text = json.dumps(params, default=str)
        found += [
            (call.action, "parameters", n) for n in PRODUCTION_NAMES if _names(n).search(text)
        ]
    return found


def test_staging_jobs_touch_only_staging_resources(
    moto: Moto, seeded: Seeded, calls: Recording, tmp_path: Path
) -> None:
    _seed_staging(moto)
    staging = Settings(env="staging", api_keys=["s" * 24],
                       store={"sqlite_path": tmp_path / "ops.db"})  # fmt: skip
    assert staging.store.users_table == STAGING.users_table
    at = datetime(2025, 8, 20, tzinfo=UTC)
    store = SQLiteStore(tmp_path / "ops.db")
    context = CheckContext(settings=staging, store=store, endpoint_url=moto.endpoint, now=at)
    aws_checks.daily(context, at)
    aws_weekly.weekly(context, at)
    monthly = aws_monthly.monthly(context, at)
    source = AwsSource(Aws(staging, moto.endpoint, max_attempts=1),
                       store_factory=lambda: SQLiteStore(tmp_path / "ops.db"))  # fmt: skip
    source.observe(PERIOD)
    serverless = staging.model_copy(update={"design": Design.SERVERLESS})
    aws_checks.daily(
        CheckContext(settings=serverless, store=store, endpoint_url=moto.endpoint, now=at), at
    )
    store.close()

    assert len(calls.calls) > 30
    assert _named_production(calls) == []
    arns = {arn for _, arn in calls.pairs() if arn != "*"}
    # Every staging resource an ARN can name is touched, by its ARN.
    for want in (f":table/{STAGING.users_table}", f":table/{STAGING.metrics_table}",
                 f":log-group:{STAGING.log_group}:", f":service/{STAGING.cluster}/"):  # fmt: skip
        assert any(want in arn for arn in arns), (want, sorted(arns))
    text = json.dumps(calls.parameters, default=str)
    for name in (STAGING.load_balancer, STAGING.target_group, STAGING.service,
                 STAGING.api_function):  # fmt: skip
        assert name in text, name
    assert {t.name for t in monthly.tables or []} == {STAGING.users_table, STAGING.metrics_table}


def test_the_recorder_sees_production_names(
    moto: Moto, seeded: Seeded, calls: Recording, tmp_path: Path
) -> None:
    """The same recording of production's jobs names production: the check can fail."""
    production = Settings(store={"sqlite_path": tmp_path / "ops.db"})
    at = datetime.now(UTC) - timedelta(days=1)
    store = SQLiteStore(tmp_path / "ops.db")
    aws_checks.daily(CheckContext(settings=production, store=store, endpoint_url=moto.endpoint,
                                  now=at), at)  # fmt: skip
    store.close()
    named = _named_production(calls)
    assert {name for _, where, name in named if where.startswith("arn:")} >= {PRODUCTION.log_group}
    assert {name for _, _, name in named} >= {
        PRODUCTION.load_balancer,
        PRODUCTION.cluster,
        PRODUCTION.log_group,
    }
