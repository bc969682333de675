"""セキュリティ状況: the audit, the security metrics, compliance."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Document, Field, Fields, Note, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.model import CheckedItem
from portfolio.report.sections.common import heading


def _checked(f: Fmt, item: CheckedItem, prefix: str) -> str:
    if item.outcome == "pass":
        return f.t(f"{prefix}.pass")
    if item.outcome == "not_run":
        return f.t(f"{prefix}.not_run")
    titles = item.failing_titles_ja if f.lang == "ja" else item.failing_titles_en
    # Each check by its title, which states the passing condition, and why it did not pass
    # (a file of an older schema has titles only).
    reasons = item.failing_reasons or [""] * len(titles)
    details = item.failing_details or [""] * len(titles)
    checks = [
        f.t("check.why", title=title, why=f.t(f"check.why.{code}", detail=detail))
        if code else f.t("check.title", title=title)
        for title, code, detail in zip(titles, reasons, details, strict=True)
    ]  # fmt: skip
    return f.t(f"{prefix}.{item.outcome}", checks=f.t("list_sep").join(checks))


def security(doc: Document, f: Fmt) -> None:
    s = f.r.security
    heading(doc, 2, "h.security", "security")
    heading(doc, 3, "h.sec.audit", "sec-audit")
    labels = {
        "iam": "l.iam",
        "security_groups": "l.security_groups",
        "encryption": "l.encryption",
        "access_logs": "l.access_logs",
    }
    doc.add(
        Fields(
            [
                Field(
                    f.t(labels[a.id]),
                    f.t(f"audit.{a.id}.pass") if a.outcome == "pass" else _checked(f, a, "audit"),
                )
                for a in s.audit
            ]
        )
    )
    heading(doc, 3, "h.sec.metrics", "sec-metrics")
    m = s.metrics
    if m.anomalous_requests is None:
        anomalies = f.t("reason.no_anomalies")
    elif m.burst_clients is None:
        anomalies = f.t(
            "anomalies.value", requests=numbers.count(m.anomalous_requests), minutes=m.burst_minutes
        )
    else:
        anomalies = f.t(
            "anomalies.clients",
            requests=numbers.count(m.anomalous_requests),
            minutes=m.burst_minutes,
            clients=m.burst_clients,
        )
    doc.add(
        Fields(
            [
                Field(f.t("l.anomalies"), anomalies),
                Field(
                    f.t("l.permission_changes"),
                    f.t("reason.no_permissions")
                    if m.permission_changes is None
                    else f.t("count", value=m.permission_changes),
                ),
                Field(f.t("l.scan"), f.t(f"scan.{m.scan.outcome}")),
                Field(f.t("l.vulnerabilities"), f.t(f"vuln.{m.vulnerabilities.outcome}")),
            ]
        )
    )
    heading(doc, 3, "h.sec.compliance", "sec-compliance")
    names = {
        "data_protection": "l.data_protection",
        "encryption": "l.encryption",
        "logging": "l.logging",
        "access_control": "l.access_control",
    }
    doc.add(
        Fields([Field(f.t(names[c.id]), _checked(f, c, "comp")) for c in s.compliance]),
        Note(f.t("note.compliance")),
        Rule(),
    )
