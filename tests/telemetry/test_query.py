"""The metrics window's range: [start, end), a minute counted when it begins inside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from portfolio.sketch import LatencySketch
from portfolio.store.records import Rollup
from portfolio.store.sqlite import SQLiteStore
from portfolio.telemetry.query import metrics_window

MINUTE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_minute_begun_before_a_fractional_end_is_in_the_window(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "m.db")
    sketch = LatencySketch()
    sketch.add_many(np.array([3.0, 4.0]))
    at = int(MINUTE.timestamp())
    store.write_rollups([Rollup(at, "/health", "GET", 200, "t", 2, 0, 10, sketch)])
    start = MINUTE - timedelta(hours=1)
    # A request at 12:00:00.3, its metrics asked at 12:00:00.5 (the API's default end: now).
    half_second_in = metrics_window(store, start, MINUTE + timedelta(seconds=0.5), "minute")
    assert half_second_in.summary.count == 2
    assert metrics_window(store, start, MINUTE, "minute").summary.count == 0  # end excluded
    store.close()
