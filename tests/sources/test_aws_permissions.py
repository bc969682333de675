"""Permissions as a test: every scheduled job of both designs, under its synthesized role.

Each job runs as its schedule runs it (`portfolio ops run JOB`) against moto and
DynamoDB Local, while ``tests.permissions.recorder`` plays IAM with the ops role's
policy from the synthesized template: a call the policy does not allow gets
AccessDenied, as on an account's first night. moto enforces no resource-level IAM, so
without this a missing grant is found in production.

``job_runs`` (module scope) runs the eight jobs once; the tests read its recordings.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portfolio import names
from portfolio.checks.restore_steps import run_step
from portfolio.checks.template import cached_assembly
from portfolio.cli.main import run
from portfolio.config import Design
from tests.permissions.arns import Account, Call
from tests.permissions.recorder import Recording, recording_calls
from tests.permissions.world import OpsWorld, Stand, ops_world
from tests.server import free_port
from tests.sources.aws_month import CF_PREFIX, Truth, seed_cloudfront_logs
from tests.sources.moto_aws import LOG_BUCKET, Moto, Seeded, create_api_function
from tests.sources.ops_targets import OpsTargets, make_ops_targets

ACCOUNT = Account()  # moto's default account
JOBS = ("daily", "weekly", "monthly", "report")
DESIGNS = (Design.ORIGINAL, Design.SERVERLESS)

UNUSED_GRANTS: dict[Design, dict[str, str]] = {
    design: {
        "dynamodb:BatchGetItem": "the store reads several keys at once where it must; no job"
        " does it on the seeded month, the API's reads do",
        "dynamodb:DescribeTimeToLive": "the restore test asks the TTL attribute of a table"
        " whose name the store's schema does not know",
    }
    for design in DESIGNS
}
UNUSED_GRANTS[Design.ORIGINAL] |= {
    "elasticloadbalancing:DescribeListeners": "the daily check reads the scheme the ALB"
    " serves when it has listeners; the seeded ALB has none",
    "iam:GetPolicy": "the monthly check reads the managed policies attached to the task"
    " role; the seeded role has only an inline one",
    "iam:GetPolicyVersion": "as iam:GetPolicy",
    "ecr:DescribeImages": "the monthly check reads the image's scan when the task's image"
    " is in ECR; the seeded image is not",
    "ecr:DescribeImageScanFindings": "as ecr:DescribeImages",
}
UNUSED_GRANTS[Design.SERVERLESS] |= {
    "logs:CreateLogStream": "Lambda writes the function's own log stream",
    "logs:PutLogEvents": "Lambda writes the function's own log events",
    "lambda:GetAccountSettings": "the concurrency check asks the account's limit when the"
    " function has no reserved concurrency; the one made here has some (moto lacks the call)",
    "secretsmanager:GetSecretValue": "the function's cold start reads the API-keys secret"
    " before it sees that the event is a job (portfolio.api.lambda_app.cold_start); these"
    " runs enter as `portfolio ops run`, with no secret to read",
    "secretsmanager:DescribeSecret": "CDK's grant_read of that secret includes it",
}
"""Granted actions no job here calls, each with why it is granted anyway."""


@dataclass
class JobRun:
    """One job's exit code, recorded calls and the summary the topic received."""

    code: int
    recording: Recording
    messages: list[dict[str, Any]]


@dataclass
class Env:
    moto: Moto
    stand: Stand
    targets: OpsTargets


@pytest.fixture(scope="module")
def env(moto: Moto, seeded: Seeded, dynamodb_endpoint: str) -> Iterator[Env]:
    """The ops environment of both designs: store, reports bucket, topic with a reader."""
    targets = make_ops_targets(moto)
    _put_yesterdays_alb_log(targets.s3, seeded)
    # The report reads the month's CloudFront standard logs from the web stack's log
    # bucket (bound to LOG_BUCKET), as it does on an account: list, then get.
    seed_cloudfront_logs(moto, seeded.distribution_id, Truth())
    stand = Stand(
        reports_bucket=targets.bucket,
        topic_name=targets.topic_name,
        api_role=seeded.task_role.rsplit("/", 1)[-1],
        log_bucket=LOG_BUCKET,
        store_prefix=targets.prefix,
    )
    with pytest.MonkeyPatch.context() as patch:
        for key, value in targets.environment(dynamodb_endpoint).items():
            patch.setenv(key, value)
        # No PDF: the report's files go under reports/ by the same grant whatever their
        # format, and printing two PDFs would double this file's time.
        patch.setenv("PORTFOLIO_CHROMIUM", "no-chromium-in-the-permissions-test")
        yield Env(moto, stand, targets)
    targets.store.delete_tables()
    logs = targets.s3.list_objects_v2(Bucket=LOG_BUCKET, Prefix=CF_PREFIX)
    for obj in logs.get("Contents", []):  # the shared moto's other tests see no such file
        targets.s3.delete_object(Bucket=LOG_BUCKET, Key=obj["Key"])


