"""`portfolio store init` and `portfolio serve --store dynamodb`, end to end, as a person runs them.

Two worker processes serve the API on DynamoDB Local; 50 PATCHes of one user
with the same If-Match race through both: DynamoDB's conditional write must let
exactly one win. What the workers record reaches the metrics API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from portfolio.store.dynamodb import DynamoDBStore, make_client
from tests.conftest import WRITE_KEY
from tests.dynamodb_local import new_table_prefix
from tests.server import free_port

pytestmark = pytest.mark.slow

PORTFOLIO = str(Path(sys.executable).parent / "portfolio")
HEADERS = {"Authorization": f"Bearer {WRITE_KEY}"}


class Served:
    """`portfolio serve` on the module's tables: started on demand, stopped by SIGTERM."""

    def __init__(self, env: dict[str, str], endpoint: str, log: Path) -> None:
        self.env, self.endpoint, self.log = env, endpoint, log
        self.process: subprocess.Popen[bytes] | None = None
        self._base = ""

    @property
    def base(self) -> str:
        """The running server's URL; a stopped one is started again (same tables)."""
        if self.process is None:
            self._start()
        return self._base

    def _start(self) -> None:
        port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    PORTFOLIO, "serve", "--store", "dynamodb", "--endpoint-url", self.endpoint,
                    "--port", str(port), "--workers", "2", "--no-probe",
                ],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self._base}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"serve not ready in 60 s: {self.log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM, as ECS stops a task: each worker writes what it recorded, then exits."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="module")
def served(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`portfolio serve --workers 2` on fresh tables of DynamoDB Local.

    One server for the module: starting two workers is the slow part.
    """
    tmp_path = tmp_path_factory.mktemp("serve")
    prefix = new_table_prefix()
    users, metrics = f"{prefix}-portfolio-users", f"{prefix}-portfolio-metrics"
    env = {
        **os.environ,
        "PORTFOLIO_API_KEYS": WRITE_KEY,
        "PORTFOLIO_STORE__USERS_TABLE": users,
        "PORTFOLIO_STORE__METRICS_TABLE": metrics,
        "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
        "PORTFOLIO_TELEMETRY__FLUSH_INTERVAL_S": "1",
    }
    init = subprocess.run(
        [PORTFOLIO, "store", "init", "--endpoint-url", dynamodb_endpoint],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    assert init.stdout.split() == ["created", users, "created", metrics]
    again = subprocess.run(
        [PORTFOLIO, "store", "init", "--endpoint-url", dynamodb_endpoint],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert again.stdout.split() == ["exists", users, "exists", metrics]
    server = Served(env, dynamodb_endpoint, tmp_path / "serve.log")
    try:
        yield server
    finally:
        server.stop()
        DynamoDBStore(
            make_client(dynamodb_endpoint, "us-east-1"), users_table=users, metrics_table=metrics
        ).delete_tables()


def test_serve_on_dynamodb_runs_the_whole_user_api(served: Served) -> None:
    with httpx.Client(base_url=served.base, headers=HEADERS, timeout=10) as api:
        created = api.post("/api/v1/users", json={"name": "Ada", "email": "ada@example.com"})
        assert created.status_code == 201
        user = created.json()
        assert created.headers["etag"] == '"1"'
        assert api.get(f"/api/v1/users/{user['id']}").json()["name"] == "Ada"
        duplicate = api.post("/api/v1/users", json={"name": "B", "email": "ADA@example.com"})
        assert duplicate.status_code == 409
        for n in range(5):
            api.post("/api/v1/users", json={"name": f"U{n}", "email": f"u{n}@example.com"})
        first = api.get("/api/v1/users", params={"limit": 4}).json()
        rest = api.get("/api/v1/users", params={"limit": 4, "cursor": first["next_cursor"]})
        ids = [u["id"] for u in first["items"] + rest.json()["items"]]
        assert len(ids) == len(set(ids)) == 6
        assert rest.json().get("next_cursor") is None
        bad = api.get("/api/v1/users", params={"cursor": "garbage!"})
        assert bad.status_code == 422
        patched = api.patch(
            f"/api/v1/users/{user['id']}",
            json={"email": "ada@new.example.com"},
            headers={"If-Match": '"1"'},
        )
        assert patched.status_code == 200
        assert patched.headers["etag"] == '"2"'
        deleted = api.delete(f"/api/v1/users/{user['id']}", headers={"If-Match": '"2"'})
        assert deleted.status_code == 204
        assert api.get(f"/api/v1/users/{user['id']}").status_code == 404


def test_50_concurrent_patches_with_one_if_match_have_exactly_one_winner(served: Served) -> None:
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
    with httpx.Client(base_url=served.base, headers=HEADERS, timeout=30, limits=limits) as api:
        user = api.post("/api/v1/users", json={"name": "Race", "email": "race@example.com"}).json()

        def patch(n: int) -> int:
            response = api.patch(
                f"/api/v1/users/{user['id']}", json={"name": f"W{n}"}, headers={"If-Match": '"1"'}
            )
            return response.status_code

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = Counter(pool.map(patch, range(50)))
        assert statuses == {200: 1, 412: 49}
        final = api.get(f"/api/v1/users/{user['id']}")
        assert final.headers["etag"] == '"2"'
        assert final.json()["name"].startswith("W")


def test_what_the_workers_recorded_reaches_the_metrics_api(served: Served) -> None:
    """Each worker writes its closed minutes to DynamoDB, and on SIGTERM the open one too;
    a server started again reads them all through /api/v1/metrics (no waiting here for a
    minute to close)."""
    with httpx.Client(base_url=served.base, headers=HEADERS, timeout=10) as api:
        user = api.post("/api/v1/users", json={"name": "Meter", "email": "meter@example.com"})
        stale = {"If-Match": '"9"'}
        for _ in range(12):
            path = f"/api/v1/users/{user.json()['id']}"
            assert api.patch(path, json={"name": "M"}, headers=stale).status_code == 412
    served.stop()
    with httpx.Client(base_url=served.base, headers=HEADERS, timeout=10) as api:
        summary = api.get("/api/v1/metrics").json()["summary"]
    assert summary["by_status"].get("412", 0) >= 12
    assert summary["by_endpoint"].get("/api/v1/users/{user_id}", 0) >= 12
    assert summary["by_endpoint"].get("/api/v1/users", 0) >= 1
