"""サービス別運用状況 2. Application Load Balancer: targets, latency, requests, errors."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Document, Field, Fields
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading


def alb(doc: Document, f: Fmt) -> None:
    e = f.r.services.entry_point
    heading(doc, 3, "h.svc.alb", "svc-alb")
    heading(doc, 4, "h.svc.status", "svc-alb-status")
    doc.add(
        Fields(
            [
                Field(f.t("l.alb"), e.load_balancer),
                Field(f.t("l.tg"), e.target_group),
                Field(
                    f.t("l.health_check"),
                    f.t("health.value", value=f.pct(e.health_check_success_percent, 2))
                    if e.health_check_success_percent is not None
                    else f.nd("reason.no_probes"),
                ),
                Field(
                    f.t("l.target_health"),
                    f.pct(e.target_health_percent, 2)
                    if e.target_health_percent is not None
                    else f.t("reason.no_target_health"),
                ),
            ]
        )
    )
    _alb_performance(doc, f)


def _alb_performance(doc: Document, f: Fmt) -> None:
    e = f.r.services.entry_point
    heading(doc, 4, "h.svc.performance", "svc-alb-performance")
    kpi = f.r.kpis
    rt_target = next(k.target for k in kpi if k.id == "response_time_avg")
    er_target = next(k.target for k in kpi if k.id == "error_rate")
    lat = e.latency_ms
    doc.add(
        Fields(
            [
                Field(
                    f.t("l.latency"),
                    f.nd("reason.no_traffic")
                    if lat.avg is None
                    else f.t(
                        "value_target",
                        value=f.t("avg", value=f.ms(lat.avg)),
                        target=f.t("le", value=f.ms(rt_target)),
                    ),
                ),
                Field(
                    f.t("l.requests"),
                    f.nd("reason.no_traffic")
                    if e.requests_per_minute_avg is None
                    else f.t("rpm", value=numbers.number(e.requests_per_minute_avg, 1)),
                ),
                Field(
                    f.t("l.error_rate"),
                    f.nd("reason.no_traffic")
                    if e.error_rate_percent is None
                    else f.t(
                        "value_target",
                        value=f.pct(e.error_rate_percent, 2),
                        target=f.t("le", value=f.pct(er_target, 0)),
                    ),
                ),
                Field(
                    f.t("l.latency_pct"), " / ".join(f.ms(v) for v in (lat.p50, lat.p95, lat.p99))
                ),
                Field(
                    f.t("l.rpm_peak"),
                    f.nd("reason.no_traffic")
                    if e.requests_per_minute_peak is None
                    else f.t("rpm_peak", value=numbers.number(e.requests_per_minute_peak, 0)),
                ),
                Field(
                    f.t("l.lb_5xx"),
                    f.t("reason.no_lb")
                    if e.load_balancer_errors_5xx is None
                    else f.t("count", value=e.load_balancer_errors_5xx),
                ),
            ]
        )
    )
