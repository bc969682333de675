"""The report as Markdown, in Japanese (the original's structure and headings) or English.

Formatting only: numbers are rounded for reading, missing figures become
"データなし" / "no data", and nothing is computed that the model does not hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from portfolio.report.analysis import PEAK_FACTOR
from portfolio.report.model import IncidentRow, Kpi, LatencyFigures, Report, Status
from portfolio.report.render.text import STATUS_ICON, Lang, t
from portfolio.report.sections import SECTIONS, SUBSECTIONS


class _Doc:
    def __init__(self, report: Report, lang: Lang) -> None:
        self.r = report
        self.lang = lang
        self.zone = ZoneInfo(report.period.timezone)
        self.lines: list[str] = []

    # -- formatting helpers ------------------------------------------------
    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def num(self, value: float | None, unit: str = "", digits: int = 2) -> str:
        if value is None:
            return self.t("no_data")
        text = f"{value:,.{digits}f}"
        return f"{text} {unit}".strip() if unit not in ("%",) else f"{text}%"

    def ms(self, value: float | None) -> str:
        return self.num(value, "ms", 1)

    def usd(self, value: float | None, digits: int = 2) -> str:
        if value is None:
            return self.t("no_data")
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.{digits}f}"

    def when(self, value: datetime | None) -> str:
        if value is None:
            return self.t("no_data")
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def bytes(self, value: int | None) -> str:
        if value is None:
            return self.t("no_data")
        for unit in ("B", "KB", "MB", "GB", "TB"):
            if value < 1000 or unit == "TB":
                return f"{value:,.1f} {unit}" if unit != "B" else f"{value} B"
            value /= 1000  # type: ignore[assignment]
        return ""

    def latency(self, figures: LatencyFigures) -> str:
        return " / ".join(self.ms(v) for v in (figures.avg, figures.p50, figures.p95, figures.p99))

    def pct_change(self, value: float | None) -> str:
        return "—" if value is None else f"{value:+.1f}%"

    # -- structure -----------------------------------------------------------
    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, text: str, level: int = 2) -> None:
        self.add("", "#" * level + " " + text, "")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.add("| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.add("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        self.add("")

    def kv(self, rows: Sequence[tuple[str, str]]) -> None:
        self.table([self.t("item"), self.t("value")], rows)

    def sub(self, section: str, index: int) -> None:
        ja, en = SUBSECTIONS[section][index]
        self.heading(ja if self.lang == "ja" else en, 3)


def _document(d: _Doc) -> None:
    r = d.r
    if r.document.simulated:
        d.add(f"> {d.t('simulated')}", "")
    d.kv(
        [
            (d.t("doc.period"), f"{d.when(r.period.start)} – {d.when(r.period.end)}"),
            (d.t("doc.environment"), r.document.environment),
            (d.t("doc.author"), r.document.author),
            (d.t("doc.approver"), r.document.approver),
            (d.t("doc.generated"), d.when(r.document.generated_at)),
            (d.t("doc.sources"), ", ".join(r.document.sources)),
            (d.t("doc.timezone"), r.period.timezone),
        ]
    )
    for note in r.document.notes:
        d.add(f"- {note}")


def _overview(d: _Doc) -> None:
    a = d.r.availability
    d.kv(
        [
            (d.t("ov.total_hours"), f"{d.r.period.total_hours:,.0f} h"),
            (d.t("ov.planned"), d.num(a.planned_downtime_minutes, "min", 1)),
            (d.t("ov.unplanned"), d.num(a.unplanned_downtime_minutes, "min", 1)),
            (d.t("ov.availability"), d.num(a.percent, "%", 3)),
            (d.t("ov.coverage"), d.num(a.coverage_percent, "%", 1)),
            (d.t("ov.probes"), f"{a.probes:,}"),
        ]
    )
    if a.outages:
        d.add(f"**{d.t('ov.outages')}**", "")
        d.table(
            [d.t("inc.start"), d.t("inc.duration")],
            [[d.when(o.start), f"{o.minutes:.1f}"] for o in a.outages],
        )


def _kpi_row(d: _Doc, k: Kpi) -> list[str]:
    digits = 3 if k.id == "availability" else 2
    unit = {"count": "", "min": "min", "USD": ""}.get(k.unit, k.unit)
    if k.unit == "USD":
        target, actual = d.usd(k.target), d.usd(k.actual)
    else:
        target = d.num(k.target, unit, 0 if k.unit == "count" else digits)
        actual = d.num(k.actual, unit, 0 if k.unit == "count" else digits)
    op = "≥" if k.direction == "higher_is_better" else "≤"
    return [
        d.t(f"kpi.{k.id}"),
        f"{op} {target}",
        actual,
        d.num(k.achievement_percent, "%", 1),
        STATUS_ICON[k.status.value],
    ]


def _kpis(d: _Doc) -> None:
    header = [d.t("kpi.name"), d.t("kpi.target"), d.t("kpi.actual"), d.t("kpi.achievement"),
              d.t("kpi.status")]  # fmt: skip
    for index, category in enumerate(("technical", "operational", "cost")):
        d.sub("kpi", index)
        d.table(header, [_kpi_row(d, k) for k in d.r.kpis if k.category == category])
    d.add(f"_{d.t('kpi.rule')}_")


def _services(d: _Doc) -> None:
    s = d.r.services
    c = s.compute
    running = (
        d.t("no_data") if c.running_tasks is None else f"{c.running_tasks} / {c.desired_tasks}"
    )
    d.sub("services", 0)
    d.kv(
        [
            (d.t("svc.desired_running"), running),
            (d.t("svc.health"), d.num(c.health_percent, "%", 3)),
            (d.t("svc.cpu"),
             f"{d.num(c.cpu_avg_percent, '%', 1)} / {d.num(c.cpu_max_percent, '%', 1)}"
             f" ({d.t('svc.target', target=f'{c.utilisation_target_percent:g}')})"),
            (d.t("svc.memory"),
             f"{d.num(c.memory_avg_percent, '%', 1)} / {d.num(c.memory_max_percent, '%', 1)}"
             f" ({d.t('svc.target', target=f'{c.utilisation_target_percent:g}')})"),
            (d.t("svc.memory_mb"), d.num(c.memory_avg_mb, "MB", 0)),
            (d.t("svc.network"), f"{d.bytes(c.network_in_bytes)} / {d.bytes(c.network_out_bytes)}"),
        ]
    )  # fmt: skip
    e = s.entry_point
    d.sub("services", 1)
    rpm = f"{d.num(e.requests_per_minute_avg, '', 1)} / {d.num(e.requests_per_minute_peak, '', 0)}"
    d.kv(
        [
            (d.t("svc.latency"), d.latency(e.latency_ms)),
            (d.t("svc.rpm"), rpm),
            (d.t("svc.error_rate"), d.num(e.error_rate_percent, "%", 3)),
            (d.t("svc.health"), d.num(e.health_check_success_percent, "%", 3)),
            (d.t("svc.lb_5xx"), d.num(e.load_balancer_errors_5xx, "", 0)),
        ]
    )
    ds = s.data_store
    d.sub("services", 2)
    calls = " / ".join(d.num(v, "", 0) for v in (ds.calls, ds.errors, ds.throttles))
    d.kv(
        [
            (d.t("svc.backend"), ds.backend or d.t("no_data")),
            (d.t("svc.tables"), ", ".join(f"`{x}`" for x in ds.tables)),
            (d.t("svc.status"), ds.status or d.t("no_data")),
            (d.t("svc.read_latency"), d.num(ds.read_latency_ms, "ms", 2)),
            (d.t("svc.write_latency"), d.num(ds.write_latency_ms, "ms", 2)),
            (d.t("svc.calls"), calls),
            (d.t("svc.capacity"), d.num(ds.consumed_capacity_units, "", 1)),
            (d.t("svc.backup"), ds.backup or d.t("not_run")),
            (d.t("svc.encryption"), ds.encryption or d.t("not_run")),
        ]
    )
    site = s.static_site
    d.sub("services", 3)
    if site.requests is None:
        d.add(d.t("svc.site_none"), "")
    else:
        d.kv(
            [
                (d.t("svc.site_requests"), f"{site.requests:,}"),
                (d.t("svc.cache_hit"), d.num(site.cache_hit_ratio_percent, "%", 1)),
                (d.t("svc.site_bytes"), d.bytes(site.bytes_out)),
                (d.t("svc.site_5xx"), d.num(site.errors_5xx, "", 0)),
            ]
        )


def _performance(d: _Doc) -> None:
    p = d.r.performance
    d.sub("performance", 0)
    d.table(
        [d.t("perf.week"), d.t("perf.dates"), d.t("perf.requests"), d.t("perf.avg"),
         d.t("perf.max"), d.t("perf.min"), d.t("perf.p95"), d.t("perf.change"), d.t("perf.trend")],
        [
            [str(w.week), f"{w.start:%m/%d}–{w.end:%m/%d}", f"{w.requests:,}", d.ms(w.avg_ms),
             d.ms(w.max_ms), d.ms(w.min_ms), d.ms(w.p95_ms), d.pct_change(w.change_percent),
             d.t(f"trend.{w.trend}") if w.trend else "—"]
            for w in p.weekly
        ],
    )  # fmt: skip
    d.add(f"_{d.t('perf.week_note')}_")
    d.sub("performance", 1)
    hours = ", ".join(f"{h}:00–{h + 1}:00" for h in p.peak.peak_hours) or d.t("no_data")
    d.kv(
        [
            (d.t("perf.peak_hours"), hours),
            (d.t("perf.peak_share"), d.num(p.peak.peak_requests_share_percent, "%", 1)),
        ]
    )
    d.table(
        [d.t("perf.band"), "avg", "p50", "p95", "p99"],
        [
            [d.t("perf.peak")] + [d.ms(v) for v in (p.peak.peak.avg, p.peak.peak.p50,
                                                     p.peak.peak.p95, p.peak.peak.p99)],
            [d.t("perf.offpeak")] + [d.ms(v) for v in (p.peak.off_peak.avg, p.peak.off_peak.p50,
                                                        p.peak.off_peak.p95, p.peak.off_peak.p99)],
        ],
    )  # fmt: skip
    d.add(f"_{d.t('perf.peak_rule', factor=PEAK_FACTOR)}_")
    tr = d.r.traffic
    d.sub("performance", 2)
    busiest = tr.busiest_day
    quietest = tr.quietest_day
    d.kv(
        [
            (d.t("perf.total"), f"{tr.total_requests:,}"),
            (d.t("perf.daily_avg"), d.num(tr.daily_average, "", 0)),
            (d.t("perf.busiest"),
             f"{busiest.date} ({busiest.requests:,})" if busiest else d.t("no_data")),
            (d.t("perf.quietest"),
             f"{quietest.date} ({quietest.requests:,})" if quietest else d.t("no_data")),
            (d.t("perf.days_with_traffic"), f"{tr.days_with_traffic} / {d.r.period.days}"),
        ]
    )  # fmt: skip
    d.table(
        [d.t("perf.date"), d.t("perf.requests"), d.t("perf.errors"), d.t("perf.avg")],
        [[str(x.date), f"{x.requests:,}", f"{x.errors_5xx:,}", d.ms(x.avg_ms)] for x in tr.daily],
    )
    d.sub("performance", 3)
    d.table(
        [d.t("perf.endpoint"), d.t("perf.requests"), d.t("perf.share"), d.t("perf.errors"),
         d.t("perf.avg"), d.t("perf.p95")],
        [
            [f"`{e.endpoint}`", f"{e.requests:,}", f"{100 * e.share:.1f}%", f"{e.errors_5xx:,}",
             d.ms(e.avg_ms), d.ms(e.p95_ms)]
            for e in tr.by_endpoint
        ],
    )  # fmt: skip


def _incident_summary(d: _Doc, i: IncidentRow) -> str:
    if i.summary:
        return i.summary
    value = "—" if i.peak_value is None else f"{i.peak_value:,.1f}"
    return d.t(f"inc.auto_{i.kind}", value=value)


def _incidents(d: _Doc) -> None:
    rows = d.r.incidents
    if not rows:
        from portfolio.config import ReportSettings

        defaults = ReportSettings()
        d.add(
            d.t("inc.none", minutes=defaults.incident_min_minutes,
                outage=defaults.outage_min_minutes),
            "",
        )  # fmt: skip
        return
    d.table(
        [d.t("inc.start"), d.t("inc.duration"), d.t("inc.kind"), d.t("inc.severity"),
         d.t("inc.summary"), d.t("inc.origin")],
        [
            [d.when(i.start), d.num(i.duration_minutes, "", 0), d.t(f"kind.{i.kind}"), i.severity,
             _incident_summary(d, i),
             d.t("inc.both") if i.detected and i.recorded
             else d.t("inc.detected") if i.detected else d.t("inc.recorded")]
            for i in rows
        ],
    )  # fmt: skip
    for i in rows:
        d.add(f"**{d.when(i.start)} — {_incident_summary(d, i)}** (`{i.id}`)", "")
        d.add(f"- {d.t('inc.impact')}: {i.impact or '—'}")
        d.add(f"- {d.t('inc.cause')}: {i.cause or d.t('inc.no_cause')}")
        d.add(f"- {d.t('inc.response')}: {i.response or '—'}")
        d.add(f"- {d.t('inc.prevention')}: {i.prevention or '—'}", "")


def _costs(d: _Doc) -> None:
    c = d.r.costs
    d.add(d.t(f"cost.source.{c.source}"), "")
    d.sub("costs", 0)
    if c.source != "none":
        d.table(
            [d.t("cost.service"), d.t("cost.usd"), d.t("cost.share"), d.t("cost.previous"),
             d.t("cost.change")],
            [
                [line.service, d.usd(line.usd),
                 d.num(None if line.share is None else 100 * line.share, "%", 1),
                 d.usd(line.previous_usd), d.pct_change(line.change_percent)]
                for line in c.lines
            ]
            + [[f"**{d.t('cost.total')}**", f"**{d.usd(c.total_usd)}**", "100%",
                d.usd(c.previous_total_usd), d.pct_change(c.change_percent)]],
        )  # fmt: skip
    d.kv(
        [
            (d.t("cost.budget"), d.usd(c.budget_usd)),
            (d.t("cost.headroom"), d.usd(c.headroom_usd)),
            (d.t("cost.used"), d.num(c.budget_used_percent, "%", 1)),
        ]
    )
    d.sub("costs", 1)
    d.kv(
        [
            (d.t("cost.per_request"), d.usd(c.per_request_usd, 6)),
            (d.t("cost.per_user", users=c.users if c.users is not None else "—"),
             d.usd(c.per_user_usd, 4)),
            (d.t("cost.per_hour"), d.usd(c.per_hour_usd, 4)),
        ]
    )  # fmt: skip
    if c.source_detail:
        d.add(f"_{c.source_detail}_")


def _security(d: _Doc) -> None:
    s = d.r.security
    if s.status is Status.NO_DATA:
        d.add(d.t("sec.not_run"), "")
        d.kv([(d.t("sec.incidents"), str(s.security_incidents))])
        return
    d.kv(
        [
            (d.t("sec.status"), STATUS_ICON[s.status.value]),
            (d.t("sec.last_run"), d.when(s.last_run)),
            (d.t("sec.findings"), f"{s.findings_pass} / {s.findings_warn} / {s.findings_fail}"),
            (d.t("sec.failing"), ", ".join(f"`{x}`" for x in s.failing) or "—"),
            (d.t("sec.incidents"), str(s.security_incidents)),
        ]
    )


def _work(d: _Doc) -> None:
    w = d.r.work
    d.table(
        [d.t("work.kind"), d.t("work.expected"), d.t("work.done"), d.t("work.passed"),
         d.t("work.last")],
        [[d.t(f"work.{c.kind}"), str(c.expected), str(c.done), str(c.passed),
          d.when(c.last_run) if c.last_run else d.t("not_run")] for c in w.checks],
    )  # fmt: skip
    d.add(f"**{d.t('work.items')}**", "")
    if not w.items:
        d.add(d.t("work.none"), "")
        return
    d.table(
        [d.t("work.at"), d.t("work.type"), d.t("work.summary")],
        [[d.when(i.at), i.kind, i.summary] for i in w.items],
    )


def _slo(d: _Doc) -> None:
    b = d.r.error_budget
    d.kv(
        [
            (d.t("slo.target"), f"{b.target_percent}%"),
            (d.t("slo.allowed"), d.num(b.allowed_minutes, "min", 1)),
            (d.t("slo.consumed"), d.num(b.consumed_minutes, "min", 1)),
            (d.t("slo.remaining"),
             f"{d.num(b.remaining_minutes, 'min', 1)} ({d.num(b.remaining_percent, '%', 1)})"),
            (d.t("slo.burn"), d.num(b.burn_rate, "×", 2)),
        ]
    )  # fmt: skip
    d.add(f"_{d.t('slo.note')}_")


def _proposals(d: _Doc) -> None:
    if not d.r.proposals:
        d.add(d.t("prop.none"), "")
        return
    d.table(
        [d.t("prop.priority"), d.t("prop.proposal"), d.t("prop.evidence")],
        [
            [d.t(f"priority.{p.priority}"), d.t(f"prop.{p.id}", **p.evidence),
             ", ".join(f"{k}={v}" for k, v in p.evidence.items())]
            for p in d.r.proposals
        ],
    )  # fmt: skip


def _summary(d: _Doc) -> None:
    s = d.r.summary
    c = d.r.costs
    d.add(
        d.t("sum.kpis", total=len(d.r.kpis), met=s.kpis_met, warn=s.kpis_warn,
            missed=s.kpis_missed, no_data=s.kpis_no_data),
        "",
        d.t("sum.availability", availability=d.num(d.r.availability.percent, "%", 3),
            avg=d.ms(d.r.latency_ms.avg), error_rate=d.num(d.r.error_rate, "%", 3)),
        "",
        d.t("sum.incidents", incidents=s.incidents, no_cause=s.incidents_without_cause),
        "",
        d.t("sum.cost", cost=d.usd(c.total_usd), budget=f"{c.budget_usd:,.2f}",
            source=d.t(f"source.{c.source}")),
        "",
        d.t("sum.proposals", proposals=s.proposals),
    )  # fmt: skip


RENDERERS: dict[str, Callable[[_Doc], None]] = {
    "document": _document,
    "overview": _overview,
    "kpi": _kpis,
    "services": _services,
    "performance": _performance,
    "incidents": _incidents,
    "costs": _costs,
    "security": _security,
    "work": _work,
    "slo": _slo,
    "proposals": _proposals,
    "summary": _summary,
}


def render_markdown(report: Report, lang: Lang) -> str:
    d = _Doc(report, lang)
    d.add("# " + d.t("title", env=report.document.environment, month=report.period.month))
    for section in SECTIONS:
        d.heading(section.ja if lang == "ja" else section.en)
        RENDERERS[section.id](d)
    return "\n".join(d.lines).rstrip() + "\n"
