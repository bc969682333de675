"""Building a demo month's report from the store: the figure the report issue aims at (≤ 2 s).

The demo store (two simulated months at the original's scale) is made once under
bench/data/ and reused; the timing covers observe (both months) + compute, the
same steps `portfolio report` runs, without writing files.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report.build import build_report
from portfolio.simulate.generate import simulate_period
from portfolio.simulate.model import TrafficModel, demo_incidents
from portfolio.sources.local import LocalSource
from portfolio.store.sqlite import SQLiteStore

DATA = Path(__file__).resolve().parent / "data"
MONTH = "2025-08"


def demo_store() -> SQLiteStore:
    path = DATA / "demo-report.db"
    ready = path.with_suffix(".ready")
    if not ready.exists():
        DATA.mkdir(exist_ok=True)
        for stale in DATA.glob(path.name + "*"):
            stale.unlink()
        store = SQLiteStore(path)
        period = Period.parse(MONTH, "Asia/Tokyo")
        rng = np.random.default_rng(7)
        simulate_period(store, period.previous(), TrafficModel(), rng=rng)
        simulate_period(store, period, TrafficModel(incidents=demo_incidents()), rng=rng, users=40)
        ready.touch()
        return store
    return SQLiteStore(path)


def report_benchmark(results: dict[str, object], emit: Callable[[str], None]) -> None:
    store = demo_store()
    period = Period.parse(MONTH, "Asia/Tokyo")
    settings, prices = Settings(), load_prices()
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        report = build_report(LocalSource(store), period, settings, prices=prices)
        timings.append(time.perf_counter() - started)
    best, median = min(timings), statistics.median(timings)
    emit(f"  report {MONTH} from the store ({report.traffic.total_requests:,} requests):"
         f" median {median:.2f} s, best {best:.2f} s (aim ≤ 2 s)")  # fmt: skip
    results["report"] = {
        "median_s": median,
        "best_s": best,
        "requests": report.traffic.total_requests,
    }
    store.close()
