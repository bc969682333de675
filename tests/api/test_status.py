"""/api/v1/status: daily uptime from probes, outages by the report's rule, and its cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portfolio.api.app import create_app
from portfolio.config import ApiSettings
from portfolio.store.protocols import Store
from portfolio.store.records import ProbeResult
from tests.conftest import make_settings


def probes(start: datetime, pattern: str) -> list[ProbeResult]:
    return [
        ProbeResult(
            at=start + timedelta(minutes=i),
            ok=c == "+",
            latency_ms=2.0 if c == "+" else None,
            status=200 if c == "+" else None,
        )
        for i, c in enumerate(pattern)
    ]


def status_client(tmp_path: Path, store: Store, cache_s: float) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, api=ApiSettings(status_cache_s=cache_s))
    with TestClient(create_app(settings, store=store, configure_logs=False)) as client:
        yield client


@pytest.fixture
def fresh(tmp_path: Path, store: Store) -> Iterator[TestClient]:
    yield from status_client(tmp_path, store, 0)


@pytest.fixture
def cached(tmp_path: Path, store: Store) -> Iterator[TestClient]:
    yield from status_client(tmp_path, store, 60)


def test_status_reports_today_and_an_outage(fresh: TestClient, store: Store) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    store.write_probe_results(probes(start, "+" * 10 + "-----" + "+" * 15))
    body = fresh.get("/api/v1/status", params={"days": 3}).json()
    assert body["current"]["state"] == "up"
    assert len(body["days"]) == 3
    # The last 30 minutes may straddle midnight in the report's time zone (00:00 JST is
    # 15:00 UTC): count over the days, not just today.
    assert sum(day["probes"] for day in body["days"]) == 30
    assert sum(day["failed"] for day in body["days"]) == 5
    assert [i["kind"] for i in body["incidents"]] == ["outage"]


def test_days_without_probes_have_no_uptime_figure(fresh: TestClient) -> None:
    body = fresh.get("/api/v1/status", params={"days": 2}).json()
    assert all(day["uptime_percent"] is None for day in body["days"])
    assert body["current"]["state"] == "unknown"


def test_answers_are_reused_within_the_cache_time(cached: TestClient, store: Store) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    store.write_probe_results(probes(start, "+" * 5))
    first = cached.get("/api/v1/status", params={"days": 1}).json()
    store.write_probe_results(probes(start + timedelta(minutes=5), "-----"))
    again = cached.get("/api/v1/status", params={"days": 1}).json()
    assert again == first  # within 60 s: the same answer, the store is not read again
    other = cached.get("/api/v1/status", params={"days": 2}).json()
    assert sum(d["failed"] for d in other["days"]) == 5  # another key is computed afresh


def test_days_are_bounded(fresh: TestClient) -> None:
    assert fresh.get("/api/v1/status", params={"days": 91}).status_code == 422
