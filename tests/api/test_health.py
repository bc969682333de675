from fastapi.testclient import TestClient

from portfolio.errors import StoreUnavailableError
from portfolio.store.protocols import Store
from tests.conftest import READ_KEY, auth


def test_health_is_ready_with_store_reachable(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "ready": True, "reason": None}
    keyed = client.get("/health", headers=auth(READ_KEY)).json()
    assert keyed["ready"] is True
    assert keyed["store"]["reachable"] is True
    assert keyed["task"] == "task-test"
    assert keyed["uptime_s"] >= 0
    assert keyed["version"]


def test_health_is_503_with_reason_when_store_unreachable(
    client: TestClient, store: Store, monkeypatch: object
) -> None:
    def broken() -> None:
        raise StoreUnavailableError("connection refused to /var/secret/store.db")

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.store.ping = broken
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "unavailable", "ready": False, "reason": "store-unreachable"}
    keyed = client.get("/health", headers=auth()).json()
    assert "connection refused" in keyed["store"]["detail"]


def test_anonymous_health_names_no_task_version_or_store_error(client: TestClient) -> None:
    """Issue 27 item 4: a wrong key gets the short answer too, never a 401."""
    for headers in ({}, {"Authorization": "Bearer not-a-key-0123456789"}, {"Authorization": "x"}):
        response = client.get("/health", headers=headers)
        assert response.status_code == 200
        assert set(response.json()) == {"status", "ready", "reason"}
