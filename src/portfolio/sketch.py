"""A mergeable latency sketch with bounded relative error (the DDSketch algorithm).

Values fall into logarithmic bins of ratio gamma = (1 + a) / (1 - a); any quantile
read back is within relative error ``a`` of the true value at that rank. Two
sketches merge by adding bin counts, so the p99 of a month is the merge of its
minutes: the report computes an hour, a week and a month the same way.

We carry our own implementation (rather than the ``ddsketch`` package) for three
reasons that matter here: a compact, stable byte format that every store keeps
as one blob; numpy bulk insertion, which the demo simulator needs to write a
month of traffic in seconds; and dense-array bins, so that merging the tens of
thousands of hourly sketches of a monthly report is a vector add per merge.

numpy is loaded on first use, not on import: the API's request path only ``add``s
(into a dict of pending bins, pure Python) and a Lambda cold start would otherwise pay
numpy's import (~0.35 s) before its first answer. The pending bins join the dense array
when anything reads ``counts`` or ``offset`` (a minute closing, a merge, a read).
"""

from __future__ import annotations

import functools
import importlib
import math
import struct
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Counts = npt.NDArray[np.int64]
else:

    class _Numpy:
        """numpy, imported at the first attribute read: deferred so that importing this
        module (the API's cold path, through the store's records) does not load it."""

        @functools.cached_property
        def module(self) -> ModuleType:
            return importlib.import_module("numpy")

        def __getattr__(self, name: str) -> Any:
            # Kept on the instance: later reads of the name are a plain attribute read,
            # not this call (the simulator reads numpy names millions of times).
            value = getattr(self.module, name)
            setattr(self, name, value)
            return value

    np = _Numpy()

RELATIVE_ACCURACY = 0.01
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
LOG_GAMMA = math.log(GAMMA)
MIN_VALUE = 1e-6
"""Below this (ms) a value counts as zero (``zero_count``), not in a bin."""
ZERO_BIN = -(2**31)
"""The bin SQL gives a value below ``MIN_VALUE`` (one that counts as zero)."""
_FORMAT_VERSION = 1
_HEADER = struct.Struct("<BIqddd")  # version, bins, zero_count, sum, min, max
_HEADER_FIELDS = [
    ("version", "u1"),
    ("bins", "<u4"),
    ("zero_count", "<i8"),
    ("sum", "<f8"),
    ("min", "<f8"),
    ("max", "<f8"),
]  # the same layout, packed, for reading many headers at once (a numpy dtype)
_GROWTH = 16  # spare bins added on each side when the range grows


def bin_index(value: float) -> int:
    """The bin of a value at or above ``MIN_VALUE``: ceil(ln(value) / ln(gamma)).

    The one statement of the binning; ``bin_indexes`` is its vector form and
    ``bin_sql`` writes it for SQL engines (a test keeps the three equal).
    """
    return math.ceil(math.log(value) / LOG_GAMMA)


def bin_sql(column: str, *, null_bin: str = "NULL") -> str:
    """``bin_index`` as a SQL CASE over ``column`` (DuckDB and Athena both run it).

    NULL gives ``null_bin``; a value below ``MIN_VALUE`` gives ``ZERO_BIN``.
    """
    return (
        f"CASE WHEN {column} IS NULL THEN {null_bin} "
        f"WHEN {column} < {MIN_VALUE!r} THEN {ZERO_BIN} "
        f"ELSE CAST(ceil(ln({column}) / {LOG_GAMMA!r}) AS INTEGER) END"
    )


