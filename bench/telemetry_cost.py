"""What counting a request costs, with the crash spool (issue 27) and without it (before).

Without a spool, ``Recorder.record_request`` adds to an in-memory rollup and the
store gets one write per (minute, endpoint, method, status, task) key when the
minute closes. The spool adds one append of one line to a local file per request,
and no store write at all (it is read only after a crash). This measures, in one
process, on a realistic mix of keys:

- microseconds per ``record_request`` without and with the spool (best of 5 runs);
- bytes appended to the spool per request;
- store write calls and rows per request for a minute of traffic (the same both ways);
- CPU microseconds of a whole ``GET /livez`` through the app (ASGI called directly, no
  socket), telemetry on without the access log, with and without the spool (median of
  5 rounds).

    .venv/bin/python bench/telemetry_cost.py [--requests N]

Never run in tests; bounded (a few seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from portfolio.api.app import create_app  # noqa: E402
from portfolio.config import Settings  # noqa: E402
from portfolio.store.sqlite import SQLiteStore  # noqa: E402
from portfolio.telemetry.recorder import Recorder  # noqa: E402
from portfolio.telemetry.spool import Spool  # noqa: E402

MIX = [("/health", "GET", 200)] * 6 + [
    ("/api/v1/users", "GET", 200),
    ("/api/v1/users/{user_id}", "GET", 200),
    ("/api/v1/users", "POST", 201),
    ("/api/v1/metrics", "GET", 200),
    ("(unmatched)", "GET", 404),
]
NOW = 1_754_000_000.0


def per_request_us(recorder: Recorder, requests: int) -> float:
    started = time.perf_counter()
    for i in range(requests):
        endpoint, method, status = MIX[i % len(MIX)]
        recorder.record_request(
            endpoint=endpoint,
            method=method,
            status=status,
            duration_ms=0.5 + (i % 97) / 10,
            bytes_in=0,
            bytes_out=180,
        )
    return (time.perf_counter() - started) / requests * 1e6


class CountingStore:
    """Counts the recorder's writes to the store: calls and rows."""

    def __init__(self, inner: SQLiteStore) -> None:
        self.inner = inner
        self.calls = 0
        self.rows = 0
        self.call_stats = inner.call_stats

    def write_rollups(self, rollups: list[object], **kwargs: object) -> None:
        self.calls += 1 if rollups else 0
        self.rows += len(rollups)
        self.inner.write_rollups(rollups, **kwargs)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


LIVEZ_SCOPE: dict[str, Any] = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
    "scheme": "http", "path": "/livez", "raw_path": b"/livez", "query_string": b"",
    "root_path": "", "headers": [(b"host", b"127.0.0.1")],
    "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
}  # fmt: skip


async def livez_cpu_us(db: Path, spool_dir: Path | None, requests: int) -> float:
    """CPU per ``GET /livez`` through the whole app, the median of 5 rounds."""
    telemetry = {"enabled": True, "access_log": False, "spool_dir": spool_dir}
    settings = Settings(store={"sqlite_path": db}, telemetry=telemetry)  # type: ignore[arg-type]
    app = create_app(settings, configure_logs=False)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    async with app.router.lifespan_context(app):
        for _ in range(500):
            await app(dict(LIVEZ_SCOPE), receive, send)
        rounds = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(requests):
                await app(dict(LIVEZ_SCOPE), receive, send)
            rounds.append((time.process_time() - started) / requests * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = SQLiteStore(root / "b.db")
        results: dict[str, object] = {"requests": args.requests}
        for label, spooled in (("without_spool_us", False), ("with_spool_us", True)):
            best = float("inf")
            spool_bytes = 0
            for run in range(5):
                spool = Spool(root / f"spool-{run}-{label}", "bench") if spooled else None
                recorder = Recorder(store, task_id="bench", clock=lambda: NOW, spool=spool)
                if spool is not None:
                    spool.open()
                best = min(best, per_request_us(recorder, args.requests))
                if spool is not None:
                    spool_bytes = sum(p.stat().st_size for p in spool.directory.glob("*.spool"))
                    spool.close(everything_written=True)
            results[label] = round(best, 3)
            if spooled:
                results["spool_bytes_per_request"] = round(spool_bytes / args.requests, 1)
        counting = CountingStore(store)
        recorder = Recorder(counting, task_id="bench", clock=lambda: NOW)  # type: ignore[arg-type]
        per_request_us(recorder, args.requests)
        recorder.flush()
        results["store_write_calls_per_request"] = counting.calls / args.requests
        results["store_rows_per_request"] = counting.rows / args.requests
        results["spool_store_writes_per_request"] = 0.0  # read only after a crash
        store.close()
        whole = args.requests // 10
        results["livez_without_spool_cpu_us"] = round(
            asyncio.run(livez_cpu_us(root / "w.db", None, whole)), 1
        )
        results["livez_with_spool_cpu_us"] = round(
            asyncio.run(livez_cpu_us(root / "w.db", root / "livez-spool", whole)), 1
        )
    ratio = results["with_spool_us"] / results["without_spool_us"]  # type: ignore[operator]
    results["ratio_with_to_without"] = round(ratio, 2)
    text = json.dumps(results, indent=2)
    print(text)
    (ROOT / "bench" / "results" / "telemetry_cost.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
