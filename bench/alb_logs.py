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

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    """User plus system time: what the machine spent, whatever the other load on it."""
    peak_mb: float


def _measured(command: list[str]) -> Run:
    """Wall time, CPU time and maximum resident set size of the command (GNU time)."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - started

    def field(label: str) -> float:
        match = re.search(rf"{re.escape(label)}: ([0-9.]+)", done.stderr)
        if match is None:
            raise RuntimeError(f"GNU time gave no {label!r}")
        return float(match.group(1))

    cpu = field("User time (seconds)") + field("System time (seconds)")
    return Run(wall, cpu, field("Maximum resident set size (kbytes)") / 1024)


def alb_logs_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    emit("  preparing data (generated once under bench/data/)")
    _tree, plain = ensure(DATA / "alb-650k", lines=650_000)
    assert plain is not None
    with tempfile.TemporaryDirectory() as tmp:
        goaccess = _measured(
            ["goaccess", "--log-format=AWSALB", "--no-global-config",
             "-o", str(Path(tmp) / "goaccess.json"), str(plain)]
        )  # fmt: skip
    ours = _measured([*PORTFOLIO, "logs", "summary", str(plain)])
    engine = _measured([sys.executable, "-c", ENGINE, str(plain)])
    emit("  650k lines            wall s   cpu s   peak MB   wall ratio (goaccess / this)")
    for name, run in (("goaccess", goaccess), ("logs summary", ours), ("engine alone", engine)):
        emit(f"  {name:<18} {run.wall_s:8.2f} {run.cpu_s:7.2f} {run.peak_mb:9.0f}"
             f"   {goaccess.wall_s / run.wall_s:5.2f}")  # fmt: skip
    emit("  (we also compute p50/p95/p99 per endpoint; goaccess gives averages and maxima;")
    emit("   'engine alone' is the same read without the CLI's start-up)")
    results["alb_logs"] = {
        "lines": 650_000,
        "goaccess": vars(goaccess),
        "logs_summary": vars(ours),
        "engine_alone": vars(engine),
        "ratio_goaccess_vs_logs_summary": goaccess.wall_s / ours.wall_s,
        "ratio_goaccess_vs_engine": goaccess.wall_s / engine.wall_s,
    }

    if os.environ.get("BENCH_LOGS_BIG", "1") == "0":  # the 6.5M-line run takes a minute
        return
    big_tree, _ = ensure(DATA / "alb-6500k", lines=6_500_000, plain=False)
    big = _measured([*PORTFOLIO, "logs", "summary", str(big_tree)])
    emit(f"  6.5M lines (744 .gz files): {big.wall_s:6.2f} s wall, {big.cpu_s:6.2f} s cpu,"
         f" peak memory {big.peak_mb:,.0f} MB")  # fmt: skip
    results["alb_logs_big"] = {"lines": 6_500_000, **vars(big)}
