"""Keeping bulk writes within a table's write-capacity ceiling.

The CDK app caps each on-demand table (``MaxWriteRequestUnits``, 50 a second by
default: infra/portfolio_infra/settings.py) so a runaway loop cannot run up the
bill. A copy of a month of telemetry writes far faster than that; sent unpaced,
DynamoDB throttles nearly every batch and the copy spends its time in retries.
A budget that spends the units a batch will consume before sending it keeps the
copy at the ceiling instead, and leaves the throttles for real contention.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WRITE_UNIT_BYTES = 1024
"""One write request unit writes up to 1 KB of an item (standard table class)."""


def write_units(size_bytes: int) -> int:
    """Write units one put of an item of ``size_bytes`` consumes."""
    return max(1, math.ceil(size_bytes / WRITE_UNIT_BYTES))


class WriteBudget:
    """A token bucket of ``units_per_s`` with one second of burst; None: no ceiling.

    ``spend(n)`` returns at once while the bucket holds ``n`` units and otherwise
    sleeps until it has refilled enough (a batch larger than the burst waits for
    its whole cost, so the long-run rate is the ceiling whatever the batch size).
    """

    def __init__(
        self,
        units_per_s: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.units_per_s = units_per_s
        self._clock = clock
        self._sleep = sleep
        self._tokens = units_per_s or 0.0
        self._at = clock()
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def spend(self, units: float) -> None:
        """Take ``units``, waiting first if the bucket is short; one writer at a time
        (concurrent writers queue on the lock, so together they keep the rate)."""
        if self.units_per_s is None:
            return
        with self._lock:
            self._take(units, self.units_per_s)

    def _take(self, units: float, rate: float) -> None:
        now = self._clock()
        self._tokens = min(rate, self._tokens + (now - self._at) * rate)
        self._at = now
        self._tokens -= units
        if self._tokens < 0:
            wait = -self._tokens / rate
            self.waited_s += wait
            self._sleep(wait)
            self._tokens = 0.0
            self._at = self._clock()
