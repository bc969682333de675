"""The local source's newer items: target health, abnormal access, permission changes, site
probes, table-throughput references and CloudFront logs — on every store backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from portfolio import names, security_rules
from portfolio.config import Settings, StoreSettings
from portfolio.costs import load_prices
from portfolio.period import Period
from portfolio.report.build import compute_report
from portfolio.simulate.cloudfront import write_cloudfront_logs
from portfolio.sources.base import SourceOptions, TargetHealthTotals, make_source
from portfolio.sources.local import LocalSource, target_health
from portfolio.store.ids import new_id
from portfolio.store.protocols import Store
from portfolio.store.records import (
    PROBE_SITE,
    ProbeCounts,
    ProbeResult,
    ResourceSample,
    Rollup,
    WorkItem,
)
from portfolio.store.summaries import summarise_resources

# Last month, not a fixed one: DynamoDB Local deletes items whose retention has expired.
PERIOD = Period.previous_to(datetime.now(UTC), "Asia/Tokyo")
MINUTE = int(PERIOD.start.timestamp()) + 3 * 86400  # the 4th, 00:00 JST


def _rollup(minute: int, endpoint: str, status: int, count: int) -> Rollup:
    rollup = Rollup(minute=minute, endpoint=endpoint, method="GET", status=status, task="t1")
    for _ in range(count):
        rollup.count += 1
        rollup.sketch.add(10.0)
    return rollup


def test_target_health_counts_reporting_workers_of_the_desired_tasks() -> None:
    samples = [
        ResourceSample(MINUTE, "t1", 10, 1, 1),
        ResourceSample(MINUTE, "t2", 10, 1, 1),
        ResourceSample(MINUTE + 60, "t1", 10, 1, 1),
        # MINUTE + 120: nothing recorded, the service was not running — not counted.
        ResourceSample(MINUTE + 180, "t2", 10, 1, 1),
    ]
    got = target_health(summarise_resources(samples), 2)
    assert got == TargetHealthTotals(minutes=3, healthy=2 + 1 + 1, registered=3 * 2)


def test_target_health_caps_workers_at_the_desired_tasks_and_knows_nothing_without_samples() -> (
    None
):
    samples = [ResourceSample(MINUTE, task, 10, 1, 1) for task in ("t1", "t2", "t3")]
    got = target_health(summarise_resources(samples), 2)
    assert got == TargetHealthTotals(minutes=1, healthy=2, registered=2)
    assert target_health(summarise_resources([]), 2) is None


def test_abnormal_access_from_scanner_rollups_and_4xx_burst_minutes(store: Store) -> None:
    threshold = security_rules.BURST_THRESHOLD
    store.write_rollups(
        [
            _rollup(MINUTE, names.SCANNER_ENDPOINT, 404, 7),
            _rollup(MINUTE, names.USERS_PATH, 200, 40),
            # A burst: 401s and 404s together reach the threshold in one minute.
            _rollup(MINUTE + 60, names.USERS_PATH, 401, threshold - 5),
            _rollup(MINUTE + 60, names.UNMATCHED_ENDPOINT, 404, 5),
            # One short of a burst, and 409s never count.
            _rollup(MINUTE + 120, names.UNMATCHED_ENDPOINT, 404, threshold - 1),
            _rollup(MINUTE + 180, names.USERS_PATH, 409, threshold + 10),
        ]
    )
    anomalies = LocalSource(store).observe(PERIOD).access_anomalies
    assert anomalies is not None
    assert anomalies.scanner_requests == 7
    assert anomalies.burst_minutes == 1
    assert anomalies.burst_clients is None  # telemetry keeps no client addresses
    assert anomalies.rule == security_rules.RULE_ID


def test_no_traffic_means_no_abnormal_access_figure(store: Store) -> None:
    assert LocalSource(store).observe(PERIOD).access_anomalies is None


def test_permission_changes_come_from_the_operations_log_not_work_done(store: Store) -> None:
    at = PERIOD.start + timedelta(days=2)
    store.add_work_item(WorkItem(new_id(), at, security_rules.PERMISSION_USER_ROLE, "a: x → y"))
    store.add_work_item(WorkItem(new_id(), at, security_rules.PERMISSION_API_KEYS, "2 → 3 keys"))
    store.add_work_item(WorkItem(new_id(), at, "docs", "runbook"))
    obs = LocalSource(store).observe(PERIOD)
    assert obs.permission_changes is not None
    assert sorted((c.kind, c.subject) for c in obs.permission_changes) == [
        ("api_keys", "2 → 3 keys"),
        ("user_role", "a: x → y"),
    ]
    assert [w.kind for w in obs.work_items] == ["docs"]


def test_a_month_without_permission_changes_is_zero_not_unknown(store: Store) -> None:
    assert LocalSource(store).observe(PERIOD).permission_changes == []


def test_site_probes_are_kept_apart_from_the_availability_record(store: Store) -> None:
    at = PERIOD.start + timedelta(hours=5)
    store.write_probe_results(
        [
            ProbeResult(at, True, 4.0, 200),
            ProbeResult(at, False, None, 503, "down", target=PROBE_SITE),
            ProbeResult(at + timedelta(minutes=1), True, 3.0, 200, target=PROBE_SITE),
        ]
    )
    obs = LocalSource(store).observe(PERIOD)
    assert [(p.ok, p.status) for p in obs.probes] == [(True, 200)]
    assert obs.site_probe_counts == ProbeCounts(probes=2, ok=1)
    report = compute_report(
        obs, Settings(), previous=None, now=datetime.now(UTC), prices=load_prices()
    )
    site = report.services.static_site
    assert (site.site_probes, site.site_ok_percent) == (2, 50.0)


def test_registered_source_reads_cloudfront_logs_and_throughput_settings(tmp_path: Path) -> None:
    logs = tmp_path / "cloudfront"
    write_cloudfront_logs(logs, PERIOD, np.random.default_rng(3))
    settings = Settings(
        store=StoreSettings(sqlite_path=tmp_path / "s.db", max_read_units_per_s=100.0)
    )
    source = make_source("local", SourceOptions(settings=settings, cloudfront_logs=(str(logs),)))
    obs = source.observe(PERIOD)
    assert obs.static_site is not None
    assert obs.static_site.requests > 0
    assert obs.static_site.edge_locations[0][0] == "NRT"
    assert obs.data_store is not None
    assert obs.data_store.max_read_units_per_s == 100.0
    assert obs.data_store.max_write_units_per_s == settings.store.max_write_units_per_s


def test_without_cloudfront_logs_the_static_site_is_unknown(store: Store) -> None:
    assert LocalSource(store).observe(PERIOD).static_site is None


def test_target_health_of_a_simulated_day_is_read_from_the_store(store: Store) -> None:
    start = MINUTE + 6 * 86400
    store.write_resource_samples(
        [ResourceSample(start + 60 * m, t, 40, 1, 30) for m in range(3) for t in ("a", "b")]
    )
    obs = LocalSource(store).observe(PERIOD)
    assert obs.target_health_totals == TargetHealthTotals(minutes=3, healthy=6, registered=6)
    assert obs.compute is not None
    assert (obs.compute.running_tasks, obs.compute.desired_tasks) == (2, names.DESIRED_TASKS)
    summary = obs.resource_summary
    assert summary is not None
    assert (summary.samples, summary.cpu_avg_pct, summary.mem_max_pct) == (6, 40, 30)


def test_the_site_prober_records_under_its_own_target(store: Store) -> None:
    import httpx

    from portfolio.telemetry.prober import site_prober

    prober = site_prober(store, "http://127.0.0.1:1/")
    prober._client = httpx.Client(  # a page that answers, without a server
        transport=httpx.MockTransport(lambda request: httpx.Response(200, text="<html>"))
    )
    try:
        result = prober.run_once()
    finally:
        prober.stop()
    assert result.target == PROBE_SITE
    around = (result.at - timedelta(seconds=1), result.at + timedelta(seconds=1))
    assert [p.ok for p in store.read_probe_results(*around, target=PROBE_SITE)] == [True]
    assert list(store.read_probe_results(*around)) == []


def test_both_backends_time_the_same_store_operations(store: Store) -> None:
    from portfolio.store.measured import measured

    store = measured(store)  # the seam every opened store sits behind
    store.write_rollups([_rollup(MINUTE, names.HEALTH_PATH, 200, 3)])
    list(store.read_rollups(MINUTE, MINUTE + 60))
    store.add_work_item(WorkItem(new_id(), PERIOD.start, "docs", "runbook"))
    store.list_work_items(PERIOD.start, PERIOD.end)
    timed = {s.operation for s in store.call_stats.drain("t")}  # type: ignore[attr-defined]
    assert {"write_rollups", "read_rollups", "add_work_item", "list_work_items"} <= timed
