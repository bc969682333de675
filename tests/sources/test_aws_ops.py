"""End to end: the scheduled jobs run as the ops task runs them.

The CLI command of each schedule (`portfolio ops run ...`) against moto's server for
S3, SNS, CloudWatch, Cost Explorer and the describe calls, and DynamoDB Local for the
store, configured only through the environment the task definition sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from portfolio.cli.main import run
from portfolio.costs.estimator import Architecture
from tests.server import free_port
from tests.sources.moto_aws import Moto, Seeded
from tests.sources.ops_targets import make_ops_targets


@pytest.fixture
def ops_env(
    moto: Moto, seeded: Seeded, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """The ops task's environment: DynamoDB store, reports bucket, topic with a reader."""
    targets = make_ops_targets(moto)
    for key, value in targets.environment(dynamodb_endpoint).items():
        monkeypatch.setenv(key, value)
    yield {
        "store": targets.store,
        "bucket": targets.bucket,
        "s3": targets.s3,
        "targets": targets,
    }
    targets.store.delete_tables()


def _messages(env: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = env["targets"].messages()
    return messages


def _keys(env: dict[str, Any], prefix: str) -> list[str]:
    keys: list[str] = env["targets"].keys(prefix)
    return keys


def test_daily_job_records_the_run_stores_it_and_tells_the_topic(
    moto: Moto, ops_env: dict[str, Any]
) -> None:
    started = datetime.now(UTC)
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: the health finding fails
    code = run(["ops", "run", "daily", "--endpoint-url", moto.endpoint, "--url", url])
    assert code == 1
    runs = ops_env["store"].list_check_runs(started - timedelta(minutes=1), datetime.now(UTC))
    assert [r.kind for r in runs] == ["daily"]
    keys = _keys(ops_env, "checks/daily/")
    assert len(keys) == 1
    stored = json.loads(
        ops_env["s3"].get_object(Bucket=ops_env["bucket"], Key=keys[0])["Body"].read()
    )
    assert stored["id"] == runs[0].id
    [message] = _messages(ops_env)
    assert "daily" in message["Subject"]
    assert "health_endpoint" in message["Message"]
    assert keys[0] in message["Message"]


def test_report_job_puts_every_format_in_the_bucket_and_sends_the_kpis(
    moto: Moto, ops_env: dict[str, Any]
) -> None:
    code = run(["ops", "run", "report", "--month", "2025-08", "--endpoint-url", moto.endpoint])
    assert code == 0
    keys = _keys(ops_env, "reports/2025-08/")
    for name in (
        "operations-report.ja.md",
        "operations-report.en.md",
        "report.json",
        "operations-report.html",
        "operations-report.ja.html",
        "operations-report.en.html",
    ):
        assert f"reports/2025-08/{name}" in keys
    head = ops_env["s3"].head_object(
        Bucket=ops_env["bucket"], Key="reports/2025-08/operations-report.ja.md"
    )
    assert head["ContentType"].startswith("text/markdown")
    body = json.loads(
        ops_env["s3"]
        .get_object(Bucket=ops_env["bucket"], Key="reports/2025-08/report.json")["Body"]
        .read()
    )
    assert body["period"]["month"] == "2025-08"
    [message] = _messages(ops_env)
    assert "KPI" in message["Message"]
    assert "reports/2025-08/report.json" in message["Message"]


def test_monthly_job_restores_records_and_reports_what_it_found(
    moto: Moto, ops_env: dict[str, Any]
) -> None:
    started = datetime.now(UTC)
    code = run(["ops", "run", "monthly", "--endpoint-url", moto.endpoint])
    runs = ops_env["store"].list_check_runs(started - timedelta(minutes=1), datetime.now(UTC))
    assert [r.kind for r in runs] == ["monthly"]
    findings = {f.check_id: f.status.value for f in runs[0].findings}
    assert findings["backup_restore_test"] == "PASS"  # the job restores: it is scheduled so
    assert code == (0 if runs[0].passed else 1)
    [key] = _keys(ops_env, "checks/monthly/")
    [message] = _messages(ops_env)
    assert "monthly" in message["Subject"]
    assert key in message["Message"]


def test_an_unknown_job_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = run(["ops", "run", "hourly", "--db", str(tmp_path / "x.db")])
    assert code == 2
    assert "unknown job 'hourly'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("design", "architecture"),
    [("original", Architecture.FARGATE_ALB), ("serverless", Architecture.LAMBDA_FUNCTION_URL)],
)
def test_report_job_prices_the_design_it_runs_on(
    moto: Moto,
    ops_env: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    design: str,
    architecture: Architecture,
) -> None:
    """The serverless design's report was priced as two Fargate tasks behind an ALB."""
    from portfolio.scheduled import jobs

    priced: list[Architecture] = []
    real = jobs.compute_report

    def spy(*args: Any, **kwargs: Any) -> Any:
        priced.append(kwargs.get("design", Architecture.FARGATE_ALB))
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "compute_report", spy)
    monkeypatch.setenv("PORTFOLIO_DESIGN", design)
    run(["ops", "run", "report", "--month", "2025-08", "--endpoint-url", moto.endpoint])
    assert priced == [architecture]
