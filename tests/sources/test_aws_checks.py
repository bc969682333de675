"""The AWS target of the checks against moto's server (and Stubber where moto falls short)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from portfolio import names
from portfolio.checks import aws as aws_checks
from portfolio.checks import aws_monthly, aws_weekly
from portfolio.checks.base import Kind
from portfolio.checks.run import CheckContext, run_checks
from portfolio.cloud import Aws
from portfolio.config import Settings
from portfolio.store.records import FindingStatus
from portfolio.store.sqlite import SQLiteStore
from tests.server import free_port
from tests.sources.conftest import Generated
from tests.sources.moto_aws import (
    ERROR_LINES,
    FIRST_HOUR,
    HOURS,
    LOG_BUCKET,
    REQUESTS_2XX,
    REQUESTS_4XX,
    REQUESTS_5XX,
    SITE_BUCKET,
    Moto,
    Seeded,
)

PASS, WARN, FAIL = FindingStatus.PASS, FindingStatus.WARN, FindingStatus.FAIL


def _context(moto: Moto, tmp_path: Path, **kw: Any) -> CheckContext:
    return CheckContext(
        settings=Settings(),
        store=SQLiteStore(tmp_path / "ops.db"),
        endpoint_url=moto.endpoint,
        **kw,
    )


def test_daily_reads_targets_tasks_5xx_and_error_logs(
    moto: Moto, seeded: Seeded, tmp_path: Path
) -> None:
    at = FIRST_HOUR + timedelta(hours=24)
    context = _context(moto, tmp_path, url=f"http://127.0.0.1:{free_port()}", now=at)
    snapshot = aws_checks.daily(context, at)
    assert snapshot.targets is not None
    assert (snapshot.targets.healthy, snapshot.targets.total) == (2, 2)
    assert snapshot.tasks is not None
    assert snapshot.tasks.desired == names.DESIRED_TASKS
    assert snapshot.requests == HOURS * (REQUESTS_2XX + REQUESTS_4XX + REQUESTS_5XX)
    assert snapshot.errors_5xx == HOURS * (REQUESTS_5XX + 1)  # target 5xx + the ALB's own
    assert snapshot.error_log_lines == 0  # the log lines were written now, not in 2025
    now = datetime.now(UTC)
    aws = Aws(Settings(), moto.endpoint)
    assert aws_checks._error_log_lines(aws, now - timedelta(hours=24), now, names.LOG_GROUP) == (
        ERROR_LINES
    )
    run = run_checks(Kind.DAILY, "aws", context)
    statuses = {f.check_id: f.status for f in run.findings}
    assert statuses["health_targets"] is PASS
    assert statuses["health_endpoint"] is FAIL  # nothing listens at --url
    assert statuses["health_recent_5xx"] is WARN  # 0.74 % > half the 1 % target
    recorded = context.store.list_check_runs(at - timedelta(hours=1), at + timedelta(hours=1))
    assert [r.id for r in recorded] == [run.id]


def test_monthly_reads_the_accounts_configuration_and_restores(
    moto: Moto, seeded: Seeded, tmp_path: Path
) -> None:
    context = _context(moto, tmp_path, restore_test=True)
    snapshot = aws_monthly.monthly(context, datetime.now(UTC))
    tables = {t.name: t for t in snapshot.tables or []}
    assert set(tables) == {names.USERS_TABLE, names.METRICS_TABLE}
    assert all(t.pitr and t.encryption == "kms" for t in tables.values())
    buckets = {b.name: b for b in snapshot.buckets or []}
    assert buckets[LOG_BUCKET].receives_logs
    assert buckets[SITE_BUCKET].access_logging
    assert all(b.public_access_blocked and b.encryption == "AES256" for b in buckets.values())
    assert snapshot.task_role is not None
    assert {a for st in snapshot.task_role for a in st.actions} >= {"dynamodb:GetItem"}
    ingress = snapshot.ingress or []
    assert [r for r in ingress if r.load_balancer_group and r.cidr.startswith("pl:")]
    assert not [r for r in ingress if r.cidr in ("0.0.0.0/0", "::/0")]  # nothing public
    assert [d.name for d in snapshot.distributions or []] == [seeded.distribution_id]
    users = next(r for r in snapshot.restore_tests or [] if r.table == names.USERS_TABLE)
    assert (users.source_items, users.restored_items) == (12, 12)
    tables_left = boto3.client("dynamodb", endpoint_url=moto.endpoint).list_tables()["TableNames"]
    assert not [t for t in tables_left if "restore-test" in t]  # scratch tables deleted

    run = run_checks(Kind.MONTHLY, "aws", context)
    statuses = {f.check_id: f.status for f in run.findings}
    for check_id in (
        "backup_pitr_enabled",
        "backup_pitr_restorable",
        "backup_restore_test",
        "encrypt_tables",
        "encrypt_buckets",
        "encrypt_logs",
        "sec_public_ingress",
        "sec_task_role_least_privilege",
        "sec_s3_public_access_blocked",
        "sec_access_logging",
        "sec_task_definition_secrets",
    ):
        assert statuses[check_id] is PASS, (check_id, run.findings)
    assert statuses["sec_cloudfront_tls"] is PASS  # default certificate, no domain


@dataclass
class _StubbedAws:
    """An Aws whose CloudWatch client is a Stubber's, for what moto cannot answer."""

    cloudwatch: Any

    def client(self, service: str, *, region: str | None = None) -> Any:
        assert service == "cloudwatch"
        return self.cloudwatch


