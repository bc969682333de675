"""A fresh install reports no false findings: a baseline, not a change; no data yet, not FAIL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from portfolio.api.audit import record_api_key_set
from portfolio.checks.collect import daily_from_store
from portfolio.checks.registry import get_check
from portfolio.config import Settings, parse_api_key
from portfolio.period import Period
from portfolio.sources.local import LocalSource
from portfolio.store.records import CheckRun, FindingStatus, ResourceSample
from portfolio.store.sqlite import SQLiteStore
from tests.checks.snapshots import week, weekly

NOW = datetime(2025, 8, 12, 3, 0, tzinfo=UTC)


def test_the_first_api_key_set_is_a_baseline_not_a_permission_change(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    try:
        first = [parse_api_key("writer-key-0123456789abcdef")]
        assert record_api_key_set(store, first, now=NOW) is False
        assert record_api_key_set(store, first, now=NOW + timedelta(hours=1)) is False
        period = Period.parse("2025-08", "Asia/Tokyo")
        assert LocalSource(store).observe(period).permission_changes == []
        second = [*first, parse_api_key("reader-key-0123456789abcdef:ro")]
        assert record_api_key_set(store, second, now=NOW + timedelta(hours=2)) is True
        changes = LocalSource(store).observe(period).permission_changes
        assert changes is not None
        assert len(changes) == 1
        assert LocalSource(store).observe(period).work_items == []  # neither is work done
    finally:
        store.close()


def test_daily_tasks_right_after_start_is_no_data_yet_and_stopped_tasks_still_fail(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    tasks = get_check("health_tasks")
    try:
        fresh = daily_from_store(store, NOW, Settings(), health=None, targets=None, source="t")
        finding = tasks.run(fresh)
        assert finding is not None
        assert finding.status is FindingStatus.NO_DATA
        assert finding.detail.startswith("No data yet")
        run = CheckRun(id="r", kind="daily", target="local", started_at=NOW, finished_at=NOW,
                       findings=(finding,))  # fmt: skip
        assert run.passed  # no data yet is not a failure: `check daily` exits 0
        # Tasks that reported an hour ago and then stopped: a failure, as before.
        hour_ago = int((NOW - timedelta(hours=1)).timestamp())
        store.write_resource_samples(
            [ResourceSample(minute=hour_ago, task="t1", cpu_pct=5, mem_bytes=1, mem_pct=1)]
        )
        stopped = daily_from_store(store, NOW, Settings(), health=None, targets=None, source="t")
        finding = tasks.run(stopped)
        assert finding is not None
        assert finding.status is FindingStatus.FAIL
    finally:
        store.close()


def test_the_first_weekly_check_without_a_previous_week_is_no_data_yet() -> None:
    first_week = replace(weekly(), last_week=None, this_week=week())
    finding = get_check("perf_latency_trend").run(first_week)
    assert finding is not None
    assert finding.status is FindingStatus.NO_DATA
    assert "no previous week" in finding.detail
