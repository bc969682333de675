"""What one anonymous GET /api/v1/metrics may cost, and what it costs everyone else.

Issue 13 item 3: a 61-day hourly window is a megabyte and most of a second; 16
connections asking for it slow every other request. This loads 61 days of hourly
telemetry (8 endpoints x 3 statuses x 2 tasks) into a SQLite store, serves it with
`portfolio serve --workers 2`, and on loopback measures with wrk:

- the 61-day hourly query, anonymous and with a key (16 connections);
- GET /api/v1/users latency while those 16 connections run.

``--src DIR`` runs another checkout's code on the same venv (PYTHONPATH), which is
how the figures before the change are taken:

    git archive <commit> src | tar -x -C /tmp/before
    .venv/bin/python bench/metrics_cost.py --src /tmp/before/src
    .venv/bin/python bench/metrics_cost.py

Never run in tests; bounded (five 10-second wrk runs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import free_port  # noqa: E402

from bench.run import KEY, running  # noqa: E402
from bench.wrk import run_wrk  # noqa: E402

END = datetime(2025, 10, 1, tzinfo=UTC)
DAYS = 61
ENDPOINTS = [f"/api/v1/e{i}" for i in range(8)]
SECONDS = 10
CONNECTIONS = 16


def load(db: Path) -> None:
    from portfolio.store.records import Rollup
    from portfolio.store.sqlite import SQLiteStore

    rng = random.Random(13)
    store = SQLiteStore(db)
    start = int((END - timedelta(days=DAYS)).timestamp())
    batch = []
    for hour in range(start, int(END.timestamp()), 3600):
        for endpoint in ENDPOINTS:
            for status in (200, 404, 500):
                for task in ("t1", "t2"):
                    rollup = Rollup(hour, endpoint, "GET", status, task, count=rng.randint(1, 50))
                    for _ in range(5):
                        rollup.sketch.add(rng.uniform(1, 200))
                    batch.append(rollup)
        if len(batch) > 5000:
            store.write_rollups(batch)
            batch = []
    store.write_rollups(batch)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, help="src/ of the checkout to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "metrics.db"
        load(db)
        port = free_port()
        env = {
            **os.environ,
            "PORTFOLIO_API_KEYS": KEY,
            "PORTFOLIO_TELEMETRY__ACCESS_LOG": "false",
        }
        if args.src is not None:
            env["PYTHONPATH"] = str(args.src.resolve())
        command = [sys.executable, "-m", "portfolio", "serve", "--workers", "2", "--no-probe"]
        command += ["--port", str(port), "--db", str(db)]
        base = f"http://127.0.0.1:{port}"
        window = f"start={(END - timedelta(days=DAYS)).isoformat()}&end={END.isoformat()}"
        url = f"{base}/api/v1/metrics?{window.replace('+00:00', 'Z')}&step=hour"
        with running(command, f"{base}/health", env):
            size = len(subprocess.run(["curl", "-s", url], capture_output=True, check=True).stdout)
            status = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            anonymous = run_wrk(url, seconds=SECONDS, connections=CONNECTIONS, timeout_s=30)
            keyed = run_wrk(
                url,
                seconds=SECONDS,
                connections=CONNECTIONS,
                headers={"Authorization": f"Bearer {KEY}"},
            )
            idle = run_wrk(f"{base}/api/v1/users", seconds=SECONDS, connections=1)
            load_gen = subprocess.Popen(
                ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS + 2}s", url],
                stdout=subprocess.DEVNULL,
            )
            try:
                busy = run_wrk(f"{base}/api/v1/users", seconds=SECONDS, connections=1)
            finally:
                load_gen.wait(timeout=60)
        results = {
            "anonymous_61d_hourly": {"status": int(status), "bytes": size, **anonymous.as_dict()},
            "keyed_61d_hourly": keyed.as_dict(),
            "users_idle": idle.as_dict(),
            "users_while_16_anonymous_metrics": busy.as_dict(),
        }
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
