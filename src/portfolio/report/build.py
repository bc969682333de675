"""Fill the report model from Observations: every figure computed here, once.

Percentiles are merges of sketches (hourly buckets), so a week, a day and the
month are computed the same way from the same data. Local dates and hours are
in the report's time zone; data is stored in UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from portfolio import names
from portfolio.config import Design, Settings
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
from portfolio.report import analysis, evidence, mix, rules, security, weekly
from portfolio.report.kpis import spec as kpi_spec
from portfolio.report.maintenance import maintenance
from portfolio.report.model import (
    SCHEMA_VERSION,
    Availability,
    BudgetDay,
    CheckSummary,
    Closing,
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
    IncidentCounts,
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
    SummaryPoint,
    Traffic,
    WorkDone,
    WorkEntry,
)
from portfolio.report.plan import load_plan
from portfolio.security_rules import PERMISSION_KIND_PREFIX
from portfolio.sources.base import CostLine, Observations, ReportSource, TrafficBucket
from portfolio.store.ids import detected_incident_id
from portfolio.store.records import (
    CheckRun,
    FindingStatus,
    Incident,
    MaintenanceWindow,
    ProbeCounts,
    ResourceSummary,
    StoreCallStat,
)
from portfolio.store.summaries import summarise_resources
from portfolio.telemetry.outages import find_outages, probe_interval_seconds
from portfolio.telemetry.percentiles import latency_percentiles
from portfolio.telemetry.sketch import LatencySketch
from portfolio.telemetry.totals import RequestTotals, RequestVolume

CHECK_KINDS = ("daily", "weekly", "monthly")
DOCS_KIND = "docs"
"""The work-item kind counted under ドキュメント更新 (the rest is 改善作業)."""
READ_PREFIXES = ("get", "list", "read", "query", "scan", "ping")


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def latency(sketch: LatencySketch) -> LatencyFigures:
    figures = latency_percentiles(sketch, digits=2)
    return LatencyFigures(avg=figures.avg, p50=figures.p50, p95=figures.p95, p99=figures.p99)


@dataclass(frozen=True, slots=True)
class _Volume:
    count: int
    bytes_in: int
    bytes_out: int

    @classmethod
    def of(cls, buckets: Iterable[TrafficBucket]) -> _Volume:
        """Sums only: the month before is priced, never shown, so its sketches are not merged."""
        rows = list(buckets)
        count = sum(b.count for b in rows)
        return cls(count, sum(b.bytes_in for b in rows), sum(b.bytes_out for b in rows))


@dataclass
class _TrafficIndex:
    """The month's hourly buckets grouped every way the report needs, in one pass."""

    total: RequestTotals
    by_day: dict[date, RequestTotals]
    by_hour: dict[int, RequestTotals]
    by_endpoint: dict[str, RequestTotals]
    by_utc_hour: dict[datetime, RequestTotals]

    @classmethod
    def of(cls, buckets: Iterable[TrafficBucket], zone: ZoneInfo) -> _TrafficIndex:
        """Buckets grouped by hour and by endpoint; days and hours of day from the ~720 hours.

        Merging sketches is the costly step of a report, so each grouping merges its
        sketches in one bulk step (RequestTotals.grouped) and days, hours of day and
        the month are built from the hours, not from every bucket again.
        """
        rows = list(buckets)
        by_utc_hour = RequestTotals.grouped(rows, [b.hour for b in rows])
        by_endpoint = RequestTotals.grouped(rows, [b.endpoint for b in rows])
        hours = list(by_utc_hour.values())
        local = [hour.astimezone(zone) for hour in by_utc_hour]
        total = RequestTotals.combined(hours, [None] * len(hours)).get(None, RequestTotals())
        by_day = RequestTotals.combined(hours, [moment.date() for moment in local])
        by_hour = RequestTotals.combined(hours, [moment.hour for moment in local])
        return cls(total, by_day, by_hour, by_endpoint, by_utc_hour)


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


def _platform(source: str) -> Literal["aws", "local"]:
    """Where the measured service ran: AWS for the AWS source, ALB logs or a DynamoDB store."""
    text = source.lower()
    return "aws" if any(word in text for word in ("aws", "alb", "dynamodb")) else "local"


