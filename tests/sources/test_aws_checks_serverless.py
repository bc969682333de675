"""The AWS target's daily checks on the serverless design, against moto's server.

The seeded account still has the original's ALB and ECS service; a serverless run must
neither ask for them nor report them, and must read the API function instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from portfolio.checks import aws as aws_checks
from portfolio.checks.base import ORIGINAL_ONLY, Kind
from portfolio.checks.registry import all_checks, get_check
from portfolio.checks.run import CheckContext, run_checks
from portfolio.config import Design, Settings
from portfolio.store.records import FindingStatus
from portfolio.store.sqlite import SQLiteStore
from tests.checks import snapshots as s
from tests.server import free_port
from tests.sources.moto_aws import FIRST_HOUR, Moto, Seeded, create_api_function

PASS, WARN, FAIL = FindingStatus.PASS, FindingStatus.WARN, FindingStatus.FAIL
FUNCTION = "portfolio-api-test-serverless"
RESERVED = 10
INVOCATIONS_PER_HOUR, ERROR_HOURS, PEAK = 100, 2, 3
"""One failed invocation in each of the first ERROR_HOURS hours: 2 of 2,400, under 0.5 %."""
AT = FIRST_HOUR + timedelta(hours=24)


@pytest.fixture(scope="module")
def api_function(moto: Moto, seeded: Seeded) -> str:
    """The API function, its reserved concurrency, log group and one day of AWS/Lambda."""
    create_api_function(moto, FUNCTION, seeded.task_role, reserved=RESERVED)
    moto.client("logs").create_log_group(logGroupName=f"/aws/lambda/{FUNCTION}")
    dims = [{"Name": "FunctionName", "Value": FUNCTION}]
    for h in range(24):
        at = FIRST_HOUR + timedelta(hours=h, minutes=30)
        values = {
            "Invocations": INVOCATIONS_PER_HOUR,
            "Errors": 1 if h < ERROR_HOURS else 0,
            "Throttles": 0,
            "ConcurrentExecutions": PEAK if h == 12 else 1,
        }
        moto.client("cloudwatch").put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {"MetricName": m, "Timestamp": at, "Dimensions": dims, "Value": v}
                for m, v in values.items()
            ],
        )
    return FUNCTION


def _context(moto: Moto, tmp_path: Path, function: str, **kw: Any) -> CheckContext:
    return CheckContext(
        settings=Settings(design=Design.SERVERLESS, api_function=function),
        store=SQLiteStore(tmp_path / "ops.db"),
        endpoint_url=moto.endpoint,
        url=f"http://127.0.0.1:{free_port()}",
        now=AT,
        **kw,
    )


def test_serverless_daily_reads_the_function_not_the_alb_or_ecs(
    moto: Moto, api_function: str, tmp_path: Path
) -> None:
    context = _context(moto, tmp_path, api_function)
    snapshot = aws_checks.daily(context, AT)
    assert (snapshot.targets, snapshot.tasks, snapshot.errors_5xx) == (None, None, None)
    function = snapshot.function
    assert function is not None
    assert function.state == "Active"
    assert (function.invocations, function.errors, function.throttles) == (
        24 * INVOCATIONS_PER_HOUR,
        ERROR_HOURS,
        0,
    )
    assert (function.peak_concurrency, function.concurrency_limit) == (PEAK, RESERVED)
    assert snapshot.requests == 24 * INVOCATIONS_PER_HOUR

    run = run_checks(Kind.DAILY, "aws", context)
    statuses = {f.check_id: f.status for f in run.findings}
    original_only = {c.id for c in all_checks() if c.designs == ORIGINAL_ONLY}
    assert not original_only & set(statuses), "no ECS/ALB finding on the serverless design"
    assert statuses == {
        "health_endpoint": FAIL,  # nothing listens at --url
        "health_error_logs": PASS,
        "function_active": PASS,
        "function_errors": PASS,
        "function_throttles": PASS,
        "function_concurrency": PASS,
    }
    recorded = context.store.list_check_runs(AT - timedelta(hours=1), AT + timedelta(hours=1))
    assert [r.id for r in recorded] == [run.id]


def test_serverless_daily_fails_when_the_function_is_missing(
    moto: Moto, seeded: Seeded, tmp_path: Path
) -> None:
    context = _context(moto, tmp_path, "portfolio-api-absent-serverless")
    run = run_checks(Kind.DAILY, "aws", context, record=False)
    statuses = {f.check_id: f.status for f in run.findings}
    assert statuses["function_active"] is FAIL
    assert statuses["function_errors"] is WARN  # not observed: no function to count


@dataclass
class _StubbedAws:
    """Lambda and CloudWatch clients of Stubbers: moto has no GetAccountSettings."""

    clients: dict[str, Any]

    def client(self, service: str, *, region: str | None = None) -> Any:
        return self.clients[service]


def test_without_reserved_concurrency_the_accounts_unreserved_pool_is_the_limit() -> None:
    lam = boto3.client("lambda", region_name="ap-northeast-1")
    cloudwatch = boto3.client("cloudwatch", region_name="ap-northeast-1")
    start, end = AT - timedelta(hours=24), AT
    with Stubber(lam) as lambda_stub, Stubber(cloudwatch) as cloudwatch_stub:
        lambda_stub.add_response(
            "get_function",
            {"Configuration": {"FunctionName": FUNCTION, "State": "Active"}},
            {"FunctionName": FUNCTION},
        )
        lambda_stub.add_response(
            "get_account_settings",
            {"AccountLimit": {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 0}},
            {},
        )
        cloudwatch_stub.add_response(
            "get_metric_data",
            {"MetricDataResults": []},
            {
                "MetricDataQueries": ANY,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            },
        )
        aws = _StubbedAws({"lambda": lam, "cloudwatch": cloudwatch})
        state = aws_checks.function_state(aws, FUNCTION, start, end)
    assert (state.concurrency_limit, state.peak_concurrency) == (0, None)
    assert state.limit_basis == "the account's unreserved concurrency"
    snapshot = replace(s.serverless_daily(), function=state)
    finding = get_check("function_concurrency").run(snapshot)
    assert finding is not None
    assert finding.status is FAIL, finding.detail
