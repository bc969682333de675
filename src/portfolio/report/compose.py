"""Compose the neutral document from the report model, in the original's order.

The Japanese document is the original 運用報告書 (docs/original/) heading for
heading and label for label; the English one mirrors it item for item. What we
add (percentiles, daily tables, charts, method notes) comes after the original's
items of the same section, or in the 付録 after the closing block. Formatting
only: every figure is read from the model, a missing one says why in a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from portfolio.config import ReportSettings
from portfolio.report.analysis import OFF_PEAK_FACTOR, PEAK_FACTOR
from portfolio.report.document import (
    Block,
    Bullets,
    Chart,
    Checklist,
    Document,
    Field,
    Fields,
    Heading,
    Note,
    Notice,
    Numbered,
    Paragraph,
    Rule,
    Table,
)
from portfolio.report.fmt import Fmt
from portfolio.report.incident_text import content
from portfolio.report.kpis import Kind, KpiSpec, UnknownKpiError, achievement_shown
from portfolio.report.kpis import spec as kpi_spec
from portfolio.report.model import (
    OTHER_PATTERN_GROUP,
    CheckedItem,
    IncidentRow,
    Kpi,
    Proposal,
    Report,
    Status,
    WorkEntry,
)
from portfolio.report.plan_text import plan_points, plan_proposals
from portfolio.report.render.text import STATUS_ICON, Lang, t
from portfolio.report.rules import ARCHITECTURE_NAMES, SERVICE_NAMES

RELATED_DOCS = (
    ("docs/08-operations-checklist.md", "related.08"),
    ("docs/09-management-ledger.md", "related.09"),
    ("docs/11-troubleshooting-guide.md", "related.11"),
)
"""関連ドキュメント, as the original lists them (the files are in this repository)."""

EDGE_CITIES: dict[str, tuple[str, str]] = {
    "NRT": ("東京", "Tokyo"),
    "HND": ("東京", "Tokyo"),
    "KIX": ("大阪", "Osaka"),
    "ITM": ("大阪", "Osaka"),
    "FUK": ("福岡", "Fukuoka"),
    "ICN": ("ソウル", "Seoul"),
    "TPE": ("台北", "Taipei"),
    "HKG": ("香港", "Hong Kong"),
    "SIN": ("シンガポール", "Singapore"),
    "SYD": ("シドニー", "Sydney"),
    "BOM": ("ムンバイ", "Mumbai"),
    "SFO": ("サンフランシスコ", "San Francisco"),
    "LAX": ("ロサンゼルス", "Los Angeles"),
    "SEA": ("シアトル", "Seattle"),
    "IAD": ("ワシントンDC", "Washington DC"),
    "JFK": ("ニューヨーク", "New York"),
    "ORD": ("シカゴ", "Chicago"),
    "DFW": ("ダラス", "Dallas"),
    "LHR": ("ロンドン", "London"),
    "FRA": ("フランクフルト", "Frankfurt"),
    "CDG": ("パリ", "Paris"),
    "AMS": ("アムステルダム", "Amsterdam"),
}
"""CloudFront edge codes start with the nearest airport's IATA code; the city reads better."""

HORIZONS = (
    ("short", ("performance", "cost")),
    ("mid", ("availability", "security")),
    ("long", ("architecture",)),
)
"""The original's 改善提案 structure: each horizon with its themes."""


Section = Callable[[Document, Fmt], None]


def _h(doc: Document, level: int, key: str, anchor: str, **values: object) -> None:
    doc.add(Heading(level, t(doc.lang, key, **values), anchor))  # type: ignore[arg-type]


def _document(doc: Document, f: Fmt) -> None:
    r = f.r
    _h(doc, 2, "h.document", "document")
    created = r.document.generated_at.astimezone(f.zone).date()
    doc.add(
        Fields(
            [
                Field(f.t("l.created"), f.day(created)),
                Field(f.t("l.version"), r.document.version),
                Field(f.t("l.applies_to"), r.document.environment),
                Field(f.t("l.author"), f.person(r.document.author)),
                Field(f.t("l.updated"), f.day(created)),
                Field(f.t("l.sources"), f.sources()),
                Field(f.t("l.timezone"), r.period.timezone),
            ]
        )
    )


