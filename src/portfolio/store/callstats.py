"""Per-minute statistics of the store's own calls (latency, errors, throttles, capacity).

Each backend times its calls here; the telemetry flusher drains them into the
metrics repository so the report's data-store section has measured figures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from portfolio.store.records import StoreCallStat


@dataclass(slots=True)
class _Totals:
    count: int = 0
    errors: int = 0
    throttles: int = 0
    latency_sum_ms: float = 0.0
    latency_max_ms: float = 0.0
    capacity_units: float = 0.0


class CallStats:
    """Thread-safe accumulator of store call statistics, drained by the flusher."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._lock = threading.Lock()
        self._totals: dict[tuple[int, str], _Totals] = {}

    @contextmanager
    def timed(self, operation: str) -> Iterator[_CallNote]:
        note = _CallNote()
        started = time.perf_counter()
        failed = False
        try:
            yield note
        except Exception:
            failed = True
            raise
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.add(operation, elapsed_ms, failed=failed, note=note)

    def add(self, operation: str, latency_ms: float, *, failed: bool, note: _CallNote) -> None:
        minute = int(time.time() // 60) * 60
        with self._lock:
            totals = self._totals.setdefault((minute, operation), _Totals())
            totals.count += 1
            totals.errors += int(failed)
            totals.throttles += note.throttles
            totals.latency_sum_ms += latency_ms
            totals.latency_max_ms = max(totals.latency_max_ms, latency_ms)
            totals.capacity_units += note.capacity_units

    def drain(self, task: str) -> list[StoreCallStat]:
        with self._lock:
            totals, self._totals = self._totals, {}
        return [
            StoreCallStat(
                minute=minute,
                task=task,
                backend=self.backend,
                operation=operation,
                count=t.count,
                errors=t.errors,
                throttles=t.throttles,
                latency_sum_ms=t.latency_sum_ms,
                latency_max_ms=t.latency_max_ms,
                capacity_units=t.capacity_units,
            )
            for (minute, operation), t in totals.items()
        ]


@dataclass(slots=True)
class _CallNote:
    """What a call learned while running: throttled retries, consumed capacity."""

    throttles: int = 0
    capacity_units: float = 0.0
