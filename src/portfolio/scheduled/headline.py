"""The report's headline in the delivery message: KPIs, changes, incidents and the links.

One block per language (the summary puts Japanese first). Figures are written as the
terminal writes them (report.kpis.plain: one form, a space before every unit); the
links say until when they work, which is the signer's session end when that comes
before the seven days asked (scheduled.deliver.link_lifetime).
"""

from __future__ import annotations

from collections.abc import Sequence

from portfolio.report import kpis
from portfolio.report.model import Report
from portfolio.report.model_changes import FigureChange
from portfolio.report.render.text import STATUS_ICON, Lang, t
from portfolio.report.rules import SERVICE_NAMES
from portfolio.scheduled.deliver import Link

HEADLINE_KPIS = ("availability", "response_time_avg", "error_rate", "monthly_cost")

WORDS = {
    "ja": {
        "changes": "前月からの変化（{month}、{source}）:",
        "no_previous": "前月からの変化: 前月のデータなし",
        "cost": "  コスト変動 {service}: {before} → {now}",
        "incidents": "インシデント: {n}件（重大 {major} / 軽微 {minor} / セキュリティ {security}）",
        "incident": "  {start} {summary}",
        "links": "報告書のリンク（{until} まで有効{why}）:",
        "why": "。署名したロールのセッションがその時点で終わるため",
        "files": "報告書のファイル:",
        "target": "目標",
    },
    "en": {
        "changes": "Changes since {month} ({source}):",
        "no_previous": "Changes since last month: no previous month",
        "cost": "  cost moved, {service}: {before} -> {now}",
        "incidents": "Incidents: {n} (major {major} / minor {minor} / security {security})",
        "incident": "  {start} {summary}",
        "links": "Report links (valid until {until}{why}):",
        "why": "; the signing role's session ends then",
        "files": "Report files:",
        "target": "target",
    },
}


def _figure(lang: Lang, row: FigureChange) -> str:
    name = t(lang, f"k.{row.id}" if row.kpi else f"hl.{row.id}")
    before, now = (
        kpis.plain(row.id, v) if row.kpi else _plain(row.kind, v)
        for v in (row.previous, row.current)
    )
    change = "" if row.change_percent is None else f" ({row.change_percent:+.1f}%)"
    return f"  {name}: {before} -> {now}{change}"


def _plain(kind: str, value: float | None) -> str:
    """A headline figure (report.series.HEADLINE's kinds) as kpis.plain writes a KPI's."""
    if value is None:
        return "no data"
    if kind == "ms":
        return f"{value:,.1f} ms"
    if kind == "usd_per_request":
        return f"${value:.6f}/req"
    return f"{value:,.0f}"


def headline(lang: Lang, report: Report) -> list[str]:
    """The four summary KPIs with targets, the changes, the incidents: one line each."""
    words = WORDS[lang]
    by_id = {k.id: k for k in report.kpis}
    lines = [
        f"  {STATUS_ICON[k.status.value]} {t(lang, f'k.{k.id}')}: {kpis.plain(k.id, k.actual)}"
        f" ({words['target']} {kpis.plain(k.id, k.target)})"
        for kpi_id in HEADLINE_KPIS
        if (k := by_id.get(kpi_id)) is not None
    ]
    changes = report.changes
    if changes is not None and changes.source != "none":
        source = t(lang, f"changes.src.{changes.source}")
        lines.append(words["changes"].format(month=changes.previous_month, source=source))
        lines += [_figure(lang, row) for row in changes.figures if row.id in _CHANGE_LINES]
        lines += [
            words["cost"].format(
                service=SERVICE_NAMES.get(c.service, c.service),
                before=kpis.plain("monthly_cost", c.previous_usd),
                now=kpis.plain("monthly_cost", c.usd),
            )
            for c in changes.costs
        ]
    elif changes is not None:
        lines.append(words["no_previous"])
    counts = report.incident_counts
    lines.append(words["incidents"].format(
        n=len(report.incidents), major=counts.major, minor=counts.minor,
        security=counts.security,
    ))  # fmt: skip
    zone = report.period.timezone
    lines += [
        words["incident"].format(start=f"{i.start:%Y-%m-%d %H:%M} ({zone})", summary=i.summary)
        for i in report.incidents
    ]
    return lines


_CHANGE_LINES = (*HEADLINE_KPIS, "requests", "latency_p95_ms", "incidents")
"""The changes the message names; the report holds them all."""


def link_lines(lang: Lang, links: Sequence[Link], paths: Sequence[str] = ()) -> list[str]:
    """The presigned links with their real end, or (locally) the files written."""
    words = WORDS[lang]
    lines: list[str] = []
    if links:
        until = min(link.valid_until for link in links)
        why = words["why"] if any(link.limited_by_credentials for link in links) else ""
        lines.append(words["links"].format(until=f"{until:%Y-%m-%d %H:%M} UTC", why=why))
        lines += [f"  {link.label}: {link.url}" for link in links]
    if paths:
        lines.append(words["files"])
        lines += [f"  {path}" for path in paths]
    return lines
