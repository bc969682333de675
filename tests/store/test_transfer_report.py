"""A simulated month copied from SQLite into DynamoDB Local gives the same report.

The same code path as the demo month (`portfolio demo`'s simulator, `store copy`'s loop,
the local source over each store); a lighter month keeps it quick. The full demo month is
compared in the bench (bench/transfer_bench.py).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from portfolio.config import Settings
from portfolio.period import Period
from portfolio.report.build import build_report
from portfolio.report.render.jsonout import render_json
from portfolio.simulate.generate import simulate_period
from portfolio.simulate.model import TrafficModel, demo_incidents
from portfolio.sources.local import LocalSource
from portfolio.store.dynamodb import DynamoDBStore
from portfolio.store.kinds import TimeRange
from portfolio.store.measured import measured
from portfolio.store.protocols import Store
from portfolio.store.sqlite import SQLiteStore
from portfolio.store.transfer import Checkpoint, StoreSink, StoreSource, run
from tests.dynamodb_local import new_table_prefix, shared_client

MONTH = "2025-08"
NOW = datetime(2025, 9, 2, 9, 0, tzinfo=UTC)
BACKEND_NAMES = {"local sqlite store", "local dynamodb store", "sqlite", "dynamodb"}
PLATFORM = ".document.platform"
"""Where the report says it runs ("local" on SQLite, "aws" on DynamoDB): a label, not a figure."""
TABLE_STATUS = ".services.data_store.status"
"""DynamoDB's table status (ACTIVE); a SQLite store has none and says what it is instead."""


def report_figures(store: Store, period: Period) -> dict[str, Any]:
    """report.json of the month, without what names the backend it was read from."""
    report = json.loads(render_json(build_report(LocalSource(store), period, Settings(), now=NOW)))
    return _without_backend(report)


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of the report by its path, so a difference names the figure."""
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in _flat(item, f"{path}.{key}").items()
        }
    if isinstance(value, list):
        return {
            k: v for i, item in enumerate(value) for k, v in _flat(item, f"{path}[{i}]").items()
        }
    return {path: value}


def _without_backend(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_backend(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_backend(v) for v in value]
    return "<backend>" if value in BACKEND_NAMES else value


def _thin(db: Path, after: int) -> None:
    """Keep two days of the per-minute samples and probes (the simulator writes ~180k a
    month whatever the traffic): the copy stays quick, every figure is still computed."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM resource_samples WHERE minute >= ?", (after,))
        conn.execute("DELETE FROM probe_results WHERE at >= ?", (after,))
        conn.execute("DELETE FROM store_stats WHERE minute >= ?", (after,))
    conn.close()


def test_the_copied_month_reports_the_same_figures(tmp_path: Path) -> None:
    period = Period.parse(MONTH, "Asia/Tokyo")
    source = SQLiteStore(tmp_path / "month.db")
    model = TrafficModel(daily_requests=100, incidents=demo_incidents())
    simulate_period(source, period, model, rng=np.random.default_rng(5), users=5)
    _thin(tmp_path / "month.db", int(period.start.timestamp()) + 2 * 86_400)
    prefix = new_table_prefix()
    # The month is older than the default retention: DynamoDB would expire it on arrival.
    target = DynamoDBStore(
        shared_client(),
        users_table=f"{prefix}-portfolio-users",
        metrics_table=f"{prefix}-portfolio-metrics",
        retention_days=36_500,
    )
    target.create_tables()
    try:
        everything = TimeRange()
        outcome = run(
            StoreSource(measured(source), everything, "sqlite"),
            StoreSink(measured(target), everything, "dynamodb"),
            Checkpoint(tmp_path / "checkpoints", "sqlite", "dynamodb", everything),
            lambda done, total: None,
        )
        assert outcome.target == outcome.source
        expected = report_figures(source, period)
        assert expected["kpis"]  # a month with figures, not an empty report
        got = _flat(report_figures(target, period))
        want = _flat(expected)
        assert (got.pop(PLATFORM), want.pop(PLATFORM)) == ("aws", "local")
        assert (got.pop(TABLE_STATUS), want.pop(TABLE_STATUS, None)) == ("ACTIVE", None)
        assert {
            k: (got.get(k), want.get(k))
            for k in got.keys() | want.keys()
            if got.get(k) != want.get(k)
        } == {}
    finally:
        target.delete_tables()
        source.close()
