"""The monthly audits run on request: gates' counts, the dependency audit, image scans."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from portfolio.checks import audits
from portfolio.checks.aws_monthly import ecr_image
from portfolio.checks.base import Kind
from portfolio.checks.registry import evaluate
from portfolio.checks.snapshot import DependencyAudit, IacScan, ImageScan, Vulnerability
from portfolio.errors import SourceError
from portfolio.infra.assembly import Assembly
from portfolio.store.records import FindingStatus
from tests.checks import snapshots

ROOT = Path(__file__).resolve().parents[2]
MONTHLY = snapshots.monthly()
AUDITS = ("sec_iac_scan", "sec_dependency_audit", "sec_image_vulnerabilities")


def _statuses(snapshot: object) -> dict[str, FindingStatus]:
    run = evaluate(Kind.MONTHLY, snapshot, target="t", started_at=datetime.now(UTC),
                   finished_at=datetime.now(UTC))  # fmt: skip
    return {f.check_id: f.status for f in run.findings}


def test_audits_not_run_record_no_finding() -> None:
    statuses = _statuses(MONTHLY)
    assert not set(AUDITS) & set(statuses)
    assert "backup_pitr_enabled" in statuses  # the other checks still ran


def test_audits_run_are_recorded_pass_or_fail() -> None:
    clean = replace(
        MONTHLY,
        iac_scan=IacScan(0, 0, 3, 160, 0),
        dependency_audit=DependencyAudit(150, "test", ()),
        image_scan=ImageScan("repo:tag", (("CRITICAL", 0), ("HIGH", 0), ("LOW", 2))),
    )
    assert {k: v for k, v in _statuses(clean).items() if k in AUDITS} == dict.fromkeys(
        AUDITS, FindingStatus.PASS
    )
    dirty = replace(
        clean,
        iac_scan=IacScan(0, 1, 0, 160, 2),
        dependency_audit=DependencyAudit(150, "test", (Vulnerability("jinja2", "3.1.2", "X-1"),)),
        image_scan=ImageScan("repo:tag", (("HIGH", 1),)),
    )
    assert {k: v for k, v in _statuses(dirty).items() if k in AUDITS} == dict.fromkeys(
        AUDITS, FindingStatus.FAIL
    )
    unscanned = replace(clean, image_scan=ImageScan("repo:tag", (), error="ScanNotFoundException"))
    assert _statuses(unscanned)["sec_image_vulnerabilities"] is FindingStatus.WARN


def test_gate_outputs_are_counted() -> None:
    lint = [{"Level": "Error"}, {"Level": "Warning"}, {"Level": "Warning"}]
    assert audits.cfn_lint_counts(json.dumps(lint)) == (1, 2)
    assert audits.cfn_lint_counts("") == (0, 0)
    reports = [{"summary": {"passed": 90, "failed": 1}}, {"summary": {"passed": 10, "failed": 0}}]
    assert audits.checkov_counts(json.dumps(reports)) == (100, 1)
    assert audits.checkov_counts(json.dumps(reports[0])) == (90, 1)


def test_iac_scan_runs_the_gates_over_the_synthesized_templates(assembly: Assembly) -> None:
    scan = audits.iac_scan(assembly, ROOT)
    assert (scan.nag_unacknowledged, scan.cfn_lint_errors, scan.checkov_failed) == (0, 0, 0)
    assert scan.checkov_passed > 100


def _pypi(answers: dict[str, httpx.Response]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        return answers.get(request.url.path, httpx.Response(404, json={"message": "Not Found"}))

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_dependency_audit_reads_pypi_vulnerabilities_and_refuses_a_silent_all_clear() -> None:
    answers = {
        "/pypi/jinja2/3.1.2/json": httpx.Response(200, json={"info": {}, "vulnerabilities": [
            {"id": "GHSA-1", "fixed_in": ["3.1.3"], "withdrawn": None},
            {"id": "GHSA-old", "fixed_in": [], "withdrawn": "2024-01-01"},
        ]}),
        "/pypi/fastapi/0.115.0/json": httpx.Response(200, json={"info": {}, "vulnerabilities": []}),
    }  # fmt: skip
    with _pypi(answers) as client:
        audit = audits.audit_dependencies([("jinja2", "3.1.2"), ("fastapi", "0.115.0")], client)
        assert audit.packages == 2
        assert audit.vulnerabilities == (Vulnerability("jinja2", "3.1.2", "GHSA-1", ("3.1.3",)),)
        with pytest.raises(SourceError, match="404"):
            audits.audit_dependencies([("unknown", "1.0")], client)


def test_the_lock_is_read_for_the_audit() -> None:
    packages = dict(audits.locked_packages(ROOT / "uv.lock"))
    assert "fastapi" in packages
    assert "boto3" in packages
    assert "portfolio" not in packages  # the project itself is not from the registry


def test_ecr_image_uris_are_parsed() -> None:
    host = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
    assert ecr_image(f"{host}/cdk-assets:abc")[:2] == ("cdk-assets", {"imageTag": "abc"})
    digest = "sha256:" + "0" * 64
    assert ecr_image(f"{host}/app@{digest}")[:2] == ("app", {"imageDigest": digest})
    assert ecr_image("python:3.11") is None
