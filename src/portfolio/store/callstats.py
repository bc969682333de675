"""Per-minute statistics of the store's own calls (latency, errors, throttles, capacity).

The store seam (``store/measured.py``) times every call here, the same way for
every backend; the telemetry flusher drains them into the metrics repository so
the report's data-store section has measured figures. What only a backend knows
while a call runs (throttled retries, consumed capacity) it adds to the call's
:class:`CallNote`, which :func:`current_note` finds without being passed down.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from portfolio.errors import StoreError
from portfolio.store.records import StoreCallStat


@dataclass(slots=True)
class CallNote:
    """What a call learned while running: throttled retries, consumed capacity."""

    throttles: int = 0
    capacity_units: float = 0.0


_current: contextvars.ContextVar[CallNote | None] = contextvars.ContextVar(
    "store_call_note", default=None
)


def current_note() -> CallNote:
    """The note of the store call running in this context; a loose one outside any call
    (admin calls such as table creation are not part of the statistics)."""
    note = _current.get()
    return note if note is not None else CallNote()


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

    def __init__(self, backend: str, *, clock: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self._clock = clock
        self._lock = threading.Lock()
        self._totals: dict[tuple[int, str], _Totals] = {}

    @contextmanager
    def timed(self, operation: str) -> Iterator[CallNote]:
        """Time one call; it counts as an error only if the store failed (a StoreError):
        a missing user or a stale version is an answer, not a failure of the store."""
        outer = _current.get()
        note = CallNote() if outer is None else outer
        token = _current.set(note) if outer is None else None
        started = time.perf_counter()
        failed = False
        try:
            yield note
        except StoreError:
            failed = True
            raise
        finally:
            if token is not None:  # the outermost call of a nest is the one counted
                _current.reset(token)
                elapsed_ms = (time.perf_counter() - started) * 1000
                self.add(operation, elapsed_ms, failed=failed, note=note)

    def add(
        self,
        operation: str,
        latency_ms: float,
        *,
        failed: bool = False,
        note: CallNote | None = None,
    ) -> None:
        minute = int(self._clock() // 60) * 60
        with self._lock:
            totals = self._totals.setdefault((minute, operation), _Totals())
            totals.count += 1
            totals.errors += int(failed)
            if note is not None:
                totals.throttles += note.throttles
                totals.capacity_units += note.capacity_units
            totals.latency_sum_ms += latency_ms
            totals.latency_max_ms = max(totals.latency_max_ms, latency_ms)

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
