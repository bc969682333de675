"""Fault test: the disk fills under a running `portfolio serve` (a file-size limit).

While the store cannot write, writes are 503 with Retry-After (never 500, never a
dropped connection) and /health says not ready; once there is room again nothing
acknowledged is missing and the telemetry counts every failed request.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest

from portfolio.store.sqlite import SQLiteStore
from tests.conftest import WRITE_KEY, auth
from tests.server import free_port

pytestmark = pytest.mark.slow

LIMIT_BYTES = 768 * 1024
"""Room for the schema and a few dozen users: the store's files stop growing there."""


def _limit_file_size() -> None:  # runs in the child before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    # Only the soft limit: the test lifts it again later, which needs no privilege.
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, resource.RLIM_INFINITY))


def _lift_limit(pid: int) -> None:
    for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        process.rlimit(psutil.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited"
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("server did not become ready")


def test_a_full_disk_is_503_not_ready_and_counted(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    SQLiteStore(db).close()  # the schema first, before the limit applies
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "portfolio", "serve", "--no-probe", "--port", str(port)]  # noqa: RUF005
        + ["--db", str(db)],
        env={
            **os.environ,
            "PORTFOLIO_API_KEYS": WRITE_KEY,
            "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
            "PORTFOLIO_TELEMETRY__FLUSH_INTERVAL_S": "1",
        },
        stdout=subprocess.DEVNULL,  # a pipe, not a file: the limit is for the store's files
        stderr=subprocess.DEVNULL,
        preexec_fn=_limit_file_size,  # the limit must be in place before exec
    )
    statuses: Counter[int] = Counter()
    acknowledged: list[str] = []
    try:
        _wait_ready(url, process)
        bio = "x" * 1500
        with httpx.Client(base_url=url, timeout=10) as client:

            def post(i: int) -> httpx.Response:
                response = client.post(
                    "/api/v1/users",
                    json={"name": f"user {i}", "email": f"u{i}@example.com", "bio": bio},
                    headers=auth(),
                )
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
                return response

            failed = None
            for i in range(2000):
                response = post(i)
                if response.status_code == 503:
                    failed = response
                    break
            assert failed is not None, f"the store never filled up: {statuses}"
            assert failed.headers["content-type"].startswith("application/problem+json")
            assert int(failed.headers["Retry-After"]) > 0
            health = client.get("/health")
            assert health.status_code == 503
            assert health.json()["ready"] is False
            for i in range(2000, 2020):  # it keeps failing the same way while full
                assert post(i).status_code == 503
            time.sleep(2.5)  # a telemetry flush falls into the outage too

            _lift_limit(process.pid)
            deadline = time.monotonic() + 30
            while post(len(acknowledged) + 5000).status_code != 201:
                assert time.monotonic() < deadline, f"the store did not recover: {statuses}"
                time.sleep(0.5)
            deadline = time.monotonic() + 15
            while client.get("/health").status_code != 200:
                assert time.monotonic() < deadline, "readiness did not come back"
                time.sleep(0.5)
            for user_id in acknowledged:
                assert client.get(f"/api/v1/users/{user_id}").status_code == 200, user_id
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    # uvicorn re-raises SIGTERM after its graceful shutdown: -15 is a clean stop too
    assert process.returncode in (0, -signal.SIGTERM)
    assert statuses[500] == 0
    assert set(statuses) <= {201, 503}

    store = SQLiteStore(db)
    counted: Counter[int] = Counter()
    now = int(time.time())
    for rollup in store.read_rollups(now - 3600, now + 120, endpoint="/api/v1/users"):
        if rollup.method == "POST":
            counted[rollup.status] += rollup.count
    store.close()
    assert counted[503] == statuses[503]  # every failed request, recorded after recovery
    assert counted[201] == statuses[201]


def test_a_broken_store_is_503_on_reads_too(tmp_path: Path) -> None:
    """Reads map SQLite errors like writes do: tables gone from under the server are 503."""
    import sqlite3

    from fastapi.testclient import TestClient

    from portfolio.api.app import create_app
    from tests.conftest import make_settings

    db = tmp_path / "broken.db"
    store = SQLiteStore(db)
    app = create_app(make_settings(tmp_path), store=store, configure_logs=False)
    with TestClient(app) as client:
        store.close()  # every thread opens the file anew
        with sqlite3.connect(db) as damage:
            damage.executescript(
                "DROP TABLE rollups; DROP TABLE rollups_hourly; DROP TABLE users;"
                " DROP TABLE probe_results;"
            )
        for path in ("/api/v1/metrics", "/api/v1/users", "/api/v1/status"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["Retry-After"]
        assert client.get("/health").json()["ready"] is False
