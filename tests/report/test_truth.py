"""Report figures against an independent computation from the simulator's raw events.

The report reads per-minute and hourly rollups with latency sketches; these
tests recompute each figure from the events themselves, never from rollups.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime

import numpy as np

from tests.report.conftest import SimulatedMonth


def _all(sim: SimulatedMonth, field: str) -> np.ndarray:
    return np.concatenate([getattr(e, field) for e in sim.events])


def test_total_requests_exact(simulated: SimulatedMonth) -> None:
    total = sum(e.epoch_s.size for e in simulated.events)
    assert simulated.report.traffic.total_requests == total


def test_daily_counts_and_busiest_quietest_dates_exact(simulated: SimulatedMonth) -> None:
    zone = simulated.period.zone
    per_day: Counter[str] = Counter()
    for day in simulated.events:
        for ts in day.epoch_s:
            per_day[datetime.fromtimestamp(ts, UTC).astimezone(zone).date().isoformat()] += 1
    reported = {d.date.isoformat(): d.requests for d in simulated.report.traffic.daily}
    assert reported == {day: per_day.get(day, 0) for day in reported}
    busiest = max(sorted(per_day), key=lambda d: per_day[d])
    quietest = min(sorted(per_day), key=lambda d: per_day[d])
    traffic = simulated.report.traffic
    assert traffic.busiest_day is not None
    assert traffic.quietest_day is not None
    assert traffic.busiest_day.date.isoformat() == busiest
    assert traffic.quietest_day.date.isoformat() == quietest
    assert traffic.busiest_day.requests == per_day[busiest]


def test_error_rate_exact(simulated: SimulatedMonth) -> None:
    status = _all(simulated, "status")
    expected = round(100 * int((status >= 500).sum()) / status.size, 4)
    assert simulated.report.error_rate == expected
    assert simulated.report.traffic.errors_5xx == int((status >= 500).sum())


def test_average_latency_within_one_percent(simulated: SimulatedMonth) -> None:
    latency = _all(simulated, "latency_ms")
    avg = simulated.report.latency_ms.avg
    assert avg is not None
    assert math.isclose(avg, float(latency.mean()), rel_tol=0.01)


def test_p95_and_p99_within_two_percent(simulated: SimulatedMonth) -> None:
    latency = np.sort(_all(simulated, "latency_ms"))
    for q, reported in (
        (0.95, simulated.report.latency_ms.p95),
        (0.99, simulated.report.latency_ms.p99),
    ):
        exact = latency[max(1, math.ceil(q * latency.size - 1e-9)) - 1]  # nearest rank
        assert reported is not None
        assert math.isclose(reported, float(exact), rel_tol=0.02), (q, reported, exact)


def test_request_mix_matches_events(simulated: SimulatedMonth) -> None:
    endpoints = _all(simulated, "endpoint_index")
    expected: Counter[str] = Counter()
    for index, n in zip(*np.unique(endpoints, return_counts=True), strict=True):
        expected[simulated.model.mix[int(index)].endpoint] += int(n)
    reported = {e.endpoint: e.requests for e in simulated.report.traffic.by_endpoint}
    assert reported == dict(expected)
    assert math.isclose(sum(e.share for e in simulated.report.traffic.by_endpoint), 1, abs_tol=1e-4)


def test_peak_hours_are_found_from_traffic(simulated: SimulatedMonth) -> None:
    # The model puts peaks at 9-11 and 13-15 local time; the report must find them itself.
    assert simulated.report.performance.peak.peak_hours == [9, 10, 13, 14]
    peak = simulated.report.performance.peak
    assert peak.peak.avg is not None
    assert peak.off_peak.avg is not None
    assert peak.peak.avg > peak.off_peak.avg  # the model slows peak hours down


def test_incidents_detected_and_merged_with_the_record(simulated: SimulatedMonth) -> None:
    incidents = simulated.report.incidents
    kinds = sorted((i.kind, i.recorded, i.detected) for i in incidents)
    # The latency incident was recorded by an operator and detected; the error burst
    # with failing probes was left for detection and merged into one outage.
    assert kinds == [("latency", True, True), ("outage", False, True)]
    outage = next(i for i in incidents if i.kind == "outage")
    assert outage.cause is None
    latency = next(i for i in incidents if i.kind == "latency")
    assert latency.cause
    assert latency.response_minutes == 8.0


def test_availability_counts_only_unplanned_downtime(simulated: SimulatedMonth) -> None:
    availability = simulated.report.availability
    assert availability.planned_downtime_minutes == 30.0
    assert availability.unplanned_downtime_minutes == 4.0
    monitored = availability.monitored_minutes
    assert monitored is not None
    expected = 100 * (monitored - 30 - 4) / (monitored - 30)
    assert availability.percent == round(expected, 4)
    budget = simulated.report.error_budget
    assert budget.allowed_minutes == round(31 * 24 * 60 * 0.001, 2)  # 44.64 in a 31-day month
    assert budget.consumed_minutes == 4.0
    assert budget.burn_down[-1].consumed_minutes == 4.0


def test_previous_month_costs_for_comparison(simulated: SimulatedMonth) -> None:
    costs = simulated.report.costs
    assert costs.source == "estimate"
    assert costs.previous_total_usd is not None
    assert costs.total_usd is not None
    # Lines are rounded to 1/100 cent each, so the sum may differ by that much per line.
    assert math.isclose(
        sum(line.usd for line in costs.lines), costs.total_usd, abs_tol=1e-4 * len(costs.lines)
    )
    assert costs.per_user_usd is not None
    assert costs.users == 12
