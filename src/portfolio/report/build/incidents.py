"""インシデント・問題報告: detected breaches and outages matched with recorded incidents."""

from __future__ import annotations

from portfolio.config import Settings
from portfolio.report import analysis
from portfolio.report.model import Availability, IncidentCounts, IncidentRow
from portfolio.sources.base import Observations
from portfolio.store.ids import detected_incident_id
from portfolio.store.records import Incident


def build_incidents(
    obs: Observations, settings: Settings, availability: Availability
) -> list[IncidentRow]:
    breaches = analysis.find_breaches(
        obs.minutes,
        latency_target_ms=settings.kpi.response_time_ms,
        error_rate_target_pct=settings.kpi.error_rate_pct,
        min_minutes=settings.report.incident_min_minutes,
    )
    detected = analysis.merge_overlapping(
        [(b.kind, b.start, b.end, b.worst) for b in breaches]
        + [("outage", o.start, o.end, o.minutes) for o in availability.outages]
    )
    rows: list[IncidentRow] = []
    claimed: set[str] = set()
    for kind, start, end_at, worst in sorted(detected, key=lambda d: d[1]):
        match = next(
            (
                i
                for i in obs.incidents
                if i.id not in claimed
                and i.started_at < end_at
                and (i.ended_at or i.started_at) >= start
            ),
            None,
        )
        if match is not None:
            claimed.add(match.id)
        rows.append(
            IncidentRow(
                id=match.id if match else detected_incident_id(kind, start),
                kind=kind,
                start=start,
                end=end_at,
                duration_minutes=round((end_at - start).total_seconds() / 60, 1),
                severity=match.severity if match else ("major" if kind == "outage" else "minor"),
                summary=match.summary if match else "",
                detected=True,
                recorded=match is not None,
                peak_value=worst,
                impact=match.impact if match else "",
                cause=(match.cause or None) if match else None,
                response=match.response if match else "",
                prevention=match.prevention if match else "",
                response_minutes=_response_minutes(match),
                category=analysis.incident_category(kind, match.severity if match else None),
            )
        )
    for incident in obs.incidents:
        if incident.id in claimed:
            continue
        end = incident.ended_at
        rows.append(
            IncidentRow(
                id=incident.id,
                kind="recorded",
                start=incident.started_at,
                end=end,
                duration_minutes=None
                if end is None
                else round((end - incident.started_at).total_seconds() / 60, 1),
                severity=incident.severity,
                summary=incident.summary,
                detected=False,
                recorded=True,
                peak_value=None,
                impact=incident.impact,
                cause=incident.cause or None,
                response=incident.response,
                prevention=incident.prevention,
                response_minutes=_response_minutes(incident),
                category=analysis.incident_category("recorded", incident.severity),
            )
        )
    return sorted(rows, key=lambda r: r.start)


def incident_counts(incidents: list[IncidentRow]) -> IncidentCounts:
    """インシデント発生状況: the period's incidents by category."""
    categories = [i.category for i in incidents]
    return IncidentCounts(
        major=categories.count("major"),
        minor=categories.count("minor"),
        security=categories.count("security"),
    )


def _response_minutes(incident: Incident | None) -> float | None:
    """Minutes from detection (or start) to the first response, when recorded."""
    if incident is None or incident.responded_at is None:
        return None
    began = incident.detected_at or incident.started_at
    return round((incident.responded_at - began).total_seconds() / 60, 1)
