"""前月からの変化 / Changes since last month: right after 運用実績サマリー (ours).

Writes the model's ``changes`` (report.build.changes): each figure with last month's
value and the change, the costs that moved beyond the stated threshold, incident kinds
new or resolved, and last month's proposals followed up. Formatting only.
"""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Bullets, Document, Note, Paragraph, Rule, Table
from portfolio.report.fmt import Fmt
from portfolio.report.kpis import KPIS, Kind
from portfolio.report.model_changes import CostChange, FigureChange, ProposalFollowUp
from portfolio.report.render.text import STATUS_ICON, TEXT
from portfolio.report.rules import SERVICE_NAMES
from portfolio.report.sections.common import heading


def _value(f: Fmt, row: FigureChange, value: float | None) -> str:
    """A figure as its kind is written; a KPI with its declared precision."""
    if value is None:
        return f.t("no_data")
    spec = KPIS.get(row.id) if row.kpi else None
    digits = spec.actual_digits if spec else 0
    match row.kind:
        case Kind.PERCENT:
            return numbers.percent(value, max(digits, 1))
        case Kind.MILLISECONDS:
            return numbers.ms(value, f.lang)
        case Kind.USD:
            return numbers.usd(value, 2)
        case Kind.USD_PER_REQUEST | Kind.TREND:
            return numbers.usd(value, 6)
        case Kind.MINUTES:  # as the KPI table writes it: 15分 / 15 min
            return f.t("minutes", value=numbers.number(value, digits))
    return numbers.number(value, digits)


def _delta(f: Fmt, row: FigureChange) -> str:
    """The change: percentage points for a percentage, else the signed figure and its %."""
    if row.change is None:
        return "—"  # a figure missing in either month: both columns say which
    if row.kind == Kind.PERCENT:
        return f.t("changes.pt", value=f"{row.change:+.3f}".rstrip("0").rstrip("."))
    sign = "+" if row.change >= 0 else "-"
    magnitude = (
        numbers.ms(abs(row.change), f.lang, 1)  # a month's drift is often under 1 ms
        if row.kind == Kind.MILLISECONDS
        else _value(f, row, abs(row.change))
    )
    relative = "" if row.change_percent is None else f" ({numbers.change(row.change_percent)})"
    return f"{sign}{magnitude}{relative}"


def _status(row: FigureChange) -> str:
    if row.status is None:
        return ""
    before = STATUS_ICON[row.previous_status] if row.previous_status else "—"
    return f"{before} → {STATUS_ICON[row.status]}"


def _label(f: Fmt, row: FigureChange) -> str:
    return f.t(f"k.{row.id}" if row.kpi else f"hl.{row.id}") if _known(f, row) else row.id


def _known(f: Fmt, row: FigureChange) -> bool:
    return (f"k.{row.id}" if row.kpi else f"hl.{row.id}") in TEXT[f.lang]


def _cost_row(f: Fmt, c: CostChange) -> list[str]:
    percent = "" if c.change_percent is None else f" ({numbers.change(c.change_percent)})"
    return [
        SERVICE_NAMES.get(c.service, c.service),
        f.t("changes.gone_line") if c.previous_usd is None else numbers.usd(c.previous_usd),
        f.t("changes.gone_line") if c.usd is None else numbers.usd(c.usd),
        ("+" if c.change_usd >= 0 else "") + numbers.usd(c.change_usd) + percent,
    ]


def _evidence(f: Fmt, pid: str, evidence: dict[str, int | float | str]) -> str:
    """The proposal's own sentence over its figures; an older file's figures as they are."""
    key = f"prop.{pid}"
    try:
        return f.t(key, **evidence)
    except (KeyError, IndexError, ValueError):
        return f.t("list_sep").join(f"{name} {value}" for name, value in evidence.items())


def _proposal_row(f: Fmt, p: ProposalFollowUp) -> list[str]:
    title = f"prop.title.{p.id}"
    return [
        f.t(title) if title in TEXT[f.lang] else p.id,
        _evidence(f, p.id, p.previous_evidence),
        f.t(f"changes.prop.{p.state}")
        + (f": {_evidence(f, p.id, p.evidence)}" if p.evidence else ""),
    ]


def changes(doc: Document, f: Fmt) -> None:
    c = f.r.changes
    if c is None:  # the builder was not asked to compare months
        return
    heading(doc, 2, "h.changes", "changes")
    if c.source == "none":
        doc.add(Paragraph(f.t("changes.none")), Rule())
        return
    source = f.t(f"changes.src.{c.source}")
    doc.add(Paragraph(f.t("changes.compared", month=c.previous_month, source=source)))
    if c.missing:
        version = c.previous_schema_version or "?"
        doc.add(Note(f.t("changes.missing", version=version, parts=", ".join(c.missing))))
    heading(doc, 3, "h.changes.figures", "changes-figures")
    header = [f.t("c.metric"), f.t("c.previous"), f.t("c.current"), f.t("c.delta"),
              f.t("c.status")]  # fmt: skip
    rows = [
        [_label(f, r), _value(f, r, r.previous), _value(f, r, r.current), _delta(f, r), _status(r)]
        for r in c.figures
    ]
    doc.add(Table(header, rows))
    heading(doc, 3, "h.changes.costs", "changes-costs")
    rule = f.t(
        "changes.costs.rule", percent=numbers.percent(c.cost_threshold_percent, 0),
        usd=numbers.usd(c.cost_threshold_usd),
    )  # fmt: skip
    doc.add(Paragraph(rule))
    if c.costs:
        cost_header = [f.t("c.service"), f.t("c.previous"), f.t("c.current"), f.t("c.delta")]
        doc.add(Table(cost_header, [_cost_row(f, x) for x in c.costs]))
    else:
        doc.add(Paragraph(f.t("changes.costs.none")))
    heading(doc, 3, "h.changes.incidents", "changes-incidents")
    lines = [
        f.t(f"changes.incident.{i.state}", kind=f.t(f"incident.kind.{i.kind}")
            if f"incident.kind.{i.kind}" in TEXT[f.lang] else i.kind,
            count=i.count, summary=f.text(i.summary) or "—")
        for i in c.incidents
    ]  # fmt: skip
    doc.add(Bullets(lines) if lines else Paragraph(f.t("changes.incidents.none")))
    heading(doc, 3, "h.changes.proposals", "changes-proposals")
    if c.proposals:
        prop_header = [f.t("c.proposal"), f.t("c.previous_evidence"), f.t("c.follow_up")]
        doc.add(Table(prop_header, [_proposal_row(f, p) for p in c.proposals]))
    else:
        doc.add(Paragraph(f.t("changes.proposals.none")))
    doc.add(Rule())
