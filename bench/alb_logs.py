"""ALB access-log analytics: `portfolio logs summary` against goaccess and the engine baseline.

Three tools read the same generated month of 650k lines (one plain file, since
goaccess reads plain text): goaccess, our command (process start included), and
the engine baseline — a minimal DuckDB script computing the same figures
(bench/engine_baseline.py). The runs alternate, round after round, so that the
load of a shared machine falls on all three alike; we report medians and the two
ratios that matter: ours ÷ engine (what our code costs above DuckDB; goal ≤ 1.3)
and goaccess ÷ ours (goal ≥ 5), with peak memory (maximum resident set size from
/usr/bin/time -v; goal ≤ 400 MB). Then 6.5M lines in one file (goal ≤ 512 MB),
ours against the engine baseline. goaccess gives averages and maxima; we also
compute p50/p95/p99 per endpoint. Data is generated under bench/data/ when
missing. BENCH_LOGS_BIG=0 skips the 6.5M run; BENCH_LOGS_ROUNDS sets the rounds.
"""

from __future__ import annotations

import os
import re
import statistics
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
ENGINE = [sys.executable, str(ROOT / "bench" / "engine_baseline.py")]
ROUNDS = int(os.environ.get("BENCH_LOGS_ROUNDS", "5"))
BIG_ROUNDS = int(os.environ.get("BENCH_LOGS_BIG_ROUNDS", "1"))
GOALS = {
    "ratio_logs_summary_vs_engine": ("<=", 1.3),
    "ratio_goaccess_vs_logs_summary": (">=", 5.0),
    "logs_summary_peak_mb": ("<=", 400.0),
    "big_logs_summary_peak_mb": ("<=", 512.0),
}


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


def _median(runs: list[Run]) -> Run:
    return Run(
        wall_s=statistics.median(r.wall_s for r in runs),
        cpu_s=statistics.median(r.cpu_s for r in runs),
        peak_mb=max(r.peak_mb for r in runs),
    )


def _alternating(commands: dict[str, list[str]], rounds: int) -> dict[str, Run]:
    """Median wall and CPU time, and the highest peak, of each command run in turn."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(_measured(command))
    return {name: _median(r) for name, r in runs.items()}


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _verdict(name: str, value: float) -> str:
    op, goal = GOALS[name]
    met = value <= goal if op == "<=" else value >= goal
    return f"(goal {op} {goal:g}: {'met' if met else 'NOT met'})"


def alb_logs_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    emit("  preparing data (generated once under bench/data/)")
    _tree, plain = ensure(DATA / "alb-650k", lines=650_000)
    assert plain is not None
    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        runs = _alternating(
            {
                "goaccess": ["goaccess", "--log-format=AWSALB", "--no-global-config",
                             "-o", str(Path(tmp) / "goaccess.json"), str(plain)],
                "logs summary": [*PORTFOLIO, "logs", "summary", str(plain)],
                "engine baseline": [*ENGINE, str(plain)],
            },
            ROUNDS,
        )  # fmt: skip
    goaccess, ours, engine = runs["goaccess"], runs["logs summary"], runs["engine baseline"]
    emit(f"  650k lines, median of {ROUNDS} alternating rounds (load before: {load_before},"
         f" after: {_load()})")  # fmt: skip
    emit("  tool               wall s   cpu s   peak MB")
    for name, run in runs.items():
        emit(f"  {name:<18} {run.wall_s:6.2f} {run.cpu_s:7.2f} {run.peak_mb:9.0f}")
    vs_engine = ours.wall_s / engine.wall_s
    vs_goaccess = goaccess.wall_s / ours.wall_s
    emit(f"  ours ÷ engine      {vs_engine:5.2f}  "
         f"{_verdict('ratio_logs_summary_vs_engine', vs_engine)}")  # fmt: skip
    emit(f"  goaccess ÷ ours    {vs_goaccess:5.2f}  "
         f"{_verdict('ratio_goaccess_vs_logs_summary', vs_goaccess)}")  # fmt: skip
    emit(f"  ours peak MB       {ours.peak_mb:5.0f}  "
         f"{_verdict('logs_summary_peak_mb', ours.peak_mb)}")  # fmt: skip
    emit(f"  CPU time: ours ÷ engine {ours.cpu_s / engine.cpu_s:.2f},"
         f" goaccess ÷ ours {goaccess.cpu_s / ours.cpu_s:.2f}")  # fmt: skip
    emit("  (we also compute p50/p95/p99 per endpoint; goaccess gives averages and maxima)")
    results["alb_logs"] = {
        "lines": 650_000,
        "rounds": ROUNDS,
        "load_before": load_before,
        "goaccess": vars(goaccess),
        "logs_summary": vars(ours),
        "engine_baseline": vars(engine),
        "ratio_logs_summary_vs_engine": vs_engine,
        "ratio_goaccess_vs_logs_summary": vs_goaccess,
        "ratio_logs_summary_vs_engine_cpu": ours.cpu_s / engine.cpu_s,
        "ratio_goaccess_vs_logs_summary_cpu": goaccess.cpu_s / ours.cpu_s,
        "goals": {k: f"{op} {goal:g}" for k, (op, goal) in GOALS.items()},
    }

    if os.environ.get("BENCH_LOGS_BIG", "1") == "0":  # the 6.5M-line run takes minutes
        return
    _big_tree, big_plain = ensure(DATA / "alb-6500k", lines=6_500_000)
    assert big_plain is not None
    load_before = _load()
    big_runs = _alternating(
        {
            "logs summary": [*PORTFOLIO, "logs", "summary", str(big_plain)],
            "engine baseline": [*ENGINE, str(big_plain)],
        },
        BIG_ROUNDS,
    )
    big, big_engine = big_runs["logs summary"], big_runs["engine baseline"]
    ratio = big.wall_s / big_engine.wall_s
    emit(f"  6.5M lines in one file, {BIG_ROUNDS} round(s) (load before: {load_before},"
         f" after: {_load()})")  # fmt: skip
    for name, run in big_runs.items():
        emit(f"  {name:<18} {run.wall_s:6.2f} {run.cpu_s:7.2f} {run.peak_mb:9.0f}")
    emit(f"  ours ÷ engine      {ratio:5.2f}")
    emit(f"  ours peak MB       {big.peak_mb:5.0f}  "
         f"{_verdict('big_logs_summary_peak_mb', big.peak_mb)}")  # fmt: skip
    results["alb_logs_big"] = {
        "lines": 6_500_000,
        "rounds": BIG_ROUNDS,
        "load_before": load_before,
        "logs_summary": vars(big),
        "engine_baseline": vars(big_engine),
        "ratio_logs_summary_vs_engine": ratio,
        "ratio_logs_summary_vs_engine_cpu": big.cpu_s / big_engine.cpu_s,
    }
