"""`make bench`: every benchmark of the project, in one run, as ratios to its baseline.

ALB access logs: `portfolio logs summary` against goaccess and against the engine
baseline (a minimal DuckDB script computing the same figures) on the same 650k-line
month, and our peak memory on 6.5M lines in one file (bench/alb_logs.py; `make bench-logs`).

API throughput: wrk on loopback against the real `portfolio serve` (telemetry on,
SQLite store, 2 workers) and against a bare FastAPI app on the same server and
settings; both servers (uvicorn, granian) so the choice between them is measured.
The same API on DynamoDB Local beside SQLite shows what the store costs a request
(DynamoDB Local is a Java emulator on the same 2 cores: a lower bound for the API
on AWS, whose DynamoDB answers in single-digit ms over the network instead).
The demo month exported and copied into DynamoDB Local, and its report read from there
beside SQLite's (bench/transfer_bench.py).
The Lambda handler's cold start (a fresh interpreter importing the packaged handler
and answering one /health event) beside a bare Mangum + FastAPI handler in the same
package layout (bench/lambda_coldstart.py).
Results are printed and written to bench/results/latest.json. Never run in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import free_port  # noqa: E402

from bench.alb_logs import alb_logs_benchmark  # noqa: E402
from bench.api_inprocess import api_inprocess_benchmark  # noqa: E402
from bench.lambda_coldstart import lambda_coldstart_benchmark  # noqa: E402
from bench.report_bench import report_benchmark  # noqa: E402
from bench.transfer_bench import transfer_benchmark  # noqa: E402
from bench.wrk import WrkResult, run_wrk  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = 2
KEY = "bench-writer-key-0123456789"


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early ({process.returncode})")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} never became ready")


@contextmanager
def running(
    command: list[str], health_url: str, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_ready(health_url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print(f"  (server did not stop in 30 s after SIGTERM; killed: {command[2:5]})")
            process.kill()
            process.wait()


def bare_command(server: str, port: int) -> list[str]:
    if server == "granian":
        return [
            sys.executable, "-m", "granian", "--interface", "asgi", "--workers", str(WORKERS),
            "--port", str(port), "--factory", "bench.bare_app:create_app",
        ]  # fmt: skip
    return [
        sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(port),
        "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def portfolio_command(server: str, port: int, db: Path) -> list[str]:
    return [
        sys.executable, "-m", "portfolio", "serve", "--port", str(port), "--db", str(db),
        "--create", "--workers", str(WORKERS), "--server", server, "--no-probe",
    ]  # fmt: skip


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a server process and its live workers."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:  # a worker that ended meanwhile
            continue
        total += times.user + times.system
    return total


def measure_alternating(
    urls: dict[str, str], servers: dict[str, int] | None = None
) -> dict[str, WrkResult]:
    """Median of ROUNDS short wrk runs per URL, taken in turn.

    Alternating the targets spreads any background load on the machine evenly
    over all of them, so the ratios stay meaningful on a busy 2-core box.
    ``servers`` names the server process of a URL: its CPU time per request is
    measured too, which other engineers' load on the machine does not inflate.
    """
    runs: dict[str, list[WrkResult]] = {name: [] for name in urls}
    for _ in range(ROUNDS):
        for name, url in urls.items():
            pid = (servers or {}).get(name)
            before = tree_cpu_s(pid) if pid is not None else 0.0
            result = run_wrk(url, seconds=SECONDS, connections=CONNECTIONS)
            if pid is not None and result.requests:
                spent_us = (tree_cpu_s(pid) - before) * 1e6
                result = replace(result, server_cpu_us=spent_us / result.requests)
            runs[name].append(result)
    return {
        name: WrkResult(
            requests_per_s=statistics.median(r.requests_per_s for r in results),
            p99_ms=statistics.median(r.p99_ms for r in results),
            errors=sum(r.errors for r in results),
            server_cpu_us=statistics.median(r.server_cpu_us for r in results),
        )
        for name, results in runs.items()
    }


USERS = 1000
"""Users in the store for the list benchmark, as in the issue's measurement."""
USERS_QUERY = "/api/v1/users?limit=20"


