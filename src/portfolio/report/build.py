"""Fill the report model from Observations: every figure computed here, once.

Percentiles are merges of sketches (hourly buckets), so a week, a day and the
month are computed the same way from the same data. Local dates and hours are
in the report's time zone; data is stored in UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portfolio import names
from portfolio.config import Settings
from portfolio.costs import (
    Architecture,
    CostEstimate,
    PriceTable,
    UsageProfile,
    compare,
    estimate,
    load_prices,
)
from portfolio.period import Period
from portfolio.report import analysis
from portfolio.report.model import (
    Availability,
    BudgetDay,
    CheckSummary,
    ComputeSection,
    CostRow,
    Costs,
    DataStoreSection,
    DayCount,
    DocumentInfo,
    EndpointCount,
    EntryPointSection,
    ErrorBudget,
    HourRow,
    IncidentRow,
    Kpi,
    LatencyFigures,
    PeakAnalysis,
    Performance,
    PeriodInfo,
    Proposal,
    Report,
    SecurityStatus,
    Services,
    StaticSiteSection,
    Status,
    Summary,
    Traffic,
    WeekRow,
    WorkDone,
    WorkEntry,
)
from portfolio.sources.base import CostLine, Observations, ReportSource, TrafficBucket
from portfolio.store.ids import detected_incident_id
from portfolio.store.records import (
    CheckRun,
    FindingStatus,
    Incident,
    MaintenanceWindow,
    StoreCallStat,
)
from portfolio.telemetry.sketch import LatencySketch
from portfolio.telemetry.totals import RequestTotals

CHECK_KINDS = ("daily", "weekly", "monthly")
READ_PREFIXES = ("get", "list", "read", "query", "scan", "ping")


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def latency(sketch: LatencySketch) -> LatencyFigures:
    return LatencyFigures(
        avg=_r(sketch.mean),
        p50=_r(sketch.quantile(0.50)),
        p95=_r(sketch.quantile(0.95)),
        p99=_r(sketch.quantile(0.99)),
    )


@dataclass
class _TrafficIndex:
    """The month's hourly buckets grouped every way the report needs, in one pass."""

    total: RequestTotals
    by_day: dict[date, RequestTotals]
    by_hour: dict[int, RequestTotals]
    by_endpoint: dict[str, RequestTotals]

    @classmethod
    def of(cls, buckets: Iterable[TrafficBucket], zone: ZoneInfo) -> _TrafficIndex:
        """Two merges per bucket (its hour, its endpoint); days and hours of day from hours.

        Merging sketches is the costly step of a report, so each bucket is merged
        into as few groups as possible and the rest is built from the ~720 hours.
        """
        by_utc_hour: dict[datetime, RequestTotals] = defaultdict(RequestTotals)
        by_endpoint: dict[str, RequestTotals] = defaultdict(RequestTotals)
        for b in buckets:
            by_utc_hour[b.hour].add(b)
            by_endpoint[b.endpoint].add(b)
        total = RequestTotals()
        by_day: dict[date, RequestTotals] = defaultdict(RequestTotals)
        by_hour: dict[int, RequestTotals] = defaultdict(RequestTotals)
        for hour, group in by_utc_hour.items():
            local = hour.astimezone(zone)
            for target in (total, by_day[local.date()], by_hour[local.hour]):
                target.absorb(group)
        return cls(total, dict(by_day), dict(by_hour), dict(by_endpoint))


def build_report(
    source: ReportSource,
    period: Period,
    settings: Settings,
    *,
    now: datetime | None = None,
    prices: PriceTable | None = None,
) -> Report:
    """Observe the period (and the one before, for 前月比) and compute the report."""
    observations = source.observe(period)
    previous = source.observe(period.previous(), traffic_only=True)
    return compute_report(
        observations, settings, previous=previous, now=now, prices=prices or load_prices()
    )


