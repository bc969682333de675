"""KPI達成状況, and the KPI rows the summary's 主要指標達成状況 shares with it.

Each figure is written by its KPI's declared kind (report/kpis.py), the same declaration
the builder takes the KPI's unit and direction from."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Document, Note, Rule, Table
from portfolio.report.fmt import Fmt
from portfolio.report.kpis import Kind, KpiSpec, UnknownKpiError, achievement_shown
from portfolio.report.kpis import spec as kpi_spec
from portfolio.report.model import Kpi, Status
from portfolio.report.render.text import STATUS_ICON
from portfolio.report.sections.common import heading


def _kpi_figure(f: Fmt, spec: KpiSpec, value: float | None, digits: int) -> str:
    """One KPI figure written by its declared kind (report/kpis.py), or why there is none."""
    if value is None and spec.kind is not Kind.TREND:
        return f.nd(spec.no_data)
    n = value or 0.0
    match spec.kind:
        case Kind.PERCENT:
            return f.pct(n, digits)
        case Kind.MILLISECONDS:
            return f.ms(n, digits)
        case Kind.COUNT | Kind.MINUTES | Kind.PER_MONTH:
            return f.t(_KIND_PHRASE[spec.kind], value=numbers.number(n, digits))
        case Kind.USD:
            return f.usd(n, digits)
        case Kind.USD_PER_REQUEST:
            return f.t("per_request", value=f.usd(n, 6))
        case Kind.TREND:
            eff = f.r.costs.efficiency
            return f.nd(spec.no_data) if eff is None else f.t("eff." + eff)
    raise UnknownKpiError(f"KPI {spec.id!r}: no format for kind {spec.kind!r}")


_KIND_PHRASE = {Kind.COUNT: "count", Kind.MINUTES: "minutes", Kind.PER_MONTH: "per_month"}


def _kpi_cells(f: Fmt, k: Kpi) -> tuple[str, str]:
    """Target and actual as the original writes them (99.9% / 100ms以下 / $10以下 / 0件)."""
    spec = kpi_spec(k.id)
    if spec.kind is Kind.TREND:
        target = f.t("eff.target")
    else:
        target = _kpi_figure(f, spec, k.target, spec.target_digits)
        if spec.bound:
            target = f.t("ge" if spec.higher_is_better else "le", value=target)
    if k.id == "availability":
        return target, _availability_gap(f)
    return target, _kpi_figure(f, spec, k.actual, spec.actual_digits)


def _availability_gap(f: Fmt) -> str:
    a = f.r.availability
    value = f.pct(a.percent, 3, "reason.no_probes")
    if a.percent is None or a.coverage_percent is None or a.coverage_percent >= 100:
        return value
    return f.t("availability.kpi", value=value, coverage=f.pct(a.coverage_percent, 1))


def kpi_row(f: Fmt, k: Kpi, label_key: str | None = None) -> list[str]:
    target, actual = _kpi_cells(f, k)
    return [
        f.t(label_key or f"k.{k.id}"),
        target,
        actual,
        "—"
        if k.achievement_percent is None
        else achievement_shown(k.achievement_percent, k.status is Status.MET),
        STATUS_ICON[k.status.value],
    ]


def kpis(doc: Document, f: Fmt) -> None:
    heading(doc, 2, "h.kpi", "kpi")
    header = [f.t("c.kpi"), f.t("c.target"), f.t("c.actual"), f.t("c.achievement"), f.t("c.status")]
    for category in ("technical", "operational", "cost"):
        heading(doc, 3, f"h.kpi.{category}", f"kpi-{category}")
        doc.add(Table(header, [kpi_row(f, k) for k in f.r.kpis if k.category == category]))
    doc.add(Note(f.t("note.kpi")), Rule())
