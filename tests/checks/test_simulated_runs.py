"""The demo's recorded runs come from the checks' code over the simulated store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from portfolio.checks.base import Kind
from portfolio.checks.collect import daily_from_store, weekly_from_store
from portfolio.checks.registry import evaluate
from portfolio.checks.restore import restore_test_sqlite
from portfolio.checks.snapshot import TargetHealth
from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.infra.assembly import Assembly
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.simulate.checks import TARGET, _recorded_health, record_simulated_checks
from portfolio.simulate.generate import simulate_period
from portfolio.simulate.model import IncidentPlan, TrafficModel
from portfolio.sources.local import LocalSource
from portfolio.store.records import FindingStatus
from portfolio.store.sqlite import SQLiteStore

# An outage at 08:55-09:10 on the 10th: the 09:00 daily run must see it, other days not.
OUTAGE = IncidentPlan(day=10, start_hour=8.9, minutes=15, error_share=0.9, probe_failure_minutes=15)


@pytest.fixture(scope="module")
def simulated(
    tmp_path_factory: pytest.TempPathFactory, assembly: Assembly
) -> tuple[SQLiteStore, Period, Settings]:
    settings = Settings()
    store = SQLiteStore(tmp_path_factory.mktemp("sim") / "sim.db")
    period = Period(2025, 2, settings.report.timezone)
    simulate_period(
        store,
        period.previous(),
        TrafficModel(daily_requests=1500),
        rng=np.random.default_rng(1),
        maintenance=None,
    )
    simulate_period(
        store,
        period,
        TrafficModel(daily_requests=1500, incidents=(OUTAGE,)),
        rng=np.random.default_rng(2),
        maintenance=None,
    )
    record_simulated_checks(store, period, settings, assembly)
    return store, period, settings


def test_one_run_per_day_per_week_and_per_month_at_simulated_times(
    simulated: tuple[SQLiteStore, Period, Settings],
) -> None:
    store, period, _ = simulated
    runs = store.list_check_runs(period.start, period.end)
    kinds = [r.kind for r in runs]
    assert (kinds.count("daily"), kinds.count("weekly"), kinds.count("monthly")) == (28, 4, 1)
    assert all(r.target == TARGET for r in runs)
    assert all(period.start <= r.started_at < period.end for r in runs)


def test_recorded_findings_are_the_checks_evaluated_on_the_store_at_that_time(
    simulated: tuple[SQLiteStore, Period, Settings],
) -> None:
    store, period, settings = simulated
    runs = {r.started_at: r for r in store.list_check_runs(period.start, period.end)}
    for day in (3, 10):
        at = datetime(2025, 2, day, 9, 0, tzinfo=period.zone).astimezone(UTC)
        health = _recorded_health(store, at)
        assert health is not None
        snapshot = daily_from_store(
            store,
            at,
            settings,
            health=health,
            targets=TargetHealth(1 if health.ok else 0, 1, "simulated prober's /health"),
            source="simulated sqlite store",
        )
        again = evaluate(Kind.DAILY, snapshot, target=TARGET, started_at=at, finished_at=at)
        recorded = runs[at]
        assert [(f.check_id, f.status, f.detail) for f in recorded.findings] == [
            (f.check_id, f.status, f.detail) for f in again.findings
        ]
    outage_day = runs[datetime(2025, 2, 10, 9, 0, tzinfo=period.zone).astimezone(UTC)]
    quiet_day = runs[datetime(2025, 2, 3, 9, 0, tzinfo=period.zone).astimezone(UTC)]
    by_id = {f.check_id: f.status for f in outage_day.findings}
    assert by_id["health_endpoint"] is FindingStatus.FAIL
    assert {f.check_id: f.status for f in quiet_day.findings}[
        "health_endpoint"
    ] is FindingStatus.PASS


def test_weekly_runs_compare_with_the_week_before(
    simulated: tuple[SQLiteStore, Period, Settings],
) -> None:
    store, period, settings = simulated
    at = datetime(2025, 2, 7, 23, 0, tzinfo=period.zone).astimezone(UTC)
    snapshot = weekly_from_store(store, at, settings, source="t")
    assert snapshot.this_week is not None
    assert snapshot.last_week is not None
    # ~1,500 requests a day for 7 days, from the simulated rollups.
    assert 8_000 < snapshot.this_week.requests < 13_000
    assert snapshot.endpoints
    assert snapshot.cpu is not None


def test_the_report_counts_the_recorded_runs_and_shows_the_security_status(
    simulated: tuple[SQLiteStore, Period, Settings],
) -> None:
    store, period, settings = simulated
    report = compute_report(
        LocalSource(store).observe(period),
        settings,
        previous=None,
        now=period.end,
        prices=load_prices(),
    )
    done = {c.kind: (c.expected, c.done) for c in report.work.checks}
    assert done == {"daily": (28, 28), "weekly": (4, 4), "monthly": (1, 1)}
    daily = next(c for c in report.work.checks if c.kind == "daily")
    assert daily.passed < 28  # the outage day's run failed
    assert report.security.last_run is not None
    assert report.security.findings_pass >= 9
    assert report.services.data_store.backup is not None
    assert report.services.data_store.encryption is not None
    assert report.services.data_store.encryption.startswith("PASS")


def test_sqlite_restore_test_copies_every_row(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    from portfolio.store.records import NewUser

    for i in range(5):
        store.create_user(NewUser(name=f"u{i}", email=f"u{i}@example.com"))
    result = restore_test_sqlite(store.path)
    store.close()
    assert result.error is None
    assert result.source_items == result.restored_items
    assert result.source_items is not None
    assert result.source_items >= 5
    assert not list(tmp_path.glob("portfolio-restore-*"))  # scratch copy deleted
