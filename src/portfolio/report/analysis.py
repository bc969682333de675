"""The rules that turn measurements into judgements, each documented where it lives.

Pure functions over plain data so that each rule is tested on its own:
outages from probes, incidents from per-minute totals, the ✅/⚠️/❌ rule,
weekly trends, peak hours, and the improvement proposals.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from portfolio.report.model import Status
from portfolio.store.records import MinuteTotals

WARN_MARGIN = 0.10
"""⚠️ when a KPI misses by at most 10 % of its target; ❌ beyond."""

TREND_THRESHOLD_PERCENT = 5.0
"""A week's mean latency more than 5 % above the previous week's is 'rising' (上昇),
more than 5 % below is 'improving' (改善), otherwise 'stable' (安定)."""

PEAK_FACTOR = 1.5
"""An hour of day is a peak hour when its traffic is at least 1.5 × the median hour's."""


def kpi_status(
    actual: float | None,
    target: float | None,
    *,
    higher_is_better: bool,
    tolerance: float | None = None,
) -> tuple[Status, float | None]:
    """The KPI rule: (status, achievement %).

    Achievement is actual/target (higher is better) or target/actual (lower is
    better), in percent, capped at 100. ✅ when the target holds; ⚠️ when it misses
    by at most ``tolerance`` (default WARN_MARGIN of the target — availability passes
    its allowed downtime, 100 − target, since 10 % of 99.9 % would be meaningless);
    ❌ otherwise; no data when there is no actual or no target.
    """
    if actual is None or target is None:
        return Status.NO_DATA, None
    margin = target * WARN_MARGIN if tolerance is None else tolerance
    if higher_is_better:
        achievement = 100.0 if target == 0 else min(100.0, 100 * actual / target)
        if actual >= target:
            return Status.MET, achievement
        return (Status.WARN if actual >= target - margin else Status.MISSED), achievement
    if actual <= target:
        return Status.MET, 100.0
    achievement = 0.0 if actual == 0 else min(100.0, 100 * target / actual)
    if target == 0:
        return Status.MISSED, 0.0
    return (Status.WARN if actual <= target + margin else Status.MISSED), achievement


@dataclass(frozen=True, slots=True)
class Breach:
    kind: str
    start: datetime
    end: datetime
    worst: float


def find_breaches(
    minutes: Sequence[MinuteTotals],
    *,
    latency_target_ms: float,
    error_rate_target_pct: float,
    min_minutes: int,
) -> list[Breach]:
    """Runs of consecutive minutes over a target, lasting at least ``min_minutes``.

    A minute breaches the latency target when its mean response time is above it,
    and the error target when its 5xx share is above it. A minute without requests
    ends a run: no traffic is no evidence of a problem.
    """
    breaches: list[Breach] = []
    for kind in ("latency", "errors"):
        run: list[tuple[int, float]] = []
        previous = None
        for m in minutes:
            if m.count == 0:
                value = None
            elif kind == "latency":
                value = m.latency_sum_ms / m.count
            else:
                value = 100 * m.errors_5xx / m.count
            target = latency_target_ms if kind == "latency" else error_rate_target_pct
            contiguous = previous is not None and m.minute - previous == 60
            if value is not None and value > target:
                if run and not contiguous:
                    _close_run(breaches, kind, run, min_minutes)
                    run = []
                run.append((m.minute, value))
            else:
                _close_run(breaches, kind, run, min_minutes)
                run = []
            previous = m.minute
        _close_run(breaches, kind, run, min_minutes)
    return sorted(breaches, key=lambda b: b.start)


def _close_run(
    breaches: list[Breach], kind: str, run: list[tuple[int, float]], min_minutes: int
) -> None:
    if len(run) >= min_minutes:
        breaches.append(
            Breach(
                kind=kind,
                start=datetime.fromtimestamp(run[0][0], UTC),
                end=datetime.fromtimestamp(run[-1][0] + 60, UTC),
                worst=round(max(v for _, v in run), 3),
            )
        )


Detection = tuple[str, datetime, datetime, float]
"""(kind, start, end, worst value) of one detected problem."""

_KIND_RANK = {"outage": 0, "errors": 1, "latency": 2}


def merge_overlapping(detections: Sequence[Detection]) -> list[Detection]:
    """One incident per overlapping set of detections: an outage with an error burst is one event.

    The merged incident spans all of them and takes the most severe kind
    (outage > errors > latency) and that kind's worst value.
    """
    merged: list[Detection] = []
    for kind, start, end, worst in sorted(detections, key=lambda d: d[1]):
        if merged and start <= merged[-1][2]:
            m_kind, m_start, m_end, m_worst = merged[-1]
            if _KIND_RANK[kind] < _KIND_RANK[m_kind]:
                m_kind, m_worst = kind, worst
            elif kind == m_kind:
                m_worst = max(m_worst, worst)
            merged[-1] = (m_kind, m_start, max(m_end, end), m_worst)
        else:
            merged.append((kind, start, end, worst))
    return merged


MAJOR_SEVERITIES = frozenset({"major", "critical"})
"""Recorded severities that make an incident 重大 (with any detected outage)."""
SECURITY_SEVERITY = "security"


def incident_category(kind: str, severity: str | None) -> Literal["major", "minor", "security"]:
    """The severity rule of インシデント発生状況 (docs/report.md states it).

    セキュリティインシデント: recorded with severity ``security``. 重大インシデント: an
    outage (the service stopped answering its health probe), or recorded as ``major`` /
    ``critical``. 軽微な問題: everything else (latency or error-rate breaches, minor records).
    """
    if severity == SECURITY_SEVERITY:
        return "security"
    if kind == "outage" or severity in MAJOR_SEVERITIES:
        return "major"
    return "minor"


def trend(change_percent: float | None) -> str | None:
    if change_percent is None:
        return None
    if change_percent > TREND_THRESHOLD_PERCENT:
        return "rising"
    if change_percent < -TREND_THRESHOLD_PERCENT:
        return "improving"
    return "stable"


OFF_PEAK_FACTOR = 0.5
"""An hour of day is off-peak when its traffic is at most this × the median hour's."""


def off_peak_hours(requests_by_hour: dict[int, int]) -> list[int]:
    """Hours of day whose traffic is at most OFF_PEAK_FACTOR × the median hour's."""
    if not requests_by_hour or not any(requests_by_hour.values()):
        return []
    counts = [requests_by_hour.get(h, 0) for h in range(24)]
    median = statistics.median(counts)
    return [h for h in range(24) if counts[h] <= OFF_PEAK_FACTOR * median]


def peak_hours(requests_by_hour: dict[int, int]) -> list[int]:
    """Hours of day whose traffic is at least PEAK_FACTOR × the median hour's."""
    if not requests_by_hour or not any(requests_by_hour.values()):
        return []
    counts = [requests_by_hour.get(h, 0) for h in range(24)]
    median = statistics.median(counts)
    if median == 0:
        return []
    return [h for h in range(24) if counts[h] >= PEAK_FACTOR * median]


def percent_change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return round(100 * (current - previous) / previous, 2)
