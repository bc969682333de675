"""What the simulated service looks like: traffic shape, request mix, latencies, incidents.

The numbers describe the original report's service: about 21,600 requests a
day, peaks 9–11 and 13–15 JST, a mix of /health 45 %, users 25 %, metrics 20 %,
other 10 %. They are the simulator's inputs, not report figures: every figure of
the report is computed from the events generated from them.
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


def demo_incidents() -> tuple[IncidentPlan, ...]:
    """Two minor incidents: one an operator recorded with notes, one left for detection."""
    return (
        IncidentPlan(
            day=12,
            start_hour=14.2,
            minutes=22,
            latency_factor=5.5,
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
