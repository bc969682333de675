"""The metrics repository contract: rollups merge, counts add up, ranges are half-open."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from portfolio.errors import InputError
from portfolio.sketch import LatencySketch
from portfolio.store.protocols import Store
from portfolio.store.records import (
    PROBE_SITE,
    LogCount,
    NewUser,
    ProbeCounts,
    ProbeResult,
    ResourceSample,
    ResourceSummary,
    Rollup,
    StoreCallStat,
)
from portfolio.store.summaries import summarise_resources

HOUR = (int(time.time()) // 3600 - 48) * 3600
"""A whole hour two days ago: recent, because DynamoDB expires telemetry past its retention."""


def rollup(
    minute: int,
    latencies: list[float],
    *,
    endpoint: str = "/api/v1/users",
    status: int = 200,
    task: str = "task-a",
    bytes_out: int = 100,
) -> Rollup:
    sketch = LatencySketch()
    sketch.add_many(np.array(latencies, dtype=np.float64))
    return Rollup(
        minute=minute,
        endpoint=endpoint,
        method="GET",
        status=status,
        task=task,
        count=len(latencies),
        bytes_in=10 * len(latencies),
        bytes_out=bytes_out * len(latencies),
        sketch=sketch,
    )


def by_key(rollups: list[Rollup]) -> dict[tuple[int, str, str, int, str], Rollup]:
    return {r.key: r for r in rollups}


def test_rollups_with_equal_keys_merge_counts_and_sketches(store: Store) -> None:
    m = HOUR + 60
    store.write_rollups([rollup(m, [1.0, 2.0, 3.0])])
    store.write_rollups([rollup(m, [100.0, 200.0]), rollup(m, [5.0], status=404)])
    got = by_key(list(store.read_rollups(HOUR, HOUR + 3600)))
    ok = got[(m, "/api/v1/users", "GET", 200, "task-a")]
    assert ok.count == 5
    assert ok.bytes_in == 50
    assert ok.bytes_out == 500
    assert ok.sketch.count == 5
    assert ok.sketch.max == 200.0
    assert ok.sketch.sum == 306.0
    expected = LatencySketch()
    expected.add_many(np.array([1.0, 2.0, 3.0, 100.0, 200.0]))
    assert ok.sketch == expected
    assert got[(m, "/api/v1/users", "GET", 404, "task-a")].count == 1


def test_every_write_also_merges_into_the_hour(store: Store) -> None:
    store.write_rollups([rollup(HOUR, [1.0, 2.0]), rollup(HOUR + 59 * 60, [3.0])])
    store.write_rollups([rollup(HOUR + 30 * 60, [4.0, 5.0]), rollup(HOUR + 3600, [9.0])])
    hourly = list(store.read_rollups(HOUR, HOUR + 7200, resolution="hour"))
    assert [(r.minute, r.count) for r in hourly] == [(HOUR, 5), (HOUR + 3600, 1)]
    assert hourly[0].sketch.sum == 15.0
    minutes = list(store.read_rollups(HOUR, HOUR + 7200))
    assert sum(r.count for r in minutes) == 6
    assert sum(r.count for r in minutes if r.minute < HOUR + 3600) == hourly[0].count


def test_rollup_ranges_are_half_open_and_filter_by_endpoint(store: Store) -> None:
    store.write_rollups(
        [
            rollup(HOUR - 60, [1.0]),
            rollup(HOUR, [1.0]),
            rollup(HOUR + 60, [1.0], endpoint="/health"),
            rollup(HOUR + 120, [1.0]),
        ]
    )
    got = list(store.read_rollups(HOUR, HOUR + 120))
    assert sorted(r.minute for r in got) == [HOUR, HOUR + 60]
    users_only = list(store.read_rollups(HOUR - 60, HOUR + 180, endpoint="/api/v1/users"))
    assert [r.minute for r in users_only] == [HOUR - 60, HOUR, HOUR + 120]
    assert list(store.read_rollups(HOUR, HOUR)) == []


def test_rollups_read_across_days_in_time_order(store: Store) -> None:
    day = 86_400
    minutes = [HOUR + 2 * day, HOUR, HOUR + day]
    store.write_rollups([rollup(m, [1.0]) for m in minutes])
    got = list(store.read_rollups(HOUR, HOUR + 3 * day))
    assert [r.minute for r in got] == sorted(minutes)


def test_concurrent_flushers_never_lose_counts(store: Store) -> None:
    """Four writers merging into the same minute (and hour) at once: every count lands."""
    m = HOUR + 600
    writers, writes = 4, 5

    def flush() -> None:
        for _ in range(writes):
            store.write_rollups([rollup(m, [1.0, 2.0])])

    threads = [threading.Thread(target=flush) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (minute,) = store.read_rollups(HOUR, HOUR + 3600)
    (hour,) = store.read_rollups(HOUR, HOUR + 3600, resolution="hour")
    assert minute.count == hour.count == writers * writes * 2
    assert minute.sketch.count == writers * writes * 2


def test_resource_samples_replace_per_minute_and_task(store: Store) -> None:
    store.write_resource_samples(
        [
            ResourceSample(HOUR, "task-a", 10.5, 100_000_000, 20.25),
            ResourceSample(HOUR, "task-b", 1.0, 50, 0.5),
            ResourceSample(HOUR + 60, "task-a", 12.0, 110_000_000, 21.0),
        ]
    )
    store.write_resource_samples([ResourceSample(HOUR, "task-a", 11.0, 100_000_001, 20.5)])
    got = list(store.read_resource_samples(HOUR, HOUR + 60))
    assert sorted(got, key=lambda s: s.task) == [
        ResourceSample(HOUR, "task-a", 11.0, 100_000_001, 20.5),
        ResourceSample(HOUR, "task-b", 1.0, 50, 0.5),
    ]
    assert len(list(store.read_resource_samples(HOUR, HOUR + 120))) == 3


def test_probe_results_round_trip_in_time_order(store: Store) -> None:
    t0 = datetime.fromtimestamp(HOUR, UTC)
    results = [
        ProbeResult(t0 + timedelta(minutes=2), False, None, None, "connection refused"),
        ProbeResult(t0, True, 12.5, 200),
        ProbeResult(t0 + timedelta(minutes=1), False, 5000.0, 503, "store unreachable"),
        ProbeResult(t0 + timedelta(days=1), True, 1.0, 200),
    ]
    store.write_probe_results(results)
    got = list(store.read_probe_results(t0, t0 + timedelta(minutes=2)))
    assert got == [results[1], results[2]]
    assert len(list(store.read_probe_results(t0, t0 + timedelta(days=2)))) == 4


def test_probe_counts_count_one_target_in_a_half_open_range(store: Store) -> None:
    t0 = datetime.fromtimestamp(HOUR, UTC)
    store.write_probe_results(
        [
            ProbeResult(t0, True, 3.0, 200, target=PROBE_SITE),
            ProbeResult(t0 + timedelta(minutes=1), False, None, 503, "down", target=PROBE_SITE),
            ProbeResult(t0 + timedelta(minutes=2), True, 3.0, 200, target=PROBE_SITE),
            ProbeResult(t0 + timedelta(minutes=3), True, 3.0, 200, target=PROBE_SITE),
            ProbeResult(t0 + timedelta(minutes=1), True, 4.0, 200),  # the API's: not counted
        ]
    )
    end = t0 + timedelta(minutes=3)
    assert store.read_probe_counts(t0, end, target=PROBE_SITE) == ProbeCounts(probes=3, ok=2)
    assert store.read_probe_counts(t0, end) == ProbeCounts(probes=1, ok=1)
    assert store.read_probe_counts(end + timedelta(hours=1), end + timedelta(hours=2)) == (
        ProbeCounts(probes=0, ok=0)
    )


def test_resource_summary_sums_what_the_samples_list(store: Store) -> None:
    samples = [
        ResourceSample(HOUR, "task-a", 10.0, 100_000_000, 20.0),
        ResourceSample(HOUR, "task-b", 30.0, 300_000_000, 40.0),
        ResourceSample(HOUR + 60, "task-a", 20.0, 200_000_000, 30.0),
        ResourceSample(HOUR + 120, "task-a", 50.0, 100_000_000, 10.0),
        ResourceSample(HOUR + 120, "task-b", 40.0, 100_000_000, 60.0),
        ResourceSample(HOUR + 180, "task-a", 99.0, 1, 99.0),  # outside the range
    ]
    store.write_resource_samples(samples)
    got = store.read_resource_summary(HOUR, HOUR + 180)
    assert got.samples == 5
    assert got.cpu_avg_pct == pytest.approx(30.0)
    assert (got.cpu_max_pct, got.mem_max_pct) == (50.0, 60.0)
    assert got.mem_avg_pct == pytest.approx(32.0)
    assert got.mem_avg_bytes == pytest.approx(160_000_000)
    assert dict(got.minutes_by_tasks) == {2: 2, 1: 1}  # two minutes with both, one with one
    assert (got.last_minute, got.last_minute_tasks) == (HOUR + 120, 2)
    listed = summarise_resources(store.read_resource_samples(HOUR, HOUR + 180))
    assert dict(listed.minutes_by_tasks) == dict(got.minutes_by_tasks)
    assert listed.cpu_avg_pct == pytest.approx(got.cpu_avg_pct)


def test_resource_summary_of_an_empty_range_has_no_figures(store: Store) -> None:
    assert store.read_resource_summary(HOUR, HOUR + 60) == ResourceSummary(
        0, None, None, None, None, None, {}, None, 0
    )


def test_log_counts_add_up(store: Store) -> None:
    store.write_log_counts(
        [LogCount(HOUR, "task-a", "INFO", 3), LogCount(HOUR, "task-a", "ERROR", 1)]
    )
    store.write_log_counts(
        [LogCount(HOUR, "task-a", "INFO", 4), LogCount(HOUR, "task-b", "INFO", 2)]
    )
    store.write_log_counts([LogCount(HOUR + 60, "task-a", "INFO", 1)])
    got = {(c.minute, c.task, c.level): c.count for c in store.read_log_counts(HOUR, HOUR + 60)}
    assert got == {
        (HOUR, "task-a", "INFO"): 7,
        (HOUR, "task-a", "ERROR"): 1,
        (HOUR, "task-b", "INFO"): 2,
    }


def test_store_stats_add_up_per_hour_and_keep_the_maximum(store: Store) -> None:
    def stat(minute: int, count: int, max_ms: float, operation: str = "get_user") -> StoreCallStat:
        return StoreCallStat(
            minute=minute,
            task="task-a",
            backend="dynamodb",
            operation=operation,
            count=count,
            errors=1,
            throttles=count // 4,
            latency_sum_ms=count * 2.0,
            latency_max_ms=max_ms,
            capacity_units=count * 0.5,
        )

    store.write_store_stats([stat(HOUR, 10, 7.5), stat(HOUR + 60, 1, 1.0, "put")])
    store.write_store_stats([stat(HOUR, 4, 3.0)])  # the same minute again: adds up
    store.write_store_stats([stat(HOUR + 120, 8, 9.0), stat(HOUR + 3600, 2, 1.0)])
    got = list(store.read_store_stats(HOUR, HOUR + 3600))
    assert sorted(got, key=lambda s: s.operation) == [
        StoreCallStat(HOUR, "task-a", "dynamodb", "get_user", 22, 3, 5, 44.0, 9.0, 11.0),
        StoreCallStat(HOUR, "task-a", "dynamodb", "put", 1, 1, 0, 2.0, 1.0, 0.5),
    ]
    later = list(store.read_store_stats(HOUR, HOUR + 7200))
    assert [(s.minute, s.count) for s in later if s.operation == "get_user"] == [
        (HOUR, 22),
        (HOUR + 3600, 2),
    ]
    # A range of part hours counts the minutes in it, still summed per hour.
    part = list(store.read_store_stats(HOUR + 90, HOUR + 3660))
    assert [(s.minute, s.operation, s.count) for s in part] == [
        (HOUR, "get_user", 8),
        (HOUR + 3600, "get_user", 2),
    ]


def test_minute_totals_sum_every_endpoint_and_task(store: Store) -> None:
    store.write_rollups(
        [
            rollup(HOUR, [1.0, 2.0]),
            rollup(HOUR, [10.0], endpoint="/health", task="task-b"),
            rollup(HOUR, [100.0, 300.0], status=503),
            rollup(HOUR + 120, [4.0]),
            rollup(HOUR + 180, [4.0]),
        ]
    )
    store.write_rollups([rollup(HOUR, [5.0], status=500)])
    totals = store.read_minute_totals(HOUR, HOUR + 180)
    assert [(t.minute, t.count, t.errors_5xx) for t in totals] == [(HOUR, 6, 3), (HOUR + 120, 1, 0)]
    assert totals[0].latency_sum_ms == 418.0


def test_the_store_times_its_own_calls(store: Store) -> None:
    store.call_stats.drain("task-a")  # forget the calls of the set-up
    user = store.create_user(NewUser(name="Timed", email="timed@example.com"))
    store.get_user(user.id)
    store.get_user(user.id)
    stats = {s.operation: s for s in store.call_stats.drain("task-a")}
    assert stats["create_user"].count == 1
    assert stats["get_user"].count == 2
    assert stats["get_user"].errors == 0
    assert stats["get_user"].backend == store.backend
    assert stats["get_user"].task == "task-a"
    assert 0 < stats["get_user"].latency_max_ms <= stats["get_user"].latency_sum_ms


def test_a_live_write_names_its_resolution_and_touches_only_that_table(store: Store) -> None:
    """The recorder writes closed minutes and closed hours apart, each once."""
    store.write_rollups([rollup(HOUR + 60, [1.0]), rollup(HOUR + 120, [2.0])], resolution="minute")
    assert list(store.read_rollups(HOUR, HOUR + 3600, resolution="hour")) == []
    assert sum(r.count for r in store.read_rollups(HOUR, HOUR + 3600)) == 2
    store.write_rollups([rollup(HOUR, [1.0, 2.0, 3.0])], resolution="hour")
    store.write_rollups([rollup(HOUR, [4.0])], resolution="hour")  # a late minute: merges
    (hour,) = store.read_rollups(HOUR, HOUR + 3600, resolution="hour")
    assert (hour.count, hour.sketch.sum) == (4, 10.0)
    assert sum(r.count for r in store.read_rollups(HOUR, HOUR + 3600)) == 2


def test_an_hourly_rollup_must_start_on_the_hour(store: Store) -> None:
    with pytest.raises(InputError):
        store.write_rollups([rollup(HOUR + 60, [1.0])], resolution="hour")


def test_concurrent_log_count_writers_never_lose_counts(store: Store) -> None:
    writers, writes = 4, 5

    def write() -> None:
        for _ in range(writes):
            store.write_log_counts([LogCount(HOUR, "task-a", "ERROR", 3)])

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (count,) = store.read_log_counts(HOUR, HOUR + 60)
    assert count.count == writers * writes * 3
