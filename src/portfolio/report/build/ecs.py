"""サービス別運用状況 1. ECS/Fargate: tasks, CPU and memory, network, logs."""

from __future__ import annotations

from collections import defaultdict

from portfolio.config import Settings
from portfolio.report.build.common import TrafficIndex, resource_names, resource_summary, rounded
from portfolio.report.model import Availability, ComputeSection
from portfolio.sources.base import Observations


def build_compute(
    obs: Observations, index: TrafficIndex, availability: Availability, settings: Settings
) -> ComputeSection:
    """1. ECS/Fargate: tasks, CPU and memory, network, logs."""
    resources = resource_summary(obs)
    levels: dict[str, int] = defaultdict(int)
    for log in obs.log_counts:
        levels[log.level.lower()] += log.count
    measured_s = 60 * len({m.minute for m in obs.minutes if m.count}) or None
    moved = index.total.bytes_in + index.total.bytes_out
    named = resource_names(settings)
    return ComputeSection(
        cluster=named["cluster"],
        service=named["service"],
        # Three significant digits, not four decimals: a quiet service moves ~0.0005 MB/s.
        network_mb_per_s=float(f"{moved / 1e6 / measured_s:.3g}") if measured_s and moved else None,
        logs_recorded=bool(obs.log_counts),
        error_logs=(levels["error"] + levels["critical"]) if obs.log_counts else None,
        warning_logs=levels["warning"] if obs.log_counts else None,
        desired_tasks=obs.compute.desired_tasks if obs.compute else None,
        running_tasks=obs.compute.running_tasks if obs.compute else None,
        health_percent=availability.probe_success_percent,
        cpu_avg_percent=rounded(resources.cpu_avg_pct),
        cpu_max_percent=rounded(resources.cpu_max_pct),
        memory_avg_percent=rounded(resources.mem_avg_pct),
        memory_max_percent=rounded(resources.mem_max_pct),
        memory_avg_mb=rounded(
            None if resources.mem_avg_bytes is None else resources.mem_avg_bytes / 1e6, 1
        ),
        utilisation_target_percent=settings.kpi.cpu_mem_pct,
        network_in_bytes=index.total.bytes_in if index.total.count else None,
        network_out_bytes=index.total.bytes_out if index.total.count else None,
    )
