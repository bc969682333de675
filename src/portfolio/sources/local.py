"""The local store as a report source: what `portfolio serve` (or the demo) recorded.

How the local store answers the report's newer items (docs/report.md states the same):

- ターゲット健全性: each minute in which any worker's resource sampler recorded a sample
  (the service was running), the workers that recorded one are the healthy targets out
  of the desired task count. Minutes with no sample at all are not counted: a laptop
  that is switched off is not an unhealthy target.
- 異常アクセス: requests the telemetry filed under ``names.SCANNER_ENDPOINT``, and minutes
  with ``security_rules.BURST_THRESHOLD`` or more 401/403/404 answers service-wide;
  telemetry keeps no client addresses, so bursting clients are not known (None).
- 権限変更: operations-log entries whose kind starts with
  ``security_rules.PERMISSION_KIND_PREFIX`` (the API writes one per role or API-key
  change); they are not listed again as work done.
- コンシュームドキャパシティ's reference: ``store.max_read_units_per_s`` /
  ``store.max_write_units_per_s`` (settings), the local stand-in for a table's maximum.
- 静的サイト: the prober's probes of the static page (``target`` = PROBE_SITE).
- S3 + CloudFront: CloudFront standard logs when given (``--cloudfront-logs``; the demo
  writes simulated ones), read by the same parser as the access-log source.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from portfolio import names, security_rules
from portfolio.period import Period
from portfolio.sources.base import (
    AccessAnomalies,
    ComputeStatus,
    DataStoreStatus,
    Observations,
    SourceOptions,
    StaticSiteStats,
    TargetHealthTotals,
    TrafficBucket,
    merge_anomalies,
    register_source,
    utc_hour,
    without_outside_probes,
)
from portfolio.sources.cloudfront_logs import read_cloudfront
from portfolio.sources.opslog import SIMULATED_MARKER as SIMULATED_MARKER
from portfolio.sources.opslog import read_ops_log
from portfolio.store import open_store
from portfolio.store.protocols import Store
from portfolio.store.records import PROBE_SITE, MinuteTotals, ResourceSummary, Rollup, summed_by

READERS = {"sqlite": 1}
"""Store reads in flight at once while observing, by backend (default DEFAULT_READERS).

DynamoDB's reads wait on the network, so several run side by side. SQLite's are CPU
work in this process that holds the GIL for every row it hands over: side by side
they only took turns (a month's observation took 0.40-0.46 s with four threads and
0.36 s with one, measured on the demo store), so they run one after another, beside
the merging of the hourly traffic."""
DEFAULT_READERS = 4


class LocalSource:
    """Reads telemetry and the operations log of one period from a Store."""

    name = "local"

    def __init__(
        self,
        store: Store,
        *,
        desired_tasks: int = names.DESIRED_TASKS,
        cloudfront_logs: tuple[str, ...] = (),
        endpoint_url: str | None = None,
        max_units_per_s: tuple[float, float] | None = None,
    ) -> None:
        self.store = store
        self.desired_tasks = desired_tasks
        self.cloudfront_logs = cloudfront_logs
        self.endpoint_url = endpoint_url
        self.max_units_per_s = max_units_per_s

    @property
    def source_name(self) -> str:
        return f"local {self.store.backend} store"

    def observe(self, period: Period, *, traffic_only: bool = False) -> Observations:
        start, end = int(period.start.timestamp()), int(period.end.timestamp())
        if traffic_only:
            traffic, probe = without_outside_probes(
                merge_tasks(self.store.read_rollups(start, end, resolution="hour"))
            )
            return Observations(period=period, source=self.source_name, traffic=traffic,
                                outside_probe_requests=probe)  # fmt: skip
        # The reads are independent: side by side where the store waits on the network.
        readers = READERS.get(self.store.backend, DEFAULT_READERS)
        with (
            ThreadPoolExecutor(max_workers=readers, thread_name_prefix="observe") as pool,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="observe-site") as site,
        ):
            # CloudFront's logs (files or S3) are read beside the store, not after it.
            static_read = site.submit(self._static_site, period)
            rollups = pool.submit(self.store.read_rollups, start, end, resolution="hour")
            minutes_read = pool.submit(self.store.read_minute_totals, start, end)
            ops_read = pool.submit(read_ops_log, self.store, period)
            # Sums, not listings: the report shows means and shares of ~90k samples and
            # ~45k site probes a month, which the store adds up far faster than Python.
            resources_read = pool.submit(self.store.read_resource_summary, start, end)
            site_read = pool.submit(
                self.store.read_probe_counts, period.start, period.end, target=PROBE_SITE
            )
            stats_read = pool.submit(lambda: list(self.store.read_store_stats(start, end)))
            # merged while the other reads finish
            traffic, probe = without_outside_probes(merge_tasks(rollups.result()))
        minutes, ops, resources = minutes_read.result(), ops_read.result(), resources_read.result()
        static_site, notes, site_anomalies = static_read.result()
        anomalies = access_anomalies(traffic, minutes)
        if anomalies is not None and site_anomalies is not None:
            anomalies = merge_anomalies(anomalies, site_anomalies)
        max_read, max_write = self.max_units_per_s or (None, None)
        return Observations(
            period=period,
            source=self.source_name,
            simulated=ops.simulated,
            notes=notes,
            traffic=traffic,
            outside_probe_requests=probe,
            minutes=minutes,
            probes=ops.probes,
            resource_summary=resources,
            log_counts=list(self.store.read_log_counts(start, end)),
            store_stats=stats_read.result(),
            incidents=ops.incidents,
            maintenance=ops.maintenance,
            check_runs=ops.check_runs,
            work_items=ops.work_items,
            compute=_compute_status(resources, self.desired_tasks),
            user_count=ops.user_count,
            data_store=DataStoreStatus(
                backend=self.store.backend,
                tables=[names.USERS_TABLE, names.METRICS_TABLE],
                # A table status is DynamoDB's word; the SQLite store has none to give.
                status="ACTIVE"
                if self.store.backend == "dynamodb"
                and (resources.samples or ops.work_items or ops.simulated)
                else None,
                max_read_units_per_s=max_read,
                max_write_units_per_s=max_write,
            ),
            static_site=static_site,
            target_health_totals=target_health(resources, self.desired_tasks),
            access_anomalies=anomalies,
            permission_changes=ops.permission_changes,
            site_probe_counts=site_read.result(),
        )

    def _static_site(
        self, period: Period
    ) -> tuple[StaticSiteStats | None, list[str], AccessAnomalies | None]:
        """The site's figures, notes and anomalies from CloudFront logs, when given."""
        if not self.cloudfront_logs:
            return None, [], None
        return read_cloudfront(self.cloudfront_logs, period, endpoint_url=self.endpoint_url)


