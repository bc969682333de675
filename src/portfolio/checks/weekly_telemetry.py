"""The weekly review's traffic on AWS: the service's own telemetry, as the report reads it.

Every ECS task or Lambda instance writes its hourly rollups to the metrics table; the
monthly report's AWS source reads its requests, latency and error rate from them
(``sources.aws_traffic``), so the weekly review reads the same rows the same way. The
serverless design has no load balancer to ask, and on either design Route 53's checkers
(``names.OUTSIDE_PROBE_ENDPOINT``) are a monitor's requests, not a user's: they are left
out of the week's figures, as the report leaves them out of its traffic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from portfolio import names
from portfolio.checks.snapshot import EndpointLatency, WindowStats
from portfolio.store.protocols import Store
from portfolio.telemetry.query import LatencyStats
from portfolio.telemetry.totals import RequestTotals

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TelemetryWeek:
    """Users' requests of one week as the service recorded them; None without any."""

    stats: WindowStats | None
    endpoints: list[EndpointLatency]


def telemetry_week(store: Store, start: datetime, end: datetime) -> TelemetryWeek:
    """[start, end) (whole hours) from the hourly rollups of every task or instance."""
    rollups = store.read_rollups(int(start.timestamp()), int(end.timestamp()), resolution="hour")
    total = RequestTotals()
    per_endpoint: dict[str, RequestTotals] = defaultdict(RequestTotals)
    for row in rollups:
        if row.endpoint == names.OUTSIDE_PROBE_ENDPOINT:
            continue
        total.add(row)
        per_endpoint[row.endpoint].add(row)
    if not total.count:
        return TelemetryWeek(stats=None, endpoints=[])
    latency = LatencyStats.of(total.sketch)
    stats = WindowStats(
        requests=total.count,
        errors_5xx=total.errors_5xx,
        avg_ms=latency.avg,
        p50_ms=latency.p50,
        p95_ms=latency.p95,
        p99_ms=latency.p99,
    )
    endpoints = [
        EndpointLatency(endpoint=name, requests=t.count, p95_ms=LatencyStats.of(t.sketch).p95)
        for name, t in sorted(per_endpoint.items(), key=lambda item: -item[1].count)
    ]
    return TelemetryWeek(stats=stats, endpoints=endpoints)
