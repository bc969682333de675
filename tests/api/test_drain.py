"""Issue 27 item 5: SIGTERM drains: readiness 503 while requests still finish."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.test_serve_process import Serve, serve  # noqa: F401 - the fixture
from tests.conftest import WRITE_KEY, auth

pytestmark = pytest.mark.slow


def test_sigterm_answers_draining_while_requests_finish(
    tmp_path: Path,
    serve: list[Serve],  # noqa: F811
) -> None:
    """On main /health went from 200 straight to refused, and requests in flight failed."""
    server = Serve(tmp_path, "--no-probe", PORTFOLIO_API__DRAIN_S="2", PORTFOLIO_API_KEYS=WRITE_KEY)
    serve.append(server)
    server.wait_ready()
    errors: list[str] = []
    answered: list[int] = []
    health: list[tuple[int, str | None]] = []
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            i = 0
            while not stop.is_set():
                i += 1
                body = {"name": f"d{worker}-{i}", "email": f"d{worker}-{i}@example.com"}
                try:
                    answered.append(
                        client.post("/api/v1/users", json=body, headers=auth()).status_code
                    )
                except httpx.HTTPError as err:
                    errors.append(repr(err))

    threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    server.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    with httpx.Client(base_url=server.url, timeout=5) as poller:
        while time.monotonic() < deadline:
            answer = poller.get("/health")
            health.append((answer.status_code, answer.json()["reason"]))
            if answer.status_code == 503:
                break  # the balancer stops sending here
            time.sleep(0.05)
    stop.set()  # the load balancer has moved the traffic away
    for thread in threads:
        thread.join(timeout=15)
    server.process.wait(timeout=30)
    assert health[-1] == (503, "draining"), health
    assert not errors, errors[:3]
    assert answered
    assert set(answered) == {201}