def _overview(doc: Document, f: Fmt) -> None:
    r = f.r
    _h(doc, 2, "h.overview", "overview")
    intro = "overview.text.simulated" if r.document.simulated else "overview.text"
    doc.add(Paragraph(f.t(intro, env=r.document.environment)))
    env_name = f.t("env." + r.document.target_environment)
    platform = f.t("platform." + r.document.platform)
    env = f"{env_name}（{platform}）" if f.lang == "ja" else f"{env_name} ({platform})"
    start = r.period.start.astimezone(f.zone).date()
    doc.add(
        Fields(
            [
                Field(f.t("l.target_env"), env),
                Field(f.t("l.frequency"), f.t("frequency." + r.document.frequency)),
                Field(f.t("l.period"), f.t("month", year=start.year, month=start.month)),
                Field(f.t("l.reporter"), f.person(r.document.author)),
            ],
            bullets=False,
        ),
        Rule(),
    )


def _hours_minutes(f: Fmt, minutes: float | None, reason: str) -> str:
    if minutes is None:
        return f.nd(reason)
    return f.t("hours_minutes", hours=f"{minutes / 60:,.1f}", minutes=f"{minutes:,.0f}")


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
            return f.t(_KIND_PHRASE[spec.kind], value=f"{n:,.{digits}f}")
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


def _availability_text(f: Fmt) -> str:
    """可用性 over measured time; below full coverage the reader is told the share measured."""
    a = f.r.availability
    value = f.pct(a.percent, 3, "reason.no_probes")
    if a.percent is None or a.coverage_percent is None or a.coverage_percent >= 100:
        return value
    return f.t("availability.partial", value=value, coverage=f.pct(a.coverage_percent, 1))


def _availability_gap(f: Fmt) -> str:
    a = f.r.availability
    value = f.pct(a.percent, 3, "reason.no_probes")
    if a.percent is None or a.coverage_percent is None or a.coverage_percent >= 100:
        return value
    return f.t("availability.kpi", value=value, coverage=f.pct(a.coverage_percent, 1))


def _kpi_row(f: Fmt, k: Kpi, label_key: str | None = None) -> list[str]:
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


def _summary(doc: Document, f: Fmt) -> None:
    r, a = f.r, f.r.availability
    _h(doc, 2, "h.summary", "summary")
    _h(doc, 3, "h.summary.period", "summary-period")
    start = r.period.start.astimezone(f.zone).date()
    last = r.period.days and (r.period.end.astimezone(f.zone).date())
    end = date.fromordinal(last.toordinal() - 1) if isinstance(last, date) else start
    total = (
        f.t(
            "in_progress_hours",
            elapsed=f"{r.period.elapsed_hours:,.1f}",
            total=f"{r.period.total_hours:,.0f}",
        )
        if r.period.in_progress
        else f.t("hours", value=f"{r.period.total_hours:,.0f}")
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
    _h(doc, 3, "h.summary.kpis", "summary-kpis")
    by_id = {k.id: k for k in r.kpis}
    rows = [
        _kpi_row(f, by_id[i], key)
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


def _services(doc: Document, f: Fmt) -> None:
    _h(doc, 2, "h.services", "services")
    _ecs(doc, f)
    _alb(doc, f)
    _dynamodb(doc, f)
    _s3_cloudfront(doc, f)


def _ecs(doc: Document, f: Fmt) -> None:
    _ecs_status(doc, f)
    _ecs_performance(doc, f)
    _ecs_logs(doc, f)


def _ecs_status(doc: Document, f: Fmt) -> None:
    c = f.r.services.compute
    _h(doc, 3, "h.svc.ecs", "svc-ecs")
    _h(doc, 4, "h.svc.status", "svc-ecs-status")
    tasks = (
        f.nd("reason.no_tasks")
        if c.running_tasks is None
        else f.t("tasks.value", running=c.running_tasks, desired=c.desired_tasks)
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.cluster"), c.cluster),
                Field(f.t("l.service"), c.service),
                Field(f.t("l.tasks"), tasks),
                Field(f.t("l.task_health"), f.pct(c.health_percent, 2, "reason.no_probes")),
            ]
        )
    )


