"""Collect snapshots from the local service and its store (and the demo's history).

The daily and weekly snapshots are built from what the store recorded up to a moment
``at``, so the same functions serve a live run (``at`` = now) and the demo replaying
its simulated month (``at`` = a simulated morning).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from portfolio import names
from portfolio.checks.snapshot import (
    DailySnapshot,
    EndpointLatency,
    HealthAnswer,
    TargetHealth,
    TaskCount,
    Utilisation,
    WeeklySnapshot,
    WindowStats,
)
from portfolio.config import Settings
from portfolio.store.protocols import Store
from portfolio.store.records import ProbeResult
from portfolio.telemetry.prober import probe_once
from portfolio.telemetry.query import LatencyStats, metrics_window

DAY = timedelta(hours=24)
WEEK = timedelta(days=7)
TASK_WINDOW = timedelta(minutes=10)
"""A task counts as running if it reported a resource sample this recently."""
ERROR_LEVELS = frozenset({"ERROR", "CRITICAL"})


def health_answer(probe: ProbeResult) -> HealthAnswer:
    return HealthAnswer(
        ok=probe.ok, status=probe.status, latency_ms=probe.latency_ms, detail=probe.detail
    )


def probe_health(url: str, *, timeout_s: float) -> HealthAnswer:
    """GET <url>/health once, as the prober and the load balancer do."""
    with httpx.Client(timeout=timeout_s) as client:
        return health_answer(probe_once(client, url.rstrip("/") + names.HEALTH_PATH))


def running_tasks(store: Store, at: datetime) -> int:
    end = int(at.timestamp())
    start = int((at - TASK_WINDOW).timestamp())
    return len({s.task for s in store.read_resource_samples(start, end + 1)})


def daily_from_store(
    store: Store,
    at: datetime,
    settings: Settings,
    *,
    health: HealthAnswer | None,
    targets: TargetHealth | None,
    source: str,
    desired_tasks: int = names.DESIRED_TASKS,
) -> DailySnapshot:
    """The last 24 hours before ``at`` as the store recorded them, plus a /health answer."""
    start, end = int((at - DAY).timestamp()), int(at.timestamp())
    minutes = store.read_minute_totals(start, end)
    logs = store.read_log_counts(start, end)
    # No sample in the whole day: the sampler has not reported yet (a fresh start), which
    # is no data; samples that stopped within the day are tasks that stopped.
    sampled = next(iter(store.read_resource_samples(start, end + 1)), None) is not None
    return DailySnapshot(
        at=at,
        source=source,
        window_hours=DAY.total_seconds() / 3600,
        health=health,
        targets=targets,
        tasks=TaskCount(running=running_tasks(store, at), desired=desired_tasks)
        if sampled
        else None,
        requests=sum(m.count for m in minutes),
        errors_5xx=sum(m.errors_5xx for m in minutes),
        error_log_lines=sum(c.count for c in logs if c.level.upper() in ERROR_LEVELS),
        latency_target_ms=settings.kpi.response_time_ms,
        error_rate_target_pct=settings.kpi.error_rate_pct,
    )


def _window(store: Store, start: datetime, end: datetime) -> WindowStats | None:
    summary = metrics_window(store, start, end, "day").summary
    if not summary.count:
        return None
    return _stats(summary.count, summary.errors_5xx, summary.latency_ms)


def _stats(count: int, errors_5xx: int, latency: LatencyStats) -> WindowStats:
    return WindowStats(
        requests=count,
        errors_5xx=errors_5xx,
        avg_ms=latency.avg,
        p50_ms=latency.p50,
        p95_ms=latency.p95,
        p99_ms=latency.p99,
    )


def _utilisation(values: list[float]) -> Utilisation | None:
    if not values:
        return None
    return Utilisation(avg_pct=sum(values) / len(values), max_pct=max(values))


def weekly_from_store(
    store: Store, at: datetime, settings: Settings, *, source: str
) -> WeeklySnapshot:
    """The week before ``at`` (whole hours) against the week before that."""
    end = at.replace(minute=0, second=0, microsecond=0)
    start, previous = end - WEEK, end - 2 * WEEK
    window = metrics_window(store, start, end, "day")
    endpoints = [
        EndpointLatency(
            endpoint=name,
            requests=count,
            p95_ms=metrics_window(store, start, end, "day", endpoint=name).summary.latency_ms.p95,
        )
        for name, count in window.summary.by_endpoint.items()
    ]
    samples = list(store.read_resource_samples(int(start.timestamp()), int(end.timestamp())))
    s = window.summary
    return WeeklySnapshot(
        at=at,
        source=source,
        this_week=_stats(s.count, s.errors_5xx, s.latency_ms) if s.count else None,
        last_week=_window(store, previous, start),
        cpu=_utilisation([x.cpu_pct for x in samples]),
        memory=_utilisation([x.mem_pct for x in samples]),
        endpoints=endpoints,
        latency_target_ms=settings.kpi.response_time_ms,
        error_rate_target_pct=settings.kpi.error_rate_pct,
        utilisation_target_pct=settings.kpi.cpu_mem_pct,
    )
