"""Realistic ALB access logs for a month: the benchmark's data and the tests' ground truth.

The traffic follows the original's mix (/health 45 %, users 25 %, metrics 20 %,
everything else 10 %) with a diurnal curve in Japan time, a short incident of
load-balancer 502/504s (``-1`` times, target ``-``), a trickle of target 500s
and a few malformed lines. Files are written as ALB delivers them — gzipped, one
per hour here, under ``AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`` —
and optionally also as one plain file (what goaccess reads).

Every figure the generator decides is returned in ``Truth``, so tests compare the
parser's result with what was written rather than with a hard-coded number.
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

import numpy as np

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
LB_ID = "app/portfolio-alb/50dc6c495c0c9188"
HOST = "api.portfolio.example.com"
TG_ARN = (
    f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/portfolio-tg/73e2d6bc24d8a067"
)
CERT_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"
PREFIX = f"AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}"
TARGETS = ("10.0.1.23:8000", "10.0.2.47:8000")
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "curl/8.5.0",
    "python-httpx/0.27.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
)

# (template, method, path maker, share, median ms, ok status)
_OTHER_PATHS = ("/", "/favicon.ico", "/robots.txt", "/wp-login.php", "/.env", "/api/v2/users")
MIX: tuple[tuple[str, str, float, float, int], ...] = (
    ("/health", "GET", 0.45, 1.5, 200),
    ("/api/v1/users", "GET", 0.10, 12.0, 200),
    ("/api/v1/users/{user_id}", "GET", 0.10, 8.0, 200),
    ("/api/v1/users", "POST", 0.03, 20.0, 201),
    ("/api/v1/users/{user_id}", "PATCH", 0.01, 18.0, 200),
    ("/api/v1/users/{user_id}", "DELETE", 0.01, 15.0, 204),
    ("/api/v1/metrics", "GET", 0.20, 35.0, 200),
    ("(unmatched)", "GET", 0.10, 0.8, 404),
)
TARGET_500_RATE = 0.002
ELB_ERROR_RATE = 0.0008  # background 502/504 answered by the load balancer itself
MALFORMED_RATE = 0.0002


@dataclass
class Truth:
    """What the generator wrote, counted as it wrote it."""

    lines: int = 0  # every line, malformed ones included
    requests: int = 0
    malformed: int = 0
    errors_5xx: int = 0
    lb_errors_5xx: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    by_utc_day: Counter[date] = field(default_factory=Counter)
    latency_sum_ms: float = 0.0
    latency_count: int = 0
    outage_minutes: set[datetime] = field(default_factory=set)
    """Minutes of the outage window that had requests (all answered by the load balancer)."""
    files: list[Path] = field(default_factory=list)


def _path_for(template: str, index: int, rng: np.random.Generator) -> str:
    if template == "/api/v1/users/{user_id}":
        return f"/api/v1/users/{rng.integers(1, 10**12):012x}"
    if template == "/api/v1/metrics":
        return "/api/v1/metrics?range=1h&step=60" if index % 2 else "/api/v1/metrics"
    if template == "/api/v1/users":
        return "/api/v1/users?limit=20" if index % 3 == 0 else "/api/v1/users"
    if template == "(unmatched)":
        return _OTHER_PATHS[index % len(_OTHER_PATHS)]
    return template


def hour_weights(year: int, month: int, incident_day: int = 12) -> np.ndarray:
    """Relative load of each UTC hour of the month: a diurnal curve peaking at 14:00 JST."""
    days = calendar.monthrange(year, month)[1]
    hours = np.arange(days * 24)
    jst_hour = (hours + 9) % 24
    weights = 1.0 + 0.7 * np.cos((jst_hour - 14) / 24 * 2 * math.pi)
    weekday = np.array([date(year, month, 1 + h // 24).weekday() for h in hours])
    weights *= np.where(weekday >= 5, 0.7, 1.0)
    return weights / weights.sum()


def generate(
    out: Path,
    *,
    year: int = 2025,
    month: int = 8,
    lines: int = 650_000,
    seed: int = 7,
    plain: Path | None = None,
    outage: tuple[int, int, int, int] | None = (12, 5, 10, 30),
) -> Truth:
    """Write about ``lines`` log lines for the month under ``out``; ``plain`` gets them all too.

    ``outage`` is (day, UTC hour, first minute, end minute) of a window where the
    load balancer answers every request itself with 502/504, as when both tasks
    fail their health checks.
    """
    rng = np.random.default_rng(seed)
    truth = Truth()
    weights = hour_weights(year, month)
    per_hour = rng.multinomial(lines, weights)
    shares = np.array([m[2] for m in MIX])
    shares /= shares.sum()
    if plain is not None:
        plain.parent.mkdir(parents=True, exist_ok=True)
    plain_file: IO[str] | None = plain.open("w") if plain else None
    try:
        for hour_index, n in enumerate(per_hour.tolist()):
            day, hour = 1 + hour_index // 24, hour_index % 24
            start = datetime(year, month, day, hour, tzinfo=UTC)
            window = outage[2:] if outage and outage[:2] == (day, hour) else None
            text = _hour_lines(rng, start, n, shares, window, truth)
            folder = out / PREFIX / f"{year:04d}/{month:02d}/{day:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = f"{year:04d}{month:02d}{day:02d}T{hour:02d}00Z"
            lb = LB_ID.replace("/", ".")
            name = f"{ACCOUNT}_elasticloadbalancing_{REGION}_{lb}_{stamp}_10.0.1.5_{seed:x}.log.gz"
            path = folder / name
            with gzip.open(path, "wt", compresslevel=1) as handle:
                handle.write(text)
            truth.files.append(path)
            if plain_file is not None:
                plain_file.write(text)
    finally:
        if plain_file is not None:
            plain_file.close()
    return truth


def _hour_lines(
    rng: np.random.Generator,
    start: datetime,
    n: int,
    shares: np.ndarray,
    window: tuple[int, int] | None,
    truth: Truth,
) -> str:
    if n == 0:
        return ""
    base = start.timestamp()
    offsets = np.sort(rng.uniform(0, 3600, n))
    kinds = rng.choice(len(MIX), size=n, p=shares)
    medians = np.array([MIX[k][3] for k in kinds])
    latency_s = np.round(medians * rng.lognormal(0.0, 0.6, n)) / 1000.0
    roll = rng.random(n)
    minute = (offsets // 60).astype(int)
    down = (minute >= window[0]) & (minute < window[1]) if window else np.zeros(n, dtype=bool)
    malformed = rng.random(n) < MALFORMED_RATE
    agents = rng.integers(0, len(AGENTS), n)
    targets = rng.integers(0, len(TARGETS), n)
    ports = rng.integers(1024, 65535, n)
    req_t = rng.integers(0, 3, n) / 1000.0
    resp_t = rng.integers(0, 2, n) / 1000.0
    sent = rng.integers(200, 4000, n)
    received = rng.integers(80, 900, n)
    out: list[str] = []
    for i in range(n):
        at = datetime.fromtimestamp(base + offsets[i], UTC)
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond:06d}Z"
        template, method, _share, _median, ok_status = MIX[kinds[i]]
        path = _path_for(template, i, rng)
        client = f"203.0.113.{(i * 7) % 250 + 1}:{ports[i]}"
        if down[i] or roll[i] < ELB_ERROR_RATE:
            status = 502 if i % 2 else 504
            target, times, target_status = "-", "-1 -1 -1", "-"
            target_list, target_status_list = '"-"', '"-"'
        else:
            status = 500 if roll[i] > 1 - TARGET_500_RATE else ok_status
            target = TARGETS[targets[i]]
            times = f"{req_t[i]:.3f} {latency_s[i]:.3f} {resp_t[i]:.3f}"
            target_status = str(status)
            target_list, target_status_list = f'"{target}"', f'"{status}"'
        line = (
            f"https {stamp} {LB_ID} {client} {target} {times} {status} {target_status} "
            f'{received[i]} {sent[i]} "{method} https://{HOST}:443{path} HTTP/1.1" '
            f'"{AGENTS[agents[i]]}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {TG_ARN} '
            f'"Root=1-{int(base):08x}-{i:024x}" "{HOST}" "{CERT_ARN}" 0 {stamp} "forward" '
            f'"-" "-" {target_list} {target_status_list} "-" "-" TID_{i:016x}'
        )
        truth.lines += 1
        if malformed[i]:
            # A line cut short inside its first fields, as a partial write leaves it.
            out.append(line[: int(rng.integers(5, 60))])
            truth.malformed += 1
            continue
        out.append(line)
        truth.requests += 1
        truth.by_endpoint[template] += 1
        truth.by_status[status] += 1
        truth.by_utc_day[at.date()] += 1
        if status >= 500:
            truth.errors_5xx += 1
        if target == "-":
            truth.lb_errors_5xx += 1
            if down[i]:
                truth.outage_minutes.add(at.replace(second=0, microsecond=0))
        else:
            truth.latency_sum_ms += latency_s[i] * 1000
            truth.latency_count += 1
    return "\n".join(out) + "\n"


def ensure(
    root: Path, *, lines: int, plain: bool = True, year: int = 2025, month: int = 8, seed: int = 7
) -> tuple[Path, Path | None]:
    """The generated tree (and plain file) under ``root``: made once, reused when present."""
    tree, single = root / "tree", (root / "all.log" if plain else None)
    marker = root / ".done"
    if not marker.exists():
        root.mkdir(parents=True, exist_ok=True)
        generate(tree, year=year, month=month, lines=lines, seed=seed, plain=single)
        marker.write_text(f"{lines} lines\n")
    return tree, single


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="bench/alb_gen.py",
        description="Write a month (2025-08) of realistic ALB access logs: gzipped hourly files"
        " under OUT/AWSLogs/..., and the same lines as one plain file OUT/all.log.",
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="folder to write into")
    parser.add_argument("--lines", type=int, default=650_000, help="lines (default 650000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--no-plain", action="store_true", help="skip OUT/all.log")
    args = parser.parse_args(argv)
    if args.lines < 1:
        parser.error("--lines must be at least 1")
    plain = None if args.no_plain else args.out / "all.log"
    result = generate(args.out, lines=args.lines, seed=args.seed, plain=plain)
    print(f"{result.lines} lines, {result.malformed} malformed, {len(result.files)} files")


if __name__ == "__main__":
    main()
