"""The sums the SQLite store keeps beside the rows they sum: built for an older file, kept
right by every write, rebuilt when the rule they were built with changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from portfolio.store import migrations
from portfolio.store.migrations import MINUTE_TOTALS_OF_ROLLUPS
from portfolio.store.records import MinuteTotals, Rollup, StoreCallStat
from portfolio.store.sqlite import SQLiteStore
from portfolio.telemetry.sketch import LatencySketch

HOUR = 1_754_006_400  # 2025-08-01T00:00Z


def _rollup(minute: int, status: int, values: list[float], task: str = "task-a") -> Rollup:
    sketch = LatencySketch()
    sketch.add_many(np.array(values))
    return Rollup(minute, "/api/v1/users", "GET", status, task, len(values), 10, 100, sketch)


def _stat(minute: int, count: int) -> StoreCallStat:
    return StoreCallStat(minute, "task-a", "sqlite", "get_user", count, 0, 0, count * 2.0, 3.0, 0.0)


def _summed(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"{MINUTE_TOTALS_OF_ROLLUPS} ORDER BY minute", (0, 2**40)).fetchall()


def test_a_file_of_schema_2_gets_its_sums_from_the_rows_it_has(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    store.write_rollups([_rollup(HOUR, 200, [1.0, 2.0]), _rollup(HOUR + 60, 404, [3.0])])
    store.write_store_stats([_stat(HOUR + 60, 2), _stat(HOUR + 3660, 5)])
    store.close()
    with sqlite3.connect(path) as conn:  # back to the schema before the sums
        conn.executescript(
            "DROP TABLE minute_totals; DROP TABLE store_stats_hourly; DROP TABLE derived;"
            " PRAGMA user_version = 2;"
        )
    store = SQLiteStore(path)
    assert store.read_minute_totals(HOUR, HOUR + 3600) == [
        MinuteTotals(HOUR, 2, 0, 3.0, 0),
        MinuteTotals(HOUR + 60, 1, 0, 3.0, 1),
    ]
    assert [(s.minute, s.count) for s in store.read_store_stats(HOUR, HOUR + 7200)] == [
        (HOUR, 2),
        (HOUR + 3600, 5),
    ]
    store.close()


def test_every_write_keeps_the_minute_sums_equal_to_the_rollups(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.write_rollups([_rollup(HOUR, 200, [1.0]), _rollup(HOUR, 503, [7.0], task="task-b")])
    store.write_rollups([_rollup(HOUR, 200, [2.0]), _rollup(HOUR + 60, 403, [4.0])])
    store.write_rollups([_rollup(HOUR + 3600, 200, [5.0])], resolution="hour")  # hours only
    want = [MinuteTotals(*row) for row in _summed(tmp_path / "s.db")]
    assert store.read_minute_totals(0, 2**40) == want
    assert want == [MinuteTotals(HOUR, 3, 1, 10.0, 0), MinuteTotals(HOUR + 60, 1, 0, 4.0, 1)]
    store.close()


def test_sums_built_with_another_rule_are_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    store.write_rollups([_rollup(HOUR, 401, [1.0]), _rollup(HOUR, 429, [1.0], task="task-b")])
    store.close()
    store = SQLiteStore(path)
    assert store.read_minute_totals(HOUR, HOUR + 60)[0].denied == 1
    store.close()
    # A later version counts 429 in a burst too: the file's sums are of the old rule.
    monkeypatch.setattr(migrations, "_MINUTE_TOTALS_RULE", "denied=401,403,404,429")
    monkeypatch.setattr(
        migrations,
        "MINUTE_TOTALS_OF_ROLLUPS",
        MINUTE_TOTALS_OF_ROLLUPS.replace("IN (401,403,404)", "IN (401,403,404,429)"),
    )
    store = SQLiteStore(path)
    assert store.read_minute_totals(HOUR, HOUR + 60)[0].denied == 2
    store.close()
