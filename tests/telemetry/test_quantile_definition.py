"""The quantile definition (nearest rank) against exact values, on every sample size."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portfolio.sketch import RELATIVE_ACCURACY, LatencySketch
from portfolio.telemetry.percentiles import latency_percentiles


def nearest_rank(values: list[float], q: float) -> float:
    """The textbook definition: the value at 1-based rank ceil(q * n) of the sorted values."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered) - 1e-9)) - 1]


def sketch_of(values: list[float]) -> LatencySketch:
    sketch = LatencySketch()
    for v in values:
        sketch.add(v)
    return sketch


def test_two_requests_p95_is_the_slower_one() -> None:
    p = latency_percentiles(sketch_of([2.73, 1.99]))
    assert (p.p50, p.p95, p.p99, p.max) == (1.99, 2.73, 2.73, 2.73)


def test_three_requests_p95_and_p99_are_the_slowest() -> None:
    p = latency_percentiles(sketch_of([2.0, 2.2, 31.5]))
    assert p.p95 == p.p99 == p.max == 31.5
    assert p.p50 is not None
    assert abs(p.p50 - 2.2) <= 2.2 * RELATIVE_ACCURACY


@pytest.mark.parametrize("n", range(1, 301))
def test_every_sample_size_matches_the_exact_nearest_rank(n: int) -> None:
    rng = np.random.default_rng(n)
    values = [float(v) for v in rng.lognormal(mean=4.0, sigma=0.8, size=n)]
    p = latency_percentiles(sketch_of(values))
    assert p.max == max(values)
    assert p.p50 is not None
    assert p.p95 is not None
    assert p.p99 is not None
    assert min(values) <= p.p50 <= p.p95 <= p.p99 <= p.max
    for q, got in ((0.5, p.p50), (0.95, p.p95), (0.99, p.p99)):
        exact = nearest_rank(values, q)
        assert abs(got - exact) <= exact * RELATIVE_ACCURACY + 1e-9, (n, q, got, exact)
    if n < 100:
        assert p.p99 == max(values)


def test_merged_sketches_read_the_same_ranks_as_one() -> None:
    rng = np.random.default_rng(7)
    parts = [[float(v) for v in rng.lognormal(3.0, 1.0, size=k)] for k in (1, 2, 5, 40)]
    merged = LatencySketch.merged(sketch_of(part) for part in parts)
    values = [v for part in parts for v in part]
    assert merged.quantile(0.99) == max(values)  # 48 values: p99 is the maximum
    exact = nearest_rank(values, 0.95)
    got = merged.quantile(0.95)
    assert got is not None
    assert abs(got - exact) <= exact * RELATIVE_ACCURACY
