"""Known data for the browser tests: users, hourly traffic, probe results and an incident.

Values come from a seeded generator so a failing comparison can be reproduced.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from portfolio.sketch import LatencySketch
from portfolio.store.records import Incident, NewUser, ProbeResult, Role, Rollup
from portfolio.store.sqlite import SQLiteStore

USERS = (
    NewUser(name="山田 花子", email="hanako@example.com", role=Role.ADMIN, title="SRE",
            bio="運用と監視の担当。", links=("https://example.com/hanako",)),
    NewUser(name="Alex Smith", email="alex@example.com", title="Backend engineer",
            bio="APIs and data stores."),
    NewUser(name="Sato Ken", email="ken@example.com", role=Role.EDITOR),
)  # fmt: skip

ENDPOINTS = {"/api/v1/users": 30.0, "/health": 6.0, "/api/v1/metrics": 55.0}
"""Endpoint template and its typical latency in ms."""

PROBE_INTERVAL = timedelta(minutes=10)
PROBE_DAYS = 20
"""Probes cover the last 20 days; the status page's other 70 days have no data."""


def seed_traffic(store: SQLiteStore, *, start: datetime, hours: int, seed: int = 11) -> None:
    """One rollup per endpoint and hour (plus a few 5xx), as the recorder would write them."""
    rng = np.random.default_rng(seed)
    rollups = []
    for h in range(hours):
        minute = int((start + timedelta(hours=h)).timestamp()) + 300
        for endpoint, typical in ENDPOINTS.items():
            count = int(rng.integers(20, 80))
            sketch = LatencySketch()
            sketch.add_many(rng.lognormal(np.log(typical), 0.5 + 0.1 * (h % 3), count))
            rollups.append(
                Rollup(minute=minute, endpoint=endpoint, method="GET", status=200, task="t1",
                       count=count, bytes_in=0, bytes_out=500 * count, sketch=sketch)
            )  # fmt: skip
            if h % 5 == 0:
                errors = LatencySketch()
                errors.add_many(rng.lognormal(np.log(typical * 3), 0.3, 2))
                rollups.append(
                    Rollup(minute=minute, endpoint=endpoint, method="GET", status=503, task="t1",
                           count=2, bytes_out=100, sketch=errors)
                )  # fmt: skip
    store.write_rollups(rollups)


def seed_probes(store: SQLiteStore, *, now: datetime, failing_days_ago: int = 4) -> datetime:
    """Probes every 10 minutes; one day has a 30-minute run of failures. Returns the last."""
    probes = []
    at = now - timedelta(days=PROBE_DAYS)
    outage_start = now - timedelta(days=failing_days_ago)
    while at <= now - PROBE_INTERVAL:
        failed = outage_start <= at < outage_start + timedelta(minutes=30)
        probes.append(
            ProbeResult(at=at, ok=not failed, latency_ms=None if failed else 4.2,
                        status=None if failed else 200,
                        detail="connection refused" if failed else "")
        )  # fmt: skip
        at += PROBE_INTERVAL
    store.write_probe_results(probes)
    return probes[-1].at


def simulate_outage(store: SQLiteStore, *, after: datetime, now: datetime) -> int:
    """Failed probes every minute from just after ``after`` up to now: the service is down now.

    Returns how many were written.
    """
    failed = []
    at = after + timedelta(minutes=1)
    while at <= now:
        failed.append(
            ProbeResult(at=at, ok=False, latency_ms=None, status=None, detail="connect timeout")
        )
        at += timedelta(minutes=1)
    store.write_probe_results(failed)
    return len(failed)


def seed_all(store: SQLiteStore, *, now: datetime) -> datetime:
    """Everything the pages show; returns the time of the last probe."""
    for user in USERS:
        store.create_user(user)
    hour = now.replace(minute=0, second=0, microsecond=0)
    seed_traffic(store, start=hour - timedelta(hours=23), hours=24)
    last_probe = seed_probes(store, now=now)
    store.add_incident(
        Incident(id="inc-browser-1", started_at=now - timedelta(days=2, hours=3),
                 ended_at=now - timedelta(days=2, hours=2), summary="API latency degradation",
                 severity="minor")
    )  # fmt: skip
    return last_probe


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