def compute_report(
    obs: Observations,
    settings: Settings,
    *,
    previous: Observations | None,
    now: datetime | None,
    prices: PriceTable,
) -> Report:
    now = now or datetime.now(UTC)
    period = obs.period
    zone = period.zone
    targets = settings.kpi
    index = _TrafficIndex.of(obs.traffic, zone)
    elapsed = _elapsed_fraction(period, now)

    availability = _availability(obs, settings)
    traffic = _traffic(index, period)
    performance = _performance(index, period)
    incidents = _incidents(obs, settings, availability)
    costs = _costs(obs, previous, settings, prices, index)
    options = compare(_profile(obs, index), prices) if index.total.count else []
    work = _work(obs, period, now)
    security = _security(obs)
    services = _services(obs, index, availability, settings)
    error_rate = (
        _r(100 * index.total.errors_5xx / index.total.count, 4) if index.total.count else None
    )
    error_budget = _error_budget(availability, targets.availability_pct, elapsed, obs)
    kpis = _kpis(obs, settings, availability, index, error_rate, incidents, work, costs, security)
    proposals = _proposals(
        settings, options, availability, error_rate, performance, incidents, work,
        security, costs, services, error_budget,
    )  # fmt: skip
    statuses = [k.status for k in kpis]
    return Report(
        document=DocumentInfo(
            title=f"{settings.report.environment_name} {period.label}",
            environment=settings.report.environment_name,
            author=settings.report.author,
            approver=settings.report.approver,
            generated_at=now,
            timezone=period.tz,
            sources=[obs.source],
            simulated=obs.simulated,
            notes=list(obs.notes),
        ),
        period=PeriodInfo(
            month=period.label,
            start=period.start.astimezone(zone),
            end=period.end.astimezone(zone),
            timezone=period.tz,
            total_hours=period.hours,
            days=len(period.days),
        ),
        availability=availability,
        latency_ms=latency(index.total.sketch),
        error_rate=error_rate,
        kpis=kpis,
        services=services,
        performance=performance,
        traffic=traffic,
        incidents=incidents,
        costs=costs,
        security=security,
        work=work,
        error_budget=error_budget,
        proposals=proposals,
        summary=Summary(
            kpis_met=statuses.count(Status.MET),
            kpis_warn=statuses.count(Status.WARN),
            kpis_missed=statuses.count(Status.MISSED),
            kpis_no_data=statuses.count(Status.NO_DATA),
            incidents=len(incidents),
            incidents_without_cause=sum(1 for i in incidents if i.cause is None),
            proposals=len(proposals),
        ),
    )


def _elapsed_fraction(period: Period, now: datetime) -> float:
    """How much of the period has passed: 1 for a past month."""
    span = (period.end - period.start).total_seconds()
    done = (min(now, period.end) - period.start).total_seconds()
    return max(0.0, min(1.0, done / span))


# -- availability ------------------------------------------------------------


def _overlap_minutes(windows: Iterable[MaintenanceWindow], start: datetime, end: datetime) -> float:
    """Minutes of [start, end) covered by the windows, overlapping windows counted once."""
    spans = sorted((max(w.start, start), min(w.end, end)) for w in windows)
    total, cursor = 0.0, start
    for s, e in spans:
        s = max(s, cursor)
        if e > s:
            total += (e - s).total_seconds() / 60
            cursor = e
    return total


def _availability(obs: Observations, settings: Settings) -> Availability:
    period = obs.period
    total_minutes = period.hours * 60
    planned = _overlap_minutes(obs.maintenance, period.start, period.end)
    probes = obs.probes
    if not probes:
        return Availability(
            percent=None,
            total_minutes=total_minutes,
            monitored_minutes=None,
            coverage_percent=None,
            planned_downtime_minutes=round(planned, 2),
            unplanned_downtime_minutes=None,
            probes=0,
            probe_success_percent=None,
            outages=[],
        )
    interval_s = analysis.probe_interval_seconds(probes) or 60.0
    monitored = min(total_minutes, len(probes) * interval_s / 60)
    found = analysis.find_outages(probes, min_minutes=settings.report.outage_min_minutes)
    # Failed probes inside a recorded maintenance window are planned downtime, not outages.
    planned_part = [_overlap_minutes(obs.maintenance, o.start, o.end) for o in found]
    outages = [o for o, p in zip(found, planned_part, strict=True) if o.minutes - p > 0]
    unplanned = sum(o.minutes - p for o, p in zip(found, planned_part, strict=True))
    planned_monitored = min(planned, monitored)
    base = monitored - planned_monitored
    percent = 100 * (base - unplanned) / base if base > 0 else None
    ok = sum(1 for p in probes if p.ok)
    return Availability(
        percent=_r(percent, 4),
        total_minutes=total_minutes,
        monitored_minutes=round(monitored, 2),
        coverage_percent=_r(100 * monitored / total_minutes),
        planned_downtime_minutes=round(planned, 2),
        unplanned_downtime_minutes=round(unplanned, 2),
        probes=len(probes),
        probe_success_percent=_r(100 * ok / len(probes), 3),
        outages=outages,
    )


