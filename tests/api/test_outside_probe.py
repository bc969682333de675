"""Route 53's health checkers are counted apart from users, by their User-Agent."""

from __future__ import annotations

from fastapi.testclient import TestClient

from portfolio import names

METRICS = "/api/v1/metrics"
CHECKER = f"{names.OUTSIDE_PROBE_USER_AGENT} (ref 0b1c2d3e-1111-2222-3333-444455556666; report http://amzn.to/1vsZADi)"


def test_route53_checkers_have_their_own_endpoint_name(client: TestClient) -> None:
    for _ in range(3):
        assert client.get(names.HEALTH_PATH, headers={"User-Agent": CHECKER}).status_code == 200
    assert client.get(names.HEALTH_PATH, headers={"User-Agent": "Mozilla/5.0"}).status_code == 200
    client.app.state.runtime.recorder.flush()  # type: ignore[attr-defined]
    by_endpoint = client.get(METRICS).json()["summary"]["by_endpoint"]
    assert by_endpoint[names.OUTSIDE_PROBE_ENDPOINT] == 3
    assert by_endpoint[names.HEALTH_PATH] == 1