def test_weekly_percentiles_are_asked_for_and_read_in_milliseconds() -> None:
    """moto errors on p95/p99, so the request and its parsing are checked with Stubber."""
    cloudwatch = boto3.client("cloudwatch", region_name="ap-northeast-1")
    end = datetime(2025, 8, 18, tzinfo=UTC)
    start = end - timedelta(days=7)
    values = {
        "avg": 0.021,
        "p50": 0.015,
        "p95": 0.064,
        "p99": 0.120,
        "requests": 150_000.0,
        "target_5xx": 60.0,
        "elb_5xx": 15.0,
    }
    with Stubber(cloudwatch) as stub:
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {"Id": k, "Timestamps": [start], "Values": [v], "StatusCode": "Complete"}
                    for k, v in values.items()
                ]
            },
            {
                "MetricDataQueries": ANY,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            },
        )
        week = aws_weekly._week(
            _StubbedAws(cloudwatch), "arn:aws:x:loadbalancer/app/a/1", start, end
        )  # type: ignore[arg-type]
        stub.assert_no_pending_responses()
    assert week is not None
    assert (week.avg_ms, week.p50_ms, week.p95_ms, week.p99_ms) == (21.0, 15.0, 64.0, 120.0)
    assert (week.requests, week.errors_5xx) == (150_000, 75)


def test_unknown_aws_errors_are_raised_not_swallowed(moto: Moto, tmp_path: Path) -> None:
    from botocore.exceptions import ClientError

    aws = Aws(Settings(), moto.endpoint)
    client = boto3.client("ecs", region_name="ap-northeast-1")
    with Stubber(client) as stub:
        stub.add_client_error("describe_services", "ThrottlingException", http_status_code=400)

        @dataclass
        class _Ecs:
            settings: Settings = field(default_factory=Settings)

            def client(self, service: str, *, region: str | None = None) -> Any:
                return client

        with pytest.raises(ClientError):
            aws_checks.ecs_service(_Ecs())  # type: ignore[arg-type]
        stub.add_client_error("describe_services", "ClusterNotFoundException")
        assert aws_checks.ecs_service(_Ecs()) is None  # type: ignore[arg-type]
    assert aws.region == "ap-northeast-1"


def test_weekly_per_endpoint_figures_come_from_the_albs_log_files_on_s3(
    moto: Moto, seeded: Seeded, month_logs: Generated
) -> None:
    """The seeded load balancer logs to LOG_BUCKET; a week of generated files is put there."""
    s3 = moto.client("s3")
    account = seeded.lb_arn.split(":")[4]
    week = [date(2025, 8, d) for d in range(11, 18)]
    for path in month_logs.tree.rglob("*.log.gz"):
        relative = path.relative_to(month_logs.tree).as_posix()
        day = date(*map(int, relative.split("/")[-4:-1]))
        if day in week or day == date(2025, 8, 18):
            key = f"{names.ALB_LOG_PREFIX}/" + relative.replace(
                "AWSLogs/123456789012/", f"AWSLogs/{account}/"
            )
            s3.upload_file(str(path), LOG_BUCKET, key)
    aws = Aws(Settings(), moto.endpoint)
    lb = aws.client("elbv2").describe_load_balancers(Names=[names.LOAD_BALANCER])["LoadBalancers"][
        0
    ]
    end = datetime(2025, 8, 18, tzinfo=UTC)
    endpoints = aws_weekly.week_endpoints(aws, lb, end - timedelta(days=7), end)
    assert endpoints is not None
    assert sum(e.requests for e in endpoints) == sum(month_logs.truth.by_utc_day[d] for d in week)
    assert {e.endpoint for e in endpoints} <= set(month_logs.truth.by_endpoint)
    assert all(e.p95_ms is not None and e.p95_ms > 0 for e in endpoints)
    # A week the logs do not cover has no per-endpoint figures, not zero requests.
    before = datetime(2025, 6, 1, tzinfo=UTC)
    assert aws_weekly.week_endpoints(aws, lb, before - timedelta(days=7), before) is None