def _error_budget(
    availability: Availability, target: float, elapsed: float, obs: Observations
) -> ErrorBudget:
    allowed = availability.total_minutes * (100 - target) / 100
    consumed = availability.unplanned_downtime_minutes
    remaining = None if consumed is None else allowed - consumed
    burn = None
    if consumed is not None and allowed > 0 and elapsed > 0:
        burn = (consumed / allowed) / elapsed
    burn_down = []
    if consumed is not None:
        zone = obs.period.zone
        spent = 0.0
        for day in obs.period.days:
            day_end = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)
            spent = sum(
                max(0.0, (min(o.end, day_end) - o.start).total_seconds() / 60)
                - _overlap_minutes(obs.maintenance, o.start, min(o.end, day_end))
                for o in availability.outages
                if o.start < day_end
            )
            burn_down.append(
                BudgetDay(
                    date=day,
                    consumed_minutes=round(spent, 2),
                    remaining_minutes=round(allowed - spent, 2),
                )
            )
    return ErrorBudget(
        target_percent=target,
        allowed_minutes=round(allowed, 2),
        consumed_minutes=_r(consumed),
        remaining_minutes=_r(remaining),
        remaining_percent=_r(None if remaining is None else 100 * remaining / allowed),
        burn_rate=_r(burn, 3),
        burn_down=burn_down,
    )


# -- traffic and performance ------------------------------------------------


def _traffic(index: _TrafficIndex, period: Period) -> Traffic:
    daily = [
        DayCount(
            date=day,
            requests=index.by_day[day].count if day in index.by_day else 0,
            errors_5xx=index.by_day[day].errors_5xx if day in index.by_day else 0,
            avg_ms=_r(index.by_day[day].mean) if day in index.by_day else None,
        )
        for day in period.days
    ]
    with_traffic = [d for d in daily if d.requests > 0]
    total = index.total.count
    by_endpoint = [
        EndpointCount(
            endpoint=name,
            requests=g.count,
            share=round(g.count / total, 6) if total else 0.0,
            errors_5xx=g.errors_5xx,
            avg_ms=_r(g.mean),
            p95_ms=_r(g.sketch.quantile(0.95)),
        )
        for name, g in sorted(index.by_endpoint.items(), key=lambda item: (-item[1].count, item[0]))
    ]
    return Traffic(
        total_requests=total,
        errors_4xx=index.total.errors_4xx,
        errors_5xx=index.total.errors_5xx,
        bytes_out=index.total.bytes_out,
        daily=daily,
        daily_average=_r(total / len(with_traffic)) if with_traffic else None,
        days_with_traffic=len(with_traffic),
        # Ties go to the earliest date: max/min keep the first of equal keys.
        busiest_day=max(with_traffic, key=lambda d: d.requests) if with_traffic else None,
        quietest_day=min(with_traffic, key=lambda d: d.requests) if with_traffic else None,
        by_endpoint=by_endpoint,
    )