def has_data(obs: Observations) -> bool:
    """Anything measured or recorded in the period: otherwise the report would be all 'no data'."""
    return bool(
        obs.traffic or obs.probes or _resources(obs).samples or obs.check_runs or obs.incidents
        or obs.work_items or obs.static_site or obs.measured_costs or obs.store_stats
        or _site_probes(obs).probes or obs.log_counts
    )  # fmt: skip


# Sources give these as sums or as lists (Observations says which); one view of each.


def _resources(obs: Observations) -> ResourceSummary:
    return obs.resource_summary or summarise_resources(obs.resources)


def _site_probes(obs: Observations) -> ProbeCounts:
    if obs.site_probe_counts is not None:
        return obs.site_probe_counts
    return ProbeCounts(probes=len(obs.site_probes), ok=sum(1 for p in obs.site_probes if p.ok))


def _target_health(obs: Observations) -> tuple[int, int]:
    """Healthy and registered target-minutes."""
    if obs.target_health_totals is not None:
        return obs.target_health_totals.healthy, obs.target_health_totals.registered
    return sum(h.healthy for h in obs.target_health), sum(h.total for h in obs.target_health)


def compute_report(
    obs: Observations,
    settings: Settings,
    *,
    previous: Observations | None,
    now: datetime | None,
    prices: PriceTable,
    design: Architecture = Architecture.FARGATE_ALB,
    shape: Shape | None = None,
) -> Report:
    """The report model; ``design`` is the architecture the cost estimate prices.

    ``shape`` gives the measured usage the shape of the design's synthesized template
    (``portfolio.infra.cost.profile_from_assembly``): the path ``infra cost`` prices by,
    so that one design at one usage has one figure. Without it, the estimator's defaults.
    """
    now = now or datetime.now(UTC)
    period = obs.period
    zone = period.zone
    targets = settings.kpi
    index = _TrafficIndex.of(obs.traffic, zone)
    elapsed = _elapsed_fraction(period, now)

    availability = _availability(obs, settings, elapsed)
    traffic = _traffic(index, period, obs.traffic)
    traffic.outside_probe_requests = obs.outside_probe_requests
    performance = _performance(index, period, _mean_ms(previous))
    found = _incidents(obs, settings, availability)
    incidents = evidence.with_evidence(found, obs.minutes, obs.log_counts)
    priced = _Priced(prices, design, shape)
    costs = _costs(obs, previous, settings, priced, index, elapsed)
    options = (
        compare(priced.profile(obs, index.total, elapsed), prices) if index.total.count else []
    )
    work = _work(obs, period, now)
    security = _security(obs)
    services = _services(obs, index, availability, settings, elapsed)
    error_rate = (
        _r(100 * index.total.errors_5xx / index.total.count, 4) if index.total.count else None
    )
    _cheapest(costs, options)
    error_budget = _error_budget(availability, targets.availability_pct, elapsed, obs)
    kpis = _kpis(obs, settings, availability, index, error_rate, incidents, work, costs, security)
    overall = latency(index.total.sketch)
    proposals = rules.proposals(
        rules.RuleInputs(
            settings=settings, availability=availability, error_rate=error_rate,
            performance=performance, incidents=incidents, work=work, security=security,
            costs=costs, services=services, budget=error_budget, p95_ms=overall.p95,
            performance_zone=zone,
        )
    )  # fmt: skip
    plan = load_plan(settings.report.plan_path, period.label)
    return Report(
        document=_document_info(obs, settings, now),
        period=_period_info(period, now, elapsed),
        availability=availability,
        latency_ms=latency(index.total.sketch),
        error_rate=error_rate,
        kpis=kpis,
        services=services,
        performance=performance,
        traffic=traffic,
        incidents=incidents,
        incident_counts=_incident_counts(incidents),
        costs=costs,
        security=security,
        work=work,
        error_budget=error_budget,
        proposals=proposals,
        plan=plan,
        summary=_summary(kpis, incidents, availability, proposals),
        closing=_closing(period, settings, now),
    )


