"""`portfolio serve` as a process: start-up, worker death, bad paths and bad keys."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import pytest

from portfolio.security_rules import API_KEYS_BASELINE, PERMISSION_API_KEYS
from portfolio.store.sqlite import SQLiteStore
from tests.conftest import WRITE_KEY
from tests.server import free_port

pytestmark = pytest.mark.slow
PORTFOLIO = (sys.executable, "-m", "portfolio")


def _portfolio(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PORTFOLIO, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def _assert_one_line_exit_2(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_serve_on_an_impossible_db_path_is_one_line_and_exit_2() -> None:
    _assert_one_line_exit_2(_portfolio("serve", "--db", "/proc/nope/p.db"), "/proc/nope/p.db")


def test_report_to_a_forbidden_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    from portfolio.store.sqlite import SQLiteStore

    db = tmp_path / "r.db"
    SQLiteStore(db).close()  # `report` reads an existing store; only serve and demo make one
    result = _portfolio(
        "report", "--out", "/proc/forbidden", "--db", str(db), "--month", "2025-08",
        "--allow-empty",
    )  # fmt: skip
    _assert_one_line_exit_2(result, "/proc/forbidden")


@pytest.mark.parametrize(
    "keys",
    ["k-0123456789abcdef:readonly", "secret-0123456789:part", "sec-0123456789ab:x:ro", ":ro"],
)
def test_api_keys_with_unknown_suffixes_stop_serve_at_start(tmp_path: Path, keys: str) -> None:
    result = _portfolio(
        "serve",
        "--db",
        str(tmp_path / "k.db"),
        "--create",
        "--no-probe",
        env={"PORTFOLIO_API_KEYS": keys},
    )
    _assert_one_line_exit_2(result, "PORTFOLIO_API_KEYS")
    secret = keys.split(":")[0]
    assert not secret or secret not in result.stderr  # the secret is never shown


class Serve:
    """`portfolio serve` with its output in a file, stopped by SIGTERM at the end."""

    def __init__(self, tmp_path: Path, *args: str, **env: str) -> None:
        self.port = free_port()
        self.db = tmp_path / "serve.db"
        self.log = tmp_path / "serve.log"
        self.url = f"http://127.0.0.1:{self.port}"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    *PORTFOLIO,
                    "serve",
                    "--port",
                    str(self.port),
                    "--db",
                    str(self.db),
                    "--create",
                    *args,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false", **env},
            )

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("server did not become ready")

    def workers(self) -> list[psutil.Process]:
        workers = []
        for child in psutil.Process(self.process.pid).children():
            try:  # a killed worker is a zombie until the supervisor reaps it
                if "resource_tracker" not in " ".join(child.cmdline()):
                    workers.append(child)
            except (psutil.ZombieProcess, psutil.NoSuchProcess):
                continue
        return workers

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[list[Serve]]:
    started: list[Serve] = []
    yield started
    for server in started:
        server.stop()


def _wait_for(predicate: object, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_worker_death_and_restart_are_logged(tmp_path: Path, serve: list[Serve]) -> None:
    server = Serve(tmp_path, "--workers", "2", "--no-probe")
    serve.append(server)
    server.wait_ready()
    assert _wait_for(lambda: len(server.workers()) == 2, 30)
    victim = server.workers()[0].pid
    os.kill(victim, signal.SIGKILL)

    def restarted() -> bool:
        text = server.log.read_text(errors="replace")
        died = text.find(f"[{victim}] died")
        return died >= 0 and re.search(r"worker \S+ started", text[died:]) is not None

    assert _wait_for(restarted, 30), server.log.read_text()
    assert len(server.workers()) == 2


def test_served_answers_name_no_server_software(tmp_path: Path, serve: list[Serve]) -> None:
    server = Serve(tmp_path)
    serve.append(server)
    server.wait_ready()
    headers = httpx.get(server.url + "/health", timeout=5).headers
    assert "server" not in headers
    assert headers["x-content-type-options"] == "nosniff"


def test_start_up_with_two_workers_records_no_false_outage(
    tmp_path: Path, serve: list[Serve]
) -> None:
    server = Serve(tmp_path, "--workers", "2", PORTFOLIO_TELEMETRY__PROBE_INTERVAL_S="0.5")
    serve.append(server)
    now = datetime.now(UTC)
    store = SQLiteStore(server.db)
    try:

        def probes() -> list[object]:
            return list(
                store.read_probe_results(now - timedelta(minutes=1), now + timedelta(hours=1))
            )

        assert _wait_for(lambda: len(probes()) >= 4, 60), server.log.read_text()
        server.stop()
        results = store.read_probe_results(now - timedelta(minutes=1), now + timedelta(hours=1))
        assert [r.ok for r in results] == [True] * len(list(results))
    finally:
        store.close()


def test_a_changed_api_key_set_is_recorded_once(tmp_path: Path) -> None:
    db = tmp_path / "keys.db"

    def start_and_stop(keys: str) -> None:
        port = free_port()
        process = subprocess.Popen(
            [*PORTFOLIO, "serve", "--db", str(db), "--create", "--no-probe", "--port", str(port)],
            env={**os.environ, "PORTFOLIO_API_KEYS": keys},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
        finally:
            process.terminate()
            process.wait(timeout=30)

    start_and_stop(WRITE_KEY)  # a fresh store: its baseline, not a change
    start_and_stop(WRITE_KEY)  # same set: nothing new
    start_and_stop(f"{WRITE_KEY}:ro")  # same key, other scope: a change
    store = SQLiteStore(db)
    now = datetime.now(UTC)
    logged = store.list_work_items(now - timedelta(hours=1), now + timedelta(hours=1))
    store.close()
    baseline = [i for i in logged if i.kind == API_KEYS_BASELINE]
    items = [i for i in logged if i.kind == PERMISSION_API_KEYS]
    assert len(baseline) == 1
    assert len(items) == 1
    assert all(WRITE_KEY not in i.summary for i in [*baseline, *items])
    assert "(write)" in baseline[0].summary
    assert "(read)" in items[0].summary
