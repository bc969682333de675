"""The short message a person receives after a scheduled job: in Japanese, then English.

It says whether the job found anything, lists the findings that are not PASS and the
report's KPIs met or missed, and names the S3 keys where the full results are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portfolio.checks.registry import get_check
from portfolio.report.model import Report, Status
from portfolio.report.render.text import STATUS_ICON, Lang, t
from portfolio.scheduled.deliver import Link
from portfolio.scheduled.headline import headline, link_lines
from portfolio.store.records import CheckRun, FindingStatus

LABELS = {
    "ja": {
        "ok": "問題なし",
        "findings": "指摘あり",
        "failed": "実行できず",
        "error": "中断の理由",
        "kpis": "KPI: 達成 {met} / 未達 {missed} / データなし {none}",
        "checks": "{kind} 点検: PASS {p} / WARN {w} / FAIL {f}",
        "report": "報告書",
        "results": "結果",
    },
    "en": {
        "ok": "all clear",
        "findings": "findings",
        "failed": "could not run",
        "error": "Stopped by",
        "kpis": "KPIs: met {met} / missed {missed} / no data {none}",
        "checks": "{kind} checks: PASS {p} / WARN {w} / FAIL {f}",
        "report": "Report",
        "results": "Results",
    },
}


@dataclass(frozen=True)
class Summary:
    subject: str
    message: str


def summarize(
    job: str,
    environment: str,
    *,
    run: CheckRun | None,
    report: Report | None,
    keys: Sequence[str],
    error: str | None = None,
    links: Sequence[Link] = (),
    paths: Sequence[str] = (),
) -> Summary:
    """The subject and body; ``keys`` are where the results were stored (may be empty);
    ``error`` is why the job stopped, if it did. A report's message carries its headline
    (scheduled.headline), its ``links`` (presigned, on AWS) or its ``paths`` (locally)."""
    problems = (run is not None and not run.passed) or (
        report is not None and any(k.status is Status.MISSED for k in report.kpis)
    )
    verdict = "failed" if error else "findings" if problems else "ok"
    subject = f"[{environment}] {job}: {LABELS['ja'][verdict]} / {LABELS['en'][verdict]}"
    languages: tuple[Lang, ...] = ("ja", "en")
    blocks = [
        "\n".join([_block(lang, run, report, keys, error), *link_lines(lang, links, paths)])
        for lang in languages
    ]
    return Summary(subject=subject, message="\n\n".join(blocks) + "\n")


def _block(
    lang: Lang,
    run: CheckRun | None,
    report: Report | None,
    keys: Sequence[str],
    error: str | None,
) -> str:
    labels = LABELS[lang]
    lines: list[str] = []
    if error is not None:
        lines.append(f"{labels['error']}: {error}")
    if report is not None:
        lines.append(f"{labels['report']} {report.period.month}")
        by_status = {s: [k for k in report.kpis if k.status is s] for s in Status}
        lines.append(labels["kpis"].format(
            met=len(by_status[Status.MET]),
            missed=len(by_status[Status.MISSED]),
            none=len(by_status[Status.NO_DATA]),
        ))  # fmt: skip
        for kpi in report.kpis:
            if kpi.status is not Status.MET:
                actual = "—" if kpi.actual is None else f"{kpi.actual:,.4g}"
                target = "—" if kpi.target is None else f"{kpi.target:,.4g}"
                lines.append(
                    f"  {STATUS_ICON[kpi.status.value]} {t(lang, f'k.{kpi.id}')}:"
                    f" {actual} / {target} {kpi.unit}"
                )
        lines += headline(lang, report)
    if run is not None:
        counts = {s: sum(1 for f in run.findings if f.status is s) for s in FindingStatus}
        lines.append(labels["checks"].format(
            kind=run.kind, p=counts[FindingStatus.PASS], w=counts[FindingStatus.WARN],
            f=counts[FindingStatus.FAIL],
        ))  # fmt: skip
        for finding in run.findings:
            if finding.status is not FindingStatus.PASS:
                spec = get_check(finding.check_id)
                title = spec.title_ja if lang == "ja" else spec.title_en
                lines.append(
                    f"  {finding.status.value} {finding.check_id} ({title}): {finding.detail}"
                )
    if keys:
        lines.append(f"{labels['results']}:")
        lines.extend(f"  {key}" for key in keys)
    return "\n".join(lines)
