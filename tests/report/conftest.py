"""A simulated month (and the month before), with the raw events kept for truth checks."""

from __future__ import annotations

from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedMonth]:
    # A lighter month than the demo's (same shape, a fifth of the volume) keeps tests quick.
    store = SQLiteStore(Path(tmp_path_factory.mktemp("sim")) / "sim.db")
    period = Period.parse(MONTH, TZ)
    rng = np.random.default_rng(11)
    simulate_period(store, period.previous(), TrafficModel(daily_requests=4000), rng=rng)
    model = TrafficModel(daily_requests=4000, incidents=demo_incidents())
    events: list[DayEvents] = []
    simulate_period(store, period, model, rng=rng, users=12, on_events=events.append)
    report = build_report(LocalSource(store), period, Settings())
    yield SimulatedMonth(store, period, events, model, report)
    store.close()
