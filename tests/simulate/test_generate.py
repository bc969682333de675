"""The simulator's shaping inputs do what they say: pinned days, weekly latency targets,
load-balancer errors that are never logged, warnings, scanner sweeps and role changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from portfolio import names, security_rules
from portfolio.period import Period
from portfolio.simulate.generate import (
    LB_ERROR_STATUS,
    daily_volumes,
    generate_day,
    latency_scales,
    simulate_period,
)
from portfolio.simulate.model import IncidentPlan, ScannerBurst, TrafficModel
from portfolio.simulate.scenarios import DETECTION_MONTH, ORIGINAL_MIX, ORIGINAL_MONTH
from portfolio.store.records import Role
from portfolio.store.sqlite import SQLiteStore

TOKYO = ZoneInfo("Asia/Tokyo")
AUGUST = Period.parse("2025-08", "Asia/Tokyo")


def test_pinned_days_keep_their_volume_and_the_month_keeps_its_mean() -> None:
    days = list(AUGUST.days)
    volumes = daily_volumes(ORIGINAL_MONTH, days, np.random.default_rng(1))
    by_day = dict(zip((d.day for d in days), volumes, strict=True))
    assert by_day[15] == 28_400
    assert by_day[8] == 15_200
    assert np.mean(volumes) == pytest.approx(21_600, rel=1e-9)
    others = [v for d, v in by_day.items() if d not in (8, 15)]
    assert min(others) > 15_200
    assert max(others) < 28_400


def test_weekly_latency_targets_set_each_weeks_mean() -> None:
    days = list(AUGUST.days)
    scales = latency_scales(ORIGINAL_MONTH, days, np.random.default_rng(2))
    rng = np.random.default_rng(3)
    for day_index, target in ((2, 78.3), (24, 87.0)):  # a day of week 1, a day of week 4
        events = generate_day(
            ORIGINAL_MONTH, days[day_index], TOKYO, rng,
            expected=40_000, latency_scale=scales[day_index],
        )  # fmt: skip
        # The day's own factor spreads days by ~2 % around their week's target.
        assert events.latency_ms.mean() == pytest.approx(target, rel=0.06)


def test_an_incident_with_a_latency_target_runs_at_that_mean() -> None:
    model = TrafficModel(
        mix=ORIGINAL_MIX,
        weekly_latency_ms=(85.0,),
        incidents=(IncidentPlan(day=22, start_hour=10.25, minutes=30, latency_ms=120.0),),
    )
    events = generate_day(
        model, date(2025, 8, 22), TOKYO, np.random.default_rng(4), expected=60_000,
        latency_scale=latency_scales(model, [date(2025, 8, 22)], np.random.default_rng(5))[0],
    )  # fmt: skip
    opens = AUGUST.start.timestamp() + 21 * 86400 + 10.25 * 3600
    inside = (events.epoch_s >= opens) & (events.epoch_s < opens + 1800)
    assert inside.sum() > 500
    assert events.latency_ms[inside].mean() == pytest.approx(120, rel=0.03)
    assert events.latency_ms[~inside].mean() < 100


def test_a_scanner_sweep_adds_404s_to_the_scanner_endpoint() -> None:
    model = replace(DETECTION_MONTH, incidents=(), pinned_days=())  # the detection scenario's
    events = generate_day(model, date(2025, 8, 12), TOKYO, np.random.default_rng(6), expected=100)
    scanner = next(i for i, e in enumerate(model.mix) if e.endpoint == names.SCANNER_ENDPOINT)
    opens = AUGUST.start.timestamp() + 11 * 86400 + 3.2 * 3600
    swept = (events.endpoint_index == scanner) & (events.epoch_s >= opens)
    swept &= events.epoch_s < opens + 120
    assert swept.sum() == 64
    assert set(events.status[swept].tolist()) == {404}
    assert np.all(np.diff(events.epoch_s) >= 0)  # still in time order


def test_a_sweep_needs_a_scanner_endpoint_in_the_mix() -> None:
    model = TrafficModel(
        scanner_bursts=(ScannerBurst(day=12, start_hour=3.0, requests=5, minutes=1),)
    )
    with pytest.raises(ValueError, match="scanner"):
        generate_day(model, date(2025, 8, 12), TOKYO, np.random.default_rng(7), expected=10)


@pytest.fixture(scope="module")
def simulated_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    store = SQLiteStore(Path(tmp_path_factory.mktemp("sim")) / "sim.db")
    model = TrafficModel(
        daily_requests=3_000,
        mix=DETECTION_MONTH.mix,  # the mix with a scanner endpoint for the sweep
        weekly_latency_ms=(80.0,),
        base_error_share=0.0,
        lb_error_share=0.01,
        incidents=(IncidentPlan(day=18, start_hour=14.5, minutes=1, warnings=2),),
        scanner_bursts=(ScannerBurst(day=12, start_hour=3.2, requests=64, minutes=2),),
        role_changes=1,
    )
    simulate_period(store, AUGUST, model, rng=np.random.default_rng(8), users=5, maintenance=None)
    return store


def test_load_balancer_errors_are_in_the_traffic_but_not_in_the_error_log(
    simulated_store: SQLiteStore,
) -> None:
    start, end = int(AUGUST.start.timestamp()), int(AUGUST.end.timestamp())
    errors = sum(
        r.count
        for r in simulated_store.read_rollups(start, end, resolution="hour")
        if r.status == LB_ERROR_STATUS
    )
    assert errors > 0
    levels = [c.level for c in simulated_store.read_log_counts(start, end)]
    assert "ERROR" not in levels


def test_log_warnings_are_written_at_the_incident_minute(simulated_store: SQLiteStore) -> None:
    start, end = int(AUGUST.start.timestamp()), int(AUGUST.end.timestamp())
    warnings = [c for c in simulated_store.read_log_counts(start, end) if c.level == "WARNING"]
    opens = int(AUGUST.start.timestamp() + 17 * 86400 + 14.5 * 3600)
    assert [(c.minute, c.count) for c in warnings] == [(opens, 2)]


def test_the_sweep_makes_a_4xx_burst_minute(simulated_store: SQLiteStore) -> None:
    start, end = int(AUGUST.start.timestamp()), int(AUGUST.end.timestamp())
    bursts = [
        m for m in simulated_store.read_minute_totals(start, end)
        if m.denied >= security_rules.BURST_THRESHOLD
    ]  # fmt: skip
    assert 1 <= len(bursts) <= 3
    assert all(m.minute // 86400 == (start + 11 * 86400 + 3 * 3600) // 86400 for m in bursts)


def test_role_changes_go_through_the_store_and_the_operations_log(
    simulated_store: SQLiteStore,
) -> None:
    users = simulated_store.list_users(limit=100).items
    assert sum(1 for u in users if u.role is Role.EDITOR) == 1
    logged = [
        w
        for w in simulated_store.list_work_items(AUGUST.start, AUGUST.end)
        if w.kind == security_rules.PERMISSION_USER_ROLE
    ]
    assert len(logged) == 1
    editor = next(u for u in users if u.role is Role.EDITOR)
    assert logged[0].summary.startswith(editor.email)
