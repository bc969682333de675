"""Kept sums: one item per hour (and task or target) holding that hour's telemetry packed.

Why: DynamoDB has no server-side sums, so a month's report read item by item ~700k
small items (a minute rollup per endpoint, status and task; a resource sample and a
probe per minute) and took ~50 times SQLite's time. SQLite keeps its sums by trigger
(``minute_totals``, ``store_stats_hourly``); here the writers keep them: every write of
a telemetry record also merges it into its hour's *pack*, and the report reads ~1.5k
packs with a few Queries instead.

A pack is a merged item like a rollup (``client._merge``: created by a conditional put,
merged on a revision check, each write's token kept so a retry never counts twice), its
content one binary attribute ``pack`` (orjson, sketches appended as bytes): one value
for botocore to parse instead of a dozen per record. Each kind says how two contents
add up: sums add (minute totals, log counts, call statistics, rollups with their
sketches), keyed records replace (a resource sample of a minute and task, a probe of
one id), as the records' own writes do. docs/store-records.md shows the layout.
"""

from __future__ import annotations

import math
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

from portfolio.sketch import LatencySketch
from portfolio.store import keys
from portfolio.store.records import (
    LogCount,
    MinuteTotals,
    ProbeResult,
    ResourceSample,
    ResourceSummary,
    Rollup,
    StoreCallStat,
)

C = TypeVar("C")

HOUR_S = 3600
_LENGTH = struct.Struct("<I")


def hour_of(seconds: int) -> int:
    return seconds - seconds % HOUR_S


@dataclass(frozen=True, slots=True)
class PackKind(Generic[C]):
    """How one kind of pack is stored and merged.

    ``owner`` names whose records a pack holds (a task or a probe target): one pack per
    hour and owner, so the API's workers merge into packs of their own and seldom race.
    """

    series: keys.Series
    encode: Callable[[C], bytes]
    decode: Callable[[bytes], C]
    add: Callable[[C, C], C]
    by_owner: bool = False
    """Each owner in partitions of its own (``PP#api#<bucket>``): a read of one owner's
    packs then reads (and is billed for) none of the others'. For probes, whose two
    targets the report reads apart; a task's packs are read with all the others."""

    def series_of(self, owner: str) -> keys.Series:
        if not self.by_owner:
            return self.series
        return keys.Series(f"{self.series.prefix}#{owner}", self.series.bucket_s)


# -- minute totals: {minute: [count, 5xx, latency sum, denied]} ----------------------

Totals = dict[int, list[float]]


def _add_totals(a: Totals, b: Totals) -> Totals:
    out = {m: list(v) for m, v in a.items()}
    for minute, values in b.items():
        acc = out.setdefault(minute, [0, 0, 0.0, 0])
        for i, v in enumerate(values):
            acc[i] += v
    return out


def _encode_totals(totals: Totals) -> bytes:
    return orjson.dumps([[m, *v] for m, v in sorted(totals.items())])


def _decode_totals(blob: bytes) -> Totals:
    return {row[0]: row[1:] for row in orjson.loads(blob)}


def totals_of(rollups: Iterable[Rollup], denied: frozenset[int]) -> Totals:
    """What minute rollups add to their minutes' totals (``MinuteTotals``'s figures)."""
    totals: Totals = {}
    for r in rollups:
        acc = totals.setdefault(r.minute, [0, 0, 0.0, 0])
        acc[0] += r.count
        acc[1] += r.count if r.status >= 500 else 0
        acc[2] += float(r.sketch.sum)
        acc[3] += r.count if r.status in denied else 0
    return totals


def minute_totals(totals: Iterable[Totals], start: int, end: int) -> list[MinuteTotals]:
    """Many packs' totals of [start, end) added per minute, in minute order."""
    summed: Totals = {}
    for pack in totals:
        for minute, values in pack.items():
            if start <= minute < end:
                acc = summed.setdefault(minute, [0, 0, 0.0, 0])
                for i, v in enumerate(values):
                    acc[i] += v
    return [
        MinuteTotals(minute=m, count=int(c), errors_5xx=int(e), latency_sum_ms=lat, denied=int(d))
        for m, (c, e, lat, d) in sorted(summed.items())
    ]


MINUTE_TOTALS: PackKind[Totals] = PackKind(
    keys.PACK_MINUTE_TOTALS, _encode_totals, _decode_totals, _add_totals
)


# -- hourly rollups: {(endpoint, method, status, task): Rollup} ----------------------

RollupKey = tuple[str, str, int, str]
Rollups = dict[RollupKey, Rollup]