def _put_yesterdays_alb_log(s3: Any, seeded: Seeded) -> None:
    """One request in yesterday's ALB log, where the stack's load balancer writes it, so
    the weekly review lists and reads log files as it does on an account."""
    arn = seeded.lb_arn
    region, account = arn.split(":")[3], arn.split(":")[4]
    at = datetime.now(UTC) - timedelta(days=1)
    line = (
        f"https {at:%Y-%m-%dT%H:%M:%S}.000000Z app/portfolio-alb/1 203.0.113.9:5000"
        f" 10.40.0.10:8000 0.001 0.012 0.000 200 200 120 340"
        f' "GET https://example.com:443/api/v1/users HTTP/1.1" "curl/8.5" ECDHE-RSA TLSv1.2'
        f" arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/portfolio-tg/1"
        f' "Root=1-0" "example.com" "-" 0 {at:%Y-%m-%dT%H:%M:%S}.000000Z "forward" "-" "-"'
        ' "10.40.0.10:8000" "200" "-" "-" TID_1\n'
    )
    key = (
        f"{names.ALB_LOG_PREFIX}/AWSLogs/{account}/elasticloadbalancing/{region}/"
        f"{at:%Y/%m/%d}/{account}_elasticloadbalancing_{region}_app.portfolio-alb.1_"
        f"{at:%Y%m%dT%H%MZ}_203.0.113.9_permissions.log.gz"
    )
    s3.put_object(Bucket=LOG_BUCKET, Key=key, Body=gzip.compress(line.encode()))


@pytest.fixture(scope="module")
def worlds(env: Env, seeded: Seeded) -> dict[Design, OpsWorld]:
    """Each design's synthesized ops role, bound to this environment's stand-ins; the
    serverless design's API function (named as the stack names it) is made in moto."""
    made = {d: ops_world(cached_assembly(design=d), d, env.stand, ACCOUNT) for d in DESIGNS}
    function = made[Design.SERVERLESS].environment["PORTFOLIO_API_FUNCTION"]
    create_api_function(env.moto, function, seeded.task_role, reserved=10)
    return made


def run_recorded(env: Env, world: OpsWorld, job: str) -> JobRun:
    """Run ``job`` as the design's schedule does, under ``world``'s policy."""
    args = ["ops", "run", job, "--endpoint-url", env.moto.endpoint]
    if job == "report":
        args += ["--month", "2025-08"]
    if job == "daily":
        args += ["--url", f"http://127.0.0.1:{free_port()}"]
    with pytest.MonkeyPatch.context() as patch:
        for key, value in world.environment.items():
            patch.setenv(key, value)
        with recording_calls(ACCOUNT, world.decide) as recording:
            code = run(args)
    messages = env.targets.messages()
    return JobRun(code, recording, messages)


@pytest.fixture(scope="module")
def job_runs(env: Env, worlds: dict[Design, OpsWorld]) -> dict[tuple[Design, str], JobRun]:
    """Every job of both designs, each once, under its role's synthesized policy."""
    return {(d, job): run_recorded(env, worlds[d], job) for d in DESIGNS for job in JOBS}


def calls_of(runs: dict[tuple[Design, str], JobRun], design: Design) -> list[Call]:
    return [c for (d, _), r in runs.items() if d is design for c in r.recording.calls]


@pytest.mark.parametrize("design", DESIGNS, ids=lambda d: d.value)
@pytest.mark.parametrize("job", JOBS)
def test_every_call_of_the_job_is_allowed_by_its_role(
    job_runs: dict[tuple[Design, str], JobRun], design: Design, job: str
) -> None:
    result = job_runs[design, job]
    unknown = sorted({f"{c.service}:{c.operation}" for c in result.recording.calls if not c.known})
    assert not unknown, f"no ARN rule for {unknown}"
    assert not result.recording.denied, "\n".join(map(str, result.recording.denied))
    assert result.recording.calls, "the job made no AWS call at all"
    # 0 or 1 as the findings say; 2 would be a job that could not run.
    assert result.code in (0, 1)
    [message] = result.messages
    assert job in message["Subject"]


