"""What the simulated service looks like: traffic shape, request mix, latencies, incidents.

The numbers describe the original report's service: about 21,600 requests a
day, peaks 9–11 and 13–15 JST, a mix of /health 45 %, users 25 %, metrics 20 %,
other 10 %. They are the simulator's inputs, not report figures: every figure of
the report is computed from the events generated from them. The defaults are a
plain month used by the tests; ``portfolio.simulate.scenarios`` shapes the demo's
month after the original report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portfolio import names


@dataclass(frozen=True, slots=True)
class EndpointModel:
    endpoint: str
    method: str
    share: float
    median_ms: float
    sigma: float
    status: int = 200
    request_bytes: int = 0
    response_bytes: int = 300
    error_4xx_share: float = 0.0


DEFAULT_MIX: tuple[EndpointModel, ...] = (
    EndpointModel(names.HEALTH_PATH, "GET", 0.45, 6.0, 0.35, response_bytes=190),
    EndpointModel(names.USERS_PATH, "GET", 0.10, 28.0, 0.45, response_bytes=2600),
    EndpointModel(f"{names.USERS_PATH}/{{user_id}}", "GET", 0.12, 18.0, 0.45,
                  response_bytes=420, error_4xx_share=0.03),
    EndpointModel(names.USERS_PATH, "POST", 0.02, 32.0, 0.4, status=201,
                  request_bytes=180, response_bytes=420, error_4xx_share=0.08),
    EndpointModel(f"{names.USERS_PATH}/{{user_id}}", "PATCH", 0.01, 30.0, 0.4,
                  request_bytes=90, response_bytes=420, error_4xx_share=0.1),
    EndpointModel(names.METRICS_PATH, "GET", 0.20, 45.0, 0.5, response_bytes=5200),
    EndpointModel("/openapi.json", "GET", 0.03, 12.0, 0.3, response_bytes=14000),
    EndpointModel(names.UNMATCHED_ENDPOINT, "GET", 0.07, 3.0, 0.3, status=404,
                  response_bytes=160),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class IncidentPlan:
    """A disturbance injected into the traffic (local time of the report's zone)."""

    day: int
    start_hour: float
    minutes: int
    latency_factor: float = 1.0
    error_share: float = 0.0
    probe_failure_minutes: int = 0
    record: dict[str, str] | None = None
    latency_ms: float | None = None
    """When set, requests in the window take this long on average instead of
    ``latency_factor`` times their usual time (the original's "120 ms" spell)."""
    warnings: int = 0
    """WARNING log lines the service writes at the window's start (a log-warning incident)."""
    response_minutes: float = 8.0
    """Minutes from detection to the operator's first response, when ``record`` is set."""


@dataclass(frozen=True, slots=True)
class ScannerBurst:
    """A scanner sweeping for well-known weak spots: ``requests`` 404s over ``minutes``."""

    day: int
    start_hour: float
    requests: int
    minutes: int


@dataclass(frozen=True, slots=True)
class TrafficModel:
    daily_requests: float = 21_600
    peak_windows: tuple[tuple[int, int], ...] = ((9, 11), (13, 15))
    peak_weight: float = 2.6
    night_weight: float = 0.35
    weekend_factor: float = 0.8
    day_noise: float = 0.08
    peak_latency_factor: float = 1.25
    base_error_share: float = 0.0004
    tasks: tuple[str, ...] = ("sim-task-1", "sim-task-2")
    mix: tuple[EndpointModel, ...] = DEFAULT_MIX
    incidents: tuple[IncidentPlan, ...] = field(default_factory=tuple)
    pinned_days: tuple[tuple[int, float], ...] = ()
    """(day of month, expected requests): days whose volume is given; the other days
    are rescaled so the month's mean day stays ``daily_requests`` and kept strictly
    between the pinned quietest and busiest days."""
    weekly_latency_ms: tuple[float, ...] = ()
    """Mean response time per week of the month (days 1–7, 8–14, ...; the last value
    holds for later weeks). Empty: endpoint medians are milliseconds as given."""
    night_hours: tuple[int, int] = (0, 7)
    night_latency_factor: float = 1.0
    day_latency_spread: float = 0.0
    """Standard deviation of a day's log latency factor, centred within each week."""
    lb_error_share: float = 0.0
    """Share of requests the load balancer answers 502 itself (a target closed a reused
    keep-alive connection): in the traffic, never in the service's own error log."""
    scanner_bursts: tuple[ScannerBurst, ...] = ()
    cpu_base_pct: float = 4.0
    cpu_pct_per_request: float = 1.1
    """CPU share a task spends per request a minute, on top of its idle ``cpu_base_pct``."""
    mem_base_pct: float = 36.0
    mem_pct_per_request: float = 0.05
    store_read_ms: float = 1.7
    store_write_ms: float = 3.7
    """Mean store-call latencies; reads are get/list/read operations, writes the rest."""
    role_changes: int = 0
    """User role changes made through the store and logged as permission changes."""
    work_items: tuple[tuple[int, str, str], ...] = (
        (0, "docs", "運用手順書を更新 / updated the operations runbook"),
        (9, "improvement", "テレメトリ書き込みのバッチ化 / batched telemetry writes"),
        (19, "maintenance", "依存パッケージ更新 / dependency updates"),
    )
    """(days after the 6th, kind, summary): work an operator logged during the month."""


def demo_incidents() -> tuple[IncidentPlan, ...]:
    """Two minor incidents: one an operator recorded with notes, one left for detection."""
    return (
        IncidentPlan(
            day=12,
            start_hour=14.2,
            minutes=22,
            latency_ms=400.0,
            record={
                "summary": "API応答遅延 / API latency degradation",
                "severity": "minor",
                "impact": "応答時間が目標超過 / mean response time above the 100 ms target",
                "cause": "ホットパーティション / a hot partition on portfolio-metrics",
                "response": "書き込みのバッチ化を調整 / adjusted telemetry write batching",
                "prevention": "パーティションキー設計を見直し / revisit the partition key design",
            },
        ),
        IncidentPlan(
            day=23,
            start_hour=3.1,
            minutes=12,
            error_share=0.3,
            probe_failure_minutes=4,
        ),
    )