def _ecs_performance(doc: Document, f: Fmt) -> None:
    c = f.r.services.compute
    target = f.pct(c.utilisation_target_percent, 0)
    _h(doc, 4, "h.svc.performance", "svc-ecs-performance")
    usage = (
        f.nd("reason.no_samples")
        if c.cpu_avg_percent is None
        else f.t("avg_target", value=f.pct(c.cpu_avg_percent, 0), target=target)
    )
    memory = (
        f.nd("reason.no_samples")
        if c.memory_avg_percent is None
        else f.t("avg_target", value=f.pct(c.memory_avg_percent, 0), target=target)
    )
    network = (
        f.nd("reason.no_traffic")
        if c.network_mb_per_s is None
        else f.t("avg", value=f"{c.network_mb_per_s:,.3f} MB/s")
    )
    peak = (
        f.nd("reason.no_samples")
        if c.cpu_max_percent is None
        else f"{f.pct(c.cpu_max_percent, 0)} / "
        f"{f.pct(c.memory_max_percent, 0, 'reason.no_samples')}"
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.cpu"), usage),
                Field(f.t("l.memory"), memory),
                Field(f.t("l.network"), network),
                Field(f.t("l.peak_usage"), peak),
                Field(
                    f.t("l.memory_mb"),
                    f.num(c.memory_avg_mb, 0, "reason.no_samples") + " MB"
                    if c.memory_avg_mb is not None
                    else f.nd("reason.no_samples"),
                ),
            ]
        )
    )


def _ecs_logs(doc: Document, f: Fmt) -> None:
    c = f.r.services.compute
    _h(doc, 4, "h.svc.logs", "svc-ecs-logs")
    doc.add(
        Fields(
            [
                Field(f.t("l.cw_logs"), f.t("logs.ok") if c.logs_recorded else f.t("logs.none")),
                Field(
                    f.t("l.error_logs"),
                    f.t("count", value=c.error_logs)
                    if c.error_logs is not None
                    else f.t("logs.none"),
                ),
                Field(
                    f.t("l.warning_logs"),
                    f.t("count", value=c.warning_logs)
                    if c.warning_logs is not None
                    else f.t("logs.none"),
                ),
            ]
        )
    )


def _alb(doc: Document, f: Fmt) -> None:
    e = f.r.services.entry_point
    _h(doc, 3, "h.svc.alb", "svc-alb")
    _h(doc, 4, "h.svc.status", "svc-alb-status")
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
    _h(doc, 4, "h.svc.performance", "svc-alb-performance")
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
                    else f.t("rpm", value=f"{e.requests_per_minute_avg:,.1f}"),
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
                    else f.t("rpm_peak", value=f"{e.requests_per_minute_peak:,.0f}"),
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


def _dynamodb(doc: Document, f: Fmt) -> None:
    d = f.r.services.data_store
    _h(doc, 3, "h.svc.dynamodb", "svc-dynamodb")
    _h(doc, 4, "h.svc.status", "svc-dynamodb-status")
    backup = (
        f.t("reason.no_backup")
        if d.backup_enabled is None
        else f.t("backup.on" if d.backup_enabled else "backup.off")
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.tables"), ", ".join(d.tables)),
                Field(
                    f.t("l.status"),
                    f.t("store.not_dynamodb", backend=d.backend)
                    if d.backend and d.backend != "dynamodb"
                    else d.status or f.nd("reason.no_store_stats"),
                ),
                Field(f.t("l.backup"), backup),
                Field(f.t("l.encryption"), d.encryption_type or f.t("reason.no_encryption")),
            ]
        )
    )
    _h(doc, 4, "h.svc.performance", "svc-dynamodb-performance")
    capacity = (
        f.t("reason.no_capacity")
        if d.read_capacity_percent is None and d.write_capacity_percent is None
        else f.t(
            "capacity.value",
            read=f.pct(d.read_capacity_percent, 3, "reason.no_store_stats"),
            write=f.pct(d.write_capacity_percent, 3, "reason.no_store_stats"),
            max_read=f.num(d.max_read_units_per_s, 0, "reason.no_capacity"),
            max_write=f.num(d.max_write_units_per_s, 0, "reason.no_capacity"),
        )
    )
    doc.add(
        Fields(
            [
                Field(
                    f.t("l.read_latency"),
                    f.nd("reason.no_store_stats")
                    if d.read_latency_ms is None
                    else f.t("avg", value=f.ms(d.read_latency_ms, 1)),
                ),
                Field(
                    f.t("l.write_latency"),
                    f.nd("reason.no_store_stats")
                    if d.write_latency_ms is None
                    else f.t("avg", value=f.ms(d.write_latency_ms, 1)),
                ),
                Field(
                    f.t("l.throttles"),
                    f.nd("reason.no_store_stats")
                    if d.throttles is None
                    else f.t("times", value=d.throttles),
                ),
                Field(f.t("l.capacity"), capacity),
                Field(
                    f.t("l.store_calls", backend=d.backend or "—"),
                    f"{f.num(d.calls, 0, 'reason.no_store_stats')} / "
                    f"{f.num(d.errors, 0, 'reason.no_store_stats')}",
                ),
            ]
        )
    )


