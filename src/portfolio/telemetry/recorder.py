"""Per-minute rollups of requests, kept in memory and written once each period closes.

The request path only takes a lock, finds its rollup and adds to a sketch. A
background thread ticks every ``flush_interval_s`` and writes what has closed
since: each minute's rollups and log counts once, after the minute; each hour's
rollups and the store's call statistics once, after the hour (the statistics are
read per hour only). Writing on every tick instead rewrote the open minute's and
hour's items twelve times a minute, which on DynamoDB is most of the table's bill.
On shutdown ``stop()`` writes everything, open periods included, so a SIGTERM
loses nothing that was recorded. With a :class:`~portfolio.telemetry.spool.Spool`
each request is also appended to a local file as it is counted, which a sibling or
the next worker folds into the store if this one is killed (SIGKILL, the OOM
killer). Without one (Lambda, tests) a crash loses the open minute and the open
hour's hourly rollups (the minute rollups of that hour are stored).

A write that fails keeps its batch for the next tick: the thread never dies on a
store error, the backlog is bounded (``max_backlog`` rollups, oldest dropped
first) and what could not be written is counted in :attr:`Recorder.losses`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from portfolio.errors import StoreError
from portfolio.store.protocols import Store
from portfolio.store.records import LogCount, ResourceSample, Rollup, StoreCallStat
from portfolio.telemetry.spool import Spool

log = logging.getLogger(__name__)

RollupKey = tuple[int, str, str, int, str]
StatKey = tuple[int, str]


@dataclass(slots=True)
class Losses:
    """What the recorder could not write: failed flushes and dropped rollups."""

    failed_writes: int = 0
    dropped_rollups: int = 0
    dropped_requests: int = 0
    failed_spools: int = 0


@dataclass(slots=True)
class _Backlog:
    """Closed periods waiting to be written (or rewritten after a failure)."""

    minutes: dict[RollupKey, Rollup] = field(default_factory=dict)
    hours: dict[RollupKey, Rollup] = field(default_factory=dict)
    log_counts: dict[tuple[int, str], int] = field(default_factory=dict)
    samples: list[ResourceSample] = field(default_factory=list)
    stats: dict[StatKey, StoreCallStat] = field(default_factory=dict)


class Recorder:
    """Accumulates one task's telemetry and writes each closed period to the store once."""

    def __init__(
        self,
        store: Store,
        *,
        task_id: str,
        flush_interval_s: float = 5.0,
        clock: Callable[[], float] = time.time,
        max_backlog: int = 50_000,
        spool: Spool | None = None,
        fold_interval_s: float = 10.0,
    ) -> None:
        self.store = store
        self.task_id = task_id
        self.flush_interval_s = flush_interval_s
        self.spool = spool
        self.fold_interval_s = fold_interval_s
        self.max_backlog = max_backlog
        self.losses = Losses()
        self.wrote_at = -1e9
        """When (monotonic) a write to the store last succeeded: readiness's write check."""
        self._clock = clock
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._rollups: dict[RollupKey, Rollup] = {}
        self._log_counts: dict[tuple[int, str], int] = {}
        self._samples: list[ResourceSample] = []
        # Open hours, fed by closed minutes (under _flush_lock only).
        self._hours: dict[RollupKey, Rollup] = {}
        self._stat_hours: dict[StatKey, StoreCallStat] = {}
        self._due = _Backlog()
        self._minute_written = 0
        """The minute whose start ``flush_closed_minutes`` last wrote up to."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the request path ----------------------------------------------------------

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
        if self.spool is not None:
            try:
                self.spool.record(
                    minute, endpoint, method, status, bytes_in, bytes_out, duration_ms
                )
            except OSError as err:  # a full disk: the store is the next chance
                self.losses.failed_spools += 1
                if self.losses.failed_spools == 1:
                    log.warning("telemetry: appending to the spool failed: %s", err)

    def record_log(self, level: str) -> None:
        minute = int(self._clock() // 60) * 60
        with self._lock:
            self._log_counts[(minute, level)] = self._log_counts.get((minute, level), 0) + 1

    def record_sample(self, sample: ResourceSample) -> None:
        with self._lock:
            self._samples.append(sample)

    # -- writing -------------------------------------------------------------------

    def tick(self) -> None:
        """Write the minutes and hours that have closed (and any backlog); the thread's job."""
        self._write(everything=False)

    def flush(self) -> None:
        """Write everything recorded so far, open minute and hour included (shutdown, tests)."""
        self._write(everything=True)

    def flush_closed_minutes(self) -> bool:
        """Write the minutes that have closed, with their hours so far; at most once a minute.

        A Lambda instance's cadence: it runs no thread and may be frozen after any
        invocation, so it writes at the first invocation of each new minute. The open
        minute stays in memory until then — the one minute an instance that is recycled
        without another invocation loses — and a probe's request costs no write of its own
        (the per-request flush cost ~4.5 WRU each; Route 53's 1.3M checks a month alone would
        have been ~$4). The hour rows are written as partial sums each minute (the store
        merges them), so no open hour waits in memory. Returns whether it wrote.
        """
        now_minute = int(self._clock() // 60) * 60
        with self._flush_lock:
            if now_minute <= self._minute_written:
                return False
            self._minute_written = now_minute
            self._close_minutes(now_minute)
            self._close_hours(None)
            self._send()
            return True

    def _write(self, *, everything: bool) -> None:
        with self._flush_lock:
            now_minute = int(self._clock() // 60) * 60
            cut = None if everything else now_minute  # periods before ``cut`` have closed
            self._close_minutes(cut)
            self._close_hours(None if everything else now_minute - now_minute % 3600)
            self._send()
            if self.spool is not None:
                self._forget_written(self.spool)

    def _forget_written(self, spool: Spool) -> None:
        """Delete the spool files of hours the store has in full (minutes and hour rows).

        Never the current hour's: its requests may still be counted, and their spool
        lines are kept until the hour is in the store.
        """
        with self._lock:
            keys = [*self._rollups]
        keys += [*self._hours, *self._due.minutes, *self._due.hours]
        current = int(self._clock() // 3600) * 3600
        try:
            spool.written({k[0] - k[0] % 3600 for k in keys} | {current})
        except OSError as err:
            log.warning("telemetry: removing written spool files failed: %s", err)

    def _close_minutes(self, cut: int | None) -> None:
        """Move closed minutes to the backlog and into their open hours."""
        with self._lock:
            closed = {k: r for k, r in self._rollups.items() if cut is None or k[0] < cut}
            for k in closed:
                del self._rollups[k]
            logs = {k: n for k, n in self._log_counts.items() if cut is None or k[0] < cut}
            for lk in logs:
                del self._log_counts[lk]
            samples, self._samples = self._samples, []
        due = self._due
        for k, rollup in closed.items():
            hour = rollup.minute - rollup.minute % 3600
            hour_key = (hour, *k[1:])
            hourly = self._hours.get(hour_key)
            if hourly is None:
                hourly = self._hours[hour_key] = Rollup(*hour_key)
            hourly.merge(rollup)
            _merge_into(due.minutes, k, rollup)
        for lk, n in logs.items():
            due.log_counts[lk] = due.log_counts.get(lk, 0) + n
        due.samples += samples
        for stat in self.store.call_stats.drain(self.task_id):
            hour = stat.minute - stat.minute % 3600
            sk = (hour, stat.operation)
            previous = self._stat_hours.get(sk)
            self._stat_hours[sk] = (
                replace(stat, minute=hour) if previous is None else previous.plus(stat)
            )

    def _close_hours(self, cut: int | None) -> None:
        due = self._due
        for k in [k for k in self._hours if cut is None or k[0] < cut]:
            _merge_into(due.hours, k, self._hours.pop(k))
        for sk in [sk for sk in self._stat_hours if cut is None or sk[0] < cut]:
            stat = self._stat_hours.pop(sk)
            previous = due.stats.get(sk)
            due.stats[sk] = stat if previous is None else previous.plus(stat)

    def _send(self) -> None:
        """Write the backlog, each kind on its own so one failure does not hold the rest."""
        due = self._due
        writes: list[tuple[str, Callable[[], None], Callable[[], None]]] = [
            (
                "minute rollups",
                lambda: self.store.write_rollups(list(due.minutes.values()), resolution="minute"),
                due.minutes.clear,
            ),
            (
                "hour rollups",
                lambda: self.store.write_rollups(list(due.hours.values()), resolution="hour"),
                due.hours.clear,
            ),
            (
                "log counts",
                lambda: self.store.write_log_counts(
                    [LogCount(m, self.task_id, lvl, n) for (m, lvl), n in due.log_counts.items()]
                ),
                due.log_counts.clear,
            ),
            (
                "resource samples",
                lambda: self.store.write_resource_samples(due.samples),
                due.samples.clear,
            ),
            (
                "store statistics",
                lambda: self.store.write_store_stats(list(due.stats.values())),
                due.stats.clear,
            ),
        ]
        pending = (due.minutes, due.hours, due.log_counts, due.samples, due.stats)
        for (what, write, done), items in zip(writes, pending, strict=True):
            if not items:
                continue
            try:
                write()
            except StoreError as err:
                self.losses.failed_writes += 1
                log.warning("telemetry: writing %s failed, will retry: %s", what, err)
                continue
            done()
            self.wrote_at = time.monotonic()
        self._bound_backlog()

    def _bound_backlog(self) -> None:
        """Drop the oldest rollups beyond ``max_backlog``: memory stays bounded in a long outage."""
        due = self._due
        excess = len(due.minutes) + len(due.hours) - self.max_backlog
        if excess <= 0:
            return
        oldest = sorted(due.minutes, key=lambda k: k[0])[:excess]
        for k in oldest:
            self.losses.dropped_rollups += 1
            self.losses.dropped_requests += due.minutes.pop(k).count
        log.error(
            "telemetry: the store has refused writes for long; dropped %d minute rollups"
            " (%d requests in all so far)",
            len(oldest),
            self.losses.dropped_requests,
        )

    # -- the thread ----------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        if self.spool is not None:
            self.spool.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="telemetry-flush", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._fold()  # a worker killed before this one started left its spool behind
        last_fold = time.monotonic()
        while not self._stop.wait(self.flush_interval_s):
            try:
                self.tick()
            except Exception:  # a bug must not end telemetry for the worker's life
                self.losses.failed_writes += 1
                log.exception("telemetry: tick failed; the backlog is kept for the next one")
            if time.monotonic() - last_fold >= self.fold_interval_s:
                last_fold = time.monotonic()
                self._fold()  # a sibling killed meanwhile, whose replacement is slow

    def _fold(self) -> None:
        if self.spool is None:
            return
        try:
            self.spool.fold_orphans(self.store)
        except (StoreError, OSError) as err:
            log.warning("telemetry: folding a dead worker's spool failed, will retry: %s", err)

    def stop(self) -> None:
        """Stop the background thread and write what is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.flush_interval_s + 5)
            self._thread = None
        self.flush()
        if self.spool is not None:
            due = self._due
            self.spool.close(everything_written=not (due.minutes or due.hours or self._hours))


def _merge_into(target: dict[RollupKey, Rollup], key: RollupKey, rollup: Rollup) -> None:
    current = target.get(key)
    if current is None:
        target[key] = rollup
    else:
        current.merge(rollup)
