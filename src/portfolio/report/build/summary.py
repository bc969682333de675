"""運用実績サマリー's figures: availability over measured minutes, downtime, the error budget."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from portfolio.config import Settings
from portfolio.report.build.common import rounded
from portfolio.report.model import Availability, BudgetDay, ErrorBudget
from portfolio.sources.base import Observations
from portfolio.store.records import MaintenanceWindow
from portfolio.telemetry.outages import find_outages, probe_interval_seconds


def overlap_minutes(windows: Iterable[MaintenanceWindow], start: datetime, end: datetime) -> float:
    """Minutes of [start, end) covered by the windows, overlapping windows counted once."""
    spans = sorted((max(w.start, start), min(w.end, end)) for w in windows)
    total, cursor = 0.0, start
    for s, e in spans:
        s = max(s, cursor)
        if e > s:
            total += (e - s).total_seconds() / 60
            cursor = e
    return total


def build_availability(obs: Observations, settings: Settings, elapsed: float = 1.0) -> Availability:
    period = obs.period
    total_minutes = period.hours * 60
    # A month in progress is measured up to now: the rest of it is not yet missing.
    span_minutes = max(total_minutes * elapsed, 1.0)
    planned = overlap_minutes(obs.maintenance, period.start, period.end)
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
    planned_part = [overlap_minutes(obs.maintenance, o.start, o.end) for o in found]
    outages = [o for o, p in zip(found, planned_part, strict=True) if o.minutes - p > 0]
    unplanned = sum(o.minutes - p for o, p in zip(found, planned_part, strict=True))
    planned_monitored = min(planned, monitored)
    base = monitored - planned_monitored
    percent = 100 * (base - unplanned) / base if base > 0 else None
    ok = sum(1 for p in probes if p.ok)
    return Availability(
        percent=rounded(percent, 4),
        total_minutes=total_minutes,
        monitored_minutes=round(monitored, 2),
        coverage_percent=rounded(coverage),
        planned_downtime_minutes=round(planned, 2),
        unplanned_downtime_minutes=round(unplanned, 2),
        probes=len(probes),
        probe_success_percent=rounded(100 * ok / len(probes), 3),
        outages=outages,
        coverage_threshold_percent=settings.report.min_coverage_pct,
        coverage_sufficient=coverage >= settings.report.min_coverage_pct,
    )


def build_error_budget(
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
                - overlap_minutes(obs.maintenance, o.start, min(o.end, day_end))
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
        consumed_minutes=rounded(consumed),
        remaining_minutes=rounded(remaining),
        remaining_percent=rounded(None if remaining is None else 100 * remaining / allowed),
        burn_rate=rounded(burn, 3),
        burn_down=burn_down,
    )