def _s3_cloudfront(doc: Document, f: Fmt) -> None:
    site = f.r.services.static_site
    _h(doc, 3, "h.svc.site", "svc-site")
    _h(doc, 4, "h.svc.status", "svc-site-status")
    status = (
        f.t("reason.no_site_probe")
        if site.site_ok_percent is None
        else f.t(
            "site.ok" if site.site_ok_percent == 100 else "site.degraded",
            value=f.pct(site.site_ok_percent, 2),
            probes=f"{site.site_probes:,}",
        )
    )
    doc.add(
        Fields(
            [
                Field(f.t("l.bucket"), site.bucket or f.t("reason.no_name")),
                Field(f.t("l.distribution"), site.distribution or f.t("reason.no_name")),
                Field(f.t("l.site"), status),
            ]
        )
    )
    _h(doc, 4, "h.svc.performance", "svc-site-performance")
    none = f.t("reason.no_cloudfront")
    cities: list[str] = []
    for code, _count in site.edge_locations:
        city = EDGE_CITIES.get(code[:3].upper())
        name = city[0 if f.lang == "ja" else 1] if city else code
        if name not in cities:
            cities.append(name)
    doc.add(
        Fields(
            [
                Field(
                    f.t("l.cache_hit"),
                    none
                    if site.cache_hit_ratio_percent is None
                    else f.t(
                        "value_target",
                        value=f.pct(site.cache_hit_ratio_percent, 0),
                        target=f.t("ge", value=f.pct(site.cache_hit_target_percent, 0)),
                    ),
                ),
                Field(
                    f.t("l.origin_errors"),
                    none
                    if site.origin_error_rate_percent is None
                    else f.pct(site.origin_error_rate_percent, 2),
                ),
                Field(f.t("l.edges"), ", ".join(cities) if cities else none),
                Field(
                    f.t("l.site_requests"), none if site.requests is None else f"{site.requests:,}"
                ),
            ]
        ),
        Rule(),
    )


def _performance(doc: Document, f: Fmt) -> None:
    p = f.r.performance
    _h(doc, 2, "h.performance", "performance")
    _h(doc, 3, "h.perf.response", "perf-response")
    _h(doc, 4, "h.perf.weekly", "perf-weekly")
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
                    f"{w.requests:,}",
                    f.ms(w.p95_ms),
                    "—" if w.change_percent is None else f"{w.change_percent:+.1f}%",
                ]
                for w in p.weekly
            ],
        ),
        Chart("weekly"),
        Note(f.t("method.weekly")),
    )
    _h(doc, 4, "h.perf.hourly", "perf-hourly")
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


