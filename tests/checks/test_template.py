"""The monthly snapshot read from the synthesized templates, and from altered ones."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

from portfolio.checks.base import Kind
from portfolio.checks.registry import evaluate
from portfolio.checks.template import cache_name, snapshot_from_assembly, synthesis_sources
from portfolio.config import Design
from portfolio.infra.assembly import Assembly, StackTemplate
from portfolio.store.records import FindingStatus
from tests.checks.snapshots import AT

REPO_ROOT = Path(__file__).resolve().parents[2]


def _statuses(assembly: Assembly) -> dict[str, FindingStatus]:
    run = evaluate(
        Kind.MONTHLY,
        snapshot_from_assembly(assembly, at=AT),
        target="t",
        started_at=AT,
        finished_at=AT,
    )
    return {f.check_id: f.status for f in run.findings}


def _altered(assembly: Assembly, change: object) -> Assembly:
    stacks = []
    for stack in assembly.stacks:
        template = copy.deepcopy(dict(stack.template))
        change(template)  # type: ignore[operator]
        stacks.append(StackTemplate(stack.name, stack.region, template))
    return replace(assembly, stacks=tuple(stacks))


def _of_type(template: dict, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def test_the_synthesized_templates_pass_what_they_declare(assembly: Assembly) -> None:
    snapshot = snapshot_from_assembly(assembly, at=AT)
    assert {t.name for t in snapshot.tables or []} == {"portfolio-users", "portfolio-metrics"}
    assert all(t.pitr and t.encryption == "aws-managed-kms" for t in snapshot.tables or [])
    # The internal ALB admits only CloudFront's origin-facing prefix list; nothing public.
    ingress = snapshot.ingress or []
    assert any(r.load_balancer_group and r.cidr.startswith("pl:") for r in ingress)
    assert not [r for r in ingress if r.cidr in ("0.0.0.0/0", "::/0")]
    statuses = _statuses(assembly)
    for check_id in (
        "sec_task_role_least_privilege",
        "sec_public_ingress",
        "encrypt_tables",
        "encrypt_buckets",
        "encrypt_logs",
        "sec_s3_public_access_blocked",
        "sec_access_logging",
        "sec_task_definition_secrets",
        "backup_pitr_enabled",
    ):
        assert statuses[check_id] is FindingStatus.PASS, check_id
    # The default *.cloudfront.net certificate pins the minimum TLS at TLSv1.
    assert statuses["sec_cloudfront_tls"] is FindingStatus.PASS  # no custom domain
    # A template has no restore window.
    assert statuses["backup_pitr_restorable"] is FindingStatus.WARN


def test_an_open_port_a_wildcard_and_a_plain_table_fail(assembly: Assembly) -> None:
    def break_it(template: dict) -> None:  # type: ignore[type-arg]
        for sg in _of_type(template, "AWS::EC2::SecurityGroup"):
            sg["Properties"].setdefault("SecurityGroupIngress", []).append(
                {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
            )
        for policy in _of_type(template, "AWS::IAM::Policy"):
            policy["Properties"]["PolicyDocument"]["Statement"].append(
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
            )
        for table in _of_type(template, "AWS::DynamoDB::Table"):
            table["Properties"].pop("PointInTimeRecoverySpecification", None)
        for bucket in _of_type(template, "AWS::S3::Bucket"):
            bucket["Properties"].pop("PublicAccessBlockConfiguration", None)
        for td in _of_type(template, "AWS::ECS::TaskDefinition"):
            td["Properties"]["ContainerDefinitions"][0]["Environment"].append(
                {"Name": "DB_PASSWORD", "Value": "hunter2"}
            )

    statuses = _statuses(_altered(assembly, break_it))
    for check_id in (
        "sec_public_ingress",
        "sec_task_role_least_privilege",
        "backup_pitr_enabled",
        "sec_s3_public_access_blocked",
        "sec_task_definition_secrets",
    ):
        assert statuses[check_id] is FindingStatus.FAIL, check_id


def test_the_synthesis_cache_follows_the_locked_cdk_version(tmp_path: Path) -> None:
    """A CDK upgrade (uv.lock) changes the templates: the cached synthesis must not be reused."""
    root = REPO_ROOT
    sources = list(synthesis_sources(root))
    assert root / "uv.lock" in sources
    copies = []
    for lock in ("aws-cdk-lib 2.200.0", "aws-cdk-lib 2.201.0"):
        fake = tmp_path / lock.replace(" ", "-")
        (fake / "infra").mkdir(parents=True)
        (fake / "infra" / "app.py").write_text("app = 1\n")
        (fake / "uv.lock").write_text(lock)
        copies.append(cache_name(fake, list(synthesis_sources(fake)), Design.ORIGINAL))
    assert copies[0] != copies[1]
    assert cache_name(root, sources, Design.SERVERLESS).endswith("-serverless")