def _document_info(obs: Observations, settings: Settings, now: datetime) -> DocumentInfo:
    """文書情報: the environment, author and sources the report names."""
    period = obs.period
    return DocumentInfo(
        title=f"{settings.report.environment_name} {period.label}",
        environment=settings.report.environment_name,
        author=settings.report.author,
        approver=settings.report.approver,
        generated_at=now,
        timezone=period.tz,
        sources=[obs.source],
        simulated=obs.simulated,
        notes=list(obs.notes),
        version=f"v{SCHEMA_VERSION}",
        target_environment=settings.report.environment,
        platform=_platform(obs.source),
        frequency=settings.report.frequency,
    )


def _period_info(period: Period, now: datetime, elapsed: float) -> PeriodInfo:
    """The month in the report's zone; in progress until its end."""
    zone = period.zone
    in_progress = now < period.end
    return PeriodInfo(
        month=period.label,
        start=period.start.astimezone(zone),
        end=period.end.astimezone(zone),
        timezone=period.tz,
        total_hours=period.hours,
        days=len(period.days),
        in_progress=in_progress,
        elapsed_hours=round(period.hours * elapsed, 2),
    )


def _summary(
    kpis: list[Kpi],
    incidents: list[IncidentRow],
    availability: Availability,
    proposals: list[Proposal],
) -> Summary:
    """総括・所感's points and the counts the terminal summary shows."""
    statuses = [k.status for k in kpis]
    return Summary(
        achievements=_achievements(kpis, incidents, availability),
        issues=_issues(kpis, incidents, proposals),
        expectations=_expectations(proposals),
        kpis_met=statuses.count(Status.MET),
        kpis_warn=statuses.count(Status.WARN),
        kpis_missed=statuses.count(Status.MISSED),
        kpis_no_data=statuses.count(Status.NO_DATA),
        incidents=len(incidents),
        incidents_without_cause=sum(1 for i in incidents if i.cause is None),
        proposals=len(proposals),
    )


def _closing(period: Period, settings: Settings, now: datetime) -> Closing:
    """The closing block: today in the report's zone, and the next report's date."""
    return Closing(
        report_date=now.astimezone(period.zone).date(),
        reporter=settings.report.author,
        approver=settings.report.approver,
        next_report_date=period.next().days[-1],
    )


def _mean_ms(obs: Observations | None) -> float | None:
    """A period's mean response time from its buckets' sums (no sketch merge needed)."""
    count = sum(b.count for b in obs.traffic) if obs else 0
    return sum(b.sketch.sum for b in obs.traffic) / count if obs and count else None


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


def _availability(obs: Observations, settings: Settings, elapsed: float = 1.0) -> Availability:
    period = obs.period
    total_minutes = period.hours * 60
    # A month in progress is measured up to now: the rest of it is not yet missing.
    span_minutes = max(total_minutes * elapsed, 1.0)
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
            coverage_threshold_percent=settings.report.min_coverage_pct,
            coverage_sufficient=None,
        )
    interval_s = probe_interval_seconds(probes) or 60.0
    # Minutes without a probe are unknown, not up: availability is over measured minutes only.
    monitored = min(span_minutes, len(probes) * interval_s / 60)
    coverage = 100 * monitored / span_minutes
    found = find_outages(probes, min_minutes=settings.report.outage_min_minutes)
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
        coverage_percent=_r(coverage),
        planned_downtime_minutes=round(planned, 2),
        unplanned_downtime_minutes=round(unplanned, 2),
        probes=len(probes),
        probe_success_percent=_r(100 * ok / len(probes), 3),
        outages=outages,
        coverage_threshold_percent=settings.report.min_coverage_pct,
        coverage_sufficient=coverage >= settings.report.min_coverage_pct,
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


def _traffic(index: _TrafficIndex, period: Period, buckets: list[TrafficBucket]) -> Traffic:
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
        pattern=mix.pattern(buckets),
    )


