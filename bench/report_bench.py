"""`portfolio report` for the demo month, timed as the command runs it: the report goals.

Goals (issue 15; issue 11 asks ≤ 2 s without the PDF): Markdown + JSON + HTML + CSV
of both languages ≤ 1 s; the same with both PDFs ≤ 3 s.

The store is the one `portfolio demo` makes (two simulated months at the original's
scale, with its probes, resource samples and operations log), made once under
bench/data/demo and reused. Each round runs one report in a fresh interpreter — the
imports, observing the month and the one before, computing and writing, as the
command does (``cli.report.generate``; `--format` takes one format or all, so the
PDF-less set is asked of generate directly) — and times it from outside: wall clock
and the child's CPU time (on a shared machine the wall clock also counts waiting).

``BENCH_REPORT_BASELINE=<another checkout's src/>`` times that code too, round by
round alternating with ours on the same store, and records baseline ÷ ours.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "bench" / "data" / "demo"
MONTH = "2025-08"
ROUNDS = int(os.environ.get("BENCH_REPORT_ROUNDS", "5"))
BASELINE = os.environ.get("BENCH_REPORT_BASELINE")
CASES: dict[str, list[str]] = {
    "no_pdf": ["md", "json", "csv", "html"],
    "with_pdf": ["md", "json", "csv", "html", "pdf"],
}
GOALS_S = {"no_pdf": 1.0, "with_pdf": 3.0}


def demo_store() -> Path:
    """The store `portfolio demo` makes, made once (a few minutes) and reused."""
    ready = DEMO / ".ready"
    if not ready.exists():
        shutil.rmtree(DEMO, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "portfolio", "demo", "--month", MONTH, "--out", str(DEMO)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        ready.touch()
    # A store made by an older version is migrated on its first open: once, here, untimed.
    from portfolio.store.sqlite import SQLiteStore

    SQLiteStore(DEMO / "demo.db").close()
    return DEMO / "demo.db"


def run_once(src: str | None, formats: list[str], db: Path, out: Path) -> tuple[float, float]:
    """One report in a fresh interpreter: (wall s, CPU s of the child and its browser)."""
    path = [src, str(ROOT)] if src else [str(ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.report_bench",
            "--once",
            ",".join(formats),
            str(db),
            str(out),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def report_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    db = demo_store()
    variants: dict[str, str | None] = {"ours": None}
    if BASELINE:
        variants["baseline"] = BASELINE
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {
        (variant, case): [] for variant in variants for case in CASES
    }
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        for _ in range(ROUNDS):  # alternating, so a busy spell hits every variant alike
            for case, formats in CASES.items():
                for variant, src in variants.items():
                    out = Path(tmp) / variant / case
                    runs[variant, case].append(run_once(src, formats, db, out))
    section: dict[str, object] = {
        "month": MONTH,
        "rounds": ROUNDS,
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "goals_s": GOALS_S,
    }
    figures: dict[tuple[str, str], dict[str, float]] = {}
    for (variant, case), measured in runs.items():
        walls, cpus = [wall for wall, _ in measured], [cpu for _, cpu in measured]
        figures[variant, case] = row = {
            "wall_median_s": statistics.median(walls),
            "wall_best_s": min(walls),
            "cpu_median_s": statistics.median(cpus),
        }
        section[f"{variant}_{case}"] = row
        goal = f" (goal ≤ {GOALS_S[case]:.0f} s)" if variant == "ours" else ""
        emit(f"  {variant:<8} {case:<8} wall median {row['wall_median_s']:.2f} s,"
             f" best {row['wall_best_s']:.2f} s;"
             f" CPU {row['cpu_median_s']:.2f} s{goal}")  # fmt: skip
    if BASELINE:
        for case in CASES:
            base, ours = figures["baseline", case], figures["ours", case]
            wall = base["wall_median_s"] / ours["wall_median_s"]
            cpu = base["cpu_median_s"] / ours["cpu_median_s"]
            section[f"ratio_baseline_vs_ours_{case}_wall"] = wall
            section[f"ratio_baseline_vs_ours_{case}_cpu"] = cpu
            emit(f"  baseline ÷ ours, {case}: wall {wall:.2f}, CPU {cpu:.2f}")
    emit(f"  load average before {load_before}, after {section['load_after']}")
    results["report"] = section


def _once(formats: list[str], db: Path, out: Path) -> None:
    """The child: what `portfolio report --db DB` runs, with the formats asked for, in a
    process set up as the command's own (cli/lifetime.py)."""
    from portfolio.cli import lifetime

    lifetime.arm()
    from portfolio.cli.common import load_settings
    from portfolio.cli.report import generate
    from portfolio.period import Period
    from portfolio.sources.base import SourceOptions, make_source

    lifetime.imports_done()
    settings = load_settings(store__sqlite_path=db)
    source = make_source("local", SourceOptions(settings=settings))
    period = Period.parse(MONTH, settings.report.timezone)
    generate(source, period, out, langs=["ja", "en"], formats=formats)
    lifetime.exiting()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="One report, as a bench round runs it.")
    parser.add_argument("--once", required=True, help="comma-separated formats")
    parser.add_argument("db", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    _once(args.once.split(","), args.db, args.out)