def _traffic(doc: Document, f: Fmt) -> None:
    tr = f.r.traffic
    _h(doc, 3, "h.perf.traffic", "perf-traffic")
    _h(doc, 4, "h.perf.daily", "perf-daily")

    def on(day: object) -> str:
        if day is None:
            return f.nd("reason.no_traffic")
        d = day  # a DayCount
        return f.t("per_day_on", value=f"{d.requests:,}", date=f.day(d.date))  # type: ignore[attr-defined]

    doc.add(
        Fields(
            [
                Field(
                    f.t("l.daily_avg"),
                    f.nd("reason.no_traffic")
                    if tr.daily_average is None
                    else f.t("per_day", value=f"{tr.daily_average:,.0f}"),
                ),
                Field(f.t("l.daily_max"), on(tr.busiest_day)),
                Field(f.t("l.daily_min"), on(tr.quietest_day)),
                Field(f.t("l.total_requests"), f"{tr.total_requests:,}"),
                Field(f.t("l.days_with_traffic"), f"{tr.days_with_traffic} / {f.r.period.days}"),
                *(
                    [Field(f.t("l.outside_probe"), f"{tr.outside_probe_requests:,}")]
                    if tr.outside_probe_requests is not None
                    else []
                ),
            ]
        ),
        Chart("daily"),
        Table(
            [f.t("c.date"), f.t("c.requests"), f.t("c.errors"), f.t("c.avg")],
            [
                [f.day(x.date), f"{x.requests:,}", f"{x.errors_5xx:,}", f.ms(x.avg_ms)]
                for x in tr.daily
            ],
            collapse=True,
        ),
    )
    _h(doc, 4, "h.perf.pattern", "perf-pattern")
    items = []
    for group in tr.pattern:
        share = f"{100 * group.share:.0f}%"
        if group.group == OTHER_PATTERN_GROUP:
            items.append(Field(f.t("l.other"), share))
            continue
        label = (
            f"{group.method} {group.group}"
            if group.method
            else f.t("pattern.all", path=group.group)
        )
        name = f.t(f"pattern.{group.group}")
        items.append(Field(label, f.t("share_named", share=share, name=name)))
    if not items:
        items.append(Field(f.t("l.other"), f.nd("reason.no_traffic")))
    doc.add(Fields(items), Chart("mix"), Rule())


def _work_list(f: Fmt, items: list[WorkEntry], empty: str) -> Block:
    """Work done as the original's checklist, each entry with its day; a sentence if none."""
    if not items:
        return Paragraph(f.t(empty))
    entries = [
        f.t("work.entry", summary=f.text(i.summary), day=f.day(i.at.astimezone(f.zone).date()))
        for i in items
    ]
    return Checklist([(True, entry) for entry in entries])


def _incident_title(f: Fmt, i: IncidentRow) -> str:
    if i.summary:
        return f.text(i.summary)
    # An outage's figure is its duration, the same number the detail block shows.
    value = i.duration_minutes if i.kind == "outage" else i.peak_value
    return f.t(f"inc.auto.{i.kind}", value="—" if value is None else f"{value:,.0f}")


def _incidents(doc: Document, f: Fmt) -> None:
    r = f.r
    _h(doc, 2, "h.incidents", "incidents")
    _h(doc, 3, "h.inc.status", "inc-status")
    c = r.incident_counts
    doc.add(
        Fields(
            [
                Field(f.t("l.major"), f.t("count", value=c.major)),
                Field(f.t("l.minor"), f.t("count", value=c.minor)),
                Field(f.t("l.security_incidents"), f.t("count", value=c.security)),
            ]
        ),
        Note(f.t("note.severity")),
        Chart("timeline"),
    )
    _h(doc, 3, "h.inc.details", "inc-details")
    if not r.incidents:
        defaults = ReportSettings()
        doc.add(
            Paragraph(
                f.t(
                    "inc.no_incidents",
                    minutes=defaults.incident_min_minutes,
                    outage=defaults.outage_min_minutes,
                )
            )
        )
    for n, i in enumerate(r.incidents, start=1):
        _h(doc, 4, "h.inc.item", f"inc-{n}", n=n, summary=_incident_title(f, i))
        start = i.start.astimezone(f.zone)
        occurred = (
            f.t("occurred_open", start=f.when(i.start))
            if i.end is None
            else f.t(
                "occurred",
                start=f.when(i.start),
                end=i.end.astimezone(f.zone).strftime("%H:%M")
                if i.end.astimezone(f.zone).date() == start.date()
                else f.when(i.end),
                minutes=f"{i.duration_minutes:,.0f}",
            )
        )
        missing = f.t("inc.none_recorded")
        doc.add(
            Fields(
                [
                    Field(f.t("l.occurred"), occurred),
                    Field(f.t("l.content"), content(f, i, _incident_title(f, i))),
                    Field(f.t("l.impact"), f.text(i.impact) or missing),
                    Field(f.t("l.cause"), f.text(i.cause) if i.cause else f.t("inc.cause_missing")),
                    Field(
                        f.t("l.response"),
                        f.text(i.response)
                        or (f.t("inc.auto_response") if not i.recorded else missing),
                    ),
                    Field(f.t("l.prevention"), f.text(i.prevention) or missing),
                ]
            )
        )
    doc.add(Rule())


