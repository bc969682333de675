"""Each judgement rule on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portfolio.report import analysis
from portfolio.report.model import Status
from portfolio.store.records import MinuteTotals, ProbeResult
from portfolio.telemetry.outages import find_outages

T0 = datetime(2025, 8, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("actual", "target", "higher", "tolerance", "status"),
    [
        (99.95, 99.9, True, 0.1, Status.MET),
        (99.85, 99.9, True, 0.1, Status.WARN),  # within one more allowed downtime
        (99.7, 99.9, True, 0.1, Status.MISSED),
        (95.0, 100.0, True, None, Status.WARN),  # within 10 % of the target
        (80.0, 100.0, True, None, Status.MISSED),
        (90.0, 100.0, False, None, Status.MET),
        (105.0, 100.0, False, None, Status.WARN),
        (150.0, 100.0, False, None, Status.MISSED),
        (0.0, 0.0, False, None, Status.MET),
        (1.0, 0.0, False, None, Status.MISSED),
        (None, 10.0, False, None, Status.NO_DATA),
    ],
)
def test_kpi_status_rule(
    actual: float | None, target: float, higher: bool, tolerance: float | None, status: Status
) -> None:
    result = analysis.kpi_status(actual, target, higher_is_better=higher, tolerance=tolerance)
    assert result[0] is status


def _probes(pattern: str) -> list[ProbeResult]:
    return [
        ProbeResult(at=T0 + timedelta(minutes=i), ok=c == "+", latency_ms=1.0, status=200)
        for i, c in enumerate(pattern)
    ]


def test_outage_needs_the_minimum_length_and_ends_at_the_next_success() -> None:
    outages = find_outages(_probes("+++-+++---+++"), min_minutes=2)
    assert len(outages) == 1
    assert outages[0].start == T0 + timedelta(minutes=7)
    assert outages[0].end == T0 + timedelta(minutes=10)
    assert outages[0].minutes == 3.0


def test_outage_still_failing_at_the_end_lasts_one_interval_past_the_last_probe() -> None:
    outages = find_outages(_probes("++---"), min_minutes=2)
    assert outages[0].minutes == 3.0


def _minutes(latencies: list[float | None]) -> list[MinuteTotals]:
    start = int(T0.timestamp())
    return [
        MinuteTotals(minute=start + 60 * i, count=0 if v is None else 10, errors_5xx=0,
                     latency_sum_ms=0 if v is None else 10 * v)
        for i, v in enumerate(latencies)
    ]  # fmt: skip


def test_breach_needs_consecutive_minutes_over_target() -> None:
    series = [50, 150, 150, 150, 50, 150, 150, 150, 150, 150, 50]
    breaches = analysis.find_breaches(
        _minutes([float(v) for v in series]), latency_target_ms=100, error_rate_target_pct=1,
        min_minutes=5,
    )  # fmt: skip
    assert [(b.kind, b.start, b.worst) for b in breaches] == [
        ("latency", T0 + timedelta(minutes=5), 150.0)
    ]


def test_a_quiet_minute_ends_a_breach() -> None:
    series: list[float | None] = [150, 150, 150, None, 150, 150, 150]
    breaches = analysis.find_breaches(
        _minutes(series), latency_target_ms=100, error_rate_target_pct=1, min_minutes=4
    )
    assert breaches == []


def test_overlapping_detections_merge_into_the_most_severe() -> None:
    merged = analysis.merge_overlapping(
        [
            ("errors", T0, T0 + timedelta(minutes=10), 30.0),
            ("outage", T0 + timedelta(minutes=2), T0 + timedelta(minutes=6), 4.0),
            ("latency", T0 + timedelta(hours=2), T0 + timedelta(hours=3), 150.0),
        ]
    )
    assert merged == [
        ("outage", T0, T0 + timedelta(minutes=10), 4.0),
        ("latency", T0 + timedelta(hours=2), T0 + timedelta(hours=3), 150.0),
    ]


def test_peak_hours_rule() -> None:
    counts = dict.fromkeys(range(24), 100)
    counts[9] = counts[10] = 160
    counts[3] = 120
    assert analysis.peak_hours(counts) == [9, 10]
    assert analysis.peak_hours({}) == []


@pytest.mark.parametrize(
    ("change", "label"), [(None, None), (6.0, "rising"), (-6.0, "improving"), (4.9, "stable")]
)
def test_trend_rule(change: float | None, label: str | None) -> None:
    assert analysis.trend(change) == label
