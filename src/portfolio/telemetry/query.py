"""Request metrics for a time range, computed from rollups by merging sketches.

Used by ``GET /api/v1/metrics``. Buckets are ``step`` wide from ``start``; when
the range and step are whole hours the hourly rollups are read (60 times fewer
rows, same figures).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from portfolio.errors import InputError
from portfolio.sketch import LatencySketch
from portfolio.store.protocols import MetricsRepository, Resolution
from portfolio.telemetry.percentiles import latency_percentiles
from portfolio.telemetry.totals import RequestTotals

Step = Literal["minute", "hour", "day"]
STEP_SECONDS: dict[Step, int] = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True, slots=True)
class LatencyStats:
    avg: float | None
    p50: float | None
    p95: float | None
    p99: float | None

    @classmethod
    def of(cls, sketch: LatencySketch) -> LatencyStats:
        figures = latency_percentiles(sketch, digits=3)
        return cls(avg=figures.avg, p50=figures.p50, p95=figures.p95, p99=figures.p99)


@dataclass(frozen=True, slots=True)
class MetricsPoint:
    start: datetime
    count: int
    errors_4xx: int
    errors_5xx: int
    bytes_in: int
    bytes_out: int
    latency_ms: LatencyStats


@dataclass(frozen=True, slots=True)
class MetricsSeries:
    endpoint: str
    points: list[MetricsPoint]


@dataclass(frozen=True, slots=True)
class MetricsSummary:
    count: int
    errors_4xx: int
    errors_5xx: int
    error_rate: float | None
    bytes_in: int
    bytes_out: int
    latency_ms: LatencyStats
    by_status: dict[str, int]
    by_endpoint: dict[str, int]


@dataclass(frozen=True, slots=True)
class MetricsWindow:
    start: datetime
    end: datetime
    step: Step
    summary: MetricsSummary
    series: list[MetricsSeries]


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Times outside these cannot hold telemetry; refusing them keeps date arithmetic in range."""
DEFAULT_SPAN = timedelta(hours=1)


def resolve_range(
    start: datetime | None, end: datetime | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The range asked for, defaults filled in (end: now, start: end - 1 h); InputError if
    a time has no zone or lies outside 1970-2100 (year 1 minus an hour does not exist)."""
    for name, value in (("start", start), ("end", end)):
        if value is None:
            continue
        if value.tzinfo is None:
            raise InputError(f"{name} needs a time zone (e.g. 2025-08-01T00:00:00Z)")
        if not EARLIEST <= value < LATEST:
            raise InputError(f"{name} must lie between 1970 and 2100")
    end = end or now
    return (start or max(end - DEFAULT_SPAN, EARLIEST)), end


def validate_range(
    start: datetime, end: datetime, step: Step, *, max_points: int, max_days: int
) -> None:
    """InputError naming the problem when the range cannot be served."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("start and end need a time zone (e.g. 2025-08-01T00:00:00Z)")
    if end <= start:
        raise InputError("end must be after start")
    span = (end - start).total_seconds()
    if span > max_days * 86400:
        raise InputError(f"the range is longer than {max_days} days; ask for less")
    points = -(-int(span) // STEP_SECONDS[step])
    if points > max_points:
        raise InputError(
            f"{points} {step} points is more than {max_points};"
            " use a coarser step or a shorter range"
        )


def metrics_window(
    store: MetricsRepository,
    start: datetime,
    end: datetime,
    step: Step,
    *,
    endpoint: str | None = None,
) -> MetricsWindow:
    # The end rounded up: a minute that began before a fractional end (12:00:00 < 12:00:00.5,
    # the default end, now) holds requests of the range; truncating hid them for a second.
    start_s, end_s = int(start.timestamp()), math.ceil(end.timestamp())
    step_s = STEP_SECONDS[step]
    hourly = step != "minute" and start_s % 3600 == 0 and end_s % 3600 == 0
    resolution: Resolution = "hour" if hourly else "minute"
    start_minute = start_s - start_s % 60
    rollups = store.read_rollups(start_minute, end_s, endpoint=endpoint, resolution=resolution)

    total = RequestTotals()
    by_status: dict[str, int] = defaultdict(int)
    by_endpoint: dict[str, int] = defaultdict(int)
    buckets: dict[str, dict[int, RequestTotals]] = defaultdict(dict)
    for r in rollups:
        total.add(r)
        by_status[str(r.status)] += r.count
        by_endpoint[r.endpoint] += r.count
        index = (r.minute - start_minute) // step_s
        acc = buckets[r.endpoint].get(index)
        if acc is None:
            acc = buckets[r.endpoint][index] = RequestTotals()
        acc.add(r)

    series = [
        MetricsSeries(
            endpoint=name,
            points=[
                MetricsPoint(
                    start=datetime.fromtimestamp(start_minute + i * step_s, UTC),
                    count=a.count,
                    errors_4xx=a.errors_4xx,
                    errors_5xx=a.errors_5xx,
                    bytes_in=a.bytes_in,
                    bytes_out=a.bytes_out,
                    latency_ms=LatencyStats.of(a.sketch),
                )
                for i, a in sorted(points.items())
            ],
        )
        for name, points in sorted(buckets.items())
    ]
    summary = MetricsSummary(
        count=total.count,
        errors_4xx=total.errors_4xx,
        errors_5xx=total.errors_5xx,
        error_rate=round(total.errors_5xx / total.count, 6) if total.count else None,
        bytes_in=total.bytes_in,
        bytes_out=total.bytes_out,
        latency_ms=LatencyStats.of(total.sketch),
        by_status=dict(sorted(by_status.items())),
        by_endpoint=dict(sorted(by_endpoint.items())),
    )
    return MetricsWindow(start=start, end=end, step=step, summary=summary, series=series)
