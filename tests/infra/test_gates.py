"""The gates themselves: cdk-nag must fail synthesis on a finding nobody acknowledged."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.infra.assembly import Assembly
from portfolio.infra.cost import profile_from_assembly
from portfolio.infra.ledger import REGISTRY


def test_cdk_nag_fails_synthesis_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    from aws_cdk import App, Stack
    from aws_cdk import aws_sqs as sqs
    from portfolio_infra import nag

    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Probe")
    sqs.Queue(stack, "Unencrypted", encryption=sqs.QueueEncryption.UNENCRYPTED)
    nag.apply_checks(app)
    with pytest.raises(RuntimeError, match="AwsSolutions-SQS2"):
        app.synth()


def test_every_resource_type_is_described_in_the_ledger(assembly: Assembly) -> None:
    types = {resource.type for _, resource in assembly.resources()}
    assert types - REGISTRY.keys() == set()


def test_cost_profile_is_read_from_the_templates(assembly: Assembly) -> None:
    profile, architecture = profile_from_assembly(assembly)
    assert architecture.value == "fargate-alb"
    assert (profile.tasks, profile.task_vcpu, profile.task_memory_gb) == (2, 0.25, 0.5)
    assert profile.alarm_metrics >= len(assembly.of_type("AWS::CloudWatch::Alarm"))
    assert profile.alb_public_ipv4 == 0  # internal, behind a CloudFront VPC origin
    assert profile.task_public_ipv4 is True


def test_every_context_key_is_documented_in_deploy_md() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    settings = (root / "infra" / "portfolio_infra" / "settings.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'_text\(node, "([a-z_]+)"\)', settings))
    assert len(keys) > 10
    deploy = (root / "docs" / "deploy.md").read_text(encoding="utf-8")
    missing = sorted(k for k in keys if f"`{k}`" not in deploy)
    assert not missing, f"context keys missing from docs/deploy.md: {missing}"