def _performance(
    index: _TrafficIndex, period: Period, previous_mean_ms: float | None = None
) -> Performance:
    weeks = weekly.weeks(period.days, index.by_day, index.by_utc_hour, period.zone,
                         previous_mean_ms)  # fmt: skip
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
    counts = {h: g.count for h, g in index.by_hour.items()}
    hours = analysis.peak_hours(counts)
    quiet = [h for h in analysis.off_peak_hours(counts) if h not in hours]
    peak, off_peak = LatencySketch(), LatencySketch()
    peak_count = 0
    for h, g in index.by_hour.items():
        if h in hours:
            peak.merge(g.sketch)
            peak_count += g.count
        elif h in quiet or not quiet:
            off_peak.merge(g.sketch)
    total = index.total.count
    return Performance(
        weekly=weeks,
        peak=PeakAnalysis(
            peak_hours=hours,
            off_peak_hours=quiet,
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


def _resource_names(settings: Settings) -> dict[str, str]:
    """The environment's resources as the design has them (the serverless design has no
    cluster, load balancer or target group: its function behind CloudFront)."""
    named = settings.resources
    if settings.design is Design.SERVERLESS:
        return {
            "cluster": "AWS Lambda",
            "service": settings.api_function,
            "load_balancer": "CloudFront → Lambda Function URL",
            "target_group": "—",
        }
    return {"cluster": named.cluster, "service": named.service,
            "load_balancer": named.load_balancer, "target_group": named.target_group}  # fmt: skip


def _services(
    obs: Observations,
    index: _TrafficIndex,
    availability: Availability,
    settings: Settings,
    elapsed: float = 1.0,
) -> Services:
    return Services(
        compute=_compute(obs, index, availability, settings),
        entry_point=_entry_point(obs, index, availability, settings, elapsed),
        data_store=_data_store(obs),
        static_site=_static_site(obs, settings),
    )


def _compute(
    obs: Observations, index: _TrafficIndex, availability: Availability, settings: Settings
) -> ComputeSection:
    """1. ECS/Fargate: tasks, CPU and memory, network, logs."""
    resources = _resources(obs)
    levels: dict[str, int] = defaultdict(int)
    for log in obs.log_counts:
        levels[log.level.lower()] += log.count
    measured_s = 60 * len({m.minute for m in obs.minutes if m.count}) or None
    moved = index.total.bytes_in + index.total.bytes_out
    named = _resource_names(settings)
    return ComputeSection(
        cluster=named["cluster"],
        service=named["service"],
        network_mb_per_s=_r(moved / 1e6 / measured_s, 4) if measured_s and moved else None,
        logs_recorded=bool(obs.log_counts),
        error_logs=(levels["error"] + levels["critical"]) if obs.log_counts else None,
        warning_logs=levels["warning"] if obs.log_counts else None,
        desired_tasks=obs.compute.desired_tasks if obs.compute else None,
        running_tasks=obs.compute.running_tasks if obs.compute else None,
        health_percent=availability.probe_success_percent,
        cpu_avg_percent=_r(resources.cpu_avg_pct),
        cpu_max_percent=_r(resources.cpu_max_pct),
        memory_avg_percent=_r(resources.mem_avg_pct),
        memory_max_percent=_r(resources.mem_max_pct),
        memory_avg_mb=_r(
            None if resources.mem_avg_bytes is None else resources.mem_avg_bytes / 1e6, 1
        ),
        utilisation_target_percent=settings.kpi.cpu_mem_pct,
        network_in_bytes=index.total.bytes_in if index.total.count else None,
        network_out_bytes=index.total.bytes_out if index.total.count else None,
    )


def _entry_point(
    obs: Observations,
    index: _TrafficIndex,
    availability: Availability,
    settings: Settings,
    elapsed: float = 1.0,
) -> EntryPointSection:
    """2. Application Load Balancer: target health, latency, requests, errors."""
    named = _resource_names(settings)
    active_minutes = [m.count for m in obs.minutes if m.count]
    total = index.total.count
    # 平均 req/min is over the period's minutes (so far), quiet minutes included.
    period_minutes = max(availability.total_minutes * elapsed, 1.0)
    healthy, registered = _target_health(obs)
    return EntryPointSection(
        load_balancer=named["load_balancer"],
        target_group=named["target_group"],
        target_health_percent=_r(100 * healthy / registered, 3) if registered else None,
        latency_ms=latency(index.total.sketch),
        requests_per_minute_avg=_r(total / period_minutes) if total else None,
        requests_per_minute_peak=float(max(active_minutes)) if active_minutes else None,
        error_rate_percent=_r(100 * index.total.errors_5xx / total, 4) if total else None,
        health_check_success_percent=availability.probe_success_percent,
        load_balancer_errors_5xx=obs.load_balancer_errors_5xx,
    )


def _data_store(obs: Observations) -> DataStoreSection:
    """3. DynamoDB: the tables, their backups and encryption, the store's calls."""
    reads = [s for s in obs.store_stats if s.operation.startswith(READ_PREFIXES)]
    writes = [s for s in obs.store_stats if not s.operation.startswith(READ_PREFIXES)]

    def mean_latency(stats: list[StoreCallStat]) -> float | None:
        calls = sum(s.count for s in stats)
        total_ms = sum(s.latency_sum_ms for s in stats)
        return _r(total_ms / calls, 3) if calls else None

    ds = obs.data_store
    latest_monthly = _latest(obs.check_runs, "monthly")
    seconds = 3600 * obs.period.hours

    def capacity_percent(stats: list[StoreCallStat], limit: float | None) -> float | None:
        if not stats or not limit:
            return None
        return _r(100 * sum(s.capacity_units for s in stats) / seconds / limit, 3)

    return DataStoreSection(
        read_capacity_percent=capacity_percent(reads, ds.max_read_units_per_s if ds else None),
        write_capacity_percent=capacity_percent(writes, ds.max_write_units_per_s if ds else None),
        max_read_units_per_s=ds.max_read_units_per_s if ds else None,
        max_write_units_per_s=ds.max_write_units_per_s if ds else None,
        backup_enabled=_backup_enabled(latest_monthly, ds.point_in_time_recovery if ds else None),
        encryption_type=(ds.encryption if ds else None) or _tables_kms(latest_monthly),
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


def _static_site(obs: Observations, settings: Settings) -> StaticSiteSection:
    """4. S3 + CloudFront: the site's probes and the distribution's logs."""
    site = obs.static_site
    probed = _site_probes(obs)
    return StaticSiteSection(
        bucket=obs.site_bucket,
        distribution=obs.site_distribution,
        site_probes=probed.probes,
        site_ok_percent=_r(100 * probed.ok / probed.probes, 3) if probed.probes else None,
        origin_error_rate_percent=_r(100 * site.errors_5xx / site.requests, 4)
        if site and site.requests
        else None,
        edge_locations=site.edge_locations[:5] if site else [],
        requests=site.requests if site else None,
        cache_hit_ratio_percent=_r(100 * site.cache_hits / site.requests)
        if site and site.requests and site.cache_hits is not None
        else None,
        cache_hit_target_percent=settings.report.cache_hit_target_pct,
        bytes_out=site.bytes_out if site else None,
        errors_5xx=site.errors_5xx if site else None,
        top_paths=site.top_paths[:5] if site else [],
    )


def _backup_enabled(run: CheckRun | None, pitr: bool | None) -> bool | None:
    """PITR on, from the monthly check when it ran (it sees the real table), else the source."""
    if run is not None:
        found = [f for f in run.findings if f.check_id == "backup_pitr_enabled"]
        if found:
            return all(f.status is FindingStatus.PASS for f in found)
    return pitr


def _tables_kms(run: CheckRun | None) -> str | None:
    """KMS when the monthly check saw every table encrypted with KMS; None when it did not run."""
    if run is None:
        return None
    found = [f for f in run.findings if f.check_id == "encrypt_tables"]
    return "KMS" if found and all(f.status is FindingStatus.PASS for f in found) else None


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
    worst = max(found, key=lambda f: list(FindingStatus).index(f.status))
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
                category=analysis.incident_category(kind, match.severity if match else None),
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
                category=analysis.incident_category("recorded", incident.severity),
            )
        )
    return sorted(rows, key=lambda r: r.start)


def _incident_counts(incidents: list[IncidentRow]) -> IncidentCounts:
    """インシデント発生状況: the period's incidents by category."""
    categories = [i.category for i in incidents]
    return IncidentCounts(
        major=categories.count("major"),
        minor=categories.count("minor"),
        security=categories.count("security"),
    )


def _response_minutes(incident: Incident | None) -> float | None:
    """Minutes from detection (or start) to the first response, when recorded."""
    if incident is None or incident.responded_at is None:
        return None
    began = incident.detected_at or incident.started_at
    return round((incident.responded_at - began).total_seconds() / 60, 1)


# -- costs ----------------------------------------------------------------------


def _profile(obs: Observations, volume: RequestVolume, elapsed: float = 1.0) -> UsageProfile:
    """The usage priced: in a month in progress, the hours so far with the requests so far,
    so the cost and every cost per request, user or hour share one basis (to date)."""
    requests = volume.count
    defaults = UsageProfile()
    return UsageProfile(
        hours_in_month=max(obs.period.hours * elapsed, 1 / 60),
        requests_per_month=requests,
        avg_response_bytes=volume.bytes_out / requests if requests else defaults.avg_response_bytes,
        avg_request_bytes=volume.bytes_in / requests if requests else defaults.avg_request_bytes,
        tasks=obs.compute.desired_tasks if obs.compute else names.DESIRED_TASKS,
    )


Shape = Callable[[UsageProfile], UsageProfile]
"""Measured usage -> the profile of the design's template with that usage."""


@dataclass(frozen=True, slots=True)
class _Priced:
    """How the report prices usage: the price table, the design, its template's shape."""

    prices: PriceTable
    design: Architecture
    shape: Shape | None

    def profile(
        self, obs: Observations, volume: RequestVolume, elapsed: float = 1.0
    ) -> UsageProfile:
        measured = _profile(obs, volume, elapsed)
        return measured if self.shape is None else self.shape(measured)


def _estimated_lines(
    obs: Observations,
    priced: _Priced,
    volume: RequestVolume,
    elapsed: float = 1.0,
) -> list[CostLine] | None:
    """Usage × dated prices, by service; None when nothing was measured in the period."""
    if volume.count == 0 and not obs.probes:
        return None
    result = estimate(priced.profile(obs, volume, elapsed), priced.prices, priced.design)
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
    priced: _Priced,
    index: _TrafficIndex,
    elapsed: float = 1.0,
) -> Costs:
    prices, design = priced.prices, priced.design
    budget = settings.kpi.budget_usd
    lines: list[CostLine] | None
    if obs.measured_costs is not None:
        lines = obs.measured_costs.lines
        previous_lines = obs.measured_costs.previous_lines
        source, detail = "cost-explorer", obs.measured_costs.source
    else:
        lines = _estimated_lines(obs, priced, index.total, elapsed)
        previous_lines = (
            _estimated_lines(previous, priced, _Volume.of(previous.traffic))
            if previous is not None
            else None
        )
        source = "estimate" if lines is not None else "none"
        detail = (
            f"estimate: measured usage × price table of {prices.as_of.isoformat()}"
            f" ({prices.region}, design {design.value}: {design.description})"
        )
    if lines is None:
        return _unmeasured(obs, budget, previous_lines)
    return _measured(obs, previous, budget, lines, previous_lines, (source, detail), index, elapsed)


