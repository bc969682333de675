"""The public status page's figures: current state, daily uptime and recent incidents.

Computed from the prober's results with the report's own rules
(:func:`portfolio.telemetry.outages.find_outages`), so the status page and the
monthly report never disagree about what was an outage. A day without probes
has no uptime figure (``None``), not 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from portfolio.store.protocols import Store
from portfolio.store.records import ProbeResult
from portfolio.telemetry.outages import find_outages, probe_interval_seconds

State = Literal["up", "down", "unknown"]

STALE_AFTER_INTERVALS = 3
"""The current state is unknown when the newest probe is older than three intervals."""


@dataclass(frozen=True, slots=True)
class CurrentState:
    state: State
    checked_at: datetime | None
    latency_ms: float | None
    status_code: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class DayUptime:
    date: date
    probes: int
    failed: int
    uptime_percent: float | None


@dataclass(frozen=True, slots=True)
class StatusIncident:
    id: str
    kind: Literal["outage", "recorded"]
    start: datetime
    end: datetime | None
    minutes: float | None
    severity: str
    summary: str


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    generated_at: datetime
    timezone: str
    current: CurrentState
    uptime_percent: float | None
    days: list[DayUptime]
    incidents: list[StatusIncident]


def service_status(
    store: Store,
    *,
    now: datetime,
    days: int,
    timezone: str,
    outage_min_minutes: float,
    incident_days: int = 30,
    max_incidents: int = 20,
) -> ServiceStatus:
    """Status over the ``days`` calendar days ending today (in ``timezone``).

    Incidents cover the last ``incident_days``: outages found in the probes and
    incidents people recorded, newest first.
    """
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    probes = sorted(store.read_probe_results(start, now + timedelta(seconds=1)), key=lambda p: p.at)

    counts: dict[date, list[int]] = {first + timedelta(days=n): [0, 0] for n in range(days)}
    for probe in probes:
        day = counts.get(probe.at.astimezone(zone).date())
        if day is not None:
            day[0] += 1
            day[1] += 0 if probe.ok else 1
    rows = [
        DayUptime(
            date=day,
            probes=total,
            failed=failed,
            uptime_percent=round(100 * (total - failed) / total, 3) if total else None,
        )
        for day, (total, failed) in counts.items()
    ]
    total = sum(r.probes for r in rows)
    failed = sum(r.failed for r in rows)

    since = now - timedelta(days=incident_days)
    recent = [p for p in probes if p.at >= since]
    incidents = [
        StatusIncident(
            id=f"outage-{o.start:%Y%m%d%H%M}",
            kind="outage",
            start=o.start,
            end=None if o.end > now else o.end,
            minutes=o.minutes,
            severity="major",
            summary=f"{o.failed_probes} failed health probes",
        )
        for o in find_outages(recent, min_minutes=outage_min_minutes)
    ]
    incidents += [
        StatusIncident(
            id=i.id,
            kind="recorded",
            start=i.started_at,
            end=i.ended_at,
            minutes=None
            if i.ended_at is None
            else round((i.ended_at - i.started_at).total_seconds() / 60, 2),
            severity=i.severity,
            summary=i.summary,
        )
        for i in store.list_incidents(since, now)
    ]
    incidents.sort(key=lambda i: i.start, reverse=True)
    return ServiceStatus(
        generated_at=now,
        timezone=timezone,
        current=_current(probes, now),
        uptime_percent=round(100 * (total - failed) / total, 3) if total else None,
        days=rows,
        incidents=incidents[:max_incidents],
    )


def _current(probes: list[ProbeResult], now: datetime) -> CurrentState:
    if not probes:
        return CurrentState("unknown", None, None, None, "no probe results recorded")
    last = probes[-1]
    interval = probe_interval_seconds(probes[-10:]) or 60.0
    if (now - last.at).total_seconds() > STALE_AFTER_INTERVALS * max(interval, 60.0):
        return CurrentState(
            "unknown", last.at, last.latency_ms, last.status, "the newest probe result is stale"
        )
    return CurrentState(
        "up" if last.ok else "down", last.at, last.latency_ms, last.status, last.detail
    )
