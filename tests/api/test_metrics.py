"""Telemetry truth: a known mix of requests is reported exactly by /api/v1/metrics."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from tests.conftest import auth


def test_known_mix_is_counted_exactly_by_endpoint_and_status(client: TestClient) -> None:
    created = client.post(
        "/api/v1/users", json={"name": "A", "email": "a@example.com"}, headers=auth()
    )
    user_id = created.json()["id"]
    expected: Counter[tuple[str, int]] = Counter({("/api/v1/users", 201): 1})
    plan = [
        ("/health", "/health", 200, 30),
        (f"/api/v1/users/{user_id}", "/api/v1/users/{user_id}", 200, 12),
        ("/api/v1/users/01MISSING00000000000000000", "/api/v1/users/{user_id}", 404, 5),
        ("/api/v1/users", "/api/v1/users", 200, 7),
        ("/api/v1/users?limit=500", "/api/v1/users", 422, 3),
        ("/no/such/path", "(unmatched)", 404, 4),
    ]
    for path, template, status, times in plan:
        for _ in range(times):
            assert client.get(path).status_code == status
        expected[(template, status)] += times

    client.app.state.runtime.recorder.flush()  # type: ignore[attr-defined]
    body = client.get("/api/v1/metrics", params={"step": "minute"}).json()
    summary = body["summary"]
    total = sum(expected.values())
    assert summary["count"] == total
    by_endpoint: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for (template, status), n in expected.items():
        by_endpoint[template] += n
        by_status[str(status)] += n
    assert summary["by_endpoint"] == dict(by_endpoint)
    assert summary["by_status"] == dict(by_status)
    assert summary["errors_4xx"] == 5 + 3 + 4
    assert summary["errors_5xx"] == 0
    series = {s["endpoint"]: sum(p["count"] for p in s["points"]) for s in body["series"]}
    assert series == dict(by_endpoint)
    assert summary["latency_ms"]["p99"] >= summary["latency_ms"]["p50"] > 0


def test_hourly_and_daily_steps_add_up_to_the_same_totals(client: TestClient) -> None:
    for _ in range(9):
        client.get("/health")
    client.app.state.runtime.recorder.flush()  # type: ignore[attr-defined]
    minute = client.get("/api/v1/metrics").json()["summary"]["count"]
    day = client.get(
        "/api/v1/metrics",
        params={"step": "day", "start": "2020-01-01T00:00:00Z", "end": "2099-01-01T00:00:00Z"},
    )
    assert day.status_code == 422  # longer than the bounded range
    hour = client.get("/api/v1/metrics", params={"step": "hour"}).json()["summary"]["count"]
    assert minute == hour == 9


def test_bad_ranges_are_422_with_a_reason(client: TestClient) -> None:
    cases = [
        {"start": "2025-08-02T00:00:00Z", "end": "2025-08-01T00:00:00Z"},
        {"start": "2025-08-01T00:00:00", "end": "2025-08-02T00:00:00"},
        {"start": "2025-08-01T00:00:00Z", "end": "2025-08-10T00:00:00Z", "step": "minute"},
        {"step": "week"},
        {"start": "yesterday"},
    ]
    for params in cases:
        response = client.get("/api/v1/metrics", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")