@pytest.mark.parametrize("design", DESIGNS, ids=lambda d: d.value)
def test_every_granted_action_is_used_by_a_job_or_has_a_reason(
    job_runs: dict[tuple[Design, str], JobRun], worlds: dict[Design, OpsWorld], design: Design
) -> None:
    used = {n.action for c in calls_of(job_runs, design) for n in c.needs}
    granted = worlds[design].policy.granted_actions()
    unused = granted - used
    assert unused == set(UNUSED_GRANTS[design]), (
        f"granted, never called, no reason: {sorted(unused - set(UNUSED_GRANTS[design]))};"
        f" reason kept for an action now called or no longer granted:"
        f" {sorted(set(UNUSED_GRANTS[design]) - unused)}"
    )


def test_a_serverless_job_never_asks_for_a_load_balancer_or_ecs(
    job_runs: dict[tuple[Design, str], JobRun],
) -> None:
    asked = {
        c.action
        for c in calls_of(job_runs, Design.SERVERLESS)
        if c.service in ("elasticloadbalancing", "ecs", "ec2", "ecr")
    }
    assert not asked


REMOVED_GRANTS = [
    pytest.param(Design.ORIGINAL, "ChecksEcsDescribeServices", "ecs:DescribeServices", id="1-ecs"),
    pytest.param(
        Design.ORIGINAL, "ReportQueriesTheTablesIndexes", "dynamodb:Query", id="2-index-original"
    ),
    pytest.param(
        Design.SERVERLESS,
        "ReportQueriesTheTablesIndexes",
        "dynamodb:Query",
        id="2-index-serverless",
    ),
    *(
        pytest.param(design, sid, action, id=f"cloudfront-logs-{what}-{design.value}")
        for design in DESIGNS
        for what, sid, action in (
            ("list", "OpsReportListsTheCloudFrontLogs", "s3:ListBucket"),
            ("read", "OpsReportReadsTheCloudFrontLogs", "s3:GetObject"),
        )
    ),
]
"""Grants a job needs, by Sid: the role's own (items 1-2 of issue 21) and the web
stack's log bucket policy naming the ops role (the report's cache hit ratio)."""


@pytest.mark.parametrize(("design", "sid", "action"), REMOVED_GRANTS)
def test_without_one_of_the_fixed_grants_a_recorded_call_is_denied(
    job_runs: dict[tuple[Design, str], JobRun],
    worlds: dict[Design, OpsWorld],
    design: Design,
    sid: str,
    action: str,
) -> None:
    world = worlds[design]
    weaker = world.with_policy(world.policy.without(sid))
    refused = [c for c in calls_of(job_runs, design) if not weaker.decide(c)]
    assert refused, f"nothing a job does needs {sid}"
    assert {c.action for c in refused} == {action}
    print(f"without {sid} ({design.value}): denied", *sorted({str(c) for c in refused}), sep="\n  ")


def test_a_denied_job_says_so_in_its_summary_and_exits_2(
    env: Env, worlds: dict[Design, OpsWorld], capsys: pytest.CaptureFixture[str]
) -> None:
    world = worlds[Design.ORIGINAL]
    weaker = world.with_policy(world.policy.without("ChecksEcsDescribeServices"))
    result = run_recorded(env, weaker, "daily")
    assert result.code == 2
    assert [c.action for c in result.recording.denied] == ["ecs:DescribeServices"]
    [message] = result.messages
    assert "daily" in message["Subject"]
    assert "ecs:DescribeServices" in message["Message"]
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "ecs:DescribeServices" in err


def test_the_serverless_state_machines_restore_steps_are_allowed_by_the_ops_role(
    env: Env, worlds: dict[Design, OpsWorld]
) -> None:
    """The monthly state machine invokes the ops function for each restore step (its own
    role's grants: tests/infra/test_restore_machine.py); the steps' calls run under the
    ops role, as the schedule runs them."""
    world = worlds[Design.SERVERLESS]
    at = datetime.now(UTC).isoformat()
    with recording_calls(ACCOUNT, world.decide) as recording:
        dynamodb = env.moto.client("dynamodb")
        started = run_step(
            {"restore_step": "start", "table": names.USERS_TABLE, "at": at}, dynamodb
        )
        verified = run_step({**started, "restore_step": "verify"}, dynamodb)
        done = run_step(
            {**started, "restore_step": "cleanup", "result": verified, "error": {}}, dynamodb
        )
    assert not recording.denied, "\n".join(map(str, recording.denied))
    assert recording.actions() >= {
        "dynamodb:ListTables",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:RestoreTableToPointInTime",
        "dynamodb:Scan",
        "dynamodb:DeleteTable",
    }
    assert done["source_items"] == done["restored_items"] is not None