def _reject_non_finite(value: float) -> None:
    """Latencies are finite and non-negative; say which value is not, before binning it."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"latency must be a finite, non-negative number of ms, got {value!r}")


class LatencySketch:
    """Latency distribution in milliseconds.

    Bins live in a dense int64 array: ``counts[i]`` is the count of bin
    ``offset + i``. Single ``add``s wait in ``_pending`` ({bin: count}, no numpy) until
    ``counts`` or ``offset`` is read. The stored byte format is sparse (only non-empty
    bins).
    """

    __slots__ = ("_counts", "_offset", "_pending", "count", "max", "min", "sum", "zero_count")

    relative_accuracy = RELATIVE_ACCURACY

    def __init__(self) -> None:
        self._offset = 0
        self._counts: Counts | None = None  # None: no bins yet (numpy not needed)
        self._pending: dict[int, int] = {}
        self.zero_count = 0
        self.count = 0
        self.sum = 0.0
        self.min = math.inf
        self.max = -math.inf

    # -- bins ------------------------------------------------------------------

    @property
    def counts(self) -> Counts:
        if self._pending or self._counts is None:
            return self._join_pending()
        return self._counts

    @counts.setter
    def counts(self, value: Counts) -> None:
        self._counts = value
        self._pending = {}

    @property
    def offset(self) -> int:
        if self._pending:
            self._join_pending()
        return self._offset

    @offset.setter
    def offset(self, value: int) -> None:
        self._offset = value

    def _join_pending(self) -> Counts:
        """The pending single adds, added into the dense array (which it returns)."""
        pending, self._pending = self._pending, {}
        counts = self._counts = (
            np.zeros(0, dtype=np.int64) if self._counts is None else self._counts
        )
        if pending:
            keys = np.fromiter(pending.keys(), np.int64, len(pending))
            self._add_bins(keys, np.fromiter(pending.values(), np.int64, len(pending)))
            counts = self.counts
        return counts

    @property
    def bins(self) -> dict[int, int]:
        """Non-empty bins as {bin index: count}."""
        nonzero = np.flatnonzero(self.counts)
        return dict(
            zip((nonzero + self.offset).tolist(), self.counts[nonzero].tolist(), strict=True)
        )

    def _cover(self, low: int, high: int) -> None:
        """Grow the array so bins low..high (inclusive) have a slot."""
        if self.counts.size == 0:
            self.offset = low - _GROWTH
            self.counts = np.zeros(high - low + 1 + 2 * _GROWTH, dtype=np.int64)
            return
        end = self.offset + self.counts.size
        if low >= self.offset and high < end:
            return
        new_low = min(low - _GROWTH, self.offset)
        new_end = max(high + 1 + _GROWTH, end)
        grown = np.zeros(new_end - new_low, dtype=np.int64)
        grown[self.offset - new_low : end - new_low] = self.counts
        self.offset, self.counts = new_low, grown

    def _add_bins(self, keys: npt.NDArray[np.int64], counts: Counts) -> None:
        if keys.size == 0:
            return
        low, high = int(keys.min()), int(keys.max())
        self._cover(low, high)
        np.add.at(self.counts, keys - self.offset, counts)

    # -- inserting -------------------------------------------------------------

    def add(self, value: float) -> None:
        _reject_non_finite(value)
        self.count += 1
        self.sum += value
        self.min = min(self.min, value)
        self.max = max(self.max, value)
        if value < MIN_VALUE:
            self.zero_count += 1
            return
        index = bin_index(value)
        self._pending[index] = self._pending.get(index, 0) + 1

    def add_many(self, values: npt.NDArray[np.float64]) -> None:
        """Insert many values at once (vectorised; used by the simulator and log sources)."""
        if values.size == 0:
            return
        bad = ~np.isfinite(values) | (values < 0)
        if np.any(bad):
            _reject_non_finite(float(values[np.argmax(bad)]))
        self.count += int(values.size)
        self.sum += float(values.sum())
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        positive = values[values >= MIN_VALUE]
        self.zero_count += int(values.size - positive.size)
        if positive.size:
            indexes = np.ceil(np.log(positive) / LOG_GAMMA).astype(np.int64)
            keys, counts = np.unique(indexes, return_counts=True)
            self._add_bins(keys, counts.astype(np.int64))

    @classmethod
    def from_bins(
        cls,
        keys: npt.NDArray[np.int64],
        counts: npt.NDArray[np.int64],
        *,
        zero_count: int,
        total: float,
        low: float,
        high: float,
    ) -> LatencySketch:
        """A sketch from precomputed bins (bulk loaders compute bins for many sketches at once)."""
        sketch = cls()
        if keys.size:
            first = int(keys.min())
            sketch.offset = first
            sketch.counts = np.zeros(int(keys.max()) - first + 1, dtype=np.int64)
            sketch.counts[keys - first] = counts
        sketch.zero_count = zero_count
        sketch.count = zero_count + int(counts.sum())
        sketch.sum = total
        sketch.min = low
        sketch.max = high
        return sketch

    @staticmethod
    def bin_indexes(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """The bin of each value (values below the zero threshold get the lowest int64)."""
        out = np.full(values.shape, np.iinfo(np.int64).min, dtype=np.int64)
        positive = values >= MIN_VALUE
        out[positive] = np.ceil(np.log(values[positive]) / LOG_GAMMA).astype(np.int64)
        return out

    # -- merging and reading -----------------------------------------------------

    def merge(self, other: LatencySketch) -> None:
        if other.count == 0:
            return
        if other.counts.size:
            if self.counts.size == 0:
                self.offset, self.counts = other.offset, other.counts.copy()
            else:
                self._cover(other.offset, other.offset + other.counts.size - 1)
                start = other.offset - self.offset
                self.counts[start : start + other.counts.size] += other.counts
        self.zero_count += other.zero_count
        self.count += other.count
        self.sum += other.sum
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)

    @classmethod
    def merged(cls, sketches: Iterable[LatencySketch]) -> LatencySketch:
        total = cls()
        for sketch in sketches:
            total.merge(sketch)
        return total

    @classmethod
    def merged_groups(
        cls, sketches: Sequence[LatencySketch], groups: Sequence[int], size: int
    ) -> list[LatencySketch]:
        """``size`` sketches; sketch g merges every ``sketches[i]`` whose ``groups[i]`` is g.

        The same as ``merge`` into each group in order, for many groups at once. A
        monthly report merges ~28k hourly sketches into (hour, endpoint, status)
        buckets, then into hours and endpoints; one ``merge`` at a time, that was its
        costliest step. Here every sketch's bins are laid end to end and added into
        its group's dense range by one bincount (exact: counts stay far below 2**53);
        counts, sums, minima and maxima are added per group in input order, as the
        one-at-a-time merges would.
        """
        n = len(sketches)
        if len(groups) != n:
            raise ValueError("one group per sketch")
        if size == 0:
            return []
        group = np.asarray(groups, dtype=np.int64)
        if n and (group.min() < 0 or group.max() >= size):
            raise ValueError(f"groups must be in 0..{size - 1}")
        zero = np.zeros(size, dtype=np.int64)
        count = np.zeros(size, dtype=np.int64)
        total = np.zeros(size, dtype=np.float64)
        least = np.full(size, math.inf)
        most = np.full(size, -math.inf)
        np.add.at(zero, group, np.fromiter((s.zero_count for s in sketches), np.int64, n))
        np.add.at(count, group, np.fromiter((s.count for s in sketches), np.int64, n))
        np.add.at(total, group, np.fromiter((s.sum for s in sketches), np.float64, n))
        np.minimum.at(least, group, np.fromiter((s.min for s in sketches), np.float64, n))
        np.maximum.at(most, group, np.fromiter((s.max for s in sketches), np.float64, n))

        widths = np.fromiter((s.counts.size for s in sketches), np.int64, n)
        filled = widths > 0
        offsets = np.fromiter((s.offset for s in sketches), np.int64, n)[filled]
        widths, group = widths[filled], group[filled]
        low = np.full(size, np.iinfo(np.int64).max)
        high = np.full(size, np.iinfo(np.int64).min)
        np.minimum.at(low, group, offsets)
        np.maximum.at(high, group, offsets + widths - 1)
        span = np.where(high >= low, high - low + 1, 0)
        begin = np.zeros(size, dtype=np.int64)
        np.cumsum(span[:-1], out=begin[1:])
        # Where each sketch's first bin lands in the joined dense array, then every bin.
        first = begin[group] + offsets - low[group]
        starts = np.zeros(widths.size, dtype=np.int64)
        np.cumsum(widths[:-1], out=starts[1:])
        position = np.arange(int(widths.sum()), dtype=np.int64) + np.repeat(first - starts, widths)
        joined = [s.counts for s in sketches if s.counts.size]
        weights = np.concatenate(joined) if joined else np.zeros(0, dtype=np.int64)
        dense = np.bincount(position, weights=weights, minlength=int(span.sum())).astype(np.int64)

        out = []
        rows = zip(
            low.tolist(), begin.tolist(), span.tolist(), zero.tolist(), count.tolist(),
            total.tolist(), least.tolist(), most.tolist(), strict=True,
        )  # fmt: skip
        for offset, start, width, zero_count, in_all, total_ms, lowest, highest in rows:
            sketch = cls.__new__(cls)
            sketch.offset = offset if width else 0
            sketch.counts = dense[start : start + width]
            sketch.zero_count = zero_count
            sketch.count = in_all
            sketch.sum = total_ms
            sketch.min = lowest
            sketch.max = highest
            out.append(sketch)
        return out

    @property
    def mean(self) -> float | None:
        return self.sum / self.count if self.count else None

    def quantile(self, q: float) -> float | None:
        """The q-quantile by the nearest-rank definition, within the relative accuracy.

        The value at 1-based rank ceil(q * count) of the sorted values (rank 1 for q = 0):
        the smallest value with at least a share q of the values at or below it. So p95 of
        two values is the larger, p99 of fewer than 100 values is the maximum, and
        min <= p50 <= p95 <= p99 <= max on every sample size. The first and last ranks
        are the exact minimum and maximum; others come from their bin. None if empty.
        """
        if not 0 <= q <= 1:
            raise ValueError(f"quantile must be in [0, 1], got {q}")
        if self.count == 0:
            return None
        # A tiny tolerance keeps q * count from rounding up past an exact integer.
        index = min(self.count - 1, max(0, math.ceil(q * self.count - 1e-9) - 1))
        if index == self.count - 1:
            return self.max
        if index < self.zero_count or index == 0:
            return 0.0 if index < self.zero_count and self.min < MIN_VALUE else self.min
        cumulative = np.cumsum(self.counts) + self.zero_count
        position = int(np.searchsorted(cumulative, index, side="right"))
        if position >= self.counts.size:
            return self.max
        estimate = 2 * GAMMA ** (position + self.offset) / (GAMMA + 1)
        return min(max(estimate, self.min), self.max)

    # -- bytes -------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        nonzero = np.flatnonzero(self.counts)
        keys = (nonzero + self.offset).astype(np.int32)
        counts = self.counts[nonzero]
        header = _HEADER.pack(
            _FORMAT_VERSION, nonzero.size, self.zero_count, self.sum, self.min, self.max
        )
        return header + keys.tobytes() + counts.tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LatencySketch:
        version, nbins, zero_count, total, low, high = _HEADER.unpack_from(blob)
        if version != _FORMAT_VERSION:
            raise ValueError(f"unknown sketch format version {version}")
        offset = _HEADER.size
        keys = np.frombuffer(blob, dtype=np.int32, count=nbins, offset=offset).astype(np.int64)
        counts = np.frombuffer(blob, dtype=np.int64, count=nbins, offset=offset + 4 * nbins)
        return cls.from_bins(keys, counts, zero_count=zero_count, total=total, low=low, high=high)

    @classmethod
    def many_from_bytes(cls, blobs: Sequence[bytes]) -> list[LatencySketch]:
        """Decode many blobs at once: what ``from_bytes`` does, in a few array operations.

        A monthly report reads ~28k hourly sketches; one at a time, their decoding
        was a fifth of the report's build. Here the headers, then the bins, then the
        counts of all blobs are joined and read as three arrays; each sketch's dense
        bins are one slice of one array (a view: its sketch owns that region alone)
        and only the objects themselves are made in a loop.
        """
        n = len(blobs)
        if n == 0:
            return []
        head = _HEADER.size
        headers = np.frombuffer(b"".join(b[:head] for b in blobs), dtype=_HEADER_FIELDS)
        if headers.size != n or np.any(headers["version"] != _FORMAT_VERSION):
            raise ValueError("unknown sketch format version")
        widths = headers["bins"].tolist()
        if any(len(b) != head + 12 * k for b, k in zip(blobs, widths, strict=True)):
            raise ValueError("a sketch blob's length does not match its bin count")
        # Byte slices are cheap; joining them gives every key, then every count, in order.
        keys = np.frombuffer(
            b"".join(b[head : head + 4 * k] for b, k in zip(blobs, widths, strict=True)),
            dtype="<i4",
        )
        counts = np.frombuffer(
            b"".join(b[head + 4 * k :] for b, k in zip(blobs, widths, strict=True)), dtype="<i8"
        )
        return cls.many_from_bins(
            keys,
            counts,
            headers["bins"].astype(np.int64),
            zero_counts=headers["zero_count"],
            totals=headers["sum"],
            lows=headers["min"],
            highs=headers["max"],
        )

    @classmethod
    def many_from_bins(
        cls,
        keys: npt.NDArray[np.integer[Any]],
        counts: Counts,
        nbins: Counts,
        *,
        zero_counts: npt.NDArray[Any],
        totals: npt.NDArray[Any],
        lows: npt.NDArray[Any],
        highs: npt.NDArray[Any],
    ) -> list[LatencySketch]:
        """``from_bins`` for many sketches at once: sketch i's bins are the next ``nbins[i]``
        of ``keys`` and ``counts`` (laid end to end), its other fields the i-th of each array.

        Each sketch's dense bins are one slice of one array (a view: its sketch owns that
        region alone) and only the objects themselves are made in a loop. The simulator
        makes ~300k sketches a month this way; one ``from_bins`` at a time, that was a
        quarter of ``make demo``.
        """
        n = nbins.size
        if n == 0:
            return []
        first_bin = np.zeros(n, dtype=np.int64)  # index of each sketch's first bin overall
        np.cumsum(nbins[:-1], out=first_bin[1:])
        filled = nbins > 0
        low = np.zeros(n, dtype=np.int64)
        high = np.full(n, -1, dtype=np.int64)
        binned = np.zeros(n, dtype=np.int64)
        if keys.size:
            at = first_bin[filled]
            low[filled] = np.minimum.reduceat(keys, at)
            high[filled] = np.maximum.reduceat(keys, at)
            binned[filled] = np.add.reduceat(counts, at)
        span = high - low + 1
        dense_start = np.zeros(n, dtype=np.int64)
        np.cumsum(span[:-1], out=dense_start[1:])
        dense = np.zeros(int(span.sum()), dtype=np.int64)
        dense[np.repeat(dense_start - low, nbins) + keys] = counts

        sketches = []
        rows = zip(
            low.tolist(),
            dense_start.tolist(),
            span.tolist(),
            np.asarray(zero_counts).tolist(),
            binned.tolist(),
            np.asarray(totals).tolist(),
            np.asarray(lows).tolist(),
            np.asarray(highs).tolist(),
            strict=True,
        )
        for offset, begin, width, zero_count, in_bins, total_ms, least, most in rows:
            sketch = cls.__new__(cls)
            sketch._pending = {}
            sketch._offset = offset if width else 0
            sketch._counts = dense[begin : begin + width]
            sketch.zero_count = zero_count
            sketch.count = zero_count + in_bins
            sketch.sum = total_ms
            sketch.min = least
            sketch.max = most
            sketches.append(sketch)
        return sketches

    @staticmethod
    def many_to_bytes(sketches: Sequence[LatencySketch]) -> list[bytes]:
        """``to_bytes`` of each sketch, byte for byte, in a few array operations.

        The store writes every rollup's sketch as a blob (~300k a simulated month); one
        ``to_bytes`` at a time, that was a fifth of ``make demo``. Here every sketch's
        dense bins are joined, their non-empty bins found at once, and each blob is three
        slices (header, keys, counts) of three joined buffers.
        """
        n = len(sketches)
        if n == 0:
            return []
        dense = [s.counts for s in sketches]  # joins any pending single adds
        widths = np.fromiter((c.size for c in dense), np.int64, n)
        offsets = np.fromiter((s.offset for s in sketches), np.int64, n)
        joined = np.concatenate(dense).astype("<i8", copy=False)
        nonzero = np.flatnonzero(joined)
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(widths[:-1], out=starts[1:])
        owner = np.repeat(np.arange(n, dtype=np.int64), widths)[nonzero]
        keys = (nonzero - starts[owner] + offsets[owner]).astype("<i4").tobytes()
        counts = joined[nonzero].tobytes()
        nbins = np.bincount(owner, minlength=n)
        headers = np.zeros(n, dtype=_HEADER_FIELDS)
        headers["version"] = _FORMAT_VERSION
        headers["bins"] = nbins
        headers["zero_count"] = np.fromiter((s.zero_count for s in sketches), np.int64, n)
        headers["sum"] = np.fromiter((s.sum for s in sketches), np.float64, n)
        headers["min"] = np.fromiter((s.min for s in sketches), np.float64, n)
        headers["max"] = np.fromiter((s.max for s in sketches), np.float64, n)
        head = headers.tobytes()
        size = _HEADER.size
        ends = np.cumsum(nbins).tolist()
        blobs = []
        begin = 0
        for i, end in enumerate(ends):
            blobs.append(
                head[i * size : (i + 1) * size]
                + keys[4 * begin : 4 * end]
                + counts[8 * begin : 8 * end]
            )
            begin = end
        return blobs

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LatencySketch):
            return NotImplemented
        return (
            self.bins == other.bins
            and self.zero_count == other.zero_count
            and self.count == other.count
            and math.isclose(self.sum, other.sum, rel_tol=1e-9, abs_tol=1e-9)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LatencySketch(count={self.count}, bins={np.count_nonzero(self.counts)})"