def _add_rollups(a: Rollups, b: Rollups) -> Rollups:
    out = dict(a)
    for key, r in b.items():
        previous = out.get(key)
        if previous is None:
            out[key] = r
        else:
            merged = Rollup(*previous.key)
            merged.merge(previous)
            merged.merge(r)
            out[key] = merged
    return out


def _encode_rollups(rollups: Rollups) -> bytes:
    """orjson of [minute, endpoint, method, status, task, count, in, out, sketch length]
    per rollup, then the sketches' bytes one after another."""
    listed = sorted(rollups.values(), key=lambda r: r.key)
    sketches = [r.sketch.to_bytes() for r in listed]
    head = orjson.dumps(
        [
            [r.minute, r.endpoint, r.method, r.status, r.task, r.count, r.bytes_in,
             r.bytes_out, len(s)]
            for r, s in zip(listed, sketches, strict=True)
        ]
    )  # fmt: skip
    return _LENGTH.pack(len(head)) + head + b"".join(sketches)


def _split_rollups(blob: bytes) -> tuple[list[list[Any]], list[bytes]]:
    (size,) = _LENGTH.unpack_from(blob)
    at = _LENGTH.size + size
    rows: list[list[Any]] = orjson.loads(blob[_LENGTH.size : at])
    sketches = []
    for row in rows:
        sketches.append(blob[at : at + row[8]])
        at += row[8]
    return rows, sketches


def _rollups_from(rows: list[list[Any]], sketches: list[LatencySketch]) -> list[Rollup]:
    return [
        Rollup(m, e, meth, s, t, c, bi, bo, sketch)
        for (m, e, meth, s, t, c, bi, bo, _), sketch in zip(rows, sketches, strict=True)
    ]


def _decode_rollups(blob: bytes) -> Rollups:
    rows, blobs = _split_rollups(blob)
    rollups = _rollups_from(rows, LatencySketch.many_from_bytes(blobs))
    return {(r.endpoint, r.method, r.status, r.task): r for r in rollups}


def rollups_in_packs(blobs: list[bytes]) -> list[Rollup]:
    """Every rollup of many packs, all their sketches decoded in one bulk step."""
    rows: list[list[Any]] = []
    sketches: list[bytes] = []
    for blob in blobs:
        more_rows, more_sketches = _split_rollups(blob)
        rows += more_rows
        sketches += more_sketches
    return _rollups_from(rows, LatencySketch.many_from_bytes(sketches))


def rollups_content(rollups: Iterable[Rollup]) -> Rollups:
    """Rollups of one hour and task as a pack's content (equal keys merged)."""
    content: Rollups = {}
    for r in rollups:
        content = _add_rollups(content, {(r.endpoint, r.method, r.status, r.task): r})
    return content


HOURLY_ROLLUPS: PackKind[Rollups] = PackKind(
    keys.PACK_HOURLY_ROLLUPS, _encode_rollups, _decode_rollups, _add_rollups
)


# -- resource samples: {minute: [cpu %, memory bytes, memory %]}, a minute replaced --

Samples = dict[int, list[float]]


def _replace(a: dict[Any, Any], b: dict[Any, Any]) -> dict[Any, Any]:
    return {**a, **b}


def _encode_samples(samples: Samples) -> bytes:
    return orjson.dumps([[m, *v] for m, v in sorted(samples.items())])


def _decode_samples(blob: bytes) -> Samples:
    return {row[0]: row[1:] for row in orjson.loads(blob)}


def samples_content(samples: Iterable[ResourceSample]) -> Samples:
    return {s.minute: [float(s.cpu_pct), s.mem_bytes, float(s.mem_pct)] for s in samples}


def resource_summary(contents: Iterable[Samples], start: int, end: int) -> ResourceSummary:
    """The samples of [start, end) in many packs summed up as ``summaries.summarise_resources``
    sums listed samples, without making an object of each (a month holds ~90k)."""
    n = 0
    cpu_sum = mem_sum = 0.0
    bytes_sum = 0
    cpu_max = mem_max = -math.inf
    per_minute: Counter[int] = Counter()
    for content in contents:
        for minute, (cpu, mem_bytes, mem_pct) in content.items():
            if start <= minute < end:
                n += 1
                cpu_sum += cpu
                mem_sum += mem_pct
                bytes_sum += int(mem_bytes)
                cpu_max = max(cpu_max, cpu)
                mem_max = max(mem_max, mem_pct)
                per_minute[minute] += 1
    if not n:
        return ResourceSummary(0, None, None, None, None, None, {}, None, 0)
    last = max(per_minute)
    return ResourceSummary(
        samples=n,
        cpu_avg_pct=cpu_sum / n,
        cpu_max_pct=cpu_max,
        mem_avg_pct=mem_sum / n,
        mem_max_pct=mem_max,
        mem_avg_bytes=bytes_sum / n,
        minutes_by_tasks=dict(Counter(per_minute.values())),
        last_minute=last,
        last_minute_tasks=per_minute[last],
    )


