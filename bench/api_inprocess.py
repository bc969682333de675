"""What one request costs inside a worker: ``GET /api/v1/users?limit=20`` and ``/health``
on our app (telemetry off, on, on with the access log) and on a bare FastAPI app serving
the same JSON. The whole ASGI app (middleware, routing, dependencies, the store's query,
the JSON) is driven directly: no server, no socket, no client on the same cores.

Our app keeps user pages while the store is unchanged (api/fresh_cache.py), so the
repeated ``limit=20`` read is served from memory, as it would be in production between
writes; "a new page each request" asks for another page every time (more pages than the
cache holds), which is what every read costs when it has to go to the store.

wrk's figures on a shared 2-core machine move by more than telemetry's cost; this
measures CPU time per request (the process's, all threads), each app in turn, round
after round, and keeps the median round.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from bench.bare_app import make_app
from portfolio.api.app import create_app
from portfolio.config import Settings
from portfolio.store import open_store
from portfolio.store.ids import encode_cursor
from portfolio.store.records import NewUser

USERS = 1000
REQUESTS = int(os.environ.get("BENCH_INPROCESS_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
USERS_PATH, USERS_QUERY = "/api/v1/users", b"limit=20"
HEALTH_PATH = "/health"

TELEMETRY: dict[str, dict[str, bool]] = {
    "telemetry off": {"enabled": False, "access_log": False},
    "telemetry on, no access log": {"enabled": True, "access_log": False},
    "telemetry on, access log": {"enabled": True, "access_log": True},
}
"""Our app's variants; "telemetry on, access log" is how `portfolio serve` runs."""
SERVED = "telemetry on, access log"
BARE = "bare FastAPI"
UNCACHED = "telemetry on, access log, a new page each request"
"""Pages the user-read cache does not hold: the query, the decoding and the JSON each time."""


@contextmanager
def stdout_discarded() -> Iterator[None]:
    """The access log writes to file descriptor 1; send it to /dev/null while measuring."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _scope(path: str, query: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"user-agent", b"bench"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _request(app: Any, path: str, query: bytes = b"") -> tuple[int, bytes]:
    status, body = 0, b""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    await app(_scope(path, query), receive, send)
    return status, body


async def _cpu_us(app: Any, path: str, query: bytes) -> float:
    started = time.process_time()
    for _ in range(REQUESTS):
        await _request(app, path, query)
    return (time.process_time() - started) / REQUESTS * 1e6


async def _cpu_us_pages(app: Any, path: str, queries: list[bytes]) -> float:
    """CPU per request when each asks for another page: every answer read from the store."""
    started = time.process_time()
    for n in range(REQUESTS):
        await _request(app, path, queries[n % len(queries)])
    return (time.process_time() - started) / REQUESTS * 1e6


async def _page_queries(app: Any) -> list[bytes]:
    """``limit=20&cursor=…`` after each user in turn: more pages than the cache keeps."""
    ids: list[str] = []
    query = b"limit=100"
    while True:
        status, body = await _request(app, USERS_PATH, query)
        if status != 200:
            raise RuntimeError(f"GET {USERS_PATH} did not answer 200")
        page = orjson.loads(body)
        ids += [user["id"] for user in page["items"]]
        if page["next_cursor"] is None:
            break
        query = b"limit=100&cursor=" + quote(page["next_cursor"]).encode()
    cursors = [encode_cursor({"after": user_id}) for user_id in ids]
    return [b"limit=20&cursor=" + quote(cursor).encode() for cursor in cursors]


async def _measure(apps: dict[str, Any]) -> dict[str, dict[str, float]]:
    targets = [(USERS_PATH, USERS_QUERY), (HEALTH_PATH, b"")]
    rounds: dict[str, dict[str, list[float]]] = {p: {n: [] for n in apps} for p, _ in targets}
    for app in apps.values():  # warm up: first-request work is no per-request cost
        for path, query in targets:
            for _ in range(200):
                status, _body = await _request(app, path, query)
                if status != 200:
                    raise RuntimeError(f"GET {path} did not answer 200")
    for _ in range(ROUNDS):
        for name, app in apps.items():
            for path, query in targets:
                rounds[path][name].append(await _cpu_us(app, path, query))
    return {
        path: {name: statistics.median(values) for name, values in per_app.items()}
        for path, per_app in rounds.items()
    }


async def _run(db: Path) -> dict[str, dict[str, float]]:
    ours = {
        name: create_app(
            Settings(store={"sqlite_path": db}, telemetry=telemetry),  # type: ignore[arg-type]
            configure_logs=False,
        )
        for name, telemetry in TELEMETRY.items()
    }
    async with AsyncExitStack() as running:
        for app in ours.values():
            await running.enter_async_context(app.router.lifespan_context(app))
        status, body = await _request(ours[SERVED], USERS_PATH, USERS_QUERY)
        if status != 200:
            raise RuntimeError(f"GET {USERS_PATH} did not answer 200")
        costs = await _measure({BARE: make_app(orjson.loads(body)), **ours})
        served = ours[SERVED]
        queries = await _page_queries(served)
        uncached = statistics.median(
            [await _cpu_us_pages(served, USERS_PATH, queries) for _ in range(ROUNDS)]
        )
        costs[USERS_PATH][UNCACHED] = uncached
        return costs


def _seed(db: Path) -> None:
    store = open_store(Settings(store={"sqlite_path": db}))  # type: ignore[arg-type]
    try:
        for n in range(USERS):
            store.create_user(NewUser(name=f"Bench {n}", email=f"bench{n}@example.com"))
    finally:
        store.close()


def api_inprocess_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        _seed(db)
        with stdout_discarded():
            costs = asyncio.run(_run(db))
    users, health = costs[USERS_PATH], costs[HEALTH_PATH]
    for path, per_app in costs.items():
        off = per_app["telemetry off"]
        for name, us in per_app.items():
            delta = "" if name == BARE else f"  ({us - off:+.1f} vs telemetry off)"
            emit(f"  {path:<14} {name:<28} {us:7.1f} us CPU/request{delta}")
    # Throughput on a busy core is the inverse of CPU per request: bare's cost / ours.
    ratios = {
        "ratio_users_vs_bare": users[BARE] / users[SERVED],
        "ratio_users_uncached_vs_bare": users[BARE] / users[UNCACHED],
        "ratio_health_vs_bare": health[BARE] / health[SERVED],
    }
    emit(f"  ratio /users / bare {ratios['ratio_users_vs_bare']:.2f} (goal >= 0.5;"
         f" {ratios['ratio_users_uncached_vs_bare']:.2f} when every page is read from the store),"
         f" /health / bare {ratios['ratio_health_vs_bare']:.2f} (goal >= 0.8)")  # fmt: skip
    results["api_inprocess"] = {
        "users_query": f"{USERS_PATH}?{USERS_QUERY.decode()}",
        "users_in_store": USERS,
        "requests_per_round": REQUESTS,
        "rounds": ROUNDS,
        "load_before": load_before,
        "cpu_us_per_request": costs,
        "telemetry_us": users["telemetry on, no access log"] - users["telemetry off"],
        "telemetry_with_access_log_us": users[SERVED] - users["telemetry off"],
    } | ratios
