"""Simulated CloudFront standard logs for the static site, in the format CloudFront writes.

The demo's S3 + CloudFront section is read from these files by the same parser
(``portfolio.sources.cloudfront_logs``) that reads real logs: tab-separated lines
of the 33 standard fields under ``#Version`` and ``#Fields`` headers, gzipped.
CloudFront delivers several files an hour per distribution; the simulator writes
one file a day (the parser reads any number of files, whatever their names).

The inputs are the original's: a cache hit ratio of about 92 % and no origin
errors, visitors mostly from Japan (edge codes are airport codes: NRT Tokyo,
KIX Osaka, ...). The site's volume is not in the original; a portfolio page and
its assets, ~1,200 requests a day, is the model's assumption.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from portfolio.period import Period
from portfolio.sources.cloudfront_logs import FIELDS

DISTRIBUTION_ID = "E2PORTFOLIOSIM"
HOST = "d111111abcdef8.cloudfront.net"


@dataclass(frozen=True, slots=True)
class SiteModel:
    daily_requests: float = 1_200
    cache_hit_share: float = 0.92
    refresh_hit_share: float = 0.02
    """Of the hits, the share CloudFront revalidated with the origin first (RefreshHit)."""
    edges: tuple[tuple[str, float], ...] = (
        ("NRT57-P1", 0.44),
        ("NRT20-C4", 0.26),
        ("KIX56-P1", 0.18),
        ("ICN57-P1", 0.05),
        ("TPE52-C1", 0.04),
        ("SIN2-C1", 0.03),
    )
    paths: tuple[tuple[str, float, int], ...] = (
        ("/", 0.30, 5_200),
        ("/index.html", 0.08, 5_200),
        ("/status.html", 0.10, 3_100),
        ("/assets/site.css", 0.22, 9_800),
        ("/assets/site.js", 0.20, 14_500),
        ("/favicon.ico", 0.10, 1_150),
    )
    """(path, share, bytes)."""


def write_cloudfront_logs(
    out: Path, period: Period, rng: np.random.Generator, model: SiteModel | None = None
) -> list[Path]:
    """Write one gzipped standard-log file per day of ``period`` under ``out``."""
    model = model or SiteModel()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for day in period.days:
        start = datetime(day.year, day.month, day.day, tzinfo=period.zone).timestamp()
        n = int(rng.poisson(model.daily_requests))
        at = np.sort(start + rng.uniform(0, 86400, n))
        path = out / f"{DISTRIBUTION_ID}.{day.isoformat()}.sim.gz"
        with gzip.open(path, "wt", encoding="utf-8", newline="\n") as fh:
            fh.write("#Version: 1.0\n#Fields: " + " ".join(FIELDS) + "\n")
            fh.writelines(_lines(model, at, rng))
        written.append(path)
    return written


def _lines(model: SiteModel, at: np.ndarray, rng: np.random.Generator) -> list[str]:
    n = at.size
    edge = rng.choice(len(model.edges), n, p=[w for _, w in model.edges])
    page = rng.choice(len(model.paths), n, p=[w for _, w, _ in model.paths])
    hit = rng.random(n) < model.cache_hit_share
    refresh = rng.random(n) < model.refresh_hit_share
    taken = np.where(hit, rng.lognormal(np.log(0.004), 0.4, n), rng.lognormal(np.log(0.03), 0.4, n))
    lines = []
    for i in range(n):
        moment = datetime.fromtimestamp(float(at[i]), UTC)
        path, _, size = model.paths[int(page[i])]
        result = ("RefreshHit" if refresh[i] else "Hit") if hit[i] else "Miss"
        row = {
            "date": moment.strftime("%Y-%m-%d"),
            "time": moment.strftime("%H:%M:%S"),
            "x-edge-location": model.edges[int(edge[i])][0],
            "sc-bytes": str(size + 420),
            "c-ip": f"198.51.100.{int(rng.integers(1, 255))}",
            "cs-method": "GET",
            "cs(Host)": HOST,
            "cs-uri-stem": path,
            "sc-status": "200",
            "cs(Referer)": "-",
            "cs(User-Agent)": "Mozilla/5.0",
            "cs-uri-query": "-",
            "cs(Cookie)": "-",
            "x-edge-result-type": result,
            "x-edge-request-id": f"sim{int(at[i] * 1000):x}{i:05d}",
            "x-host-header": HOST,
            "cs-protocol": "https",
            "cs-bytes": "180",
            "time-taken": f"{float(taken[i]):.3f}",
            "x-forwarded-for": "-",
            "ssl-protocol": "TLSv1.3",
            "ssl-cipher": "TLS_AES_128_GCM_SHA256",
            "x-edge-response-result-type": result,
            "cs-protocol-version": "HTTP/2.0",
            "fle-status": "-",
            "fle-encrypted-fields": "-",
            "c-port": str(int(rng.integers(1024, 65535))),
            "time-to-first-byte": f"{float(taken[i]) * 0.8:.3f}",
            "x-edge-detailed-result-type": result,
            "sc-content-type": "text/html" if path.endswith(("/", ".html")) else "-",
            "sc-content-len": str(size),
            "sc-range-start": "-",
            "sc-range-end": "-",
        }
        lines.append("\t".join(row[f] for f in FIELDS) + "\n")
    return lines
