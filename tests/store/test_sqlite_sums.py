"""The sums the SQLite store keeps beside the rows they sum: built for an older file, kept
right by every write (an older program's too), rebuilt when their definition changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from portfolio.sketch import LatencySketch
from portfolio.store.migrations import MINUTE_TOTALS_OF_ROLLUPS, STORE_STATS_BY_HOUR
from portfolio.store.records import MinuteTotals, Rollup, StoreCallStat
from portfolio.store.sqlite import SQLiteStore

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
            "DROP INDEX users_email_skeleton; ALTER TABLE users DROP COLUMN email_skeleton;"
            " DROP TABLE minute_totals; DROP TABLE store_stats_hourly; DROP TABLE derived;"
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


def _kept_equal_summed(path: Path) -> None:
    """Both kept tables hold exactly what summing their source rows gives."""
    with sqlite3.connect(path) as conn:
        minutes = conn.execute(f"{MINUTE_TOTALS_OF_ROLLUPS} ORDER BY minute", (0, 2**40))
        assert conn.execute("SELECT * FROM minute_totals ORDER BY minute").fetchall() == list(
            minutes
        )
        hours = conn.execute(f"{STORE_STATS_BY_HOUR} ORDER BY 1, 2, 3, 4", (0, 2**40))
        kept = conn.execute("SELECT * FROM store_stats_hourly ORDER BY 1, 2, 3, 4")
        assert kept.fetchall() == list(hours)


def test_rows_an_older_program_writes_are_summed_too(tmp_path: Path) -> None:
    """A `portfolio serve` of the previous version, still running beside an upgraded CLI,
    writes rollups and store statistics with its own SQL: the triggers sum them."""
    path = tmp_path / "s.db"
    SQLiteStore(path).close()  # the upgraded program migrated the file
    blob = _rollup(HOUR, 200, [1.0]).sketch.to_bytes()
    old_rollup = (
        "INSERT OR REPLACE INTO rollups (minute, endpoint, method, status, task, count,"
        " bytes_in, bytes_out, duration_sum_ms, sketch) VALUES (?, '/x', 'GET', ?, 't', ?, 0, 0,"
        " ?, ?)"
    )
    old_stat = (
        "INSERT INTO store_stats VALUES (?, 't', 'sqlite', 'get_user', ?, 0, 0, ?, ?, 0.5)"
        " ON CONFLICT (minute, task, backend, operation) DO UPDATE SET"
        " count = count + excluded.count,"
        " latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,"
        " latency_max_ms = max(latency_max_ms, excluded.latency_max_ms),"
        " capacity_units = capacity_units + excluded.capacity_units"
    )
    with sqlite3.connect(path) as conn:  # no code of ours: plain SQL, as the old version ran
        conn.execute(old_rollup, (HOUR, 200, 2, 3.0, blob))
        conn.execute(old_rollup, (HOUR, 200, 5, 9.0, blob))  # the same key again: REPLACE
        conn.execute(old_rollup, (HOUR, 404, 1, 1.0, blob))
        conn.execute(old_rollup, (HOUR + 60, 503, 1, 2.0, blob))
        conn.execute(old_stat, (HOUR + 60, 2, 4.0, 3.0))
        conn.execute(old_stat, (HOUR + 60, 3, 1.0, 7.0))  # the same minute again: an update
        conn.execute(old_stat, (HOUR + 3660, 1, 1.0, 1.0))
        conn.execute("UPDATE rollups SET count = 7 WHERE minute = ? AND status = 200", (HOUR,))
        conn.execute("DELETE FROM rollups WHERE minute = ?", (HOUR + 60,))
        conn.execute("DELETE FROM store_stats WHERE minute = ?", (HOUR + 3660,))
    _kept_equal_summed(path)
    store = SQLiteStore(path)
    assert store.read_minute_totals(HOUR, HOUR + 3600) == [MinuteTotals(HOUR, 8, 0, 10.0, 1)]
    [stat] = store.read_store_stats(HOUR, HOUR + 3600)
    assert (stat.minute, stat.count, stat.latency_sum_ms, stat.latency_max_ms) == (
        HOUR,
        5,
        5.0,
        7.0,
    )
    store.close()


def test_sums_kept_by_another_definition_are_built_again(tmp_path: Path) -> None:
    """A change of definition (the burst rule's statuses, say) rebuilds a kept table and
    its triggers when the store opens."""
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    store.write_rollups([_rollup(HOUR, 401, [1.0]), _rollup(HOUR, 429, [1.0], task="task-b")])
    store.write_store_stats([_stat(HOUR + 60, 2)])
    store.close()
    with sqlite3.connect(path) as conn:  # as a version with other definitions left the file
        conn.execute("UPDATE derived SET rule = 'another definition'")
        conn.execute("UPDATE minute_totals SET denied = 2")
        conn.execute("UPDATE store_stats_hourly SET count = 99")
        conn.execute("DROP TRIGGER minute_totals_insert")
    SQLiteStore(path).close()
    _kept_equal_summed(path)
    store = SQLiteStore(path)
    store.write_rollups([_rollup(HOUR + 120, 403, [1.0])])  # its trigger is back
    assert [t.denied for t in store.read_minute_totals(HOUR, HOUR + 3600)] == [1, 1]
    store.close()
    _kept_equal_summed(path)
