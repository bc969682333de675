"""総括・所感: achievements, issues and next month's aims from the KPIs and proposals."""

from __future__ import annotations

from portfolio.report.model import (
    Availability,
    IncidentRow,
    Kpi,
    Proposal,
    Status,
    Summary,
    SummaryPoint,
)


def _achievements(
    kpis: list[Kpi], incidents: list[IncidentRow], availability: Availability
) -> list[SummaryPoint]:
    """成果・成功要因: each KPI that met its target, and a month without an outage."""
    points = [
        SummaryPoint(key=f"sum.met.{k.id}", values={"actual": k.actual, "target": k.target})
        for k in kpis
        if k.status is Status.MET and k.actual is not None and k.target is not None
    ]
    if availability.probes and not availability.outages:
        points.insert(0, SummaryPoint(key="sum.no_outage", values={"probes": availability.probes}))
    return points


def _issues(
    kpis: list[Kpi], incidents: list[IncidentRow], proposals: list[Proposal]
) -> list[SummaryPoint]:
    """課題・改善点: each KPI missed or unmeasured, and incidents still without a cause."""
    points = [
        SummaryPoint(
            key=f"sum.missed.{k.id}" if k.actual is not None else "sum.no_data_kpi",
            values={"kpi": k.id, "actual": k.actual or 0.0}
            | ({} if k.target is None else {"target": k.target}),
        )
        for k in kpis
        if k.status in (Status.MISSED, Status.WARN, Status.NO_DATA)
    ]
    open_causes = [i for i in incidents if i.cause is None]
    if open_causes:
        points.append(SummaryPoint(key="sum.open_causes", values={"incidents": len(open_causes)}))
    return points


def _expectations(proposals: list[Proposal]) -> list[SummaryPoint]:
    """次期への期待: the high-priority proposals, then the rest, as next month's aims."""
    ordered = sorted(proposals, key=lambda p: ["high", "medium", "low"].index(p.priority))
    points = [SummaryPoint(key="sum.next", values={"proposal": p.id}) for p in ordered[:3]]
    return points or [SummaryPoint(key="sum.keep", values={})]


def build_summary(
    kpis: list[Kpi],
    incidents: list[IncidentRow],
    availability: Availability,
    proposals: list[Proposal],
) -> Summary:
    """総括・所感's points and the counts the terminal summary shows."""
    statuses = [k.status for k in kpis]
    return Summary(
        achievements=_achievements(kpis, incidents, availability),
        issues=_issues(kpis, incidents, proposals),
        expectations=_expectations(proposals),
        kpis_met=statuses.count(Status.MET),
        kpis_warn=statuses.count(Status.WARN),
        kpis_missed=statuses.count(Status.MISSED),
        kpis_no_data=statuses.count(Status.NO_DATA),
        incidents=len(incidents),
        incidents_without_cause=sum(1 for i in incidents if i.cause is None),
        proposals=len(proposals),
    )
