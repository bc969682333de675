"""ALB access-log analytics: `portfolio logs summary` against goaccess, and peak memory.

Both tools read the same generated month of 650k lines (one plain file, since
goaccess reads plain text) in one run; we report the wall-clock time of each,
including process start, and the ratio; and the engine alone (the same read and
percentiles without the CLI's start-up, which imports every sub-app). goaccess
gives averages and maxima; we also compute p50/p95/p99 per endpoint. Peak memory
(maximum resident set size from /usr/bin/time -v) is measured on ten times that:
6.5M lines in 744 gzipped hourly files. Data is generated under bench/data/ when missing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.alb_gen import ensure

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PORTFOLIO = [sys.executable, "-m", "portfolio"]
ENGINE = """
import sys, time
started = time.perf_counter()
from portfolio.sources.alb_logs import scan_alb, sketches_by_endpoint
from portfolio.sources.logfiles import find_files
sketches = sketches_by_endpoint(scan_alb(find_files(sys.argv[1:])))
assert all(s.quantile(0.99) is not None for s in sketches.values())
print(time.perf_counter() - started)
"""


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _peak_rss_mb(command: list[str]) -> tuple[float, float]:
    """(seconds, maximum resident set size in MB) of the command, from GNU time."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if match is None:
        raise RuntimeError("GNU time gave no maximum resident set size")
    return seconds, int(match.group(1)) / 1024


def alb_logs_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    emit("  preparing data (generated once under bench/data/)")
    _tree, plain = ensure(DATA / "alb-650k", lines=650_000)
    assert plain is not None
    with tempfile.TemporaryDirectory() as tmp:
        goaccess = _timed(
            ["goaccess", "--log-format=AWSALB", "--no-global-config",
             "-o", str(Path(tmp) / "goaccess.json"), str(plain)]
        )  # fmt: skip
    ours = _timed([*PORTFOLIO, "logs", "summary", str(plain)])
    engine = float(
        subprocess.run(
            [sys.executable, "-c", ENGINE, str(plain)], check=True, capture_output=True, text=True
        ).stdout.split()[-1]
    )
    ratio, engine_ratio = goaccess / ours, goaccess / engine
    emit(f"  650k lines: goaccess {goaccess:6.2f} s   portfolio logs summary {ours:6.2f} s"
         f"   ratio {ratio:.2f} (with p50/p95/p99 per endpoint)")  # fmt: skip
    emit(f"             engine alone (import, read, group, percentiles; no CLI start-up)"
         f" {engine:6.2f} s   ratio {engine_ratio:.2f}")  # fmt: skip

    big_tree, _ = ensure(DATA / "alb-6500k", lines=6_500_000, plain=False)
    seconds, peak = _peak_rss_mb([*PORTFOLIO, "logs", "summary", str(big_tree)])
    emit(f"  6.5M lines (744 .gz files): {seconds:6.2f} s, peak memory {peak:,.0f} MB")
    results["alb_logs"] = {
        "lines": 650_000,
        "goaccess_s": goaccess,
        "portfolio_s": ours,
        "ratio_goaccess_vs_portfolio": ratio,
        "engine_s": engine,
        "ratio_goaccess_vs_engine": engine_ratio,
        "big_lines": 6_500_000,
        "big_s": seconds,
        "big_peak_rss_mb": peak,
    }