def _unmeasured(obs: Observations, budget: float, previous_lines: list[CostLine] | None) -> Costs:
    """No usage measured in the period: no cost, only the month before's total if known."""
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
        budget_attainment_percent=None,
        per_request_previous_usd=None,
        per_user_previous_usd=None,
        per_hour_previous_usd=None,
        per_request_change_percent=None,
        per_user_change_percent=None,
        per_hour_change_percent=None,
        efficiency=None,
        cheapest_design=None,
        cheapest_design_usd=None,
        cheapest_design_saving_usd=None,
    )


def _measured(
    obs: Observations,
    previous: Observations | None,
    budget: float,
    lines: list[CostLine],
    previous_lines: list[CostLine] | None,
    origin: tuple[str, str],
    index: _TrafficIndex,
    elapsed: float,
) -> Costs:
    """The month's cost from its lines, against the month before and the budget."""
    source, detail = origin
    total = sum(line.usd for line in lines)
    previous_by_service = {line.service: line.usd for line in previous_lines or []}
    previous_total = sum(previous_by_service.values()) if previous_lines else None
    requests = index.total.count
    per_request = total / requests if requests else None
    per_user = round(total / obs.user_count, 4) if obs.user_count else None
    per_hour = round(total / max(obs.period.hours * elapsed, 1 / 60), 5)
    prev_requests = sum(b.count for b in previous.traffic) if previous is not None else 0
    prev_per_request = (
        previous_total / prev_requests if previous_total is not None and prev_requests else None
    )
    prev_per_user = (
        round(previous_total / previous.user_count, 4)
        if previous is not None and previous_total is not None and previous.user_count
        else None
    )
    prev_per_hour = (
        round(previous_total / previous.period.hours, 5)
        if previous is not None and previous_total is not None
        else None
    )
    efficiency = None
    if per_request is not None and prev_per_request is not None:
        efficiency = (
            "improved" if per_request < prev_per_request
            else "worsened" if per_request > prev_per_request
            else "unchanged"
        )  # fmt: skip
    return Costs(
        budget_attainment_percent=round(min(100.0, 100 * budget / total), 2) if total else 100.0,
        per_request_previous_usd=prev_per_request,
        per_user_previous_usd=prev_per_user,
        per_hour_previous_usd=prev_per_hour,
        per_request_change_percent=analysis.percent_change(per_request, prev_per_request),
        per_user_change_percent=analysis.percent_change(per_user, prev_per_user),
        per_hour_change_percent=analysis.percent_change(per_hour, prev_per_hour),
        efficiency=efficiency,
        cheapest_design=None,
        cheapest_design_usd=None,
        cheapest_design_saving_usd=None,
        source=source,
        source_detail=detail,
        estimated=obs.measured_costs is not None and obs.measured_costs.estimated,
        total_usd=round(total, 4),
        previous_total_usd=_r(previous_total, 4),
        change_percent=analysis.percent_change(total, previous_total),
        budget_usd=budget,
        headroom_usd=round(budget - total, 4),
        budget_used_percent=round(100 * total / budget, 2),
        per_request_usd=per_request,
        per_user_usd=per_user,
        per_hour_usd=per_hour,
        users=obs.user_count,
        lines=_rows(lines, previous_lines, total),
    )


