"""How many DynamoDB writes one worker's telemetry costs a minute, measured on DynamoDB Local.

A recorder on a simulated clock takes an hour of steady traffic (requests over
a fixed set of endpoint/status keys, a warning every half minute, a resource
sample a minute, the store's own call statistics) and flushes every 5 seconds as
its thread does. Every write call the DynamoDB client makes is counted from its
response (items and the write capacity DynamoDB Local reports). The bound is
what "each closed minute once, each closed hour once" allows for this traffic;
the cost estimator's ``telemetry_writes_per_task_minute`` is the WRU figure this
test prints (``pytest -s``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from portfolio.costs.estimator import UsageProfile
from portfolio.store.callstats import CallStats
from portfolio.store.dynamodb import DynamoDBStore
from portfolio.store.measured import measured
from portfolio.store.records import ProbeResult, ResourceSample
from portfolio.telemetry.recorder import Recorder
from tests.dynamodb_local import dynamodb_store

pytestmark = pytest.mark.slow

TRAFFIC: tuple[tuple[str, str, int], ...] = (
    ("/health", "GET", 200),
    ("/api/v1/users", "GET", 200),
    ("/api/v1/users", "POST", 201),
    ("/api/v1/users/{user_id}", "GET", 200),
    ("/api/v1/users/{user_id}", "GET", 404),
    ("/api/v1/metrics", "GET", 200),
    ("/api/v1/status", "GET", 200),
)
"""The keys steady traffic spreads over: one rollup item each per minute."""
APP_OPERATIONS = ("get_user", "list_users", "create_user", "read_rollups")
"""Store calls the handlers make, timed into the call statistics like the real ones."""
REQUESTS_PER_S = 5
FLUSH_EVERY_S = 5
MINUTES = 60
_WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)


@dataclass
class WriteCounter:
    """Counts write calls, items written and write capacity from each response."""

    calls: int = 0
    items: int = 0
    capacity_units: float = 0.0
    by_operation: dict[str, int] = field(default_factory=dict)

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name not in _WRITE_OPERATIONS:
            return
        self.calls += 1
        self.by_operation[name] = self.by_operation.get(name, 0) + 1
        consumed = parsed.get("ConsumedCapacity")
        entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
        self.capacity_units += sum(float(c.get("CapacityUnits", 0.0)) for c in entries)
        self.items += 1


@pytest.fixture
def dynamo(tmp_path: Path) -> Iterator[DynamoDBStore]:
    for store in dynamodb_store(tmp_path):
        assert isinstance(store, DynamoDBStore)
        yield store


def test_one_worker_writes_each_closed_minute_once(dynamo: DynamoDBStore) -> None:
    clock = _Clock(math.floor(_now() / 3600) * 3600 - 2 * 3600)  # an hour that has closed
    dynamo.call_stats = CallStats(dynamo.backend, clock=clock)
    store = measured(dynamo)  # as open_store gives it to the service
    recorder = Recorder(store, task_id="task-a", clock=clock)
    counter = WriteCounter()
    events = dynamo._client.meta.events
    events.register("after-call.dynamodb", counter)
    rng = np.random.default_rng(7)
    try:
        start = clock.now
        for second in range(MINUTES * 60):
            clock.now = start + second
            for _ in range(REQUESTS_PER_S):
                endpoint, method, status = TRAFFIC[int(rng.integers(len(TRAFFIC)))]
                recorder.record_request(endpoint=endpoint, method=method, status=status,
                                        duration_ms=float(rng.lognormal(2.0, 0.8)),
                                        bytes_in=100, bytes_out=900)  # fmt: skip
                operation = APP_OPERATIONS[int(rng.integers(len(APP_OPERATIONS)))]
                store.call_stats.add(operation, float(rng.lognormal(1.5, 0.5)))
            if second % 30 == 0:
                recorder.record_log("WARNING")
            if second % 60 == 30:  # the in-task prober writes its result at once
                at = datetime.fromtimestamp(clock.now, UTC)
                store.write_probe_results([ProbeResult(at, ok=True, latency_ms=3.0, status=200)])
            if second % 60 == 59:
                recorder.record_sample(ResourceSample(int(clock.now) // 60 * 60, "task-a",
                                                      12.5, 120_000_000, 3.0))  # fmt: skip
            if second % FLUSH_EVERY_S == FLUSH_EVERY_S - 1:
                recorder.tick()
        clock.now = start + MINUTES * 60 + FLUSH_EVERY_S  # the hour has closed: one tick later
        recorder.tick()
    finally:
        events.unregister("after-call.dynamodb", counter)

    per_minute_items = counter.items / MINUTES
    per_minute_wru = counter.capacity_units / MINUTES
    print(  # the figures the cost estimator uses (pytest -s shows them)
        f"\ntelemetry writes per worker-minute: {per_minute_items:.2f} write calls,"
        f" {per_minute_wru:.2f} WRU ({counter.by_operation})"
    )
    # Each closed minute once: a rollup per traffic key, one log count, one sample, one
    # probe; each closed hour once: a rollup per traffic key, a statistic per operation.
    minute_items = len(TRAFFIC) + 1 + 1 + 1
    hour_items = len(TRAFFIC) + len(APP_OPERATIONS) + len(_RECORDER_OPERATIONS)
    # And the kept sums (store/dynamodb/packed.py): each write merges into its hour's pack,
    # one write into the copy the worker kept: a minute's totals, log counts, sample and
    # probe; an hour's rollups and statistics.
    minute_packs, hour_packs = 4, 2
    bound = minute_items + minute_packs + (hour_items + hour_packs) / 60
    assert per_minute_items <= bound
    assert counter.items >= MINUTES * minute_items  # nothing went unwritten
    # The cost estimate prices what was measured here (within the run-to-run spread of
    # sketch sizes); change both together.
    estimated = UsageProfile().telemetry_writes_per_task_minute
    assert math.isclose(per_minute_wru, estimated, rel_tol=0.05), (per_minute_wru, estimated)


_RECORDER_OPERATIONS = (
    "write_rollups",
    "write_log_counts",
    "write_resource_samples",
    "write_probe_results",
)
"""The recorder's own store calls, which the call statistics time too."""


@dataclass
class _Clock:
    now: float

    def __call__(self) -> float:
        return self.now


def _now() -> float:
    import time

    return time.time()
