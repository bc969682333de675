"""セキュリティ状況: the audit, the metrics and the compliance lines, from named checks.

Each line of セキュリティ監査結果 and コンプライアンス状況 is a set of check ids of the
monthly run (``portfolio check monthly``). The tables below are the whole rule, and
docs/report.md repeats them: a line passes only when every check mapped to it ran in
the latest monthly run and passed. A check that did not run is not evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import portfolio.checks.registry  # noqa: F401  (registers every check, for their titles)
from portfolio.checks.base import CHECKS, NO_RESTORE_TEST, NOT_OBSERVED, RESTORE_WINDOW_UNOBSERVABLE
from portfolio.report.model import CheckedItem, Outcome, SecurityMetrics
from portfolio.sources.base import Observations
from portfolio.store.records import CheckRun, FindingStatus

AUDIT: Final[dict[str, tuple[str, ...]]] = {
    "iam": ("sec_task_role_least_privilege", "sec_task_definition_secrets"),
    "security_groups": ("sec_public_ingress",),
    "encryption": ("encrypt_tables", "encrypt_buckets", "encrypt_logs", "sec_cloudfront_tls"),
    "access_logs": ("sec_access_logging",),
}
"""セキュリティ監査結果: IAM設定, セキュリティグループ, 暗号化, アクセスログ."""

COMPLIANCE: Final[dict[str, tuple[str, ...]]] = {
    "data_protection": (
        "backup_pitr_enabled",
        "backup_pitr_restorable",
        "backup_restore_test",
        "encrypt_tables",
    ),
    "encryption": ("encrypt_tables", "encrypt_buckets", "encrypt_logs", "sec_cloudfront_tls"),
    "logging": ("sec_access_logging", "encrypt_logs"),
    "access_control": (
        "sec_task_role_least_privilege",
        "sec_public_ingress",
        "sec_task_definition_secrets",
    ),
}
"""コンプライアンス状況: データ保護, 暗号化, ログ記録, アクセス制御."""

IAC_SCAN: Final = "sec_iac_scan"
"""The infrastructure gates' findings (cdk-nag, checkov, cfn-lint), recorded by the monthly run."""
DEPENDENCY_AUDIT: Final = "sec_dependency_audit"
"""The lock file's dependency audit, recorded by the monthly run."""


UNVERIFIED: Final[dict[str, str]] = {
    RESTORE_WINDOW_UNOBSERVABLE: "restore_window",
    NO_RESTORE_TEST: "no_restore_test",
}
"""A warning's recorded detail -> why the check could not verify (comp.reason.<code>)."""


def reason(status: FindingStatus | None, detail: str) -> str:
    """Why a check did not pass, as a code the labels word in both languages.

    not_run: not in the run; not_observed / restore_window / no_restore_test: a warning
    that the target could not show it; otherwise the status (warn, fail, no_data), whose
    recorded detail the line quotes.
    """
    if status is None:
        return "not_run"
    if status is FindingStatus.WARN:
        if detail in UNVERIFIED:
            return UNVERIFIED[detail]
        if NOT_OBSERVED in detail:
            return "not_observed"
    return status.value.lower()


def latest_run(runs: Sequence[CheckRun], kind: str) -> CheckRun | None:
    matching = [r for r in runs if r.kind == kind]
    return max(matching, key=lambda r: r.started_at) if matching else None


def judge(item_id: str, checks: Sequence[str], run: CheckRun | None) -> CheckedItem:
    """One line from the run's findings for ``checks``: pass only if every one ran and passed."""
    found: dict[str, FindingStatus] = {}
    details: dict[str, str] = {}
    if run is not None:
        rank = list(FindingStatus)
        for finding in run.findings:
            if finding.check_id in checks:
                worst = found.get(finding.check_id)
                if worst is None or rank.index(finding.status) > rank.index(worst):
                    found[finding.check_id] = finding.status
                    details[finding.check_id] = finding.detail
    missing = [c for c in checks if c not in found]
    failing = sorted(c for c, s in found.items() if s is not FindingStatus.PASS)
    outcome: Outcome
    if not found:
        outcome = "not_run"
    elif any(s is FindingStatus.FAIL for s in found.values()):
        outcome = "fail"
    elif failing or missing:
        outcome = "warn"
    else:
        outcome = "pass"
    names = failing + missing
    return CheckedItem(
        id=item_id, outcome=outcome, checks=list(checks), failing=names,
        failing_titles_ja=[_title(c, "ja") for c in names],
        failing_titles_en=[_title(c, "en") for c in names],
        failing_reasons=[reason(found.get(c), details.get(c, "")) for c in names],
        failing_details=[details.get(c, "") for c in names],
    )  # fmt: skip


def _title(check_id: str, lang: str) -> str:
    """A check's title from its metadata (the checklist's words), its id if not registered."""
    check = CHECKS.get(check_id)
    if check is None:
        return check_id
    return check.title_ja if lang == "ja" else check.title_en


def audit(run: CheckRun | None) -> list[CheckedItem]:
    return [judge(item, checks, run) for item, checks in AUDIT.items()]


def compliance(run: CheckRun | None) -> list[CheckedItem]:
    return [judge(item, checks, run) for item, checks in COMPLIANCE.items()]


def metrics(obs: Observations, run: CheckRun | None) -> SecurityMetrics:
    anomalies = obs.access_anomalies
    return SecurityMetrics(
        anomalous_requests=anomalies.scanner_requests if anomalies else None,
        burst_clients=anomalies.burst_clients if anomalies else None,
        burst_minutes=anomalies.burst_minutes if anomalies else None,
        anomaly_rule=anomalies.rule if anomalies else None,
        permission_changes=None if obs.permission_changes is None else len(obs.permission_changes),
        scan=judge("scan", (IAC_SCAN,), run),
        vulnerabilities=judge("vulnerabilities", (DEPENDENCY_AUDIT,), run),
    )
