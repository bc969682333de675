"""レスポンス時間推移: weekly figures, latency by hour of day, peak and off-peak."""

from __future__ import annotations

from portfolio.period import Period
from portfolio.report import analysis, weekly
from portfolio.report.build.common import TrafficIndex, latency, rounded
from portfolio.report.model import HourRow, PeakAnalysis, Performance
from portfolio.sketch import LatencySketch
from portfolio.sources.base import Observations


def mean_ms(obs: Observations | None) -> float | None:
    """A period's mean response time from its buckets' sums (no sketch merge needed)."""
    count = sum(b.count for b in obs.traffic) if obs else 0
    return sum(b.sketch.sum for b in obs.traffic) / count if obs and count else None


def build_performance(
    index: TrafficIndex, period: Period, previous_mean_ms: float | None = None
) -> Performance:
    weeks = weekly.weeks(period.days, index.by_day, index.by_utc_hour, period.zone,
                         previous_mean_ms)  # fmt: skip
    days_with_traffic = sum(1 for g in index.by_day.values() if g.count) or 1
    by_hour = [
        HourRow(
            hour=h,
            requests=g.count,
            avg_requests_per_day=round(g.count / days_with_traffic, 2),
            avg_ms=rounded(g.mean),
            p50_ms=rounded(g.sketch.quantile(0.5)),
            p95_ms=rounded(g.sketch.quantile(0.95)),
        )
        for h, g in sorted(index.by_hour.items())
    ]
    counts = {h: g.count for h, g in index.by_hour.items()}
    hours = analysis.peak_hours(counts)
    quiet = [h for h in analysis.off_peak_hours(counts) if h not in hours]
    peak, off_peak = LatencySketch(), LatencySketch()
    peak_count = 0
    for h, g in index.by_hour.items():
        if h in hours:
            peak.merge(g.sketch)
            peak_count += g.count
        elif h in quiet or not quiet:
            off_peak.merge(g.sketch)
    total = index.total.count
    return Performance(
        weekly=weeks,
        peak=PeakAnalysis(
            peak_hours=hours,
            off_peak_hours=quiet,
            rule=f"hours with ≥ {analysis.PEAK_FACTOR}× the median hour's requests",
            peak=latency(peak),
            off_peak=latency(off_peak),
            peak_requests_share_percent=rounded(100 * peak_count / total)
            if total and hours
            else None,
        ),
        by_hour=by_hour,
    )
