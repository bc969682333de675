"""Telemetry on the ``portfolio-metrics`` table: rollups, samples, probes, logs, call stats.

Every write also merges into its hour's packs (packed.py: the kept sums), and the
report's reads (hourly rollups, minute totals, the resource summary, probes, log
counts, call statistics) read the packs: ~1.5k items a month instead of ~700k.

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
from typing import Any, Protocol, TypeVar

from portfolio.errors import InputError
from portfolio.security_rules import BURST_STATUSES
from portfolio.store import keys
from portfolio.store.callstats import current_note
from portfolio.store.dynamodb import packs
from portfolio.store.dynamodb.codecs import (
    Item,
    add_stats,
    float_of,
    from_us,
    int_of,
    merged_rollup,
    n_of,
    probe_item,
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
from portfolio.store.dynamodb.packed import DynamoPacks
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

_DENIED = frozenset(BURST_STATUSES)


class DynamoMetrics(DynamoPacks):
    """The metrics repository."""

    def write_rollups(
        self, rollups: Sequence[Rollup], *, resolution: Resolution | None = None
    ) -> None:
        if not rollups:
            return
        if resolution == "hour":
            _check_hours(rollups)
        minutes = list(rollups) if resolution != "hour" else []
        hours = hourly(rollups) if resolution is None else [] if minutes else list(rollups)
        entries = [(_rollup_key(keys.ROLLUPS_MINUTE, r), r) for r in minutes]
        entries += [(_rollup_key(keys.ROLLUPS_HOUR, h), h) for h in hours]
        note = current_note()
        self._merge(note, entries, rollup_attrs, rollup_of, merged_rollup)
        self._merge_packs(
            note,
            packs.MINUTE_TOTALS,
            {k: packs.totals_of(rs, _DENIED) for k, rs in _by_hour_and_task(minutes).items()},
        )
        self._merge_packs(
            note,
            packs.HOURLY_ROLLUPS,
            {k: packs.rollups_content(rs) for k, rs in _by_hour_and_task(hours).items()},
        )

    def read_rollups(
        self,
        start: int,
        end: int,
        *,
        endpoint: str | None = None,
        resolution: Resolution = "minute",
    ) -> Iterable[Rollup]:
        note = current_note()
        if resolution == "hour" and endpoint is None:
            blobs = [blob for _, blob in self._read_packs(note, packs.HOURLY_ROLLUPS, start, end)]
            rollups = [r for r in packs.rollups_in_packs(blobs) if start <= r.minute < end]
            return sorted(rollups, key=lambda r: r.key)
        series = keys.ROLLUPS_MINUTE if resolution == "minute" else keys.ROLLUPS_HOUR
        return rollups_of(
            list(
                self._query_series(
                    note,
                    series,
                    start,
                    end,
                    where=None if endpoint is None else ("endpoint", endpoint),
                )
            )
        )

    def read_minute_totals(self, start: int, end: int) -> list[MinuteTotals]:
        """Added up from the packs of minute totals, one per hour and task."""
        note = current_note()
        read = self._read_packs(note, packs.MINUTE_TOTALS, start, end)
        return packs.minute_totals(
            (packs.MINUTE_TOTALS.decode(blob) for _, blob in read), start, end
        )

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
        self._merge_packs(
            note,
            packs.RESOURCE_SAMPLES,
            {k: packs.samples_content(group) for k, group in _by_hour_and_task(samples).items()},
        )

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
        contents: dict[tuple[int, str], packs.Probes] = {}
        for r, item in zip(results, items, strict=True):
            pack = contents.setdefault((packs.hour_of(to_seconds(r.at)), r.target), {})
            pack[str_of(item, "sk")] = packs.probe_entry(int_of(item, "at"), r)
        self._merge_packs(note, packs.PROBES, contents)

    def read_probe_results(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> Iterable[ProbeResult]:
        """The target's packs of the range (filtered by DynamoDB), in time order."""
        entries = sorted(self._probe_entries(start, end, target))
        return [
            ProbeResult(from_us(at), ok, latency, status, detail, target)
            for _, (at, ok, latency, status, detail) in entries
        ]

    def read_probe_counts(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> ProbeCounts:
        """Counted in the target's packs: DynamoDB has no server-side sums."""
        entries = self._probe_entries(start, end, target)
        return ProbeCounts(probes=len(entries), ok=sum(1 for _, e in entries if e[1]))

    def _probe_entries(
        self, start: datetime, end: datetime, target: str
    ) -> list[tuple[str, list[Any]]]:
        """(sort key, [at µs, ok, latency, status, detail]) of the target's probes in range."""
        low, high = to_us(start), to_us(end)
        note = current_note()
        read = self._read_packs(
            note, packs.PROBES, to_seconds(start), -(-high // 1_000_000), owner=target
        )
        return [
            (sort_key, entry)
            for _, blob in read
            for sort_key, entry in packs.PROBES.decode(blob).items()
            if low <= entry[0] < high
        ]

    def read_resource_summary(self, start: int, end: int) -> ResourceSummary:
        """Summed from the packs' samples: DynamoDB has no server-side sums."""
        note = current_note()
        read = self._read_packs(note, packs.RESOURCE_SAMPLES, start, end)
        return packs.resource_summary(
            (packs.RESOURCE_SAMPLES.decode(blob) for _, blob in read), start, end
        )

    def write_log_counts(self, counts: Sequence[LogCount]) -> None:
        """Merged per (minute, task, level) like rollups: concurrent writers add up,
        a retried write does not."""
        entries = [
            (series_key(keys.LOG_COUNTS, c.minute, c.minute, (c.task, c.level)), c) for c in counts
        ]
        note = current_note()
        self._merge(note, entries, _log_count_attrs, _log_count, _add_log_counts)
        self._merge_packs(
            note,
            packs.LOG_COUNTS,
            {k: packs.levels_content(group) for k, group in _by_hour_and_task(counts).items()},
        )

    def read_log_counts(self, start: int, end: int) -> Iterable[LogCount]:
        """From the packs of log counts, in (minute, task, level) order."""
        note = current_note()
        read = self._read_packs(note, packs.LOG_COUNTS, start, end)
        counts = [
            count
            for task, blob in read
            for count in packs.log_counts_of(task, packs.LOG_COUNTS.decode(blob), start, end)
        ]
        return sorted(counts, key=lambda c: (c.minute, c.task, c.level))

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
        self._merge_packs(
            note,
            packs.STORE_STATS,
            {k: packs.stats_content(group) for k, group in _by_hour_and_task(stats).items()},
        )

    def read_store_stats(self, start: int, end: int) -> Iterable[StoreCallStat]:
        """The minutes in range, summed per hour (``minute`` = the hour's start): for
        whole hours the packs, which hold those sums, else the minutes summed here."""
        note = current_note()
        if start % packs.HOUR_S == 0 and end % packs.HOUR_S == 0:
            read = self._read_packs(note, packs.STORE_STATS, start, end)
            stats = [
                stat
                for _, blob in read
                for stat in packs.STORE_STATS.decode(blob).values()
                if start <= stat.minute < end
            ]
            return sorted(stats, key=lambda s: (s.minute, s.task, s.backend, s.operation))
        hours: dict[tuple[int, str, str, str], StoreCallStat] = {}
        for item in self._query_series(note, keys.STORE_STATS, start, end):
            stat = store_stat_of(item)
            stat = replace(stat, minute=stat.minute - stat.minute % 3600)
            k = (stat.minute, stat.task, stat.backend, stat.operation)
            previous = hours.get(k)
            hours[k] = stat if previous is None else add_stats(previous, stat)
        return sorted(hours.values(), key=lambda s: s.minute)


def _rollup_key(series: keys.Series, r: Rollup) -> Item:
    return series_key(series, r.minute, r.minute, (r.endpoint, r.method, r.status, r.task))


class _PerTaskMinute(Protocol):
    """What every per-task telemetry record has: its minute and the task that wrote it."""

    @property
    def minute(self) -> int: ...
    @property
    def task(self) -> str: ...


_TaskRecord = TypeVar("_TaskRecord", bound=_PerTaskMinute)


def _by_hour_and_task(
    records: Sequence[_TaskRecord],
) -> Mapping[tuple[int, str], list[_TaskRecord]]:
    """The records by (hour, task): one pack each."""
    return packs.grouped(records, lambda r: (packs.hour_of(r.minute), r.task))


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
