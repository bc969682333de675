"""The checklist on the serverless design: its ops function names the design, the monthly
template checks read the serverless templates and run no ECS/ALB check."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from portfolio.checks.base import ORIGINAL_ONLY, Kind
from portfolio.checks.registry import all_checks, evaluate
from portfolio.checks.template import DESIGN_OUT, cached_assembly, snapshot_from_assembly
from portfolio.config import Design
from portfolio.infra.assembly import Assembly, StackTemplate

API_STACK = "Portfolio-production-serverless"


def _api(assembly: Assembly) -> StackTemplate:
    return next(s for s in assembly.stacks if s.name == API_STACK)


def test_ops_function_checks_the_serverless_design_and_may_read_the_api_function(
    serverless_assembly: Assembly,
) -> None:
    api = _api(serverless_assembly)
    functions = {f.properties.get("FunctionName"): f for f in api.of_type("AWS::Lambda::Function")}
    api_id = functions["portfolio-api-serverless"].logical_id
    env = functions["portfolio-ops-serverless"].properties["Environment"]["Variables"]
    assert env["PORTFOLIO_DESIGN"] == Design.SERVERLESS.value
    assert env["PORTFOLIO_API_FUNCTION"] == {"Ref": api_id}
    statements = [
        s
        for policy in api.of_type("AWS::IAM::Policy")
        for s in policy.properties["PolicyDocument"]["Statement"]
        if s.get("Sid") == "DailyCheckReadApiFunction"
    ]
    assert [s["Resource"] for s in statements] == [{"Fn::GetAtt": [api_id, "Arn"]}]


def test_monthly_template_checks_on_serverless_run_no_ecs_or_alb_check(
    serverless_assembly: Assembly,
) -> None:
    at = datetime.now(UTC)
    snapshot = snapshot_from_assembly(serverless_assembly, at=at)
    assert snapshot.load_balancers == []
    assert snapshot.containers == []
    run = evaluate(
        Kind.MONTHLY, snapshot, target="local", started_at=at, finished_at=at,
        design=Design.SERVERLESS,
    )  # fmt: skip
    original_only = {c.id for c in all_checks() if c.designs == ORIGINAL_ONLY}
    ids = {f.check_id for f in run.findings}
    assert not ids & original_only
    assert {"encrypt_tables", "backup_pitr_enabled", "sec_cloudfront_tls"} <= ids


def test_cached_assembly_reads_the_designs_own_directory(
    serverless_assembly: Assembly, tmp_path: Path
) -> None:
    """A fresh cdk.out.serverless (newer than the infra code) is read as it is."""
    app = tmp_path / "infra" / "app.py"
    app.parent.mkdir()
    app.write_text("# the only infra source here, older than the assembly\n")
    out = tmp_path / DESIGN_OUT[Design.SERVERLESS]
    shutil.copytree(serverless_assembly.directory, out)
    (out / "manifest.json").touch()  # copytree keeps the old time; synthesized after app.py
    found = cached_assembly(app, design=Design.SERVERLESS)
    assert found.directory == tmp_path / "cdk.out.serverless"
    assert API_STACK in {s.name for s in found.stacks}
