"""Request totals of a group (a minute bucket, a day, an endpoint...): counts and a sketch.

Both the metrics API and the report sum rollup-like rows into groups; this is the
one accumulator they share.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from portfolio.sketch import LatencySketch

K = TypeVar("K", bound=Hashable)


class RequestVolume(Protocol):
    """How many requests and bytes: all that pricing a period's traffic needs of it."""

    @property
    def count(self) -> int: ...

    @property
    def bytes_in(self) -> int: ...

    @property
    def bytes_out(self) -> int: ...


class RequestRow(RequestVolume, Protocol):
    """Anything carrying one (status, count) slice of requests with its latency sketch."""

    @property
    def status(self) -> int: ...

    @property
    def sketch(self) -> LatencySketch: ...


@dataclass(slots=True)
class RequestTotals:
    count: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    sketch: LatencySketch = field(default_factory=LatencySketch)

    def add(self, row: RequestRow) -> None:
        self._count(row)
        self.sketch.merge(row.sketch)

    def absorb(self, other: RequestTotals) -> None:
        self._count_totals(other)
        self.sketch.merge(other.sketch)

    def _count(self, row: RequestRow) -> None:
        self.count += row.count
        if 400 <= row.status < 500:
            self.errors_4xx += row.count
        elif row.status >= 500:
            self.errors_5xx += row.count
        self.bytes_in += row.bytes_in
        self.bytes_out += row.bytes_out

    def _count_totals(self, other: RequestTotals) -> None:
        self.count += other.count
        self.errors_4xx += other.errors_4xx
        self.errors_5xx += other.errors_5xx
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out

    @classmethod
    def grouped(cls, rows: Sequence[RequestRow], keys: Sequence[K]) -> dict[K, RequestTotals]:
        """Totals per key, ``rows[i]`` counted under ``keys[i]``: ``add`` into each group,
        with every group's sketch merged in one bulk step (``LatencySketch.merged_groups``).

        Keys come out in the order they first appear.
        """
        return _grouped(rows, keys, RequestTotals._count)

    @classmethod
    def combined(cls, parts: Sequence[RequestTotals], keys: Sequence[K]) -> dict[K, RequestTotals]:
        """``absorb`` of ``parts[i]`` into the group of ``keys[i]``, sketches merged in bulk."""
        return _grouped(parts, keys, RequestTotals._count_totals)

    @property
    def mean(self) -> float | None:
        return self.sketch.mean


class _Sketched(Protocol):
    @property
    def sketch(self) -> LatencySketch: ...


S = TypeVar("S", bound=_Sketched)


def _grouped(
    items: Sequence[S], keys: Sequence[K], count: Callable[[RequestTotals, S], None]
) -> dict[K, RequestTotals]:
    """One RequestTotals per key: ``count`` adds each item's figures, sketches merge in bulk."""
    index: dict[K, int] = {}
    ids = [index.setdefault(key, len(index)) for key in keys]
    totals = [RequestTotals() for _ in index]
    for item, i in zip(items, ids, strict=True):
        count(totals[i], item)
    sketches = LatencySketch.merged_groups([item.sketch for item in items], ids, len(totals))
    for total, sketch in zip(totals, sketches, strict=True):
        total.sketch = sketch
    return dict(zip(index, totals, strict=True))
