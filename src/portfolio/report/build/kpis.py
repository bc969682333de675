"""KPI達成状況: each KPI's figures and status, by its declaration in report/kpis.py
(the composer writes them by the same declaration)."""

from __future__ import annotations

from portfolio.config import Settings
from portfolio.report import analysis
from portfolio.report.build.common import TrafficIndex, mean, rounded
from portfolio.report.kpis import spec as kpi_spec
from portfolio.report.model import (
    Availability,
    Costs,
    IncidentRow,
    Kpi,
    SecurityStatus,
    Status,
    WorkDone,
)
from portfolio.sources.base import Observations


def _kpi(
    kpi_id: str, target: float | None, actual: float | None, tolerance: float | None = None
) -> Kpi:
    """A KPI's figures and status; its category, unit and direction are its declaration's."""
    spec = kpi_spec(kpi_id)
    status, achievement = analysis.kpi_status(
        actual, target, higher_is_better=spec.higher_is_better, tolerance=tolerance
    )
    return Kpi(
        id=kpi_id, category=spec.category, unit=spec.unit, kind=spec.kind.value,
        direction=spec.direction, target=target, actual=actual,
        achievement_percent=rounded(achievement),
        met=None if status is Status.NO_DATA else status is Status.MET, status=status,
    )  # fmt: skip


def _coverage_caveat(kpi: Kpi, availability: Availability) -> Kpi:
    """Coverage below the threshold leaves too many minutes unknown to claim the target: ⚠️."""
    if kpi.status is Status.MET and availability.coverage_sufficient is False:
        return kpi.model_copy(update={"status": Status.WARN, "met": False})
    return kpi


def build_kpis(
    obs: Observations,
    settings: Settings,
    availability: Availability,
    index: TrafficIndex,
    error_rate: float | None,
    incidents: list[IncidentRow],
    work: WorkDone,
    costs: Costs,
    security: SecurityStatus,
) -> list[Kpi]:
    t = settings.kpi
    # A month with nothing observed is no evidence of zero security incidents.
    observed = bool(obs.traffic or obs.probes or obs.incidents)
    responses = [i.response_minutes for i in incidents if i.response_minutes is not None]
    expected = sum(c.expected for c in work.checks)
    done = sum(c.done for c in work.checks)
    docs = len(work.documentation)
    return [
        _coverage_caveat(
            _kpi("availability", t.availability_pct, availability.percent,
                 tolerance=100 - t.availability_pct),
            availability,
        ),
        _kpi("response_time_avg", t.response_time_ms, rounded(index.total.mean)),
        _kpi("error_rate", t.error_rate_pct, error_rate),
        _kpi("security_incidents", 0, float(security.security_incidents) if observed else None),
        _kpi("incident_response_time", t.incident_response_minutes, rounded(mean(responses), 1)),
        _kpi("maintenance_completion", t.maintenance_completion_pct,
             rounded(100 * done / expected, 1) if expected else None),
        _kpi("documentation_updates", float(t.documentation_updates), float(docs)),
        _kpi("monthly_cost", t.budget_usd, rounded(costs.total_usd)),
        _kpi("cost_efficiency", costs.per_request_previous_usd,
             costs.per_request_usd if costs.per_request_previous_usd is not None else None),
        _kpi("budget_attainment", 100.0, costs.budget_attainment_percent),
    ]  # fmt: skip
