"""サービス別運用状況 2. Application Load Balancer: targets, latency, requests, errors."""

from __future__ import annotations

from portfolio.config import Settings
from portfolio.report.build.common import TrafficIndex, latency, resource_names, rounded
from portfolio.report.model import Availability, EntryPointSection
from portfolio.sources.base import Observations


def _target_health(obs: Observations) -> tuple[int, int]:
    """Healthy and registered target-minutes."""
    if obs.target_health_totals is not None:
        return obs.target_health_totals.healthy, obs.target_health_totals.registered
    return sum(h.healthy for h in obs.target_health), sum(h.total for h in obs.target_health)


def build_entry_point(
    obs: Observations,
    index: TrafficIndex,
    availability: Availability,
    settings: Settings,
    elapsed: float = 1.0,
) -> EntryPointSection:
    """2. Application Load Balancer: target health, latency, requests, errors."""
    named = resource_names(settings)
    active_minutes = [m.count for m in obs.minutes if m.count]
    total = index.total.count
    # 平均 req/min is over the period's minutes (so far), quiet minutes included.
    period_minutes = max(availability.total_minutes * elapsed, 1.0)
    healthy, registered = _target_health(obs)
    return EntryPointSection(
        load_balancer=named["load_balancer"],
        target_group=named["target_group"],
        target_health_percent=rounded(100 * healthy / registered, 3) if registered else None,
        latency_ms=latency(index.total.sketch),
        requests_per_minute_avg=rounded(total / period_minutes) if total else None,
        requests_per_minute_peak=float(max(active_minutes)) if active_minutes else None,
        error_rate_percent=rounded(100 * index.total.errors_5xx / total, 4) if total else None,
        health_check_success_percent=availability.probe_success_percent,
        load_balancer_errors_5xx=obs.load_balancer_errors_5xx,
    )