def _performance(index: _TrafficIndex, period: Period) -> Performance:
    weeks: list[WeekRow] = []
    previous_avg: float | None = None
    days = period.days
    for number, first in enumerate(range(0, len(days), 7), start=1):
        week_days = days[first : first + 7]
        group = RequestTotals()
        daily_means = []
        for day in week_days:
            g = index.by_day.get(day)
            if g is None or g.count == 0:
                continue
            group.count += g.count
            group.sketch.merge(g.sketch)
            if g.mean is not None:
                daily_means.append(g.mean)
        avg = group.mean
        change = analysis.percent_change(avg, previous_avg)
        weeks.append(
            WeekRow(
                week=number,
                start=week_days[0],
                end=week_days[-1],
                requests=group.count,
                avg_ms=_r(avg),
                max_ms=_r(max(daily_means)) if daily_means else None,
                min_ms=_r(min(daily_means)) if daily_means else None,
                p95_ms=_r(group.sketch.quantile(0.95)),
                change_percent=change,
                trend=analysis.trend(change),
            )
        )
        if avg is not None:
            previous_avg = avg
    days_with_traffic = sum(1 for g in index.by_day.values() if g.count) or 1
    by_hour = [
        HourRow(
            hour=h,
            requests=g.count,
            avg_requests_per_day=round(g.count / days_with_traffic, 2),
            avg_ms=_r(g.mean),
            p50_ms=_r(g.sketch.quantile(0.5)),
            p95_ms=_r(g.sketch.quantile(0.95)),
        )
        for h, g in sorted(index.by_hour.items())
    ]
    hours = analysis.peak_hours({h: g.count for h, g in index.by_hour.items()})
    peak, off_peak = LatencySketch(), LatencySketch()
    peak_count = 0
    for h, g in index.by_hour.items():
        if h in hours:
            peak.merge(g.sketch)
            peak_count += g.count
        else:
            off_peak.merge(g.sketch)
    total = index.total.count
    return Performance(
        weekly=weeks,
        peak=PeakAnalysis(
            peak_hours=hours,
            rule=f"hours with ≥ {analysis.PEAK_FACTOR}× the median hour's requests",
            peak=latency(peak),
            off_peak=latency(off_peak),
            peak_requests_share_percent=_r(100 * peak_count / total) if total and hours else None,
        ),
        by_hour=by_hour,
    )


# -- services -----------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _services(
    obs: Observations, index: _TrafficIndex, availability: Availability, settings: Settings
) -> Services:
    cpu = [s.cpu_pct for s in obs.resources]
    mem = [s.mem_pct for s in obs.resources]
    mem_mb = [s.mem_bytes / 1_000_000 for s in obs.resources]
    compute = ComputeSection(
        desired_tasks=obs.compute.desired_tasks if obs.compute else None,
        running_tasks=obs.compute.running_tasks if obs.compute else None,
        health_percent=availability.probe_success_percent,
        cpu_avg_percent=_r(_mean(cpu)),
        cpu_max_percent=_r(max(cpu)) if cpu else None,
        memory_avg_percent=_r(_mean(mem)),
        memory_max_percent=_r(max(mem)) if mem else None,
        memory_avg_mb=_r(_mean(mem_mb), 1),
        utilisation_target_percent=settings.kpi.cpu_mem_pct,
        network_in_bytes=index.total.bytes_in if index.total.count else None,
        network_out_bytes=index.total.bytes_out if index.total.count else None,
    )
    active_minutes = [m.count for m in obs.minutes if m.count]
    total = index.total.count
    entry = EntryPointSection(
        latency_ms=latency(index.total.sketch),
        requests_per_minute_avg=_r(total / len(active_minutes)) if active_minutes else None,
        requests_per_minute_peak=float(max(active_minutes)) if active_minutes else None,
        error_rate_percent=_r(100 * index.total.errors_5xx / total, 4) if total else None,
        health_check_success_percent=availability.probe_success_percent,
        load_balancer_errors_5xx=obs.load_balancer_errors_5xx,
    )
    reads = [s for s in obs.store_stats if s.operation.startswith(READ_PREFIXES)]
    writes = [s for s in obs.store_stats if not s.operation.startswith(READ_PREFIXES)]

    def mean_latency(stats: list[StoreCallStat]) -> float | None:
        calls = sum(s.count for s in stats)
        total_ms = sum(s.latency_sum_ms for s in stats)
        return _r(total_ms / calls, 3) if calls else None

    ds = obs.data_store
    latest_monthly = _latest(obs.check_runs, "monthly")
    data_store = DataStoreSection(
        backend=ds.backend if ds else None,
        tables=ds.tables if ds else [names.USERS_TABLE, names.METRICS_TABLE],
        status=ds.status if ds else None,
        read_latency_ms=mean_latency(list(reads)),
        write_latency_ms=mean_latency(list(writes)),
        calls=sum(s.count for s in obs.store_stats) if obs.store_stats else None,
        errors=sum(s.errors for s in obs.store_stats) if obs.store_stats else None,
        throttles=sum(s.throttles for s in obs.store_stats) if obs.store_stats else None,
        consumed_capacity_units=_r(sum(s.capacity_units for s in obs.store_stats))
        if obs.store_stats
        else None,
        backup=_finding_text(latest_monthly, ("backup", "pitr"))
        or (_flag(ds.point_in_time_recovery, "PITR enabled", "PITR disabled") if ds else None),
        encryption=_finding_text(latest_monthly, ("encrypt",)) or (ds.encryption if ds else None),
    )
    site = obs.static_site
    static = StaticSiteSection(
        requests=site.requests if site else None,
        cache_hit_ratio_percent=_r(100 * site.cache_hits / site.requests)
        if site and site.requests
        else None,
        bytes_out=site.bytes_out if site else None,
        errors_5xx=site.errors_5xx if site else None,
        top_paths=site.top_paths[:5] if site else [],
    )
    return Services(compute=compute, entry_point=entry, data_store=data_store, static_site=static)


