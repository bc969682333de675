"""The embedded store: every repository on one SQLite file.

WAL journal so readers never wait for the writer; ``synchronous=FULL`` so a write
is on disk before it is acknowledged; ``BEGIN IMMEDIATE`` for every write so two
processes (the server's workers) serialise on the write lock instead of failing
late; a busy timeout so they wait for it. One connection per thread, because
FastAPI runs sync handlers on a thread pool and sqlite3 connections are not
shared across threads.
"""

from __future__ import annotations

import functools
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
    ConflictError,
    DuplicateEmailError,
    InputError,
    NotFoundError,
    StoreError,
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
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    LogCount,
    MaintenanceWindow,
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
    WorkItem,
    hourly,
)
from portfolio.store.sqlite_transfer import SQLiteTransfer

T = TypeVar("T")
P = ParamSpec("P")


_ROLLUP_TABLES: dict[Resolution, str] = {"minute": "rollups", "hour": "rollups_hourly"}


def _ts(value: datetime) -> float:
    if value.tzinfo is None:
        raise InputError("times must carry a time zone")
    return value.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _dt_required(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


_UNAVAILABLE_CODES = frozenset(
    getattr(sqlite3, name)
    for name in ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN")
    if hasattr(sqlite3, name)
)
"""Primary result codes of failures that pass: a busy lock, a full disk, an I/O error."""
_REASONS = {
    getattr(sqlite3, name, -1): reason
    for name, reason in (
        ("SQLITE_FULL", "disk-full"),
        ("SQLITE_IOERR", "store-unreachable"),
        ("SQLITE_CANTOPEN", "store-unreachable"),
    )
}
"""The one word readiness says for a code; a lock (BUSY, LOCKED) is ``store-busy``."""


def _store_error(err: sqlite3.Error) -> StoreError:
    """The store error for a SQLite failure: retryable ones are StoreUnavailableError (503)."""
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _UNAVAILABLE_CODES or isinstance(err, sqlite3.OperationalError):
        return StoreUnavailableError(f"sqlite: {err}", reason=_REASONS.get(primary, "store-busy"))
    return StoreError(f"sqlite: {err}")


class SQLiteStore(SQLiteTransfer):
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
            raise _store_error(err) from err
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
            created_at=_dt_required(created),
            updated_at=_dt_required(updated),
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
        rows = []
        for r in rollups:
            stored = existing.get(r.key)
            merged = r
            if stored is not None:
                merged = Rollup(*r.key, count=stored[0], bytes_in=stored[1], bytes_out=stored[2])
                merged.sketch = LatencySketch.from_bytes(stored[3])
                merged.merge(r)
            rows.append(
                (
                    *merged.key,
                    merged.count,
                    merged.bytes_in,
                    merged.bytes_out,
                    merged.sketch.sum,
                    merged.sketch.to_bytes(),
                )
            )
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
                    (_ts(r.at), int(r.ok), r.latency_ms, r.status, r.detail, r.target)
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
                (_ts(start), _ts(end), target),
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
            (_ts(start), _ts(end), target),
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

    # -- operations log ----------------------------------------------------

    @contextmanager
    def _insert_once(self, what: str) -> Iterator[sqlite3.Connection]:
        """A write transaction whose primary-key clash is a ConflictError, as on DynamoDB."""
        try:
            with self._write() as conn:
                yield conn
        except sqlite3.IntegrityError as err:
            raise ConflictError(f"{what} is already recorded") from err

    def add_check_run(self, run: CheckRun) -> None:
        findings = orjson.dumps(
            [
                {"check_id": f.check_id, "status": f.status.value, "detail": f.detail}
                for f in run.findings
            ]
        ).decode()
        with self._insert_once(f"check run {run.id}") as conn:
            conn.execute(
                "INSERT INTO check_runs (id, kind, target, started_at, finished_at, findings)"
                " VALUES (?,?,?,?,?,?)",
                (run.id, run.kind, run.target, _ts(run.started_at), _ts(run.finished_at), findings),
            )

    def list_check_runs(self, start: datetime, end: datetime) -> list[CheckRun]:
        rows = (
            self._conn()
            .execute(
                "SELECT id, kind, target, started_at, finished_at, findings FROM check_runs"
                " WHERE started_at >= ? AND started_at < ? ORDER BY started_at",
                (_ts(start), _ts(end)),
            )
            .fetchall()
        )
        return [
            CheckRun(
                id=rid,
                kind=kind,
                target=target,
                started_at=_dt_required(s),
                finished_at=_dt_required(f),
                findings=tuple(
                    Finding(x["check_id"], FindingStatus(x["status"]), x["detail"])
                    for x in orjson.loads(findings)
                ),
            )
            for (rid, kind, target, s, f, findings) in rows
        ]

    _INCIDENT_COLUMNS = (
        "id, started_at, ended_at, summary, severity, impact, cause, response, prevention,"
        " detected_at, responded_at"
    )

    @staticmethod
    def _incident_row(i: Incident) -> tuple[object, ...]:
        return (
            i.id,
            _ts(i.started_at),
            None if i.ended_at is None else _ts(i.ended_at),
            i.summary,
            i.severity,
            i.impact,
            i.cause,
            i.response,
            i.prevention,
            None if i.detected_at is None else _ts(i.detected_at),
            None if i.responded_at is None else _ts(i.responded_at),
        )

    @staticmethod
    def _incident(row: tuple[Any, ...]) -> Incident:
        (iid, s, e, summary, sev, impact, cause, response, prevention, det, resp) = row
        return Incident(
            id=iid,
            started_at=_dt_required(s),
            ended_at=_dt(e),
            summary=summary,
            severity=sev,
            impact=impact,
            cause=cause,
            response=response,
            prevention=prevention,
            detected_at=_dt(det),
            responded_at=_dt(resp),
        )

    def add_incident(self, incident: Incident) -> None:
        with self._insert_once(f"incident {incident.id}") as conn:
            conn.execute(
                f"INSERT INTO incidents ({self._INCIDENT_COLUMNS})"  # noqa: S608
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                self._incident_row(incident),
            )

    def update_incident(self, incident: Incident) -> None:
        row = self._incident_row(incident)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE incidents SET started_at=?, ended_at=?, summary=?, severity=?, impact=?,"
                " cause=?, response=?, prevention=?, detected_at=?, responded_at=? WHERE id=?",
                (*row[1:], row[0]),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"incident {incident.id} not found")

    def get_incident(self, incident_id: str) -> Incident:
        row = (
            self._conn()
            .execute(
                f"SELECT {self._INCIDENT_COLUMNS} FROM incidents WHERE id = ?",  # noqa: S608
                (incident_id,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFoundError(f"incident {incident_id} not found")
        return self._incident(row)

    def list_incidents(self, start: datetime, end: datetime) -> list[Incident]:
        rows = (
            self._conn()
            .execute(
                f"SELECT {self._INCIDENT_COLUMNS} FROM incidents"  # noqa: S608
                " WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?)"
                " ORDER BY started_at",
                (_ts(end), _ts(start)),
            )
            .fetchall()
        )
        return [self._incident(r) for r in rows]

    def add_maintenance(self, window: MaintenanceWindow) -> None:
        with self._insert_once(f"maintenance window {window.id}") as conn:
            conn.execute(
                "INSERT INTO maintenance (id, start, end, description) VALUES (?,?,?,?)",
                (window.id, _ts(window.start), _ts(window.end), window.description),
            )

    def list_maintenance(self, start: datetime, end: datetime) -> list[MaintenanceWindow]:
        rows = (
            self._conn()
            .execute(
                "SELECT id, start, end, description FROM maintenance"
                " WHERE start < ? AND end > ? ORDER BY start",
                (_ts(end), _ts(start)),
            )
            .fetchall()
        )
        return [
            MaintenanceWindow(id=i, start=_dt_required(s), end=_dt_required(e), description=d)
            for (i, s, e, d) in rows
        ]

    def add_work_item(self, item: WorkItem) -> None:
        with self._insert_once(f"work item {item.id}") as conn:
            conn.execute(
                "INSERT INTO work_items (id, at, kind, summary) VALUES (?,?,?,?)",
                (item.id, _ts(item.at), item.kind, item.summary),
            )

    def list_work_items(self, start: datetime, end: datetime) -> list[WorkItem]:
        rows = (
            self._conn()
            .execute(
                "SELECT id, at, kind, summary FROM work_items WHERE at >= ? AND at < ? ORDER BY at",
                (_ts(start), _ts(end)),
            )
            .fetchall()
        )
        return [WorkItem(id=i, at=_dt_required(a), kind=k, summary=s) for (i, a, k, s) in rows]


def _mapping_errors(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def mapped(*args: Any, **kwargs: Any) -> T:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as err:
            raise _store_error(err) from err

    return mapped


# Every public method, reads included: a SQLite error (a full disk, an I/O error, a lock
# held too long) leaves the store only as a StoreError, which the API answers with 503
# and the CLI with exit 2. Errors a method maps itself (IntegrityError -> 409) come first.
for _name, _member in list(vars(SQLiteStore).items()):
    if not _name.startswith("_") and inspect.isfunction(_member):
        setattr(SQLiteStore, _name, _mapping_errors(_member))


__all__ = ["SQLiteStore", "new_id"]
