"""付録: the error budget, requests by endpoint, data sources and method."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Bullets, Chart, Document, Field, Fields, Table
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading


def appendix(doc: Document, f: Fmt) -> None:
    r = f.r
    b = r.error_budget
    heading(doc, 2, "h.appendix", "appendix")
    heading(doc, 3, "h.app.slo", "app-slo")

    def minutes(v: float | None) -> str:
        return f.nd("reason.no_probes") if v is None else f.t("minutes", value=numbers.number(v, 1))

    doc.add(
        Fields(
            [
                Field(f.t("l.slo_target"), f.pct(b.target_percent, 1)),
                Field(f.t("l.slo_allowed"), minutes(b.allowed_minutes)),
                Field(f.t("l.slo_consumed"), minutes(b.consumed_minutes)),
                Field(f.t("l.slo_remaining"), minutes(b.remaining_minutes)),
                Field(f.t("l.slo_burn"), f.num(b.burn_rate, 2, "reason.no_probes")),
            ]
        ),
        Chart("budget"),
    )
    heading(doc, 3, "h.app.endpoints", "app-endpoints")
    doc.add(
        Table(
            [
                f.t("c.endpoint"),
                f.t("c.requests"),
                f.t("c.share"),
                f.t("c.errors"),
                f.t("c.avg"),
                "p95",
            ],
            [
                [
                    e.endpoint,
                    numbers.count(e.requests),
                    numbers.percent(100 * e.share, 1),
                    numbers.count(e.errors_5xx),
                    f.ms(e.avg_ms, 1),
                    f.ms(e.p95_ms, 1),
                ]
                for e in r.traffic.by_endpoint
            ],
        )
    )
    heading(doc, 3, "h.app.method", "app-method")
    doc.add(
        Bullets(
            [
                f.t("method.sources", sources=f.sources(), tz=r.period.timezone),
                f.t("method.availability"),
                f.t("method.latency"),
                *_source_notes(f),
            ]
        )
    )


def _source_notes(f: Fmt) -> list[str]:
    """The sources' own notes (skipped lines, approximations), in every report: a note
    written in both languages ('ja / en') gives each report its own half."""
    return [f.text(note) for note in f.r.document.notes]
