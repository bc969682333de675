"""A Lambda instance writes its telemetry once a minute, not once a request.

The cadence (closed minutes written at the first invocation of a new minute, their hours
as partial sums) on a fake clock, and its cost measured on DynamoDB Local: write units per
instance-minute with the outside probe's and the users' requests, the figure the serverless
estimate prices (as tests/telemetry/test_write_rate.py measures the original's 19.5 per
worker-minute).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portfolio import names
from portfolio.costs.estimator import UsageProfile
from portfolio.store import measured
from portfolio.store.sqlite import SQLiteStore
from portfolio.telemetry.recorder import Recorder

T0 = 1_754_000_000 - 1_754_000_000 % 3600 + 600  # ten minutes into an hour
PROBES_PER_MINUTE = 30  # ~15 checkers every 30 s
USER_MIX = ((names.HEALTH_PATH, 5), (names.USERS_PATH, 6), (names.METRICS_PATH, 2),
            (names.STATUS_PATH, 1), (names.UNMATCHED_ENDPOINT, 1))  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now


def _minute_of_traffic(recorder: Recorder) -> int:
    n = 0
    for _ in range(PROBES_PER_MINUTE):
        recorder.record_request(endpoint=names.OUTSIDE_PROBE_ENDPOINT, method="GET", status=200,
                                duration_ms=3.0, bytes_in=0, bytes_out=20)  # fmt: skip
        n += 1
    for endpoint, count in USER_MIX:
        for i in range(count):
            status = 404 if endpoint == names.UNMATCHED_ENDPOINT else 200
            recorder.record_request(endpoint=endpoint, method="GET", status=status,
                                    duration_ms=5.0 + i, bytes_in=0, bytes_out=500)  # fmt: skip
            n += 1
    return n


def test_closed_minutes_are_written_once_a_minute_with_their_hours(tmp_path: Path) -> None:
    store = measured(SQLiteStore(tmp_path / "t.db"))
    clock = Clock()
    recorder = Recorder(store, task_id="lambda-a", clock=clock)
    first = _minute_of_traffic(recorder)
    assert recorder.flush_closed_minutes()  # the first of its minute: nothing closed yet
    assert list(store.read_rollups(0, 2**31)) == []
    _minute_of_traffic(recorder)
    assert not recorder.flush_closed_minutes()  # same minute: no write at all
    clock.now += 60
    recorder.record_request(endpoint=names.HEALTH_PATH, method="GET", status=200,
                            duration_ms=1.0, bytes_in=0, bytes_out=1)  # fmt: skip
    assert recorder.flush_closed_minutes()
    minutes = list(store.read_rollups(0, 2**31))
    assert sum(r.count for r in minutes) == 2 * first  # the closed minute, not the open one
    hours = list(store.read_rollups(0, 2**31, resolution="hour"))
    assert sum(r.count for r in hours) == 2 * first  # the hour so far, without waiting for it
    clock.now += 60
    assert recorder.flush_closed_minutes()
    assert sum(r.count for r in store.read_rollups(0, 2**31, resolution="hour")) == 2 * first + 1


@pytest.mark.slow
def test_write_units_per_instance_minute_on_dynamodb_local(tmp_path: Path) -> None:
    """WRU an instance's minute flush costs with the probe's and users' traffic, measured;
    the serverless estimate prices this figure (``pytest -s`` prints it)."""
    from portfolio.store.dynamodb import DynamoDBStore
    from tests.dynamodb_local import dynamodb_store

    stores = dynamodb_store(tmp_path)
    raw = next(stores)
    try:
        assert isinstance(raw, DynamoDBStore)
        store = measured(raw)
        clock = Clock()
        recorder = Recorder(store, task_id="lambda-a", clock=clock)
        units: list[float] = []

        def count(parsed: dict[str, Any], **_: Any) -> None:
            consumed = parsed.get("ConsumedCapacity")
            entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
            units.extend(float(c.get("CapacityUnits", 0.0)) for c in entries
                         if str(c.get("TableName", "")).endswith("portfolio-metrics"))  # fmt: skip

        events = raw._client.meta.events
        writes = ("PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems")
        for operation in writes:
            events.register(f"after-call.dynamodb.{operation}", count)
        minutes, requests = 20, 0
        recorder.flush_closed_minutes()
        units.clear()
        for _ in range(minutes):
            requests += _minute_of_traffic(recorder)
            store.list_users(limit=10)  # the users' store calls: statistics rows too
            store.list_users(limit=10)
            clock.now += 60
            recorder.flush_closed_minutes()
        for operation in writes:
            events.unregister(f"after-call.dynamodb.{operation}", count)
        per_minute = sum(units) / minutes
        print(f"\ntelemetry WRU per Lambda instance-minute: {per_minute:.2f}"
              f" ({requests / minutes:.0f} requests a minute)")  # fmt: skip
        estimated = UsageProfile().lambda_telemetry_writes_per_instance_minute
        # The estimate prices what was measured here; change both together.
        assert per_minute == pytest.approx(estimated, rel=0.15), (per_minute, estimated)
    finally:
        next(stores, None)
