from fastapi.testclient import TestClient

from portfolio.errors import StoreUnavailableError


def test_livez_stays_200_when_the_store_is_unreachable(client: TestClient) -> None:
    def broken() -> None:
        raise StoreUnavailableError("connection refused")

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.store.ping = broken
    assert client.get("/health").status_code == 503
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
