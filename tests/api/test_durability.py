"""An acknowledged write survives a crash of the server process (kill -9)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from portfolio.store.sqlite import SQLiteStore
from tests.conftest import WRITE_KEY, auth
from tests.server import ServerProcess

pytestmark = pytest.mark.slow


def test_acknowledged_users_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "durable.db"
    server = ServerProcess(db, PORTFOLIO_API_KEYS=WRITE_KEY)
    server.start()
    acknowledged = []
    with httpx.Client(base_url=server.base_url) as client:
        for i in range(25):
            response = client.post(
                "/api/v1/users",
                json={"name": f"user {i}", "email": f"user{i}@example.com"},
                headers=auth(),
            )
            assert response.status_code == 201
            acknowledged.append(response.json()["id"])
    server.kill()  # right after the last acknowledgement, no shutdown

    restarted = ServerProcess(db, port=server.port, PORTFOLIO_API_KEYS=WRITE_KEY)
    restarted.start()
    try:
        with httpx.Client(base_url=restarted.base_url) as client:
            for user_id in acknowledged:
                assert client.get(f"/api/v1/users/{user_id}").status_code == 200
    finally:
        restarted.terminate()


def test_sigterm_writes_all_recorded_telemetry(tmp_path: Path) -> None:
    db = tmp_path / "telemetry.db"
    # A flush interval far longer than the test: only the shutdown flush can write rollups.
    server = ServerProcess(
        db, workers=2, PORTFOLIO_TELEMETRY__FLUSH_INTERVAL_S="300", PORTFOLIO_API_KEYS=WRITE_KEY
    )
    server.start()
    sent = 0
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(40):
            assert client.get("/api/v1/users").status_code == 200
            sent += 1
    assert server.terminate() == 0
    store = SQLiteStore(db)
    now = int(time.time())
    recorded = sum(
        r.count for r in store.read_rollups(now - 3600, now + 60) if r.endpoint == "/api/v1/users"
    )
    store.close()
    assert recorded == sent