def seed_users(base: str, count: int) -> str:
    """Create ``count`` users through the API; the id of the first."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}) as client:
        ids = [
            client.post(
                "/api/v1/users", json={"name": f"Bench {n}", "email": f"bench{n}@example.com"}
            ).json()["id"]
            for n in range(count)
        ]
    return str(ids[0])


def api_benchmarks(server: str, results: dict[str, object], emit: Callable[[str], None]) -> None:
    """Our API against a bare FastAPI app answering the same JSON, telemetry on and off.

    The bare app is started after our API has answered ``USERS_QUERY`` once, with that
    very body to serve; a second copy of our API with telemetry off, on the same
    database, gives what telemetry costs a request.
    """
    bare_port, port, quiet_port = free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    quiet = f"http://127.0.0.1:{quiet_port}"
    bare = f"http://127.0.0.1:{bare_port}"
    env = {"PYTHONPATH": str(ROOT), "PORTFOLIO_API_KEYS": KEY}
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        db = Path(tmp) / "bench.db"
        ours = servers.enter_context(
            running(portfolio_command(server, port, db), base + "/health", env)
        )
        first = seed_users(base, USERS)
        users_json = Path(tmp) / "users.json"
        users_json.write_bytes(httpx.get(base + USERS_QUERY).content)
        bare_env = env | {"BENCH_USERS_JSON": str(users_json)}
        bare_server = servers.enter_context(
            running(bare_command(server, bare_port), bare + "/health", bare_env)
        )
        quiet_env = env | {"PORTFOLIO_TELEMETRY__ENABLED": "false"}
        quiet_server = servers.enter_context(
            running(portfolio_command(server, quiet_port, db), quiet + "/health", quiet_env)
        )
        if httpx.get(bare + "/api/v1/users").content != users_json.read_bytes():
            emit(f"  [{server}] note: the bare app's bytes differ from ours (same JSON value)")
        rows = measure_alternating(
            {
                "bare /health": bare + "/health",
                "portfolio /health": base + "/health",
                "bare /users": bare + "/api/v1/users",
                "portfolio /users": base + USERS_QUERY,
                "portfolio /users telemetry off": quiet + USERS_QUERY,
                "portfolio /users/{id}": f"{base}/api/v1/users/{first}",
            },
            {
                "bare /health": bare_server.pid,
                "portfolio /health": ours.pid,
                "bare /users": bare_server.pid,
                "portfolio /users": ours.pid,
                "portfolio /users telemetry off": quiet_server.pid,
                "portfolio /users/{id}": ours.pid,
            },
        )
    for name, r in rows.items():
        emit(f"  [{server}] {name:<31} {r.requests_per_s:>9.0f} req/s  p99 {r.p99_ms:7.2f} ms"
             f"  server CPU {r.server_cpu_us:6.0f} us/req  errors {r.errors}")  # fmt: skip
    ratios = {
        "ratio_health_vs_bare": _ratio(rows, "portfolio /health", "bare /health"),
        "ratio_users_vs_bare": _ratio(rows, "portfolio /users", "bare /users"),
        "ratio_users_p99_vs_bare": rows["portfolio /users"].p99_ms / rows["bare /users"].p99_ms,
        "ratio_user_vs_bare": _ratio(rows, "portfolio /users/{id}", "bare /health"),
        "ratio_users_cpu_bare_vs_ours": rows["bare /users"].server_cpu_us
        / rows["portfolio /users"].server_cpu_us,
        "ratio_health_cpu_bare_vs_ours": rows["bare /health"].server_cpu_us
        / rows["portfolio /health"].server_cpu_us,
    }
    on = rows["portfolio /users"].server_cpu_us
    off = rows["portfolio /users telemetry off"].server_cpu_us
    telemetry = {"server_cpu_us_telemetry_on": on, "server_cpu_us_telemetry_off": off}
    emit(f"  [{server}] ratio /health / bare {ratios['ratio_health_vs_bare']:.2f} (goal >= 0.8)")
    emit(f"  [{server}] ratio /users / bare {ratios['ratio_users_vs_bare']:.2f} (goal >= 0.5),"
         f" p99 {ratios['ratio_users_p99_vs_bare']:.2f}x bare's (goal <= 2)")  # fmt: skip
    emit(f"  [{server}] ratio /users/{{id}} / bare /health {ratios['ratio_user_vs_bare']:.2f}")
    emit(f"  [{server}] server CPU per request, bare / ours: /users"
         f" {ratios['ratio_users_cpu_bare_vs_ours']:.2f}, /health"
         f" {ratios['ratio_health_cpu_bare_vs_ours']:.2f}")  # fmt: skip
    emit(f"  [{server}] /users server CPU: telemetry on {on:.0f} us, off {off:.0f} us"
         f" ({on - off:+.0f} us)")  # fmt: skip
    results[server] = (
        {
            name: {
                "requests_per_s": r.requests_per_s,
                "p99_ms": r.p99_ms,
                "errors": r.errors,
                "server_cpu_us": r.server_cpu_us,
            }
            for name, r in rows.items()
        }
        | ratios
        | telemetry
        | {
            "users_in_store": USERS,
            "load_before": load_before,
            "goals": {
                "ratio_health_vs_bare": ">= 0.8",
                "ratio_users_vs_bare": ">= 0.5",
                "ratio_users_p99_vs_bare": "<= 2",
            },
        }
    )


def _ratio(rows: dict[str, WrkResult], ours: str, theirs: str) -> float:
    return rows[ours].requests_per_s / rows[theirs].requests_per_s


def portfolio_dynamodb_command(port: int, endpoint: str) -> list[str]:
    return [
        sys.executable, "-m", "portfolio", "serve", "--port", str(port), "--store", "dynamodb",
        "--endpoint-url", endpoint, "--workers", str(WORKERS), "--no-probe",
    ]  # fmt: skip


@contextmanager
def dynamodb_local() -> Iterator[str]:
    """DynamoDB Local (in memory) from scripts/dynamodb-local.sh, with the tables created."""
    script = ["bash", str(ROOT / "scripts" / "dynamodb-local.sh")]
    port = subprocess.run(
        [*script, "start"], check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    endpoint = f"http://127.0.0.1:{port}"
    try:
        subprocess.run(
            [sys.executable, "-m", "portfolio", "store", "init", "--endpoint-url", endpoint],
            check=True,
            capture_output=True,
        )
        yield endpoint
    finally:
        subprocess.run([*script, "stop", port], check=True)


def dynamodb_benchmarks(results: dict[str, object], emit: Callable[[str], None]) -> None:
    """GET /users/{id} and /health on DynamoDB Local and on SQLite, measured in turn."""
    sqlite_port, dynamo_port = free_port(), free_port()
    sqlite_base = f"http://127.0.0.1:{sqlite_port}"
    dynamo_base = f"http://127.0.0.1:{dynamo_port}"
    env = {"PYTHONPATH": str(ROOT), "PORTFOLIO_API_KEYS": KEY}
    with (
        tempfile.TemporaryDirectory() as tmp,
        dynamodb_local() as endpoint,
        running(
            portfolio_command("uvicorn", sqlite_port, Path(tmp) / "bench.db"),
            sqlite_base + "/health",
            env,
        ),
        running(portfolio_dynamodb_command(dynamo_port, endpoint), dynamo_base + "/health", env),
    ):
        urls: dict[str, str] = {}
        for name, base in (("sqlite", sqlite_base), ("dynamodb", dynamo_base)):
            created = httpx.post(
                base + "/api/v1/users",
                json={"name": "Bench", "email": "bench@example.com"},
                headers={"Authorization": f"Bearer {KEY}"},
            ).json()
            urls[f"{name} /users/{{id}}"] = f"{base}/api/v1/users/{created['id']}"
            urls[f"{name} /health"] = base + "/health"
        rows = measure_alternating(urls)
    for name, r in rows.items():
        emit(f"  {name:<24} {r.requests_per_s:>9.0f} req/s  p99 {r.p99_ms:7.2f} ms"
             f"  errors {r.errors}")  # fmt: skip
    ratio = rows["dynamodb /users/{id}"].requests_per_s / rows["sqlite /users/{id}"].requests_per_s
    emit(f"  ratio dynamodb / sqlite on /users/{{id}}  {ratio:.2f}")
    results["dynamodb_local"] = {
        name: {"requests_per_s": r.requests_per_s, "p99_ms": r.p99_ms, "errors": r.errors}
        for name, r in rows.items()
    } | {"ratio_user_dynamodb_vs_sqlite": ratio}


BENCHMARKS: list[tuple[str, Callable[[dict[str, object], Callable[[str], None]], None]]] = [
    ("API on uvicorn", lambda res, emit: api_benchmarks("uvicorn", res, emit)),
    ("API on granian", lambda res, emit: api_benchmarks("granian", res, emit)),
    ("API in process: telemetry's cost per request", api_inprocess_benchmark),
    ("Report from the store", report_benchmark),
    ("ALB logs vs goaccess", alb_logs_benchmark),
    ("API on DynamoDB Local beside SQLite", dynamodb_benchmarks),
    ("Store export, copy and the month's report from DynamoDB Local", transfer_benchmark),
    ("Lambda cold start beside bare Mangum + FastAPI", lambda_coldstart_benchmark),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Every benchmark of the project, as ratios to its baseline;"
        " results go to bench/results/latest.json with the run's date and load.",
        epilog="benchmarks: " + "; ".join(title for title, _ in BENCHMARKS),
    )
    parser.add_argument(
        "words",
        nargs="*",
        metavar="WORD",
        help="run only the benchmarks whose title contains a WORD (e.g. logs, uvicorn, report)",
    )
    only = {w.lower() for w in parser.parse_args(argv).words}
    unknown = sorted(w for w in only if not any(w in t.lower() for t, _ in BENCHMARKS))
    if unknown:
        parser.error(f"no benchmark matches {', '.join(unknown)}")
    date = datetime.now(UTC).isoformat(timespec="seconds")
    results: dict[str, object] = {
        "date": date,
        "load_average": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "seconds": SECONDS,
        "rounds": ROUNDS,
        "connections": CONNECTIONS,
    }
    for title, bench in BENCHMARKS:
        if only and not any(word in title.lower() for word in only):
            continue
        print(f"{title}:", flush=True)
        bench(results, lambda line: print(line, flush=True))
    out = ROOT / "bench" / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(merged(out, results, date), indent=2) + "\n")
    print(f"results: {out}")


def merged(path: Path, results: dict[str, object], date: str) -> dict[str, object]:
    """This run's results over the previous ones: a partial run (`make bench-logs`) keeps the
    other benchmarks' figures, and ``dates`` says when each section was measured."""
    previous = json.loads(path.read_text()) if path.exists() else {}
    dates = dict(previous.get("dates", {}))
    dates.update({key: date for key, value in results.items() if isinstance(value, dict)})
    return {**previous, **results, "dates": dates}


if __name__ == "__main__":
    main()
