"""The local store as a report source: what `portfolio serve` (or the demo) recorded."""

from __future__ import annotations

from collections.abc import Iterable

from portfolio import names
from portfolio.period import Period
from portfolio.sources.base import (
    ComputeStatus,
    DataStoreStatus,
    Observations,
    SourceOptions,
    TrafficBucket,
    register_source,
    utc_hour,
)
from portfolio.sources.opslog import SIMULATED_MARKER as SIMULATED_MARKER
from portfolio.sources.opslog import read_ops_log
from portfolio.store import open_store
from portfolio.store.protocols import Store
from portfolio.store.records import ResourceSample, Rollup


class LocalSource:
    """Reads telemetry and the operations log of one period from a Store."""

    name = "local"

    def __init__(self, store: Store, *, desired_tasks: int = names.DESIRED_TASKS) -> None:
        self.store = store
        self.desired_tasks = desired_tasks

    @property
    def source_name(self) -> str:
        return f"local {self.store.backend} store"

    def observe(self, period: Period, *, traffic_only: bool = False) -> Observations:
        start, end = int(period.start.timestamp()), int(period.end.timestamp())
        traffic = merge_tasks(self.store.read_rollups(start, end, resolution="hour"))
        if traffic_only:
            return Observations(period=period, source=self.source_name, traffic=traffic)
        resources = list(self.store.read_resource_samples(start, end))
        ops = read_ops_log(self.store, period)
        return Observations(
            period=period,
            source=self.source_name,
            simulated=ops.simulated,
            traffic=traffic,
            minutes=self.store.read_minute_totals(start, end),
            probes=ops.probes,
            resources=resources,
            log_counts=list(self.store.read_log_counts(start, end)),
            store_stats=list(self.store.read_store_stats(start, end)),
            incidents=ops.incidents,
            maintenance=ops.maintenance,
            check_runs=ops.check_runs,
            work_items=ops.work_items,
            compute=_compute_status(resources, self.desired_tasks),
            user_count=ops.user_count,
            data_store=DataStoreStatus(
                backend=self.store.backend,
                tables=[names.USERS_TABLE, names.METRICS_TABLE],
                status="ACTIVE" if resources or ops.work_items or ops.simulated else None,
            ),
        )


@register_source("local")
def _local(options: SourceOptions) -> LocalSource:
    return LocalSource(open_store(options.settings))


def merge_tasks(rollups: Iterable[Rollup]) -> list[TrafficBucket]:
    """Hourly rollups of all tasks merged into one bucket per (hour, endpoint, status)."""
    buckets: dict[tuple[int, str, int], TrafficBucket] = {}
    for r in rollups:
        key = (r.minute, r.endpoint, r.status)
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = TrafficBucket(
                hour=utc_hour(r.minute),
                endpoint=r.endpoint,
                status=r.status,
                count=r.count,
                bytes_in=r.bytes_in,
                bytes_out=r.bytes_out,
                sketch=r.sketch,
            )
        else:
            bucket.count += r.count
            bucket.bytes_in += r.bytes_in
            bucket.bytes_out += r.bytes_out
            bucket.sketch.merge(r.sketch)
    return list(buckets.values())


def _compute_status(samples: list[ResourceSample], desired: int) -> ComputeStatus | None:
    """Tasks that reported in the period's last reporting minute, against the desired count."""
    if not samples:
        return None
    last = max(s.minute for s in samples)
    running = len({s.task for s in samples if s.minute == last})
    return ComputeStatus(desired_tasks=desired, running_tasks=running)
