"""Per-minute rollups of requests, kept in memory and written to the store in batches.

The request path only takes a lock, finds its rollup and adds to a sketch; a
background thread writes what has accumulated every ``flush_interval_s``. On
shutdown ``stop()`` writes the rest, so a SIGTERM loses nothing that was
recorded. A failed write keeps the batch and retries at the next flush.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from portfolio.errors import StoreError
from portfolio.store.protocols import Store
from portfolio.store.records import LogCount, ResourceSample, Rollup

log = logging.getLogger(__name__)

RollupKey = tuple[int, str, str, int, str]


class Recorder:
    """Accumulates one task's telemetry and flushes it to the store."""

    def __init__(
        self,
        store: Store,
        *,
        task_id: str,
        flush_interval_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.task_id = task_id
        self.flush_interval_s = flush_interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._rollups: dict[RollupKey, Rollup] = {}
        self._log_counts: dict[tuple[int, str], int] = {}
        self._samples: list[ResourceSample] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record_request(
        self,
        *,
        endpoint: str,
        method: str,
        status: int,
        duration_ms: float,
        bytes_in: int,
        bytes_out: int,
    ) -> None:
        now = self._clock()
        minute = int(now // 60) * 60
        key = (minute, endpoint, method, status, self.task_id)
        with self._lock:
            rollup = self._rollups.get(key)
            if rollup is None:
                rollup = self._rollups[key] = Rollup(minute, endpoint, method, status, self.task_id)
            rollup.count += 1
            rollup.bytes_in += bytes_in
            rollup.bytes_out += bytes_out
            rollup.sketch.add(duration_ms)

    def record_log(self, level: str) -> None:
        minute = int(self._clock() // 60) * 60
        with self._lock:
            self._log_counts[(minute, level)] = self._log_counts.get((minute, level), 0) + 1

    def record_sample(self, sample: ResourceSample) -> None:
        with self._lock:
            self._samples.append(sample)

    def flush(self) -> None:
        """Write everything accumulated so far; on failure keep it for the next flush."""
        with self._flush_lock:
            with self._lock:
                rollups, self._rollups = self._rollups, {}
                log_counts, self._log_counts = self._log_counts, {}
                samples, self._samples = self._samples, []
            store_stats = self.store.call_stats.drain(self.task_id)
            try:
                if rollups:
                    self.store.write_rollups(list(rollups.values()))
                    rollups = {}
                if log_counts:
                    self.store.write_log_counts(
                        [LogCount(m, self.task_id, lvl, n) for (m, lvl), n in log_counts.items()]
                    )
                    log_counts = {}
                if samples:
                    self.store.write_resource_samples(samples)
                    samples = []
                if store_stats:
                    self.store.write_store_stats(store_stats)
            except StoreError as err:
                log.warning("telemetry flush failed, will retry: %s", err)
                self._put_back(rollups, log_counts, samples)

    def _put_back(
        self,
        rollups: dict[RollupKey, Rollup],
        log_counts: dict[tuple[int, str], int],
        samples: list[ResourceSample],
    ) -> None:
        with self._lock:
            for key, rollup in rollups.items():
                current = self._rollups.get(key)
                if current is None:
                    self._rollups[key] = rollup
                else:
                    current.merge(rollup)
            for log_key, n in log_counts.items():
                self._log_counts[log_key] = self._log_counts.get(log_key, 0) + n
            self._samples[:0] = samples

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="telemetry-flush", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_interval_s):
            self.flush()

    def stop(self) -> None:
        """Stop the background thread and write what is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.flush_interval_s + 5)
            self._thread = None
        self.flush()
