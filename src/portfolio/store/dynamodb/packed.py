"""Kept sums on the metrics table: packs merged by live writes, re-summed after imports, read.

The live writers (``metrics.py``) merge each write into its hour's packs with
``client._merge`` (never losing a concurrent write, never counting a retry twice).
``put_records`` (``transfer.py``) replaces records as they are, so merging into packs
would count a second import twice: it re-sums the packs of the hours it touched from
the records stored there instead (:meth:`DynamoPacks._resum`). The readers Query the
packs of a range with a projection of what they decode.

A concurrent live write into an hour being re-summed may be counted twice or not at
all in that hour's pack (its record itself is safe): imports are of past months, while
live writers write the current hour.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from portfolio.security_rules import BURST_STATUSES
from portfolio.store import keys
from portfolio.store.callstats import CallNote
from portfolio.store.dynamodb import packs
from portfolio.store.dynamodb.client import DynamoCalls
from portfolio.store.dynamodb.codecs import (
    Item,
    bytes_of,
    float_of,
    int_of,
    n_of,
    probe_result,
    rollups_of,
    s_of,
    series_key,
    store_stat_of,
    str_of,
)
from portfolio.store.kinds import Kind
from portfolio.store.records import PROBE_API, LogCount, ResourceSample

C = TypeVar("C")

PACK = "pack"
"""The attribute holding a pack's content."""

OWNER = "owner"
"""The attribute naming the task or probe target a pack holds records of."""

PACKED_KINDS: dict[Kind, keys.Series] = {
    Kind.ROLLUP_MINUTE: keys.ROLLUPS_MINUTE,
    Kind.ROLLUP_HOUR: keys.ROLLUPS_HOUR,
    Kind.RESOURCE_SAMPLE: keys.RESOURCE_SAMPLES,
    Kind.PROBE_RESULT: keys.PROBE_RESULTS,
    Kind.LOG_COUNT: keys.LOG_COUNTS,
    Kind.STORE_STAT: keys.STORE_STATS,
}
"""The record kinds packs sum, and the series their records are stored in."""


def pack_key(kind: packs.PackKind[Any], hour: int, owner: str) -> Item:
    """A pack's key, with ``minute`` (its hour) from which its expiry is set and
    ``owner`` (the task or target), which a read of one owner filters on."""
    return {
        **series_key(kind.series_of(owner), hour, hour, (owner,)),
        "minute": n_of(hour),
        OWNER: s_of(owner),
    }


KNOWN_PACKS = 64
"""Packs a process keeps its last written copy of: its tasks' current hours and a few more."""


class DynamoPacks(DynamoCalls):
    """Writing, re-summing and reading packs."""

    _known: dict[tuple[str, str], Mapping[str, Any]] | None = None

    def _merge_packs(
        self, note: CallNote, kind: packs.PackKind[C], contents: Mapping[tuple[int, str], C]
    ) -> None:
        """Merge each (hour, owner)'s content into its pack."""
        if not contents:
            return
        entries = [(pack_key(kind, hour, owner), c) for (hour, owner), c in contents.items()]
        if self._known is None or len(self._known) > KNOWN_PACKS:
            self._known = {}  # past hours are seldom written again: start afresh
        self._merge(
            note,
            entries,
            lambda c: {PACK: {"B": kind.encode(c)}},
            lambda item: kind.decode(bytes_of(item, PACK)),
            kind.add,
            self._known,
        )

    def _read_packs(
        self,
        note: CallNote,
        kind: packs.PackKind[Any],
        start: int,
        end: int,
        *,
        owner: str | None = None,
    ) -> list[tuple[str, bytes]]:
        """(owner, content) of the packs whose hours meet [start, end), in hour order;
        of one owner only if given (its own partitions, or filtered by DynamoDB)."""
        if kind.by_owner and owner is None:
            raise ValueError(f"packs of {kind.series.prefix} are read one owner at a time")
        items = self._query_series(
            note,
            kind.series if owner is None else kind.series_of(owner),
            packs.hour_of(max(start, 0)),
            end,
            where=None if owner is None or kind.by_owner else (OWNER, owner),
            attributes=(OWNER, PACK),
        )
        return [(str_of(i, OWNER), bytes_of(i, PACK)) for i in items]

    def _put_packs(
        self,
        note: CallNote,
        kind: packs.PackKind[C],
        contents: Mapping[tuple[int, str], C],
        pace: Callable[[Sequence[Item]], None] | None = None,
    ) -> None:
        """Replace packs with these contents; ``pace`` is told the items before they are put.

        The revision is new (the time in µs), never one a writer's kept copy has.
        """
        rev = time.time_ns() // 1000
        items = [
            self._expiring(
                {**pack_key(kind, h, o), PACK: {"B": kind.encode(c)}, "rev": n_of(rev),
                 "writes": {"L": []}},
                h,
            )
            for (h, o), c in contents.items()
        ]  # fmt: skip
        if pace is not None:
            pace(items)
        self._batch_put(note, self.metrics_table, items)

    def _resum(
        self,
        note: CallNote,
        touched: Iterable[tuple[Kind, int]],
        pace: Callable[[Sequence[Item]], None] | None = None,
    ) -> None:
        """Sum the packs of each touched (kind, hour) again from the records stored there."""
        for kind, hour in sorted(set(touched)):
            scale = 1_000_000 if kind is Kind.PROBE_RESULT else 1
            items = self._query_series(
                note, PACKED_KINDS[kind], hour * scale, (hour + packs.HOUR_S) * scale,
                scale=scale, attributes=_RESUM_ATTRIBUTES.get(kind, ()),
            )  # fmt: skip
            pack_kind, contents = _RESUMS[kind](hour, list(items))
            self._put_packs(note, pack_kind, contents, pace)