def _costs(doc: Document, f: Fmt) -> None:
    _h(doc, 2, "h.costs", "costs")
    _cost_breakdown(doc, f)
    _cost_optimisation(doc, f)
    _cost_efficiency(doc, f)


def _cost_breakdown(doc: Document, f: Fmt) -> None:
    c = f.r.costs
    _h(doc, 3, "h.cost.breakdown", "cost-breakdown")
    rows = [
        [
            SERVICE_NAMES.get(line.service, line.service),
            f.usd(line.usd),
            f.pct(None if line.share is None else 100 * line.share, 1),
            f.change(line.change_percent),
        ]
        for line in c.lines
    ]
    rows.append(
        [
            f"**{f.t('total')}**",
            f"**{f.usd(c.total_usd)}**",
            "**100%**" if c.total_usd else "—",
            f"**{f.change(c.change_percent)}**",
        ]
    )
    as_of = (
        c.source_detail.split("price table of ")[-1].split(" ")[0] if c.source == "estimate" else ""
    )
    # The estimate names the design it priced ("design <architecture>: ..."), see build.py.
    priced = re.search(r"design ([a-z0-9-]+):", c.source_detail)
    design = ARCHITECTURE_NAMES.get(priced.group(1), priced.group(1)) if priced else ""
    note = [f.t(f"note.cost.{c.source}", as_of=as_of, design=design)]
    note += [
        f.t("note.cost.to_date", hours=f"{f.r.period.elapsed_hours:,.1f}")
    ] * f.r.period.in_progress
    doc.add(
        Table([f.t("c.service"), f.t("c.cost"), f.t("c.share"), f.t("c.mom")], rows),
        Note(" ".join(note + [f.t("note.cost.original")] * f.original_demo())),
        *([Note(f.t("note.cost.estimated"))] if c.estimated else []),
        Chart("costs"),
    )


def _cost_optimisation(doc: Document, f: Fmt) -> None:
    c = f.r.costs
    _h(doc, 3, "h.cost.optimisation", "cost-optimisation")
    headroom = f.nd("reason.no_cost")
    if c.headroom_usd is not None:
        headroom = f.t(
            "headroom.value",
            headroom=f.usd(c.headroom_usd),
            state=f.t("headroom.under" if c.headroom_usd >= 0 else "headroom.over"),
        )
        if c.cheapest_design and c.cheapest_design_saving_usd and c.cheapest_design_saving_usd > 0:
            headroom += f.t(
                "headroom.design",
                design=ARCHITECTURE_NAMES.get(c.cheapest_design, c.cheapest_design),
                usd=f.usd(c.cheapest_design_usd),
                saving=f.usd(c.cheapest_design_saving_usd),
            )
    doc.add(
        Fields(
            [
                Field(f.t("l.budget"), f.t("le", value=f.usd(c.budget_usd))),
                Field(f.t("l.actual_cost"), f.usd(c.total_usd)),
                Field(
                    f.t("l.budget_attainment"),
                    f.pct(c.budget_attainment_percent, 0, "reason.no_cost"),
                ),
                Field(f.t("l.headroom"), headroom),
                Field(f.t("l.budget_used"), f.pct(c.budget_used_percent, 1, "reason.no_cost")),
            ]
        )
    )


