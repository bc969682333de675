"""Request totals of a group (a minute bucket, a day, an endpoint...): counts and a sketch.

Both the metrics API and the report sum rollup-like rows into groups; this is the
one accumulator they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from portfolio.telemetry.sketch import LatencySketch


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

    @property
    def mean(self) -> float | None:
        return self.sketch.mean
