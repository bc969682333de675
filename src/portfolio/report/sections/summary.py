"""運用実績サマリー: the period overview and the four key indicators."""

from __future__ import annotations

from datetime import date

from portfolio.report import numbers
from portfolio.report.document import Document, Field, Fields, Note, Rule, Table
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading
from portfolio.report.sections.kpis import kpi_row


def _hours_minutes(f: Fmt, minutes: float | None, reason: str) -> str:
    if minutes is None:
        return f.nd(reason)
    return f.t(
        "hours_minutes", hours=numbers.number(minutes / 60, 1), minutes=numbers.number(minutes, 0)
    )


def _availability_text(f: Fmt) -> str:
    """可用性 over measured time; below full coverage the reader is told the share measured."""
    a = f.r.availability
    value = f.pct(a.percent, 3, "reason.no_probes")
    if a.percent is None or a.coverage_percent is None or a.coverage_percent >= 100:
        return value
    return f.t("availability.partial", value=value, coverage=f.pct(a.coverage_percent, 1))


def summary(doc: Document, f: Fmt) -> None:
    r, a = f.r, f.r.availability
    heading(doc, 2, "h.summary", "summary")
    heading(doc, 3, "h.summary.period", "summary-period")
    start = r.period.start.astimezone(f.zone).date()
    last = r.period.days and (r.period.end.astimezone(f.zone).date())
    end = date.fromordinal(last.toordinal() - 1) if isinstance(last, date) else start
    total = (
        f.t(
            "in_progress_hours",
            elapsed=numbers.number(r.period.elapsed_hours, 1),
            total=numbers.number(r.period.total_hours, 0),
        )
        if r.period.in_progress
        else f.t("hours", value=numbers.number(r.period.total_hours, 0))
    )
    coverage = (
        f.nd("reason.no_probes")
        if a.coverage_percent is None
        else f.t(
            "coverage.value" if a.coverage_sufficient else "coverage.low",
            value=f.pct(a.coverage_percent, 1),
            threshold=f.pct(a.coverage_threshold_percent, 0),
        )
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.report_period"), f"{f.day(start)} ～ {f.day(end)}"),
                Field(f.t("l.total_hours"), total),
                Field(
                    f.t("l.planned"),
                    _hours_minutes(f, a.planned_downtime_minutes, "reason.no_probes"),
                ),
                Field(
                    f.t("l.unplanned"),
                    _hours_minutes(f, a.unplanned_downtime_minutes, "reason.no_probes"),
                ),
                Field(f.t("l.availability"), _availability_text(f)),
                Field(f.t("l.coverage"), coverage),
            ]
        )
    )
    heading(doc, 3, "h.summary.kpis", "summary-kpis")
    by_id = {k.id: k for k in r.kpis}
    rows = [
        kpi_row(f, by_id[i], key)
        for i, key in (
            ("availability", None),
            ("response_time_avg", None),
            ("error_rate", None),
            ("monthly_cost", "k.monthly_cost_short"),
        )
    ]
    doc.add(
        Table(
            [
                f.t("c.metric"),
                f.t("c.target"),
                f.t("c.actual"),
                f.t("c.achievement"),
                f.t("c.status"),
            ],
            rows,
            kpi=True,
        ),
        Note(f.t("note.kpi")),
        Rule(),
    )