def _rows(
    lines: list[CostLine], previous_lines: list[CostLine] | None, total: float
) -> list[CostRow]:
    """月次コスト内訳: one row a service, the largest first, with its 前月比."""
    previous_by_service = {line.service: line.usd for line in previous_lines or []}
    return [
        CostRow(
            service=line.service,
            usd=round(line.usd, 4),
            share=round(line.usd / total, 4) if total else None,
            previous_usd=_r(previous_by_service.get(line.service), 4) if previous_lines else None,
            change_percent=analysis.percent_change(line.usd, previous_by_service.get(line.service)),
            basis=line.basis,
        )
        for line in sorted(lines, key=lambda item: -item.usd)
    ]


def _cheapest(costs: Costs, options: list[CostEstimate]) -> None:
    """最適化余地's second half: the cheapest design the estimator priced for this usage."""
    if not options or costs.total_usd is None:
        return
    cheapest = options[0]
    costs.cheapest_design = cheapest.architecture.value
    costs.cheapest_design_usd = round(cheapest.total_usd, 4)
    costs.cheapest_design_saving_usd = round(costs.total_usd - cheapest.total_usd, 4)


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
    # Permission changes are recorded in the same log but are not work done.
    items = [
        WorkEntry(at=w.at, kind=w.kind, summary=w.summary)
        for w in obs.work_items
        if not w.kind.startswith(PERMISSION_KIND_PREFIX)
    ]
    return WorkDone(
        checks=checks,
        items=items,
        maintenance=maintenance(obs.check_runs, checks, period.zone),
        improvements=[i for i in items if i.kind != DOCS_KIND],
        documentation=[i for i in items if i.kind == DOCS_KIND],
    )


