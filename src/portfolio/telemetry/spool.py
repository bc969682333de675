"""Every request a worker counts, on local disk at once, folded in after a crash.

The recorder writes a minute's rollups to the store once the minute has closed
(writing every second would multiply the store's bill by sixty). Until then they
live in the worker's memory, and a worker killed by SIGKILL or the OOM killer took
them with it: 31 % of the answered requests went uncounted in issue 27's crash test.

So the recorder also appends each request to this spool as it counts it: one
short line, one ``write`` call to a file per (worker, hour) opened with O_APPEND.
The line is in the page cache when the call returns, which a killed process
cannot take back (a host that loses power can; the store's own writes cover that
once the minute closes). A live worker holds an exclusive ``flock`` on its lock
file; a worker that starts, and every worker now and then, takes the lock of any
worker that is gone and folds its spool into the store.

Folding never counts a request twice: the recorder writes each (minute, endpoint,
method, status, task) row of the store once, in one atomic write, so a row of the
dead task that the store already has was written, and only the rows it lacks are
added; the same for hourly rows. A fold that is itself killed is simply redone.
A worker deletes its files once their hour is in the store, and all of them on a
clean stop.

What a spool cannot keep: a host that loses its disk with the process (a Fargate
task replaced whole) — the spool is per host, like the worker processes it serves.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson

from portfolio.config import Settings
from portfolio.store.protocols import Resolution, Store
from portfolio.store.records import Rollup, hourly

log = logging.getLogger(__name__)

RollupKey = tuple[int, str, str, int, str]
LOCK_SUFFIX = ".lock"
SEGMENT_SUFFIX = ".spool"


def default_spool_dir(settings: Settings) -> Path:
    """One folder per store: beside the SQLite file, or per DynamoDB endpoint and tables.

    Workers of one store must share it (a sibling folds a dead worker's spool), and
    servers of different stores must not (a spool belongs in its own store).
    """
    store = settings.store
    if store.backend == "sqlite":
        path = store.sqlite_path.resolve()
        return path.with_name(path.name + ".spool")
    identity = "|".join(
        (store.dynamodb_endpoint_url or "aws", store.region, store.users_table, store.metrics_table)
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "portfolio-spool" / digest


def _safe(task_id: str) -> str:
    """A task id as a file name: it names a host and a process, nothing else."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in task_id)[:120]


def read_segment(path: Path, task_id: str) -> dict[RollupKey, Rollup]:
    """The requests of one spool file as rollups; a torn line (a cut write) is skipped."""
    out: dict[RollupKey, Rollup] = {}
    for number, raw in enumerate(path.read_bytes().splitlines(), 1):
        try:
            minute, endpoint, method, status, b_in, b_out, duration_ms = orjson.loads(raw)
            key = (int(minute), str(endpoint), str(method), int(status), task_id)
            rollup = out.get(key)
            if rollup is None:
                rollup = out[key] = Rollup(*key)
            rollup.count += 1
            rollup.bytes_in += int(b_in)
            rollup.bytes_out += int(b_out)
            rollup.sketch.add(float(duration_ms))
        except (orjson.JSONDecodeError, ValueError, TypeError) as err:
            log.warning("telemetry spool: %s line %d unreadable, skipped: %s", path, number, err)
    return out


@dataclass
class FoldResult:
    tasks: int = 0
    minute_rows: int = 0
    hour_rows: int = 0
    requests: int = 0


class Spool:
    """One worker's spool files in ``directory``, and the folding of dead workers' files."""

    def __init__(self, directory: Path, task_id: str) -> None:
        self.directory = directory
        self.task_id = task_id
        self.name = _safe(task_id)
        self._lock_fd: int | None = None
        self._segments: dict[int, int] = {}  # hour -> open file descriptor
        self._files = threading.Lock()  # requests write while the recorder's thread deletes

    def open(self) -> None:
        """Create the directory and hold this worker's lock for its lifetime."""
        self.directory.mkdir(parents=True, exist_ok=True)
        # Locked under a temporary name, then renamed: a folder never sees this
        # worker's lock file unlocked and takes it for a dead worker's.
        temporary = self.directory / f".{self.name}.{os.getpid()}.tmp"
        fd = os.open(temporary, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, self.task_id.encode())
        os.replace(temporary, self.directory / (self.name + LOCK_SUFFIX))
        self._lock_fd = fd

    def record(
        self,
        minute: int,
        endpoint: str,
        method: str,
        status: int,
        bytes_in: int,
        bytes_out: int,
        duration_ms: float,
    ) -> None:
        """Append one counted request: one ``write`` of one line."""
        line = orjson.dumps(
            [minute, endpoint, method, status, bytes_in, bytes_out, round(duration_ms, 3)]
        )
        hour = minute - minute % 3600
        with self._files:
            fd = self._segments.get(hour)
            if fd is None:
                fd = os.open(
                    self._segment_path(hour), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
                )
                self._segments[hour] = fd
            os.write(fd, line + b"\n")

    def written(self, hours_kept: set[int]) -> None:
        """Delete the files of hours that are in the store (all but ``hours_kept``)."""
        with self._files:
            for hour in [h for h in self._segments if h not in hours_kept]:
                os.close(self._segments.pop(hour))
                self._segment_path(hour).unlink(missing_ok=True)

    def close(self, *, everything_written: bool) -> None:
        """Close the files; delete them and the lock when the store has everything."""
        with self._files:
            for fd in self._segments.values():
                os.close(fd)
            if everything_written:
                for hour in self._segments:
                    self._segment_path(hour).unlink(missing_ok=True)
            self._segments.clear()
        if self._lock_fd is not None:
            if everything_written:
                (self.directory / (self.name + LOCK_SUFFIX)).unlink(missing_ok=True)
            os.close(self._lock_fd)  # releases the lock: a sibling may fold what is left
            self._lock_fd = None

    def _segment_path(self, hour: int, name: str | None = None) -> Path:
        return self.directory / f"{name or self.name}.{hour}{SEGMENT_SUFFIX}"

    # -- folding dead workers' spools ----------------------------------------------

    def fold_orphans(self, store: Store) -> FoldResult:
        """Fold the spool of every worker whose lock is free (it is gone) into ``store``."""
        result = FoldResult()
        if not self.directory.is_dir():
            return result
        for lock_path in sorted(self.directory.glob("*" + LOCK_SUFFIX)):
            if lock_path.name == self.name + LOCK_SUFFIX:
                continue
            try:
                fd = os.open(lock_path, os.O_RDWR)
            except FileNotFoundError:
                continue  # another worker folded it just now
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # alive
                if not lock_path.exists():
                    continue  # folded and removed while we waited for the lock
                task_id = os.pread(fd, 1024, 0).decode(errors="replace")
                name = lock_path.name.removesuffix(LOCK_SUFFIX)
                self._fold_one(store, name, task_id, result)
                lock_path.unlink(missing_ok=True)
            finally:
                os.close(fd)
        return result

    def _fold_one(self, store: Store, name: str, task_id: str, result: FoldResult) -> None:
        segments = sorted(self.directory.glob(f"{name}.*{SEGMENT_SUFFIX}"))
        minutes: dict[RollupKey, Rollup] = {}
        for path in segments:
            for key, rollup in read_segment(path, task_id).items():
                if key in minutes:
                    minutes[key].merge(rollup)
                else:
                    minutes[key] = rollup
        if minutes:
            missing_minutes = _missing(store, minutes, "minute")
            hours = hourly(list(minutes.values()))
            missing_hours = _missing(store, {h.key: h for h in hours}, "hour")
            store.write_rollups(missing_minutes, resolution="minute")
            store.write_rollups(missing_hours, resolution="hour")
            requests = sum(r.count for r in missing_minutes)
            result.tasks += 1
            result.minute_rows += len(missing_minutes)
            result.hour_rows += len(missing_hours)
            result.requests += requests
            log.warning(
                "telemetry: folded the spool of %s, a worker that stopped without writing it:"
                " %d requests in %d minute rows and %d hour rows were missing from the store",
                task_id, requests, len(missing_minutes), len(missing_hours),
            )  # fmt: skip
        for path in segments:
            path.unlink(missing_ok=True)


def _missing(store: Store, rows: dict[RollupKey, Rollup], resolution: Resolution) -> list[Rollup]:
    """The rows the store does not have yet (the dead worker never wrote them)."""
    if not rows:
        return []
    low = min(k[0] for k in rows)
    high = max(k[0] for k in rows) + (3600 if resolution == "hour" else 60)
    task = next(iter(rows))[4]
    present = {
        r.key for r in store.read_rollups(low, high, resolution=resolution) if r.task == task
    }
    return [r for k, r in rows.items() if k not in present]
