"""The recorder: rollups by key, log counts, and nothing lost when a flush fails."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from portfolio.errors import StoreUnavailableError
from portfolio.store.callstats import CallStats
from portfolio.store.protocols import Resolution
from portfolio.store.records import Rollup
from portfolio.store.sqlite import SQLiteStore
from portfolio.telemetry.logs import WarningCounter
from portfolio.telemetry.recorder import Recorder

NOW = 1_754_000_000.0  # a fixed clock


def test_requests_roll_up_per_minute_and_key(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    recorder = Recorder(store, task_id="t1", clock=lambda: NOW)
    for ms in (10.0, 20.0, 30.0):
        recorder.record_request(endpoint="/health", method="GET", status=200, duration_ms=ms,
                                bytes_in=0, bytes_out=100)  # fmt: skip
    recorder.record_request(endpoint="/health", method="GET", status=503, duration_ms=5.0,
                            bytes_in=0, bytes_out=50)  # fmt: skip
    recorder.flush()
    minute = int(NOW // 60) * 60
    rows = {(r.status, r.count) for r in store.read_rollups(minute, minute + 60)}
    assert rows == {(200, 3), (503, 1)}
    [hourly_200] = [
        r
        for r in store.read_rollups(minute - 3600, minute + 3600, resolution="hour")
        if r.status == 200
    ]
    assert hourly_200.count == 3
    assert hourly_200.sketch.sum == 60.0


def test_a_second_flush_adds_to_the_same_minute(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    recorder = Recorder(store, task_id="t1", clock=lambda: NOW)
    for _ in range(2):
        recorder.record_request(endpoint="/x", method="GET", status=200, duration_ms=1.0,
                                bytes_in=1, bytes_out=1)  # fmt: skip
        recorder.flush()
    minute = int(NOW // 60) * 60
    [row] = store.read_rollups(minute, minute + 60)
    assert row.count == 2
    assert row.bytes_in == 2


def test_failed_flush_keeps_everything_for_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    recorder = Recorder(store, task_id="t1", clock=lambda: NOW)
    recorder.record_request(endpoint="/x", method="GET", status=200, duration_ms=1.0,
                            bytes_in=0, bytes_out=0)  # fmt: skip
    recorder.record_log("ERROR")
    original = store.write_rollups

    def down(rollups: object, **_: object) -> None:
        raise StoreUnavailableError("disk gone")

    monkeypatch.setattr(store, "write_rollups", down)
    recorder.flush()
    monkeypatch.setattr(store, "write_rollups", original)
    recorder.flush()
    minute = int(NOW // 60) * 60
    assert sum(r.count for r in store.read_rollups(minute, minute + 60)) == 1
    assert sum(c.count for c in store.read_log_counts(minute, minute + 60)) == 1


def test_warning_and_error_log_records_are_counted(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    recorder = Recorder(store, task_id="t1", clock=lambda: NOW)
    logger = logging.getLogger("test.counter")
    handler = WarningCounter(recorder)
    logger.addHandler(handler)
    try:
        logger.info("not counted")
        logger.warning("one")
        logger.error("two")
        logger.error("three")
    finally:
        logger.removeHandler(handler)
    recorder.flush()
    minute = int(NOW // 60) * 60
    counts = {c.level: c.count for c in store.read_log_counts(minute, minute + 60)}
    assert counts == {"WARNING": 1, "ERROR": 2}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


HOUR = int(NOW // 3600) * 3600


def count_writes(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record (resolution, rollups) of every write_rollups call the recorder makes."""
    calls: list[tuple[str, int]] = []
    original = store.write_rollups

    def counted(rollups: Sequence[Rollup], *, resolution: Resolution | None = None) -> None:
        calls.append((str(resolution), len(rollups)))
        original(rollups, resolution=resolution)

    monkeypatch.setattr(store, "write_rollups", counted)
    return calls


def request(recorder: Recorder, status: int = 200) -> None:
    recorder.record_request(endpoint="/x", method="GET", status=status, duration_ms=2.0,
                            bytes_in=0, bytes_out=0)  # fmt: skip