def _security(obs: Observations) -> SecurityStatus:
    security_incidents = sum(1 for i in obs.incidents if i.severity == "security")
    latest = _latest(obs.check_runs, "monthly")
    named = {
        "audit": security.audit(latest),
        "metrics": security.metrics(obs, latest),
        "compliance": security.compliance(latest),
    }
    if latest is None:
        return SecurityStatus(
            **named,
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
        **named,
        status=status,
        last_run=latest.started_at,
        findings_pass=counts[FindingStatus.PASS],
        findings_warn=counts[FindingStatus.WARN],
        findings_fail=counts[FindingStatus.FAIL],
        failing=sorted(f.check_id for f in latest.findings if f.status is not FindingStatus.PASS),
        security_incidents=security_incidents,
    )


# -- KPIs -------------------------------------------------------------------------


def _kpi(kpi_id: str, target: float, actual: float | None, tolerance: float | None = None) -> Kpi:
    """A KPI's figures and status; its category, unit and direction are its declaration's."""
    spec = kpi_spec(kpi_id)
    status, achievement = analysis.kpi_status(
        actual, target, higher_is_better=spec.higher_is_better, tolerance=tolerance
    )
    return Kpi(
        id=kpi_id, category=spec.category, unit=spec.unit, kind=spec.kind.value,
        direction=spec.direction, target=target, actual=actual,
        achievement_percent=_r(achievement),
        met=None if status is Status.NO_DATA else status is Status.MET, status=status,
    )  # fmt: skip


