"""One simulated day of ALB access logs, drawn from the demo's own stored traffic.

The demo leaves this file so a newcomer has an ALB log to try `portfolio logs
summary` on. It is written from the very rollups the report reads (every request of
the day: its minute, endpoint, method, status and task, a latency drawn from that
minute's sketch), so the summary's counts for the day are the store's counts. The
file is laid out and gzipped as ALB delivers it, under
``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/``, in the documented
field order (DESIGN.md section 5).
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from portfolio.store.protocols import Store
from portfolio.store.records import Rollup

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
LB = "app/portfolio-alb/50dc6c495c0c9188"
HOST = "api.portfolio.example.com"
TARGET_GROUP = (
    f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/portfolio-tg/73e2d6bc24d8a067"
)
TARGET_IPS = ("10.0.1.23", "10.0.2.47")
AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"


def _path(endpoint: str, status: int, rng: np.random.Generator) -> str:
    if endpoint.startswith("/"):
        return endpoint.replace("{user_id}", f"{int(rng.integers(1, 10**6)):06d}")
    # A request the app matched to no route: a scanner's probe when it was not found.
    return "/wp-login.php" if status == 404 else "/"


def _lines(rollup: Rollup, targets: dict[str, str], rng: np.random.Generator) -> list[str]:
    lines = []
    target = targets.setdefault(rollup.task, TARGET_IPS[len(targets) % len(TARGET_IPS)])
    offsets = np.sort(rng.random(rollup.count) * 60)
    for offset, q in zip(offsets, rng.random(rollup.count), strict=True):
        at = datetime.fromtimestamp(rollup.minute + float(offset), UTC)
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        seconds = (rollup.sketch.quantile(float(q)) or 0.0) / 1000
        client = f"203.0.113.{int(rng.integers(1, 255))}:{int(rng.integers(1024, 65535))}"
        path = _path(rollup.endpoint, rollup.status, rng)
        request = f"{rollup.method} https://{HOST}:443{path} HTTP/1.1"
        lines.append(
            f"https {stamp} {LB} {client} {target}:8000 0.000 {seconds:.3f} 0.000"
            f" {rollup.status} {rollup.status} 180 512"
            f' "{request}" "{AGENT}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {TARGET_GROUP}'
            f' "Root=1-{int(rollup.minute):08x}-{int(rng.integers(0, 2**48)):024x}" "{HOST}"'
            f' "-" 0 {stamp} "forward" "-" "-" "{target}:8000" "{rollup.status}" "-" "-" -'
        )
    return lines


def write_alb_log(store: Store, day: datetime, out: Path, rng: np.random.Generator) -> Path:
    """Write the 24 hours from ``day`` (UTC) as one gzipped ALB log under ``out``."""
    start = int(day.astimezone(UTC).timestamp())
    end = start + int(timedelta(days=1).total_seconds())
    rollups = sorted(store.read_rollups(start, end), key=lambda r: r.minute)
    targets: dict[str, str] = {}
    folder = out / "AWSLogs" / ACCOUNT / "elasticloadbalancing" / REGION / f"{day:%Y/%m/%d}"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.log.gz"):
        stale.unlink()
    name = f"{ACCOUNT}_elasticloadbalancing_{REGION}_{LB.replace('/', '.')}_{day:%Y%m%dT0000Z}"
    path = folder / f"{name}_10.0.0.10_demo.log.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        for rollup in rollups:
            for line in _lines(rollup, targets, rng):
                stream.write(line + "\n")
    return path
