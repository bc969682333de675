"""A mergeable latency sketch with bounded relative error (the DDSketch algorithm).

Values fall into logarithmic bins of ratio gamma = (1 + a) / (1 - a); any quantile
read back is within relative error ``a`` of the true value at that rank. Two
sketches merge by adding bin counts, so the p99 of a month is the merge of its
minutes: the report computes an hour, a week and a month the same way.

We carry our own implementation (rather than the ``ddsketch`` package) for two
reasons that matter here: a compact, stable byte format that every store keeps
as one blob, and numpy bulk insertion, which the demo simulator needs to write a
month of traffic in seconds.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

RELATIVE_ACCURACY = 0.01
_GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(_GAMMA)
_MIN_VALUE = 1e-6  # below this (ms) a value counts as zero
_FORMAT_VERSION = 1
_HEADER = struct.Struct("<BIqddd")  # version, bins, zero_count, sum, min, max


class LatencySketch:
    """Latency distribution in milliseconds."""

    __slots__ = ("bins", "count", "max", "min", "sum", "zero_count")

    relative_accuracy = RELATIVE_ACCURACY

    def __init__(self) -> None:
        self.bins: dict[int, int] = {}
        self.zero_count = 0
        self.count = 0
        self.sum = 0.0
        self.min = math.inf
        self.max = -math.inf

    def add(self, value: float) -> None:
        if value < 0 or math.isnan(value):
            raise ValueError(f"latency must be a non-negative number, got {value}")
        self.count += 1
        self.sum += value
        self.min = min(self.min, value)
        self.max = max(self.max, value)
        if value < _MIN_VALUE:
            self.zero_count += 1
            return
        index = math.ceil(math.log(value) / _LOG_GAMMA)
        self.bins[index] = self.bins.get(index, 0) + 1

    def add_many(self, values: npt.NDArray[np.float64]) -> None:
        """Insert many values at once (vectorised; used by the simulator and log sources)."""
        if values.size == 0:
            return
        if np.any(values < 0) or np.any(np.isnan(values)):
            raise ValueError("latencies must be non-negative numbers")
        self.count += int(values.size)
        self.sum += float(values.sum())
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        positive = values[values >= _MIN_VALUE]
        self.zero_count += int(values.size - positive.size)
        if positive.size:
            indexes = np.ceil(np.log(positive) / _LOG_GAMMA).astype(np.int64)
            keys, counts = np.unique(indexes, return_counts=True)
            for key, n in zip(keys.tolist(), counts.tolist(), strict=True):
                self.bins[key] = self.bins.get(key, 0) + n

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
        sketch.bins = dict(zip(keys.tolist(), counts.tolist(), strict=True))
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
        positive = values >= _MIN_VALUE
        out[positive] = np.ceil(np.log(values[positive]) / _LOG_GAMMA).astype(np.int64)
        return out

    def merge(self, other: LatencySketch) -> None:
        if other.count == 0:
            return
        for key, n in other.bins.items():
            self.bins[key] = self.bins.get(key, 0) + n
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

    @property
    def mean(self) -> float | None:
        return self.sum / self.count if self.count else None

    def quantile(self, q: float) -> float | None:
        """The value at rank floor(q * (count - 1)), within the relative accuracy; None if empty."""
        if not 0 <= q <= 1:
            raise ValueError(f"quantile must be in [0, 1], got {q}")
        if self.count == 0:
            return None
        rank = q * (self.count - 1)
        if rank < self.zero_count:
            return 0.0 if self.min < _MIN_VALUE else self.min
        seen = self.zero_count
        for key in sorted(self.bins):
            seen += self.bins[key]
            if seen > rank:
                estimate = 2 * _GAMMA**key / (_GAMMA + 1)
                return min(max(estimate, self.min), self.max)
        return self.max

    def to_bytes(self) -> bytes:
        keys = np.fromiter(self.bins.keys(), dtype=np.int32, count=len(self.bins))
        counts = np.fromiter(self.bins.values(), dtype=np.int64, count=len(self.bins))
        header = _HEADER.pack(
            _FORMAT_VERSION, len(self.bins), self.zero_count, self.sum, self.min, self.max
        )
        return header + keys.tobytes() + counts.tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LatencySketch:
        version, nbins, zero_count, total, low, high = _HEADER.unpack_from(blob)
        if version != _FORMAT_VERSION:
            raise ValueError(f"unknown sketch format version {version}")
        offset = _HEADER.size
        keys = np.frombuffer(blob, dtype=np.int32, count=nbins, offset=offset)
        counts = np.frombuffer(blob, dtype=np.int64, count=nbins, offset=offset + 4 * nbins)
        sketch = cls()
        sketch.bins = dict(zip(keys.tolist(), counts.tolist(), strict=True))
        sketch.zero_count = zero_count
        sketch.count = zero_count + int(counts.sum())
        sketch.sum = total
        sketch.min = low
        sketch.max = high
        return sketch

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
        return f"LatencySketch(count={self.count}, bins={len(self.bins)})"