def _flag(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def _latest(runs: list[CheckRun], kind: str) -> CheckRun | None:
    matching = [r for r in runs if r.kind == kind]
    return max(matching, key=lambda r: r.started_at) if matching else None


def _finding_text(run: CheckRun | None, words: tuple[str, ...]) -> str | None:
    """'PASS: …' / 'FAIL: …' from the latest run's findings about these words."""
    if run is None:
        return None
    found = [f for f in run.findings if any(w in f.check_id.lower() for w in words)]
    if not found:
        return None
    worst = max(found, key=lambda f: ["PASS", "WARN", "FAIL"].index(f.status.value))
    return f"{worst.status.value}: {worst.detail}"


# -- incidents ------------------------------------------------------------------


def _incidents(
    obs: Observations, settings: Settings, availability: Availability
) -> list[IncidentRow]:
    breaches = analysis.find_breaches(
        obs.minutes,
        latency_target_ms=settings.kpi.response_time_ms,
        error_rate_target_pct=settings.kpi.error_rate_pct,
        min_minutes=settings.report.incident_min_minutes,
    )
    detected = analysis.merge_overlapping(
        [(b.kind, b.start, b.end, b.worst) for b in breaches]
        + [("outage", o.start, o.end, o.minutes) for o in availability.outages]
    )
    rows: list[IncidentRow] = []
    claimed: set[str] = set()
    for kind, start, end_at, worst in sorted(detected, key=lambda d: d[1]):
        match = next(
            (
                i
                for i in obs.incidents
                if i.id not in claimed
                and i.started_at < end_at
                and (i.ended_at or i.started_at) >= start
            ),
            None,
        )
        if match is not None:
            claimed.add(match.id)
        rows.append(
            IncidentRow(
                id=match.id if match else detected_incident_id(kind, start),
                kind=kind,
                start=start,
                end=end_at,
                duration_minutes=round((end_at - start).total_seconds() / 60, 1),
                severity=match.severity if match else ("major" if kind == "outage" else "minor"),
                summary=match.summary if match else "",
                detected=True,
                recorded=match is not None,
                peak_value=worst,
                impact=match.impact if match else "",
                cause=(match.cause or None) if match else None,
                response=match.response if match else "",
                prevention=match.prevention if match else "",
                response_minutes=_response_minutes(match),
            )
        )
    for incident in obs.incidents:
        if incident.id in claimed:
            continue
        end = incident.ended_at
        rows.append(
            IncidentRow(
                id=incident.id,
                kind="recorded",
                start=incident.started_at,
                end=end,
                duration_minutes=None
                if end is None
                else round((end - incident.started_at).total_seconds() / 60, 1),
                severity=incident.severity,
                summary=incident.summary,
                detected=False,
                recorded=True,
                peak_value=None,
                impact=incident.impact,
                cause=incident.cause or None,
                response=incident.response,
                prevention=incident.prevention,
                response_minutes=_response_minutes(incident),
            )
        )
    return sorted(rows, key=lambda r: r.start)


def _response_minutes(incident: Incident | None) -> float | None:
    """Minutes from detection (or start) to the first response, when recorded."""
    if incident is None or incident.responded_at is None:
        return None
    began = incident.detected_at or incident.started_at
    return round((incident.responded_at - began).total_seconds() / 60, 1)


# -- costs ----------------------------------------------------------------------


def _profile(obs: Observations, index: _TrafficIndex) -> UsageProfile:
    requests = index.total.count
    defaults = UsageProfile()
    return UsageProfile(
        hours_in_month=obs.period.hours,
        requests_per_month=requests,
        avg_response_bytes=index.total.bytes_out / requests
        if requests
        else defaults.avg_response_bytes,
        avg_request_bytes=index.total.bytes_in / requests
        if requests
        else defaults.avg_request_bytes,
        tasks=obs.compute.desired_tasks if obs.compute else names.DESIRED_TASKS,
    )


def _estimated_lines(
    obs: Observations, prices: PriceTable, index: _TrafficIndex
) -> list[CostLine] | None:
    """Usage × dated prices, by service; None when nothing was measured in the period."""
    if index.total.count == 0 and not obs.probes:
        return None
    result = estimate(_profile(obs, index), prices, Architecture.FARGATE_ALB)
    bases: dict[str, list[str]] = defaultdict(list)
    for line in result.lines:
        bases[line.service].append(line.basis)
    return [
        CostLine(service=service, usd=usd, basis="; ".join(bases[service]))
        for service, usd in result.by_service().items()
    ]


def _costs(
    obs: Observations,
    previous: Observations | None,
    settings: Settings,
    prices: PriceTable,
    index: _TrafficIndex,
) -> Costs:
    budget = settings.kpi.budget_usd
    lines: list[CostLine] | None
    if obs.measured_costs is not None:
        lines = obs.measured_costs.lines
        previous_lines = obs.measured_costs.previous_lines
        source, detail = "cost-explorer", obs.measured_costs.source
    else:
        lines = _estimated_lines(obs, prices, index)
        previous_lines = (
            _estimated_lines(
                previous, prices, _TrafficIndex.of(previous.traffic, previous.period.zone)
            )
            if previous is not None
            else None
        )
        source = "estimate" if lines is not None else "none"
        detail = (
            f"estimate: measured usage × price table of {prices.as_of.isoformat()}"
            f" ({prices.region}, {Architecture.FARGATE_ALB.description})"
        )
    if lines is None:
        return Costs(
            source="none",
            source_detail="no usage was measured in this period",
            total_usd=None,
            previous_total_usd=_r(sum(line.usd for line in previous_lines), 4)
            if previous_lines
            else None,
            change_percent=None,
            budget_usd=budget,
            headroom_usd=None,
            budget_used_percent=None,
            per_request_usd=None,
            per_user_usd=None,
            per_hour_usd=None,
            users=obs.user_count,
            lines=[],
        )
    total = sum(line.usd for line in lines)
    previous_by_service = {line.service: line.usd for line in previous_lines or []}
    previous_total = sum(previous_by_service.values()) if previous_lines else None
    requests = index.total.count
    return Costs(
        source=source,
        source_detail=detail,
        total_usd=round(total, 4),
        previous_total_usd=_r(previous_total, 4),
        change_percent=analysis.percent_change(total, previous_total),
        budget_usd=budget,
        headroom_usd=round(budget - total, 4),
        budget_used_percent=round(100 * total / budget, 2),
        per_request_usd=total / requests if requests else None,
        per_user_usd=round(total / obs.user_count, 4) if obs.user_count else None,
        per_hour_usd=round(total / obs.period.hours, 5),
        users=obs.user_count,
        lines=[
            CostRow(
                service=line.service,
                usd=round(line.usd, 4),
                share=round(line.usd / total, 4) if total else None,
                previous_usd=_r(previous_by_service.get(line.service), 4)
                if previous_lines
                else None,
                change_percent=analysis.percent_change(
                    line.usd, previous_by_service.get(line.service)
                ),
                basis=line.basis,
            )
            for line in sorted(lines, key=lambda item: -item.usd)
        ],
    )


# -- checks, security, work -------------------------------------------------------


def _expected_runs(period: Period, now: datetime) -> dict[str, int]:
    """The schedule: one daily run a day, one weekly run a full week, one monthly run."""
    days = period.days
    if now < period.end:
        today = now.astimezone(period.zone).date()
        days = [d for d in days if d <= today]
    return {"daily": len(days), "weekly": len(days) // 7, "monthly": 1 if days else 0}


def _work(obs: Observations, period: Period, now: datetime) -> WorkDone:
    expected = _expected_runs(period, now)
    checks = []
    for kind in CHECK_KINDS:
        runs = [r for r in obs.check_runs if r.kind == kind]
        if kind == "daily":  # at most one counts per day
            done = len({r.started_at.astimezone(period.zone).date() for r in runs})
        else:
            done = len(runs)
        latest = max(runs, key=lambda r: r.started_at) if runs else None
        checks.append(
            CheckSummary(
                kind=kind,
                expected=expected[kind],
                done=min(done, expected[kind]) if expected[kind] else done,
                passed=sum(1 for r in runs if r.passed),
                last_run=latest.started_at if latest else None,
                failing_checks=sorted(
                    {f.check_id for f in latest.findings if f.status is not FindingStatus.PASS}
                )
                if latest
                else [],
            )
        )
    items = [WorkEntry(at=w.at, kind=w.kind, summary=w.summary) for w in obs.work_items]
    return WorkDone(checks=checks, items=items)


def _security(obs: Observations) -> SecurityStatus:
    security_incidents = sum(1 for i in obs.incidents if i.severity == "security")
    latest = _latest(obs.check_runs, "monthly")
    if latest is None:
        return SecurityStatus(
            status=Status.NO_DATA,
            last_run=None,
            findings_pass=0,
            findings_warn=0,
            findings_fail=0,
            failing=[],
            security_incidents=security_incidents,
        )
    counts = {s: sum(1 for f in latest.findings if f.status is s) for s in FindingStatus}
    status = Status.MET
    if counts[FindingStatus.FAIL]:
        status = Status.MISSED
    elif counts[FindingStatus.WARN]:
        status = Status.WARN
    return SecurityStatus(
        status=status,
        last_run=latest.started_at,
        findings_pass=counts[FindingStatus.PASS],
        findings_warn=counts[FindingStatus.WARN],
        findings_fail=counts[FindingStatus.FAIL],
        failing=sorted(f.check_id for f in latest.findings if f.status is not FindingStatus.PASS),
        security_incidents=security_incidents,
    )


# -- KPIs -------------------------------------------------------------------------


def _kpi(
    kpi_id: str,
    category: str,
    unit: str,
    target: float,
    actual: float | None,
    *,
    higher_is_better: bool,
    tolerance: float | None = None,
) -> Kpi:
    status, achievement = analysis.kpi_status(
        actual, target, higher_is_better=higher_is_better, tolerance=tolerance
    )
    return Kpi(
        id=kpi_id,
        category=category,
        unit=unit,
        direction="higher_is_better" if higher_is_better else "lower_is_better",
        target=target,
        actual=actual,
        achievement_percent=_r(achievement),
        met=None if status is Status.NO_DATA else status is Status.MET,
        status=status,
    )


def _kpis(
    obs: Observations,
    settings: Settings,
    availability: Availability,
    index: _TrafficIndex,
    error_rate: float | None,
    incidents: list[IncidentRow],
    work: WorkDone,
    costs: Costs,
    security: SecurityStatus,
) -> list[Kpi]:
    t = settings.kpi
    responses = [i.response_minutes for i in incidents if i.response_minutes is not None]
    expected = sum(c.expected for c in work.checks)
    done = sum(c.done for c in work.checks)
    docs = sum(1 for w in obs.work_items if w.kind == "docs")
    return [
        _kpi("availability", "technical", "%", t.availability_pct, availability.percent,
             higher_is_better=True, tolerance=100 - t.availability_pct),
        _kpi("response_time_avg", "technical", "ms", t.response_time_ms,
             _r(index.total.mean), higher_is_better=False),
        _kpi("error_rate", "technical", "%", t.error_rate_pct, error_rate, higher_is_better=False),
        _kpi("security_incidents", "technical", "count", 0, float(security.security_incidents),
             higher_is_better=False),
        _kpi("incident_response_time", "operational", "min", t.incident_response_minutes,
             _r(_mean(responses), 1), higher_is_better=False),
        _kpi("maintenance_completion", "operational", "%", t.maintenance_completion_pct,
             _r(100 * done / expected, 1) if expected else None, higher_is_better=True),
        _kpi("documentation_updates", "operational", "count", float(t.documentation_updates),
             float(docs), higher_is_better=True),
        _kpi("monthly_cost", "cost", "USD", t.budget_usd, _r(costs.total_usd),
             higher_is_better=False),
        _kpi("budget_attainment", "cost", "%", 100.0, costs.budget_used_percent,
             higher_is_better=False),
    ]  # fmt: skip


# -- proposals ----------------------------------------------------------------------


def _proposals(
    settings: Settings,
    options: list[CostEstimate],
    availability: Availability,
    error_rate: float | None,
    performance: Performance,
    incidents: list[IncidentRow],
    work: WorkDone,
    security: SecurityStatus,
    costs: Costs,
    services: Services,
    budget: ErrorBudget,
) -> list[Proposal]:
    """Rules over the figures; each proposal carries the figures that triggered it."""
    t = settings.kpi
    out: list[Proposal] = []
    if costs.total_usd is not None and costs.total_usd > t.budget_usd and costs.lines:
        top = costs.lines[0]
        out.append(
            Proposal(
                id="cost_over_budget",
                priority="high",
                evidence={
                    "total_usd": round(costs.total_usd, 2),
                    "budget_usd": t.budget_usd,
                    "top_service": top.service,
                    "top_usd": round(top.usd, 2),
                },
            )
        )
        cheapest = options[0] if options else None
        if cheapest is not None and cheapest.architecture is not Architecture.FARGATE_ALB:
            out.append(
                Proposal(
                    id="cheaper_architecture",
                    priority="medium",
                    evidence={
                        "architecture": cheapest.architecture.value,
                        "usd": round(cheapest.total_usd, 2),
                        "current_usd": round(costs.total_usd, 2),
                    },
                )
            )
    if availability.percent is not None and availability.percent < t.availability_pct:
        out.append(
            Proposal(
                id="availability_below_target",
                priority="high",
                evidence={
                    "availability_percent": availability.percent,
                    "target_percent": t.availability_pct,
                    "outages": len(availability.outages),
                },
            )
        )
    if error_rate is not None and error_rate > t.error_rate_pct:
        out.append(
            Proposal(
                id="error_rate_above_target",
                priority="high",
                evidence={"error_rate_percent": error_rate, "target_percent": t.error_rate_pct},
            )
        )
    rising = [w for w in performance.weekly if w.trend == "rising"]
    if rising:
        last = rising[-1]
        out.append(
            Proposal(
                id="latency_rising",
                priority="medium",
                evidence={
                    "week": last.week,
                    "change_percent": last.change_percent or 0.0,
                    "avg_ms": last.avg_ms or 0.0,
                },
            )
        )
    peak_p95 = performance.peak.peak.p95
    if peak_p95 is not None and peak_p95 > t.response_time_ms:
        out.append(
            Proposal(
                id="peak_p95_over_target",
                priority="medium",
                evidence={
                    "peak_p95_ms": peak_p95,
                    "target_ms": t.response_time_ms,
                    "peak_hours": ",".join(str(h) for h in performance.peak.peak_hours),
                },
            )
        )
    compute = services.compute
    for metric, value in (("cpu", compute.cpu_avg_percent), ("memory", compute.memory_avg_percent)):
        if value is not None and value > t.cpu_mem_pct:
            out.append(
                Proposal(
                    id=f"{metric}_high",
                    priority="high",
                    evidence={"avg_percent": value, "target_percent": t.cpu_mem_pct},
                )
            )
    missing_cause = [i for i in incidents if i.cause is None]
    if missing_cause:
        out.append(
            Proposal(
                id="record_incident_causes",
                priority="medium",
                evidence={
                    "incidents": len(missing_cause),
                    "first": missing_cause[0].id,
                },
            )
        )
    for check in work.checks:
        if check.expected and check.done < check.expected:
            out.append(
                Proposal(
                    id=f"{check.kind}_checks_missed",
                    priority="medium" if check.kind != "monthly" else "high",
                    evidence={"done": check.done, "expected": check.expected},
                )
            )
    if security.status is Status.MISSED:
        out.append(
            Proposal(
                id="security_findings",
                priority="high",
                evidence={"failing": ", ".join(security.failing), "fail": security.findings_fail},
            )
        )
    if budget.burn_rate is not None and budget.burn_rate > 1:
        out.append(
            Proposal(
                id="error_budget_burning",
                priority="high",
                evidence={
                    "burn_rate": budget.burn_rate,
                    "remaining_minutes": budget.remaining_minutes or 0.0,
                },
            )
        )
    if availability.probes == 0:
        out.append(Proposal(id="enable_prober", priority="high", evidence={"probes": 0}))
    elif availability.coverage_percent is not None and availability.coverage_percent < 90:
        out.append(
            Proposal(
                id="prober_coverage_low",
                priority="medium",
                evidence={"coverage_percent": availability.coverage_percent},
            )
        )
    return out
