"""The recorder: rollups by key, log counts, and nothing lost when a flush fails."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from portfolio.errors import StoreUnavailableError
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

    def down(rollups: object) -> None:
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
