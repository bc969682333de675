"""A simulated month (and the month before), with the raw events kept for truth checks.

Simulated once per test session, not once per xdist worker: the first worker to need it
builds it in the session's shared temp folder under a file lock (pytest-xdist's recipe
for a session fixture), and every worker, that one too, opens the same store and loads
the same events and report. The tests only read it.
"""

from __future__ import annotations

import fcntl
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from portfolio.config import Settings
from portfolio.period import Period
from portfolio.report.build import build_report
from portfolio.report.model import Report
from portfolio.simulate.generate import DayEvents, simulate_period
from portfolio.simulate.model import TrafficModel, demo_incidents
from portfolio.sources.local import LocalSource
from portfolio.store.sqlite import SQLiteStore

MONTH = "2025-08"
TZ = "Asia/Tokyo"


@dataclass
class SimulatedMonth:
    store: SQLiteStore
    period: Period
    events: list[DayEvents]
    model: TrafficModel
    report: Report


def _simulate_into(folder: Path) -> None:
    """The month's store in ``folder``, and its period, events, model and report pickled."""
    # A lighter month than the demo's (same shape, a fifth of the volume) keeps tests quick.
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("sim.db*"):  # of a worker that failed half way: start again
        leftover.unlink()
    store = SQLiteStore(folder / "sim.db")
    try:
        period = Period.parse(MONTH, TZ)
        rng = np.random.default_rng(11)
        simulate_period(store, period.previous(), TrafficModel(daily_requests=4000), rng=rng)
        model = TrafficModel(daily_requests=4000, incidents=demo_incidents())
        events: list[DayEvents] = []
        simulate_period(store, period, model, rng=rng, users=12, on_events=events.append)
        report = build_report(LocalSource(store), period, Settings())
    finally:
        store.close()
    (folder / "month.pickle.part").write_bytes(pickle.dumps((period, events, model, report)))
    (folder / "month.pickle.part").rename(folder / "month.pickle")  # whole, or not there


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[SimulatedMonth]:
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # each worker's base temp is in the session's own folder
        shared = shared.parent
    folder = shared / "simulated-month"
    with _locked(shared / "simulated-month.lock"):
        if not (folder / "month.pickle").is_file():
            _simulate_into(folder)
    period, events, model, report = pickle.loads((folder / "month.pickle").read_bytes())  # noqa: S301 - our own file
    store = SQLiteStore(folder / "sim.db")
    yield SimulatedMonth(store, period, events, model, report)
    store.close()
