"""A latency sketch read as the figures every view shows: count, mean, p50/p95/p99, max.

One function, so the API's metrics, the report and ``logs summary`` read the same
ranks from a sketch and round the same way (``digits``; None keeps full precision).
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.sketch import LatencySketch

QUANTILES: dict[str, float] = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Latency figures in ms; None where the sketch holds no value."""

    count: int
    avg: float | None
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None


def latency_percentiles(sketch: LatencySketch, digits: int | None = None) -> Percentiles:
    """The sketch's count, mean, p50/p95/p99 (within its relative accuracy) and maximum."""

    def keep(value: float | None) -> float | None:
        return value if value is None or digits is None else round(value, digits)

    return Percentiles(
        count=sketch.count,
        avg=keep(sketch.mean),
        p50=keep(sketch.quantile(QUANTILES["p50"])),
        p95=keep(sketch.quantile(QUANTILES["p95"])),
        p99=keep(sketch.quantile(QUANTILES["p99"])),
        max=keep(sketch.max if sketch.count else None),
    )