@register_source("local")
def _local(options: SourceOptions) -> LocalSource:
    store = options.settings.store
    return LocalSource(
        open_store(options.settings),
        cloudfront_logs=options.cloudfront_logs,
        endpoint_url=options.endpoint_url,
        max_units_per_s=(store.max_read_units_per_s, store.max_write_units_per_s),
    )


def target_health(resources: ResourceSummary, desired: int) -> TargetHealthTotals | None:
    """Over the minutes the service ran: workers that recorded a sample, of the desired tasks.

    None when no minute had a sample (nothing is known of the targets then).
    """
    by_tasks = resources.minutes_by_tasks
    if not by_tasks:
        return None
    minutes = sum(by_tasks.values())
    return TargetHealthTotals(
        minutes=minutes,
        healthy=sum(min(tasks, desired) * n for tasks, n in by_tasks.items()),
        registered=desired * minutes,
    )


def access_anomalies(
    traffic: list[TrafficBucket], minutes: list[MinuteTotals]
) -> AccessAnomalies | None:
    """Scanner-path requests and 4xx-burst minutes by security_rules; None without traffic."""
    if not traffic:
        return None
    return AccessAnomalies(
        scanner_requests=sum(b.count for b in traffic if b.endpoint == names.SCANNER_ENDPOINT),
        burst_minutes=sum(1 for m in minutes if m.denied >= security_rules.BURST_THRESHOLD),
        burst_clients=None,
        rule=security_rules.RULE_ID,
    )


def merge_tasks(rollups: Iterable[Rollup]) -> list[TrafficBucket]:
    """Hourly rollups of all tasks merged into one bucket per (hour, endpoint, method,
    status), in the order the rollups give them (their sketches merged in one bulk step)."""
    rows = list(rollups)
    hours: dict[int, datetime] = {}
    return [
        TrafficBucket(
            hour=hours.get(minute) or hours.setdefault(minute, utc_hour(minute)),
            endpoint=endpoint,
            status=status,
            count=count,
            bytes_in=bytes_in,
            bytes_out=bytes_out,
            sketch=sketch,
            method=method,
        )
        for (minute, endpoint, method, status), count, bytes_in, bytes_out, sketch in summed_by(
            rows, [(r.minute, r.endpoint, r.method, r.status) for r in rows]
        )
    ]


def _compute_status(resources: ResourceSummary, desired: int) -> ComputeStatus | None:
    """Tasks that reported in the period's last reporting minute, against the desired count."""
    if not resources.samples:
        return None
    return ComputeStatus(desired_tasks=desired, running_tasks=resources.last_minute_tasks)
