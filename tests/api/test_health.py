from fastapi.testclient import TestClient

from portfolio.errors import StoreUnavailableError
from portfolio.store.protocols import Store


def test_health_is_ready_with_store_reachable(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["status"] == "ok"
    assert body["store"]["reachable"] is True
    assert body["task"] == "task-test"
    assert body["uptime_s"] >= 0


def test_health_is_503_with_reason_when_store_unreachable(
    client: TestClient, store: Store, monkeypatch: object
) -> None:
    def broken() -> None:
        raise StoreUnavailableError("connection refused")

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.store.ping = broken
    runtime._ready_at = -1e9
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert "connection refused" in body["reason"]
