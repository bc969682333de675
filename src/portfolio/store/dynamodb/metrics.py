"""Telemetry on the ``portfolio-metrics`` table: rollups, samples, probes, logs, call stats.

Rollups, log counts and call statistics are merged items (``client._merge``):
created in one conditional write when new, the usual case since the recorder
writes each closed minute once and each closed hour once, and merged on a
revision check otherwise. A retried write whose first attempt landed recognises
its own token and is not counted twice (log counts used to be an ``ADD``, which
a retry after a timeout applied twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from portfolio.errors import InputError
from portfolio.security_rules import BURST_STATUSES
from portfolio.store import keys
from portfolio.store.callstats import current_note
from portfolio.store.dynamodb.client import DynamoCalls
from portfolio.store.dynamodb.codecs import (
    Item,
    add_stats,
    float_of,
    int_of,
    merged_rollup,
    n_of,
    probe_item,
    probe_result,
    rollup_attrs,
    rollup_of,
    rollups_of,
    s_of,
    series_key,
    store_stat_attrs,
    store_stat_of,
    str_of,
    to_seconds,
    to_us,
)
from portfolio.store.ids import new_id
from portfolio.store.protocols import Resolution
from portfolio.store.records import (
    PROBE_API,
    LogCount,
    MinuteTotals,
    ProbeCounts,
    ProbeResult,
    ResourceSample,
    ResourceSummary,
    Rollup,
    StoreCallStat,
    hourly,
)
from portfolio.store.summaries import count_probes, summarise_resources


class DynamoMetrics(DynamoCalls):
    """The metrics repository."""

    def write_rollups(
        self, rollups: Sequence[Rollup], *, resolution: Resolution | None = None
    ) -> None:
        if not rollups:
            return
        if resolution == "hour":
            _check_hours(rollups)
        entries: list[tuple[Item, Rollup]] = []
        if resolution != "hour":
            entries += [(_rollup_key(keys.ROLLUPS_MINUTE, r), r) for r in rollups]
        if resolution is None:
            entries += [(_rollup_key(keys.ROLLUPS_HOUR, h), h) for h in hourly(rollups)]
        elif resolution == "hour":
            entries += [(_rollup_key(keys.ROLLUPS_HOUR, r), r) for r in rollups]
        note = current_note()
        self._merge(note, entries, rollup_attrs, rollup_of, merged_rollup)

    def read_rollups(
        self,
        start: int,
        end: int,
        *,
        endpoint: str | None = None,
        resolution: Resolution = "minute",
    ) -> Iterable[Rollup]:
        series = keys.ROLLUPS_MINUTE if resolution == "minute" else keys.ROLLUPS_HOUR
        note = current_note()
        return rollups_of(
            list(self._query_series(note, series, start, end, filter_endpoint=endpoint))
        )

    def read_minute_totals(self, start: int, end: int) -> list[MinuteTotals]:
        """Summed from the minute rollups, read without their sketches."""
        totals: dict[int, list[float]] = {}
        note = current_note()
        for item in self._query_series(
            note,
            keys.ROLLUPS_MINUTE,
            start,
            end,
            attributes=("minute", "status", "count", "duration_sum_ms"),
        ):
            acc = totals.setdefault(int_of(item, "minute"), [0, 0, 0.0, 0])
            count, status = int_of(item, "count"), int_of(item, "status")
            acc[0] += count
            acc[1] += count if status >= 500 else 0
            acc[2] += float_of(item, "duration_sum_ms")
            acc[3] += count if status in BURST_STATUSES else 0
        return [
            MinuteTotals(
                minute=m, count=int(c), errors_5xx=int(e), latency_sum_ms=lat, denied=int(d)
            )
            for m, (c, e, lat, d) in sorted(totals.items())
        ]

    def write_resource_samples(self, samples: Sequence[ResourceSample]) -> None:
        if not samples:
            return
        items = [
            self._expiring(
                {
                    **series_key(keys.RESOURCE_SAMPLES, s.minute, s.minute, (s.task,)),
                    "minute": n_of(s.minute),
                    "task": s_of(s.task),
                    "cpu_pct": n_of(float(s.cpu_pct)),
                    "mem_bytes": n_of(s.mem_bytes),
                    "mem_pct": n_of(float(s.mem_pct)),
                },
                s.minute,
            )
            for s in samples
        ]
        note = current_note()
        self._batch_put(note, self.metrics_table, items)

    def read_resource_samples(self, start: int, end: int) -> Iterable[ResourceSample]:
        note = current_note()
        return [
            ResourceSample(
                minute=int_of(i, "minute"),
                task=str_of(i, "task"),
                cpu_pct=float_of(i, "cpu_pct"),
                mem_bytes=int_of(i, "mem_bytes"),
                mem_pct=float_of(i, "mem_pct"),
            )
            for i in self._query_series(note, keys.RESOURCE_SAMPLES, start, end)
        ]

    def write_probe_results(self, results: Sequence[ProbeResult]) -> None:
        if not results:
            return
        items = [self._expiring(probe_item(r, new_id()), to_seconds(r.at)) for r in results]
        note = current_note()
        self._batch_put(note, self.metrics_table, items)

    def read_probe_results(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> Iterable[ProbeResult]:
        note = current_note()
        items = list(
            self._query_series(note, keys.PROBE_RESULTS, to_us(start), to_us(end), scale=1_000_000)
        )
        return [
            probe_result(i)
            for i in items
            if (str_of(i, "target") if "target" in i else PROBE_API) == target
        ]

    def read_probe_counts(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> ProbeCounts:
        """Counted from the listed probes: DynamoDB has no server-side sums."""
        return count_probes(self.read_probe_results(start, end, target=target))

    def read_resource_summary(self, start: int, end: int) -> ResourceSummary:
        """Summed from the listed samples: DynamoDB has no server-side sums."""
        return summarise_resources(self.read_resource_samples(start, end))

    def write_log_counts(self, counts: Sequence[LogCount]) -> None:
        """Merged per (minute, task, level) like rollups: concurrent writers add up,
        a retried write does not."""
        entries = [
            (series_key(keys.LOG_COUNTS, c.minute, c.minute, (c.task, c.level)), c) for c in counts
        ]
        note = current_note()
        self._merge(note, entries, _log_count_attrs, _log_count, _add_log_counts)

    def read_log_counts(self, start: int, end: int) -> Iterable[LogCount]:
        note = current_note()
        return [
            LogCount(
                minute=int_of(i, "minute"),
                task=str_of(i, "task"),
                level=str_of(i, "level"),
                count=int_of(i, "count"),
            )
            for i in self._query_series(note, keys.LOG_COUNTS, start, end)
        ]

    def write_store_stats(self, stats: Sequence[StoreCallStat]) -> None:
        entries = [
            (
                series_key(keys.STORE_STATS, s.minute, s.minute, (s.task, s.backend, s.operation)),
                s,
            )
            for s in stats
        ]
        note = current_note()
        self._merge(note, entries, store_stat_attrs, store_stat_of, add_stats)

    def read_store_stats(self, start: int, end: int) -> Iterable[StoreCallStat]:
        """The minutes in range, summed per hour (``minute`` = the hour's start)."""
        hours: dict[tuple[int, str, str, str], StoreCallStat] = {}
        note = current_note()
        for item in self._query_series(note, keys.STORE_STATS, start, end):
            stat = store_stat_of(item)
            stat = replace(stat, minute=stat.minute - stat.minute % 3600)
            k = (stat.minute, stat.task, stat.backend, stat.operation)
            previous = hours.get(k)
            hours[k] = stat if previous is None else add_stats(previous, stat)
        return sorted(hours.values(), key=lambda s: s.minute)


def _rollup_key(series: keys.Series, r: Rollup) -> Item:
    return series_key(series, r.minute, r.minute, (r.endpoint, r.method, r.status, r.task))


def _check_hours(rollups: Sequence[Rollup]) -> None:
    for r in rollups:
        if r.minute % 3600:
            raise InputError(f"an hourly rollup starts on the hour, not at {r.minute}")


def _log_count_attrs(c: LogCount) -> Item:
    return {
        "minute": n_of(c.minute),
        "task": s_of(c.task),
        "level": s_of(c.level),
        "count": n_of(c.count),
    }


def _log_count(item: Mapping[str, Any]) -> LogCount:
    return LogCount(
        minute=int_of(item, "minute"),
        task=str_of(item, "task"),
        level=str_of(item, "level"),
        count=int_of(item, "count"),
    )


def _add_log_counts(a: LogCount, b: LogCount) -> LogCount:
    return replace(a, count=a.count + b.count)