def _cost_efficiency(doc: Document, f: Fmt) -> None:
    c = f.r.costs
    _h(doc, 3, "h.cost.efficiency", "cost-efficiency")

    def unit(
        value: float | None, change: float | None, digits: int, suffix: str, reason: str
    ) -> str:
        if value is None:
            return f.nd(reason)
        return f.t("unit_cost", value=f"{f.usd(value, digits)}/{suffix}", change=f.change(change))

    doc.add(
        Fields(
            [
                Field(
                    f.t("l.per_request"),
                    unit(
                        c.per_request_usd, c.per_request_change_percent, 6, "req", "reason.no_cost"
                    ),
                ),
                Field(
                    f.t("l.per_user"),
                    unit(c.per_user_usd, c.per_user_change_percent, 4, "user", "reason.no_users"),
                ),
                Field(
                    f.t("l.per_hour"),
                    unit(c.per_hour_usd, c.per_hour_change_percent, 4, "hour", "reason.no_cost"),
                ),
            ]
        ),
        Rule(),
    )


def _checked(f: Fmt, item: CheckedItem, prefix: str) -> str:
    if item.outcome == "pass":
        return f.t(f"{prefix}.pass")
    if item.outcome == "not_run":
        return f.t(f"{prefix}.not_run")
    titles = item.failing_titles_ja if f.lang == "ja" else item.failing_titles_en
    return f.t(f"{prefix}.{item.outcome}", checks="、".join(titles) if f.lang == "ja"
               else ", ".join(titles))  # fmt: skip


