"""The embedded store: every repository on one SQLite file.

WAL journal so readers never wait for the writer; ``synchronous=FULL`` so a write
is on disk before it is acknowledged; ``BEGIN IMMEDIATE`` for every write so two
processes (the server's workers) serialise on the write lock instead of failing
late; a busy timeout so they wait for it. One connection per thread, because
FastAPI runs sync handlers on a thread pool and sqlite3 connections are not
shared across threads.
"""

from __future__ import annotations

import inspect
import itertools
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import orjson

from portfolio.errors import (
    DuplicateEmailError,
    InputError,
    NotFoundError,
    StoreUnavailableError,
    VersionMismatchError,
)
from portfolio.sketch import LatencySketch
from portfolio.store.callstats import CallStats
from portfolio.store.emails import email_key, email_skeleton
from portfolio.store.ids import decode_cursor, encode_cursor, new_id
from portfolio.store.migrations import STORE_STATS_BY_HOUR, migrate, refresh_derived
from portfolio.store.protocols import Resolution
from portfolio.store.records import (
    PROBE_API,
    USER_FIELDS,
    LogCount,
    MinuteTotals,
    NewUser,
    ProbeCounts,
    ProbeResult,
    ResourceSample,
    ResourceSummary,
    Role,
    Rollup,
    StoreCallStat,
    User,
    UserChanges,
    UsersPage,
    hourly,
)
from portfolio.store.sqlite_errors import mapping_errors, store_error
from portfolio.store.sqlite_opslog import SQLiteOpsLog
from portfolio.store.sqlite_time import from_ts, to_ts
from portfolio.store.sqlite_transfer import SQLiteTransfer

T = TypeVar("T")
P = ParamSpec("P")


_ROLLUP_TABLES: dict[Resolution, str] = {"minute": "rollups", "hour": "rollups_hourly"}


