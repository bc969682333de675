"""Months with no data or only some: "no data" where there is none, never a crash or a guess."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from portfolio.config import Settings
from portfolio.period import Period
from portfolio.report.build import build_report
from portfolio.report.model import Status
from portfolio.report.render.jsonout import render_json
from portfolio.report.render.markdown import render_markdown
from portfolio.simulate.generate import simulate_period
from portfolio.simulate.model import TrafficModel
from portfolio.sources.local import LocalSource
from portfolio.store.sqlite import SQLiteStore


def test_empty_month_reports_no_data_everywhere(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "empty.db")
    period = Period.parse("2025-08", "Asia/Tokyo")
    report = build_report(LocalSource(store), period, Settings())
    assert report.traffic.total_requests == 0
    assert report.availability.percent is None
    assert report.latency_ms.avg is None
    assert report.error_rate is None
    assert report.traffic.busiest_day is None
    assert report.costs.total_usd is None
    assert report.costs.source == "none"
    assert report.security.status is Status.NO_DATA
    statuses = {k.id: k.status for k in report.kpis}
    assert statuses["availability"] is Status.NO_DATA
    assert statuses["response_time_avg"] is Status.NO_DATA
    assert statuses["monthly_cost"] is Status.NO_DATA
    ja = render_markdown(report, "ja")
    en = render_markdown(report, "en")
    assert "データなし" in ja
    assert "no data" in en
    assert "nan" not in en.lower().replace("maintenance", "")
    assert '"total_usd": null' in render_json(report)
    assert sorted(p.id for p in report.proposals) == sorted([
        "daily_checks_missed", "weekly_checks_missed", "monthly_checks_missed", "enable_prober",
        "security_scans_not_run",
    ])  # fmt: skip
    # Nothing measured is never ✅: no compliance line, no audit line, no checklist tick.
    assert all(c.outcome == "not_run" for c in report.security.compliance)
    assert all(a.outcome == "not_run" for a in report.security.audit)
    assert "**データ保護**: 準拠" not in ja
    assert "**IAM設定**: 適切" not in ja
    assert "[x]" not in ja
    assert "| ✅ |" not in ja


def test_partial_month_uses_only_days_with_data(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "partial.db")
    period = Period.parse("2025-08", "Asia/Tokyo")
    # Simulate all of July, then keep the report on an August that has no traffic
    # until the store gets a few days: days without data read as zero, not invented.
    july = period.previous()
    simulate_period(store, july, TrafficModel(daily_requests=500), rng=np.random.default_rng(3),
                    maintenance=None)  # fmt: skip
    report = build_report(LocalSource(store), july, Settings())
    assert report.traffic.days_with_traffic == 31
    august = build_report(LocalSource(store), period, Settings())
    assert august.traffic.total_requests == 0
    assert august.costs.previous_total_usd is not None  # 前月比 has July to compare with
    assert august.costs.total_usd is None


def test_current_month_counts_only_elapsed_days(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "now.db")
    period = Period.parse("2025-08", "Asia/Tokyo")
    report = build_report(
        LocalSource(store), period, Settings(), now=datetime(2025, 8, 10, 12, tzinfo=UTC)
    )
    daily = next(c for c in report.work.checks if c.kind == "daily")
    assert daily.expected == 10