_RESUM_ATTRIBUTES: dict[Kind, tuple[str, ...]] = {
    Kind.ROLLUP_MINUTE: ("minute", "status", "task", "count", "duration_sum_ms"),
}
"""What re-summing reads of a kind's items when it needs less than the whole item."""


Resummed = tuple[packs.PackKind[Any], Mapping[tuple[int, str], Any]]
"""A pack kind and the contents re-summed for it, by (hour, owner)."""


def _by_owner(
    hour: int, items: Sequence[Item], owner: Callable[[Item], str]
) -> dict[tuple[int, str], list[Item]]:
    out: dict[tuple[int, str], list[Item]] = {}
    for item in items:
        out.setdefault((hour, owner(item)), []).append(item)
    return out


def _task(item: Item) -> str:
    return str_of(item, "task")


def _minute_totals(hour: int, items: list[Item]) -> Resummed:
    contents: dict[tuple[int, str], packs.Totals] = {}
    for key, owned in _by_owner(hour, items, _task).items():
        totals = contents.setdefault(key, {})
        for item in owned:
            acc = totals.setdefault(int_of(item, "minute"), [0, 0, 0.0, 0])
            count, status = int_of(item, "count"), int_of(item, "status")
            acc[0] += count
            acc[1] += count if status >= 500 else 0
            acc[2] += float_of(item, "duration_sum_ms")
            acc[3] += count if status in BURST_STATUSES else 0
    return packs.MINUTE_TOTALS, contents


def _hourly_rollups(hour: int, items: list[Item]) -> Resummed:
    contents = {
        key: packs.rollups_content(rollups_of(owned))
        for key, owned in _by_owner(hour, items, _task).items()
    }
    return packs.HOURLY_ROLLUPS, contents


def _resource_samples(hour: int, items: list[Item]) -> Resummed:
    contents = {
        key: packs.samples_content(
            ResourceSample(
                int_of(i, "minute"), str_of(i, "task"), float_of(i, "cpu_pct"),
                int_of(i, "mem_bytes"), float_of(i, "mem_pct"),
            )
            for i in owned
        )
        for key, owned in _by_owner(hour, items, _task).items()
    }  # fmt: skip
    return packs.RESOURCE_SAMPLES, contents


def _probe_target(item: Item) -> str:
    return str_of(item, "target") if "target" in item else PROBE_API


def _probes(hour: int, items: list[Item]) -> Resummed:
    contents = {
        key: {str_of(i, "sk"): packs.probe_entry(int_of(i, "at"), probe_result(i)) for i in owned}
        for key, owned in _by_owner(hour, items, _probe_target).items()
    }
    return packs.PROBES, contents


def _log_counts(hour: int, items: list[Item]) -> Resummed:
    contents = {
        key: packs.levels_content(
            LogCount(int_of(i, "minute"), str_of(i, "task"), str_of(i, "level"), int_of(i, "count"))
            for i in owned
        )
        for key, owned in _by_owner(hour, items, _task).items()
    }
    return packs.LOG_COUNTS, contents


def _store_stats(hour: int, items: list[Item]) -> Resummed:
    contents = {
        key: packs.stats_content(store_stat_of(i) for i in owned)
        for key, owned in _by_owner(hour, items, _task).items()
    }
    return packs.STORE_STATS, contents


_RESUMS: dict[Kind, Callable[[int, list[Item]], Resummed]] = {
    Kind.ROLLUP_MINUTE: _minute_totals,
    Kind.ROLLUP_HOUR: _hourly_rollups,
    Kind.RESOURCE_SAMPLE: _resource_samples,
    Kind.PROBE_RESULT: _probes,
    Kind.LOG_COUNT: _log_counts,
    Kind.STORE_STAT: _store_stats,
}