class SQLiteStore(SQLiteOpsLog, SQLiteTransfer):
    """Store on a SQLite file (``:memory:`` is refused: workers must share the data).

    Export and import (listing by kind, putting records back) live in sqlite_transfer.
    """

    backend = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreUnavailableError(
                f"cannot create the folder of {self.path}: {err.strerror or err}"
            ) from err
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self.call_stats = CallStats(self.backend)
        self._commits = 0
        self._serials = itertools.count()
        with self._write() as conn:
            migrate(conn)
            refresh_derived(conn)

    # -- connections -------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, timeout=30.0, isolation_level=None, check_same_thread=False
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
            except sqlite3.Error as err:
                raise StoreUnavailableError(f"cannot open {self.path}: {err}") from err
            self._local.conn = conn
            self._local.serial = next(self._serials)
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise StoreUnavailableError(f"store is busy or unreadable: {err}") from err
        try:
            yield conn
            conn.execute("COMMIT")
            self._commits += 1
        except BaseException:
            if conn.in_transaction:
                # SQLite may have rolled back already (a full disk); the original error counts.
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def _timed(self, operation: str, call: Callable[[], T]) -> T:
        with self.call_stats.timed(operation):
            return call()

    def ping(self) -> None:
        try:
            self._conn().execute("SELECT 1").fetchone()
        except sqlite3.Error as err:
            raise StoreUnavailableError(f"sqlite: {err}") from err

    def change_token(self) -> Hashable:
        """This thread's connection (its serial), its ``data_version``, and this store's commits.

        ``PRAGMA data_version`` changes when another connection (another thread or
        process) commits, not for the connection's own commits: those are counted here.
        The values of two connections are unrelated, so the connection is part of the token.
        """
        conn = self._conn()
        try:
            (version,) = conn.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error as err:
            raise store_error(err) from err
        return (self._local.serial, version, self._commits)

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- users -------------------------------------------------------------

    @staticmethod
    def _user(row: sqlite3.Row | tuple[Any, ...]) -> User:
        (uid, name, email, role, title, bio, links, created, updated, version) = row
        return User(
            id=uid,
            name=name,
            email=email,
            role=Role(role),
            title=title,
            bio=bio,
            links=tuple(orjson.loads(links)),
            created_at=from_ts(created),
            updated_at=from_ts(updated),
            version=version,
        )

    _USER_COLUMNS = "id, name, email, role, title, bio, links, created_at, updated_at, version"

    def create_user(self, new: NewUser) -> User:
        def run() -> User:
            now = datetime.now(UTC).timestamp()
            row = (
                new_id(),
                new.name,
                new.email,
                new.role.value,
                new.title,
                new.bio,
                orjson.dumps(list(new.links)).decode(),
                now,
                now,
                1,
            )
            try:
                with self._write() as conn:
                    conn.execute(
                        f"INSERT INTO users ({self._USER_COLUMNS}, email_key, email_skeleton)"  # noqa: S608
                        " VALUES (?,?,?,?,?,?,?,?,?,?, ?,?)",
                        (*row, email_key(new.email), email_skeleton(new.email)),
                    )
            except sqlite3.IntegrityError as err:
                raise DuplicateEmailError(f"a user with email {new.email} exists") from err
            return self._user(row)

        return self._timed("create_user", run)

    def get_user(self, user_id: str) -> User:
        def run() -> User:
            row = (
                self._conn()
                .execute(
                    f"SELECT {self._USER_COLUMNS} FROM users WHERE id = ?",  # noqa: S608
                    (user_id,),
                )
                .fetchone()
            )
            if row is None:
                raise NotFoundError(f"user {user_id} not found")
            return self._user(row)

        return self._timed("get_user", run)

    def list_users(self, *, limit: int, cursor: str | None = None) -> UsersPage:
        def run() -> UsersPage:
            after = ""
            if cursor is not None:
                position = decode_cursor(cursor)
                value = position.get("after")
                if not isinstance(value, str):
                    raise InputError("cursor is not one this API returned")
                after = value
            rows = (
                self._conn()
                .execute(
                    f"SELECT {self._USER_COLUMNS} FROM users WHERE id > ?"  # noqa: S608
                    " ORDER BY id LIMIT ?",
                    (after, limit + 1),
                )
                .fetchall()
            )
            items = [self._user(r) for r in rows[:limit]]
            more = len(rows) > limit
            next_cursor = encode_cursor({"after": items[-1].id}) if more and items else None
            return UsersPage(items=items, next_cursor=next_cursor)

        return self._timed("list_users", run)

    def update_user(self, user_id: str, changes: UserChanges, *, expected_version: int) -> User:
        unknown = set(changes) - set(USER_FIELDS)
        if unknown:
            raise InputError(f"unknown user fields: {', '.join(sorted(unknown))}")

        def run() -> User:
            assignments = []
            values: list[object] = []
            for name, value in changes.items():
                if name == "links":
                    value = orjson.dumps(list(value)).decode()  # type: ignore[call-overload]
                elif name == "role":
                    value = Role(str(value)).value
                assignments.append(f"{name} = ?")
                values.append(value)
                if name == "email":
                    assignments += ["email_key = ?", "email_skeleton = ?"]
                    values += [email_key(str(value)), email_skeleton(str(value))]
            assignments += ["updated_at = ?", "version = version + 1"]
            values += [datetime.now(UTC).timestamp(), user_id, expected_version]
            try:
                with self._write() as conn:
                    cursor = conn.execute(
                        f"UPDATE users SET {', '.join(assignments)}"  # noqa: S608
                        " WHERE id = ? AND version = ?",
                        values,
                    )
                    if cursor.rowcount == 0:
                        self._raise_missing_or_stale(conn, user_id, expected_version)
                    row = conn.execute(
                        f"SELECT {self._USER_COLUMNS} FROM users WHERE id = ?",  # noqa: S608
                        (user_id,),
                    ).fetchone()
            except sqlite3.IntegrityError as err:
                raise DuplicateEmailError(
                    f"a user with email {changes.get('email')} exists"
                ) from err
            return self._user(row)

        return self._timed("update_user", run)

    def delete_user(self, user_id: str, *, expected_version: int) -> None:
        def run() -> None:
            with self._write() as conn:
                cursor = conn.execute(
                    "DELETE FROM users WHERE id = ? AND version = ?", (user_id, expected_version)
                )
                if cursor.rowcount == 0:
                    self._raise_missing_or_stale(conn, user_id, expected_version)

        self._timed("delete_user", run)

    @staticmethod
    def _raise_missing_or_stale(conn: sqlite3.Connection, user_id: str, expected: int) -> None:
        row = conn.execute("SELECT version FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"user {user_id} not found")
        raise VersionMismatchError(
            f"user {user_id} is at version {row[0]}, not {expected}", current_version=row[0]
        )

    # -- telemetry ---------------------------------------------------------

    def write_rollups(
        self, rollups: Sequence[Rollup], *, resolution: Resolution | None = None
    ) -> None:
        if not rollups:
            return
        if resolution == "hour" and any(r.minute % 3600 for r in rollups):
            raise InputError("an hourly rollup starts on the hour")
        with self._write() as conn:
            if resolution != "hour":
                self._merge_rollups(conn, "rollups", rollups)  # minute_totals: by trigger
            if resolution != "minute":
                hours = hourly(rollups) if resolution is None else rollups
                self._merge_rollups(conn, "rollups_hourly", hours)

    @staticmethod
    def _merge_rollups(conn: sqlite3.Connection, table: str, rollups: Sequence[Rollup]) -> None:
        """Add ``rollups`` to the rows with the same key: one range read, one bulk write.

        Reading the batch's whole minute range at once (instead of one SELECT per
        row) keeps a live flush cheap and lets the simulator load a month quickly.
        """
        low = min(r.minute for r in rollups)
        high = max(r.minute for r in rollups)
        existing = {
            tuple(row[:5]): row[5:]
            for row in conn.execute(
                "SELECT minute, endpoint, method, status, task, count, bytes_in, bytes_out,"  # noqa: S608
                f" sketch FROM {table} WHERE minute >= ? AND minute <= ?",
                (low, high),
            )
        }
        merged = []
        for r in rollups:
            stored = existing.get(r.key)
            row = r
            if stored is not None:
                row = Rollup(*r.key, count=stored[0], bytes_in=stored[1], bytes_out=stored[2])
                row.sketch = LatencySketch.from_bytes(stored[3])
                row.merge(r)
            merged.append(row)
        blobs = LatencySketch.many_to_bytes([r.sketch for r in merged])  # encoded in bulk
        rows = [
            (r.minute, r.endpoint, r.method, r.status, r.task, r.count, r.bytes_in, r.bytes_out,
             r.sketch.sum, blob)
            for r, blob in zip(merged, blobs, strict=True)
        ]  # fmt: skip
        conn.executemany(
            f"INSERT OR REPLACE INTO {table} (minute, endpoint, method, status, task, count,"  # noqa: S608
            " bytes_in, bytes_out, duration_sum_ms, sketch) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )

    def read_rollups(
        self,
        start: int,
        end: int,
        *,
        endpoint: str | None = None,
        resolution: Resolution = "minute",
    ) -> Iterable[Rollup]:
        table = _ROLLUP_TABLES[resolution]
        sql = (
            f"SELECT minute, endpoint, method, status, task, count, bytes_in, bytes_out, sketch"  # noqa: S608
            f" FROM {table} WHERE minute >= ? AND minute < ?"
        )
        params: list[object] = [start, end]
        if endpoint is not None:
            sql += " AND endpoint = ?"
            params.append(endpoint)
        rows = self._conn().execute(sql + " ORDER BY minute", params).fetchall()
        sketches = LatencySketch.many_from_bytes([row[8] for row in rows])  # decoded in bulk
        # Positional arguments: a month is ~17k hourly rows, and keywords cost a third more.
        return [
            Rollup(m, e, meth, s, t, c, bi, bo, sketch)
            for (m, e, meth, s, t, c, bi, bo, _), sketch in zip(rows, sketches, strict=True)
        ]

    def read_minute_totals(self, start: int, end: int) -> list[MinuteTotals]:
        rows = (
            self._conn()
            .execute(
                "SELECT minute, count, errors_5xx, latency_sum_ms, denied FROM minute_totals"
                " WHERE minute >= ? AND minute < ? ORDER BY minute",
                (start, end),
            )
            .fetchall()
        )
        return [MinuteTotals(*row) for row in rows]

    def write_resource_samples(self, samples: Sequence[ResourceSample]) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO resource_samples"
                " (minute, task, cpu_pct, mem_bytes, mem_pct) VALUES (?,?,?,?,?)",
                [(s.minute, s.task, s.cpu_pct, s.mem_bytes, s.mem_pct) for s in samples],
            )

    def read_resource_samples(self, start: int, end: int) -> Iterable[ResourceSample]:
        rows = (
            self._conn()
            .execute(
                "SELECT minute, task, cpu_pct, mem_bytes, mem_pct FROM resource_samples"
                " WHERE minute >= ? AND minute < ? ORDER BY minute",
                (start, end),
            )
            .fetchall()
        )
        return [ResourceSample(*row) for row in rows]

    def write_probe_results(self, results: Sequence[ProbeResult]) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO probe_results (at, ok, latency_ms, status, detail, target)"
                " VALUES (?,?,?,?,?,?)",
                [
                    (to_ts(r.at), int(r.ok), r.latency_ms, r.status, r.detail, r.target)
                    for r in results
                ],
            )

    def read_probe_results(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> Iterable[ProbeResult]:
        rows = (
            self._conn()
            .execute(
                "SELECT at, ok, latency_ms, status, detail FROM probe_results"
                " WHERE at >= ? AND at < ? AND target = ? ORDER BY at",
                (to_ts(start), to_ts(end), target),
            )
            .fetchall()
        )
        # Positional arguments and no helper call per row: a month is ~45k probes.
        return [
            ProbeResult(datetime.fromtimestamp(at, UTC), ok != 0, lat, st, d, target)
            for (at, ok, lat, st, d) in rows
        ]

    def read_probe_counts(
        self, start: datetime, end: datetime, *, target: str = PROBE_API
    ) -> ProbeCounts:
        conn = self._conn()
        probes, ok = conn.execute(
            "SELECT count(*), coalesce(sum(ok), 0) FROM probe_results"
            " WHERE at >= ? AND at < ? AND target = ?",
            (to_ts(start), to_ts(end), target),
        ).fetchone()
        return ProbeCounts(probes=probes, ok=ok)

    def read_resource_summary(self, start: int, end: int) -> ResourceSummary:
        conn = self._conn()
        n, cpu_avg, cpu_max, mem_avg, mem_max, bytes_avg, last = conn.execute(
            "SELECT count(*), avg(cpu_pct), max(cpu_pct), avg(mem_pct), max(mem_pct),"
            " avg(mem_bytes), max(minute) FROM resource_samples WHERE minute >= ? AND minute < ?",
            (start, end),
        ).fetchone()
        # (minute, task) is the key, so rows per minute are the workers that reported.
        by_tasks = conn.execute(
            "SELECT tasks, count(*) FROM (SELECT count(*) AS tasks FROM resource_samples"
            " WHERE minute >= ? AND minute < ? GROUP BY minute) GROUP BY tasks",
            (start, end),
        ).fetchall()
        last_tasks = 0
        if last is not None:
            (last_tasks,) = conn.execute(
                "SELECT count(*) FROM resource_samples WHERE minute = ?", (last,)
            ).fetchone()
        return ResourceSummary(
            samples=n,
            cpu_avg_pct=cpu_avg,
            cpu_max_pct=cpu_max,
            mem_avg_pct=mem_avg,
            mem_max_pct=mem_max,
            mem_avg_bytes=bytes_avg,
            minutes_by_tasks=dict(by_tasks),
            last_minute=last,
            last_minute_tasks=last_tasks,
        )

    def write_log_counts(self, counts: Sequence[LogCount]) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO log_counts (minute, task, level, count) VALUES (?,?,?,?)"
                " ON CONFLICT (minute, task, level) DO UPDATE SET count = count + excluded.count",
                [(c.minute, c.task, c.level, c.count) for c in counts],
            )

    def read_log_counts(self, start: int, end: int) -> Iterable[LogCount]:
        rows = (
            self._conn()
            .execute(
                "SELECT minute, task, level, count FROM log_counts"
                " WHERE minute >= ? AND minute < ? ORDER BY minute",
                (start, end),
            )
            .fetchall()
        )
        return [LogCount(*row) for row in rows]

    def write_store_stats(self, stats: Sequence[StoreCallStat]) -> None:
        if not stats:
            return
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO store_stats (minute, task, backend, operation, count, errors,"
                " throttles, latency_sum_ms, latency_max_ms, capacity_units)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (minute, task, backend, operation) DO UPDATE SET"
                " count = count + excluded.count, errors = errors + excluded.errors,"
                " throttles = throttles + excluded.throttles,"
                " latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,"
                " latency_max_ms = max(latency_max_ms, excluded.latency_max_ms),"
                " capacity_units = capacity_units + excluded.capacity_units",
                [
                    (
                        s.minute,
                        s.task,
                        s.backend,
                        s.operation,
                        s.count,
                        s.errors,
                        s.throttles,
                        s.latency_sum_ms,
                        s.latency_max_ms,
                        s.capacity_units,
                    )
                    for s in stats
                ],
            )  # store_stats_hourly follows by trigger (store/migrations.py)

    def read_store_stats(self, start: int, end: int) -> Iterable[StoreCallStat]:
        if start % 3600 == 0 and end % 3600 == 0:  # whole hours: the sums kept per hour
            sql = (
                "SELECT minute, task, backend, operation, count, errors, throttles,"
                " latency_sum_ms, latency_max_ms, capacity_units FROM store_stats_hourly"
                " WHERE minute >= ? AND minute < ?"
            )
        else:
            sql = STORE_STATS_BY_HOUR
        rows = self._conn().execute(sql + " ORDER BY 1", (start, end)).fetchall()
        return [StoreCallStat(*row) for row in rows]


# Every public method, reads included: a SQLite error (a full disk, an I/O error, a lock
# held too long) leaves the store only as a StoreError, which the API answers with 503
# and the CLI with exit 2. Errors a method maps itself (IntegrityError -> 409) come first.
# The operations log's methods (SQLiteOpsLog) are wrapped here too, as SQLiteStore's.
for _name, _member in [*vars(SQLiteOpsLog).items(), *vars(SQLiteStore).items()]:
    if not _name.startswith("_") and inspect.isfunction(_member):
        setattr(SQLiteStore, _name, mapping_errors(_member))


__all__ = ["SQLiteStore", "new_id"]
