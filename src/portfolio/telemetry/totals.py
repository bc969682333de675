"""Request totals of a group (a minute bucket, a day, an endpoint...): counts and a sketch.

Both the metrics API and the report sum rollup-like rows into groups; this is the
one accumulator they share.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from portfolio.telemetry.sketch import LatencySketch

K = TypeVar("K", bound=Hashable)


class RequestRow(Protocol):
    """Anything carrying one (status, count) slice of requests with its latency sketch."""

    @property
    def status(self) -> int: ...

    @property
    def count(self) -> int: ...

    @property
    def bytes_in(self) -> int: ...

    @property
    def bytes_out(self) -> int: ...

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
        self.count += row.count
        if 400 <= row.status < 500:
            self.errors_4xx += row.count
        elif row.status >= 500:
            self.errors_5xx += row.count
        self.bytes_in += row.bytes_in
        self.bytes_out += row.bytes_out
        self.sketch.merge(row.sketch)

    def absorb(self, other: RequestTotals) -> None:
        self.count += other.count
        self.errors_4xx += other.errors_4xx
        self.errors_5xx += other.errors_5xx
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out
        self.sketch.merge(other.sketch)

    @classmethod
    def grouped(cls, rows: Sequence[RequestRow], keys: Sequence[K]) -> dict[K, RequestTotals]:
        """Totals per key, ``rows[i]`` counted under ``keys[i]``: ``add`` into each group,
        with every group's sketch merged in one bulk step (``LatencySketch.merged_groups``).

        Keys come out in the order they first appear.
        """
        index: dict[K, int] = {}
        ids = [index.setdefault(key, len(index)) for key in keys]
        totals = [cls() for _ in index]
        for row, i in zip(rows, ids, strict=True):
            t = totals[i]
            t.count += row.count
            if 400 <= row.status < 500:
                t.errors_4xx += row.count
            elif row.status >= 500:
                t.errors_5xx += row.count
            t.bytes_in += row.bytes_in
            t.bytes_out += row.bytes_out
        return _with_sketches(index, totals, [row.sketch for row in rows], ids)

    @classmethod
    def combined(cls, parts: Sequence[RequestTotals], keys: Sequence[K]) -> dict[K, RequestTotals]:
        """``absorb`` of ``parts[i]`` into the group of ``keys[i]``, sketches merged in bulk."""
        index: dict[K, int] = {}
        ids = [index.setdefault(key, len(index)) for key in keys]
        totals = [cls() for _ in index]
        for part, i in zip(parts, ids, strict=True):
            t = totals[i]
            t.count += part.count
            t.errors_4xx += part.errors_4xx
            t.errors_5xx += part.errors_5xx
            t.bytes_in += part.bytes_in
            t.bytes_out += part.bytes_out
        return _with_sketches(index, totals, [part.sketch for part in parts], ids)

    @property
    def mean(self) -> float | None:
        return self.sketch.mean


def _with_sketches(
    index: dict[K, int], totals: list[RequestTotals], sketches: list[LatencySketch], ids: list[int]
) -> dict[K, RequestTotals]:
    for total, sketch in zip(
        totals, LatencySketch.merged_groups(sketches, ids, len(totals)), strict=True
    ):
        total.sketch = sketch
    return dict(zip(index, totals, strict=True))
