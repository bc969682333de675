"""セキュリティ状況: the latest monthly check's audit, metrics and compliance."""

from __future__ import annotations

from portfolio.report import security
from portfolio.report.build.common import latest_run
from portfolio.report.model import SecurityStatus, Status
from portfolio.sources.base import Observations
from portfolio.store.records import FindingStatus


def build_security(obs: Observations) -> SecurityStatus:
    security_incidents = sum(1 for i in obs.incidents if i.severity == "security")
    latest = latest_run(obs.check_runs, "monthly")
    named = {
        "audit": security.audit(latest),
        "metrics": security.metrics(obs, latest),
        "compliance": security.compliance(latest),
    }
    if latest is None:
        return SecurityStatus(
            **named,
            status=Status.NO_DATA,
            last_run=None,
            findings_pass=0,
            findings_warn=0,
            findings_fail=0,
            failing=[],
            security_incidents=security_incidents,
        )
    counts = {s: sum(1 for f in latest.findings if f.status is s) for s in FindingStatus}
    status = Status.MET
    if counts[FindingStatus.FAIL]:
        status = Status.MISSED
    elif counts[FindingStatus.WARN]:
        status = Status.WARN
    return SecurityStatus(
        **named,
        status=status,
        last_run=latest.started_at,
        findings_pass=counts[FindingStatus.PASS],
        findings_warn=counts[FindingStatus.WARN],
        findings_fail=counts[FindingStatus.FAIL],
        failing=sorted(f.check_id for f in latest.findings if f.status is not FindingStatus.PASS),
        security_incidents=security_incidents,
    )
