"""パフォーマンス分析 / レスポンス時間推移: weekly averages, peak and off-peak hours."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.analysis import OFF_PEAK_FACTOR, PEAK_FACTOR
from portfolio.report.document import Chart, Document, Field, Fields, Note, Table
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading


def performance(doc: Document, f: Fmt) -> None:
    p = f.r.performance
    heading(doc, 2, "h.performance", "performance")
    heading(doc, 3, "h.perf.response", "perf-response")
    heading(doc, 4, "h.perf.weekly", "perf-weekly")
    doc.add(
        Table(
            [
                f.t("c.week"),
                f.t("c.week_avg"),
                f.t("c.max"),
                f.t("c.min"),
                f.t("c.trend"),
                f.t("c.dates"),
                f.t("c.requests"),
                "p95",
                f.t("c.change"),
            ],
            [
                [
                    f.t("week", n=w.week) + f.t("week.partial", days=w.days) * w.partial,
                    f.ms(w.avg_ms),
                    f.ms(w.max_ms),
                    f.ms(w.min_ms),
                    f.t(f"trend.{w.trend}") if w.trend else "—",
                    f"{w.start:%m/%d}-{w.end:%m/%d}",
                    numbers.count(w.requests),
                    f.ms(w.p95_ms),
                    "—" if w.change_percent is None else numbers.change(w.change_percent),
                ]
                for w in p.weekly
            ],
        ),
        Chart("weekly"),
        Note(f.t("method.weekly")),
    )
    heading(doc, 4, "h.perf.hourly", "perf-hourly")
    doc.add(
        Fields(
            [
                Field(f.t("l.peak_hours"), f.hours(p.peak.peak_hours) or f.nd("reason.no_traffic")),
                Field(f.t("l.avg_response"), f.ms(p.peak.peak.avg)),
                Field(
                    f.t("l.offpeak_hours"),
                    f.hours(p.peak.off_peak_hours) or f.nd("reason.no_traffic"),
                ),
                Field(f.t("l.avg_response"), f.ms(p.peak.off_peak.avg)),
            ]
        )
    )
    doc.add(
        Table(
            [f.t("c.band"), f.t("c.avg"), "p50", "p95", "p99"],
            [
                [f.t(band)] + [f.ms(v) for v in (x.avg, x.p50, x.p95, x.p99)]
                for band, x in (("band.peak", p.peak.peak), ("band.offpeak", p.peak.off_peak))
            ],
        ),
        Chart("hourly"),
        Note(f.t("note.hours", peak=PEAK_FACTOR, off=OFF_PEAK_FACTOR)),
    )