def _security(doc: Document, f: Fmt) -> None:
    s = f.r.security
    _h(doc, 2, "h.security", "security")
    _h(doc, 3, "h.sec.audit", "sec-audit")
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
    _h(doc, 3, "h.sec.metrics", "sec-metrics")
    m = s.metrics
    if m.anomalous_requests is None:
        anomalies = f.t("reason.no_anomalies")
    elif m.burst_clients is None:
        anomalies = f.t(
            "anomalies.value", requests=f"{m.anomalous_requests:,}", minutes=m.burst_minutes
        )
    else:
        anomalies = f.t(
            "anomalies.clients",
            requests=f"{m.anomalous_requests:,}",
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
    _h(doc, 3, "h.sec.compliance", "sec-compliance")
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


def _work(doc: Document, f: Fmt) -> None:
    w = f.r.work
    _h(doc, 2, "h.work", "work")
    _h(doc, 3, "h.work.maintenance", "work-maintenance")
    outcome = [f.t("maint.outcome", passed=m.passed, warned=m.warned, failed=m.failed)
               if m.warned or m.failed else "" for m in w.maintenance]  # fmt: skip
    lines = [
        f.t(f"maint.{m.id}", n=m.count) + o for m, o in zip(w.maintenance, outcome, strict=True)
    ]
    doc.add(Checklist([(m.count > 0, line) for m, line in zip(w.maintenance, lines, strict=True)]))
    expected = {m.id: m.expected for m in w.maintenance}
    doc.add(
        Note(
            f.t(
                "note.maintenance",
                daily=expected["daily"],
                weekly=expected["weekly"],
                monthly=expected["monthly_security"],
            )
        )
    )
    _h(doc, 3, "h.work.improvements", "work-improvements")
    doc.add(_work_list(f, w.improvements, "work.no_improvements"))
    _h(doc, 3, "h.work.docs", "work-docs")
    doc.add(_work_list(f, w.documentation, "work.no_docs"))
    doc.add(Rule())


def proposal_lines(lang: Lang, p: Proposal) -> tuple[str, str, list[str]]:
    """Title, sentence (the triggering figure) and target of one proposal, in one language."""
    values = dict(p.evidence)
    return (
        t(lang, f"prop.title.{p.id}"),
        t(lang, f"prop.{p.id}", **values),
        [
            t(lang, "prop.target", text=t(lang, f"prop.target.{p.id}", **values)),
            t(lang, "prop.priority", value=t(lang, f"priority.{p.priority}")),
        ],
    )


def _proposals(doc: Document, f: Fmt) -> None:
    _h(doc, 2, "h.proposals", "proposals")
    for horizon, themes in HORIZONS:
        _h(doc, 3, f"h.horizon.{horizon}", f"prop-{horizon}")
        for theme in themes:
            _h(doc, 4, f"h.theme.{theme}", f"prop-{horizon}-{theme}")
            found = [p for p in f.r.proposals if p.horizon == horizon and p.theme == theme]
            lines = (proposal_lines(f.lang, p) for p in found)
            items = [(a, b, [*c, f.t("prop.by_rule")]) for a, b, c in lines]
            items += plan_proposals(f, horizon, theme)
            doc.add(Numbered(items) if items else Paragraph(f.t("prop.none_theme")))
    doc.add(Rule())


def _kpis(doc: Document, f: Fmt) -> None:
    _h(doc, 2, "h.kpi", "kpi")
    header = [f.t("c.kpi"), f.t("c.target"), f.t("c.actual"), f.t("c.achievement"), f.t("c.status")]
    for category in ("technical", "operational", "cost"):
        _h(doc, 3, f"h.kpi.{category}", f"kpi-{category}")
        doc.add(Table(header, [_kpi_row(f, k) for k in f.r.kpis if k.category == category]))
    doc.add(Note(f.t("note.kpi")), Rule())


def _point(f: Fmt, key: str, values: dict[str, int | float | str]) -> str:
    if key == "sum.next":
        title, _text, target = proposal_lines(
            f.lang, next(p for p in f.r.proposals if p.id == values["proposal"])
        )
        return f.t("sum.next", title=title, text=target[0])
    if key == "sum.no_data_kpi":
        return f.t(key, kpi_name=f.t(f"k.{values['kpi']}"))
    shown = {
        k: (f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else v)
        for k, v in values.items()
    }
    return f.t(key, **shown)


def _review(doc: Document, f: Fmt) -> None:
    s = f.r.summary
    _h(doc, 2, "h.review", "review")
    for key, points in (
        ("achievements", s.achievements),
        ("issues", s.issues),
        ("expectations", s.expectations),
    ):
        _h(doc, 3, f"h.review.{key}", f"review-{key}")
        items: list[tuple[str, str, list[str]]] = [
            (_point(f, p.key, p.values), "", []) for p in points
        ]
        items += plan_points(f, key)
        doc.add(Numbered(items) if items else Paragraph(f.t("prop.none_theme")))
    doc.add(Rule())


def _related(doc: Document, f: Fmt) -> None:
    _h(doc, 2, "h.related", "related")
    doc.add(Bullets([f"`{path}` - {f.t(key)}" for path, key in RELATED_DOCS], code=True), Rule())
    c = f.r.closing
    doc.add(
        Fields(
            [
                Field(f.t("l.report_date"), f.day(c.report_date)),
                Field(f.t("l.reporter"), f.person(c.reporter)),
                Field(f.t("l.approver"), c.approver or f.t("sign")),
                Field(f.t("l.next_report"), f.day(c.next_report_date)),
            ],
            bullets=False,
        )
    )


def _appendix(doc: Document, f: Fmt) -> None:
    r = f.r
    b = r.error_budget
    _h(doc, 2, "h.appendix", "appendix")
    _h(doc, 3, "h.app.slo", "app-slo")

    def minutes(v: float | None) -> str:
        return f.nd("reason.no_probes") if v is None else f.t("minutes", value=f"{v:,.1f}")

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
    _h(doc, 3, "h.app.endpoints", "app-endpoints")
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
                    f"{e.requests:,}",
                    f"{100 * e.share:.1f}%",
                    f"{e.errors_5xx:,}",
                    f.ms(e.avg_ms, 1),
                    f.ms(e.p95_ms, 1),
                ]
                for e in r.traffic.by_endpoint
            ],
        )
    )
    _h(doc, 3, "h.app.method", "app-method")
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


SECTIONS: tuple[Section, ...] = (
    _document,
    _overview,
    _summary,
    _services,
    _performance,
    _traffic,
    _incidents,
    _costs,
    _security,
    _work,
    _proposals,
    _kpis,
    _review,
    _related,
    _appendix,
)
"""The original's sections in its order, then the appendix; each adds its own blocks."""


def compose(report: Report, lang: Lang) -> Document:
    f = Fmt(report, lang)
    doc = Document(title=f.t("h.title", env=report.document.environment), lang=lang)
    if report.document.simulated:
        doc.add(Notice(f.t("simulated")))
    if report.period.in_progress:
        doc.add(Notice(f.t("notice.in_progress", now=f.when(report.document.generated_at))))
    for section in SECTIONS:
        section(doc, f)
    return doc
