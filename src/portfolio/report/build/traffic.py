"""トラフィック分析: requests by day and endpoint, the busiest and quietest day, the mix."""

from __future__ import annotations

from portfolio.period import Period
from portfolio.report import mix
from portfolio.report.build.common import TrafficIndex, rounded
from portfolio.report.model import DayCount, EndpointCount, Traffic
from portfolio.sources.base import TrafficBucket


def build_traffic(index: TrafficIndex, period: Period, buckets: list[TrafficBucket]) -> Traffic:
    daily = [
        DayCount(
            date=day,
            requests=index.by_day[day].count if day in index.by_day else 0,
            errors_5xx=index.by_day[day].errors_5xx if day in index.by_day else 0,
            avg_ms=rounded(index.by_day[day].mean) if day in index.by_day else None,
        )
        for day in period.days
    ]
    with_traffic = [d for d in daily if d.requests > 0]
    total = index.total.count
    by_endpoint = [
        EndpointCount(
            endpoint=name,
            requests=g.count,
            share=round(g.count / total, 6) if total else 0.0,
            errors_5xx=g.errors_5xx,
            avg_ms=rounded(g.mean),
            p95_ms=rounded(g.sketch.quantile(0.95)),
        )
        for name, g in sorted(index.by_endpoint.items(), key=lambda item: (-item[1].count, item[0]))
    ]
    return Traffic(
        total_requests=total,
        errors_4xx=index.total.errors_4xx,
        errors_5xx=index.total.errors_5xx,
        bytes_out=index.total.bytes_out,
        daily=daily,
        daily_average=rounded(total / len(with_traffic)) if with_traffic else None,
        days_with_traffic=len(with_traffic),
        # Ties go to the earliest date: max/min keep the first of equal keys.
        busiest_day=max(with_traffic, key=lambda d: d.requests) if with_traffic else None,
        quietest_day=min(with_traffic, key=lambda d: d.requests) if with_traffic else None,
        by_endpoint=by_endpoint,
        pattern=mix.pattern(buckets),
    )