def test_a_tick_writes_each_closed_minute_once_and_each_closed_hour_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    clock = Clock(HOUR + 10)
    recorder = Recorder(store, task_id="t1", clock=clock)
    writes = count_writes(store, monkeypatch)
    for minute in range(60):
        clock.now = HOUR + 60 * minute + 10
        request(recorder)
        request(recorder, 500)
        for second in (15, 30, 45):  # ticks inside the minute: nothing has closed
            clock.now = HOUR + 60 * minute + second
            recorder.tick()
    assert writes.count(("minute", 2)) == 59  # minute 59 is still open
    assert ("hour", 2) not in writes
    clock.now = HOUR + 3600 + 5  # the hour closes with its last minute
    recorder.tick()
    recorder.tick()
    assert writes.count(("minute", 2)) == 60
    assert writes.count(("hour", 2)) == 1
    assert len(writes) == 61
    (hour_200, hour_500) = sorted(
        store.read_rollups(HOUR, HOUR + 3600, resolution="hour"), key=lambda r: r.status
    )
    assert (hour_200.count, hour_500.count) == (60, 60)
    assert sum(r.count for r in store.read_rollups(HOUR, HOUR + 3600)) == 120


def test_store_statistics_are_written_per_hour_once_it_closes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    clock = Clock(HOUR + 10)
    store.call_stats = CallStats(store.backend, clock=clock)
    recorder = Recorder(store, task_id="t1", clock=clock)
    store.call_stats.add("get_user", 2.0)
    clock.now = HOUR + 70
    store.call_stats.add("get_user", 4.0)
    recorder.tick()
    assert list(store.read_store_stats(HOUR, HOUR + 3600)) == []
    clock.now = HOUR + 3605
    recorder.tick()
    [stat] = [s for s in store.read_store_stats(HOUR, HOUR + 3600) if s.operation == "get_user"]
    assert (stat.minute, stat.count, stat.latency_sum_ms, stat.latency_max_ms) == (
        HOUR,
        2,
        6.0,
        4.0,
    )


def test_the_flush_thread_survives_store_errors_and_writes_the_backlog_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    clock = Clock(HOUR + 10)
    recorder = Recorder(store, task_id="t1", clock=clock, flush_interval_s=0.01)
    original = store.write_rollups
    failures = {"left": 3}

    def flaky(rollups: Sequence[Rollup], *, resolution: Resolution | None = None) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            if failures["left"] == 0:
                raise RuntimeError("a bug, not a store error")  # the thread must live on
            raise StoreUnavailableError("disk full")
        original(rollups, resolution=resolution)

    monkeypatch.setattr(store, "write_rollups", flaky)
    for _ in range(5):
        request(recorder, 503)
    clock.now = HOUR + 65  # minute 0 has closed
    recorder.start()
    try:
        deadline = time.monotonic() + 10
        while not list(store.read_rollups(HOUR, HOUR + 60)):
            assert time.monotonic() < deadline, "the backlog was never written"
            time.sleep(0.02)
    finally:
        recorder.stop()
    assert recorder.losses.failed_writes == 3
    assert sum(r.count for r in store.read_rollups(HOUR, HOUR + 60)) == 5
    assert recorder.losses.dropped_requests == 0


def test_a_long_outage_drops_the_oldest_rollups_and_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(tmp_path / "r.db")
    clock = Clock(HOUR + 10)
    recorder = Recorder(store, task_id="t1", clock=clock, max_backlog=3)

    def down(rollups: object, **_: object) -> None:
        raise StoreUnavailableError("disk full")

    monkeypatch.setattr(store, "write_rollups", down)
    for minute in range(5):
        clock.now = HOUR + 60 * minute + 10
        request(recorder)
        request(recorder)
        clock.now += 60
        recorder.tick()
    # Five closed minutes waiting: three kept, the two oldest dropped (two requests each).
    assert recorder.losses.dropped_rollups == 2
    assert recorder.losses.dropped_requests == 4
    recorder.store = SQLiteStore(tmp_path / "r.db")  # back: what was kept is written
    recorder.flush()
    assert sum(r.count for r in recorder.store.read_rollups(HOUR, HOUR + 3600)) == 6
    assert recorder.losses.failed_writes == 5