RESOURCE_SAMPLES: PackKind[Samples] = PackKind(
    keys.PACK_RESOURCE_SAMPLES, _encode_samples, _decode_samples, _replace
)


# -- probes: {sort key: [at µs, ok, latency, status, detail]}, one id replaced -------

Probes = dict[str, list[Any]]


def _encode_probes(probes: Probes) -> bytes:
    return orjson.dumps(sorted([k, *v] for k, v in probes.items()))


def _decode_probes(blob: bytes) -> Probes:
    return {row[0]: row[1:] for row in orjson.loads(blob)}


def probe_entry(at_us: int, r: ProbeResult) -> list[Any]:
    return [at_us, r.ok, r.latency_ms, r.status, r.detail]


PROBES: PackKind[Probes] = PackKind(
    keys.PACK_PROBES, _encode_probes, _decode_probes, _replace, by_owner=True
)


# -- log counts: {minute: {level: count}} ------------------------------------------

Levels = dict[int, dict[str, int]]


def _add_levels(a: Levels, b: Levels) -> Levels:
    out = {m: dict(v) for m, v in a.items()}
    for minute, levels in b.items():
        acc = out.setdefault(minute, {})
        for level, count in levels.items():
            acc[level] = acc.get(level, 0) + count
    return out


def _encode_levels(levels: Levels) -> bytes:
    return orjson.dumps([[m, v] for m, v in sorted(levels.items())])


def _decode_levels(blob: bytes) -> Levels:
    return dict(orjson.loads(blob))


def levels_content(counts: Iterable[LogCount]) -> Levels:
    out: Levels = {}
    for c in counts:
        acc = out.setdefault(c.minute, {})
        acc[c.level] = acc.get(c.level, 0) + c.count
    return out


def log_counts_of(task: str, content: Levels, start: int, end: int) -> list[LogCount]:
    return [
        LogCount(minute=m, task=task, level=level, count=count)
        for m, levels in content.items()
        if start <= m < end
        for level, count in levels.items()
    ]


LOG_COUNTS: PackKind[Levels] = PackKind(
    keys.PACK_LOG_COUNTS, _encode_levels, _decode_levels, _add_levels
)


# -- store call statistics: {(backend, operation): the hour's sums} ------------------

Stats = dict[tuple[str, str], StoreCallStat]


def _add_stats(a: Stats, b: Stats) -> Stats:
    out = dict(a)
    for key, stat in b.items():
        previous = out.get(key)
        out[key] = stat if previous is None else previous.plus(stat)
    return out


def _encode_stats(stats: Stats) -> bytes:
    return orjson.dumps(
        [
            [s.minute, s.task, s.backend, s.operation, s.count, s.errors, s.throttles,
             s.latency_sum_ms, s.latency_max_ms, s.capacity_units]
            for s in sorted(stats.values(), key=lambda s: (s.backend, s.operation))
        ]
    )  # fmt: skip


def _decode_stats(blob: bytes) -> Stats:
    stats = [StoreCallStat(*row) for row in orjson.loads(blob)]
    return {(s.backend, s.operation): s for s in stats}


def stats_content(stats: Iterable[StoreCallStat]) -> Stats:
    """Call statistics of one hour and task summed per (backend, operation), ``minute``
    the hour's start (what ``read_store_stats`` answers)."""
    out: Stats = {}
    for s in stats:
        hourly = StoreCallStat(
            hour_of(s.minute), s.task, s.backend, s.operation, s.count, s.errors,
            s.throttles, s.latency_sum_ms, s.latency_max_ms, s.capacity_units,
        )  # fmt: skip
        out = _add_stats(out, {(s.backend, s.operation): hourly})
    return out


STORE_STATS: PackKind[Stats] = PackKind(
    keys.PACK_STORE_STATS, _encode_stats, _decode_stats, _add_stats
)


def grouped(
    records: Iterable[Any], key: Callable[[Any], tuple[int, str]]
) -> Mapping[tuple[int, str], list[Any]]:
    """Records by (hour, owner): one pack each."""
    out: dict[tuple[int, str], list[Any]] = {}
    for record in records:
        out.setdefault(key(record), []).append(record)
    return out