def _coverage_caveat(kpi: Kpi, availability: Availability) -> Kpi:
    """Coverage below the threshold leaves too many minutes unknown to claim the target: ⚠️."""
    if kpi.status is Status.MET and availability.coverage_sufficient is False:
        return kpi.model_copy(update={"status": Status.WARN, "met": False})
    return kpi


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
    # A month with nothing observed is no evidence of zero security incidents.
    observed = bool(obs.traffic or obs.probes or obs.incidents)
    responses = [i.response_minutes for i in incidents if i.response_minutes is not None]
    expected = sum(c.expected for c in work.checks)
    done = sum(c.done for c in work.checks)
    docs = len(work.documentation)
    return [
        _coverage_caveat(
            _kpi("availability", t.availability_pct, availability.percent,
                 tolerance=100 - t.availability_pct),
            availability,
        ),
        _kpi("response_time_avg", t.response_time_ms, _r(index.total.mean)),
        _kpi("error_rate", t.error_rate_pct, error_rate),
        _kpi("security_incidents", 0, float(security.security_incidents) if observed else None),
        _kpi("incident_response_time", t.incident_response_minutes, _r(_mean(responses), 1)),
        _kpi("maintenance_completion", t.maintenance_completion_pct,
             _r(100 * done / expected, 1) if expected else None),
        _kpi("documentation_updates", float(t.documentation_updates), float(docs)),
        _kpi("monthly_cost", t.budget_usd, _r(costs.total_usd)),
        _kpi("cost_efficiency", costs.per_request_previous_usd or 0.0,
             costs.per_request_usd if costs.per_request_previous_usd is not None else None),
        _kpi("budget_attainment", 100.0, costs.budget_attainment_percent),
    ]  # fmt: skip


# -- 総括・所感 -----------------------------------------------------------------------


def _achievements(
    kpis: list[Kpi], incidents: list[IncidentRow], availability: Availability
) -> list[SummaryPoint]:
    """成果・成功要因: each KPI that met its target, and a month without an outage."""
    points = [
        SummaryPoint(key=f"sum.met.{k.id}", values={"actual": k.actual or 0.0, "target": k.target})
        for k in kpis
        if k.status is Status.MET and k.actual is not None
    ]
    if availability.probes and not availability.outages:
        points.insert(0, SummaryPoint(key="sum.no_outage", values={"probes": availability.probes}))
    return points


def _issues(
    kpis: list[Kpi], incidents: list[IncidentRow], proposals: list[Proposal]
) -> list[SummaryPoint]:
    """課題・改善点: each KPI missed or unmeasured, and incidents still without a cause."""
    points = [
        SummaryPoint(
            key=f"sum.missed.{k.id}" if k.actual is not None else "sum.no_data_kpi",
            values={"kpi": k.id, "actual": k.actual or 0.0, "target": k.target},
        )
        for k in kpis
        if k.status in (Status.MISSED, Status.WARN, Status.NO_DATA)
    ]
    open_causes = [i for i in incidents if i.cause is None]
    if open_causes:
        points.append(SummaryPoint(key="sum.open_causes", values={"incidents": len(open_causes)}))
    return points


def _expectations(proposals: list[Proposal]) -> list[SummaryPoint]:
    """次期への期待: the high-priority proposals, then the rest, as next month's aims."""
    ordered = sorted(proposals, key=lambda p: ["high", "medium", "low"].index(p.priority))
    points = [SummaryPoint(key="sum.next", values={"proposal": p.id}) for p in ordered[:3]]
    return points or [SummaryPoint(key="sum.keep", values={})]
