"""The report model from Observations: each section built by its module, assembled here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from portfolio.config import Settings
from portfolio.costs import Architecture, PriceTable, compare, load_prices
from portfolio.period import Period
from portfolio.report import evidence, rules
from portfolio.report.build.changes import Previous, build_changes
from portfolio.report.build.common import (
    TrafficIndex,
    latency,
    resource_summary,
    rounded,
    site_probe_counts,
)
from portfolio.report.build.costs import Priced, Shape, build_costs, cheapest
from portfolio.report.build.incidents import build_incidents, incident_counts
from portfolio.report.build.kpis import build_kpis
from portfolio.report.build.performance import build_performance, mean_ms
from portfolio.report.build.review import build_summary
from portfolio.report.build.security import build_security
from portfolio.report.build.services import build_services
from portfolio.report.build.summary import build_availability, build_error_budget
from portfolio.report.build.traffic import build_traffic
from portfolio.report.build.work import build_work
from portfolio.report.model import SCHEMA_VERSION, Closing, DocumentInfo, PeriodInfo, Report
from portfolio.report.plan import load_plan
from portfolio.report.series import read_month
from portfolio.sources.base import Observations, ReportSource


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
    """Anything measured or recorded in the period: otherwise the report would be all 'no data'.

    A site log read for other months gives this one a summary of 0 requests: not data.
    """
    return bool(
        obs.traffic or obs.probes or resource_summary(obs).samples or obs.check_runs
        or obs.incidents
        or obs.work_items or (obs.static_site and obs.static_site.requests)
        or obs.measured_costs or obs.store_stats
        or site_probe_counts(obs).probes or obs.log_counts
    )  # fmt: skip


def compute_report(
    obs: Observations,
    settings: Settings,
    *,
    previous: Observations | None,
    now: datetime | None,
    prices: PriceTable,
    design: Architecture = Architecture.FARGATE_ALB,
    shape: Shape | None = None,
    previous_month: Previous | None = None,
) -> Report:
    """The report model; ``design`` is the architecture the cost estimate prices.
    ``previous_month`` (build.previous.load_previous) fills 前月からの変化 (else null).

    ``shape`` gives the measured usage the shape of the design's synthesized template
    (``portfolio.infra.cost.profile_from_assembly``): the path ``infra cost`` prices by,
    so that one design at one usage has one figure. Without it, the estimator's defaults.
    """
    now = now or datetime.now(UTC)
    period = obs.period
    zone = period.zone
    targets = settings.kpi
    index = TrafficIndex.of(obs.traffic, zone)
    elapsed = _elapsed_fraction(period, now)

    availability = build_availability(obs, settings, elapsed)
    traffic = build_traffic(index, period, obs.traffic)
    traffic.outside_probe_requests = obs.outside_probe_requests
    performance = build_performance(index, period, mean_ms(previous))
    found = build_incidents(obs, settings, availability)
    incidents = evidence.with_evidence(found, obs.minutes, obs.log_counts)
    priced = Priced(prices, design, shape)
    costs = build_costs(obs, previous, settings, priced, index, elapsed)
    options = (
        compare(priced.profile(obs, index.total, elapsed), prices) if index.total.count else []
    )
    work = build_work(obs, period, now)
    security = build_security(obs)
    services = build_services(obs, index, availability, settings, elapsed)
    error_rate = (
        rounded(100 * index.total.errors_5xx / index.total.count, 4) if index.total.count else None
    )
    cheapest(costs, options)
    error_budget = build_error_budget(availability, targets.availability_pct, elapsed, obs)
    kpis = build_kpis(
        obs, settings, availability, index, error_rate, incidents, work, costs, security
    )
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
    report = Report(
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
        incident_counts=incident_counts(incidents),
        costs=costs,
        security=security,
        work=work,
        error_budget=error_budget,
        proposals=proposals,
        plan=plan,
        summary=build_summary(kpis, incidents, availability, proposals),
        closing=_closing(period, settings, now),
    )
    return _with_changes(report, previous_month)


def _with_changes(report: Report, previous: Previous | None) -> Report:
    """前月からの変化, compared as report.json holds both months (report.series)."""
    if previous is not None:
        report.changes = build_changes(read_month(report.model_dump(mode="json")), previous)
    return report


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


def _closing(period: Period, settings: Settings, now: datetime) -> Closing:
    """The closing block: today in the report's zone, and the next report's date."""
    return Closing(
        report_date=now.astimezone(period.zone).date(),
        reporter=settings.report.author,
        approver=settings.report.approver,
        next_report_date=period.next().days[-1],
    )


def _elapsed_fraction(period: Period, now: datetime) -> float:
    """How much of the period has passed: 1 for a past month."""
    span = (period.end - period.start).total_seconds()
    done = (min(now, period.end) - period.start).total_seconds()
    return max(0.0, min(1.0, done / span))
