"""Export and import on the SQLite store: every table listed by kind, rows put back as they are.

One table per kind (``_TABLES``): how its rows are ordered (its primary key, so a
cursor is the last key listed), which column a time range selects on, and how a
record becomes a row and back. Putting a record replaces the row with its key
(``INSERT OR REPLACE`` or an upsert), never adds to it: importing a file twice
leaves the store as once. The kept sums (``minute_totals``, ``store_stats_hourly``)
follow by their triggers (store/migrations.py), as they do for every other write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from portfolio.errors import DuplicateEmailError, InputError
from portfolio.sketch import LatencySketch
from portfolio.store.emails import email_key, email_skeleton
from portfolio.store.kinds import Cursor, Entry, Kind, Page, PutResult, Record, TimeRange
from portfolio.store.records import (
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    LogCount,
    MaintenanceWindow,
    ProbeResult,
    ResourceSample,
    Role,
    Rollup,
    StoreCallStat,
    User,
    WorkItem,
)

Row = tuple[Any, ...]


def _ts(value: datetime) -> float:
    if value.tzinfo is None:
        raise InputError("times must carry a time zone")
    return value.timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _opt_ts(value: datetime | None) -> float | None:
    return None if value is None else _ts(value)


def _opt_dt(value: float | None) -> datetime | None:
    return None if value is None else _dt(value)


@dataclass(frozen=True, slots=True)
class _Table:
    """How one kind is kept: its table, key (listing order), time column and codecs."""

    name: str
    key: tuple[str, ...]
    time: str | None
    columns: tuple[str, ...]
    decode: Callable[[Row], Record]
    encode: Callable[[Any], Row]
    put: str
    """The statement that stores one encoded row in place of the one with its key."""


def _rollup_row(r: Rollup) -> Row:
    return (*r.key, r.count, r.bytes_in, r.bytes_out, r.sketch.sum, r.sketch.to_bytes())


def _rollup(row: Row) -> Rollup:
    m, e, meth, s, t, c, bi, bo, _sum, sketch = row
    return Rollup(m, e, meth, s, t, c, bi, bo, LatencySketch.from_bytes(sketch))


def _user(row: Row) -> User:
    uid, name, email, role, title, bio, links, created, updated, version = row
    return User(
        uid, name, email, Role(role), title, bio, tuple(orjson.loads(links)),
        _dt(created), _dt(updated), version,
    )  # fmt: skip


def _user_row(u: User) -> Row:
    links = orjson.dumps(list(u.links)).decode()
    return (
        u.id, u.name, u.email, u.role.value, u.title, u.bio, links,
        _ts(u.created_at), _ts(u.updated_at), u.version, email_key(u.email),
        email_skeleton(u.email),
    )  # fmt: skip


def _check_run(row: Row) -> CheckRun:
    rid, kind, target, started, finished, findings = row
    return CheckRun(
        rid, kind, target, _dt(started), _dt(finished),
        tuple(
            Finding(f["check_id"], FindingStatus(f["status"]), f["detail"])
            for f in orjson.loads(findings)
        ),
    )  # fmt: skip


def _check_run_row(r: CheckRun) -> Row:
    findings = [
        {"check_id": f.check_id, "status": f.status.value, "detail": f.detail} for f in r.findings
    ]
    return (
        r.id, r.kind, r.target, _ts(r.started_at), _ts(r.finished_at),
        orjson.dumps(findings).decode(),
    )  # fmt: skip


def _incident(row: Row) -> Incident:
    iid, s, e, summary, sev, impact, cause, response, prevention, det, resp = row
    return Incident(
        iid, _dt(s), _opt_dt(e), summary, sev, impact, cause, response, prevention,
        _opt_dt(det), _opt_dt(resp),
    )  # fmt: skip


def _incident_row(i: Incident) -> Row:
    return (
        i.id, _ts(i.started_at), _opt_ts(i.ended_at), i.summary, i.severity, i.impact, i.cause,
        i.response, i.prevention, _opt_ts(i.detected_at), _opt_ts(i.responded_at),
    )  # fmt: skip


def _probe(row: Row) -> ProbeResult:
    at, ok, latency, status, detail, target = row
    return ProbeResult(_dt(at), ok != 0, latency, status, detail, target)


def _probe_row(p: ProbeResult) -> Row:
    return (_ts(p.at), int(p.ok), p.latency_ms, p.status, p.detail, p.target)


def _replace(table: str, columns: Sequence[str]) -> str:
    marks = ",".join("?" * len(columns))
    return f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


def _upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """Insert, or set every other column of the row with that key (an UPDATE, so the
    table's update triggers run; INSERT OR REPLACE's implicit delete fires none)."""
    values = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return f"{_replace(table, columns).replace(' OR REPLACE', '')} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {values}"  # noqa: E501


_ROLLUP_COLUMNS = (
    "minute", "endpoint", "method", "status", "task", "count", "bytes_in", "bytes_out",
    "duration_sum_ms", "sketch",
)  # fmt: skip
_ROLLUP_KEY = _ROLLUP_COLUMNS[:5]
_USER_COLUMNS = (
    "id", "name", "email", "role", "title", "bio", "links", "created_at", "updated_at", "version",
)  # fmt: skip
_STAT_COLUMNS = (
    "minute", "task", "backend", "operation", "count", "errors", "throttles", "latency_sum_ms",
    "latency_max_ms", "capacity_units",
)  # fmt: skip
_INCIDENT_COLUMNS = (
    "id", "started_at", "ended_at", "summary", "severity", "impact", "cause", "response",
    "prevention", "detected_at", "responded_at",
)  # fmt: skip
_PROBE_COLUMNS = ("at", "ok", "latency_ms", "status", "detail", "target")
_SAMPLE_COLUMNS = ("minute", "task", "cpu_pct", "mem_bytes", "mem_pct")
_LOG_COLUMNS = ("minute", "task", "level", "count")
_CHECK_COLUMNS = ("id", "kind", "target", "started_at", "finished_at", "findings")
_WINDOW_COLUMNS = ("id", "start", "end", "description")
_WORK_COLUMNS = ("id", "at", "kind", "summary")

_TABLES: dict[Kind, _Table] = {
    Kind.USER: _Table(
        "users", ("id",), None, _USER_COLUMNS, _user, _user_row,
        _upsert("users", (*_USER_COLUMNS, "email_key", "email_skeleton"), ("id",)),
    ),
    Kind.ROLLUP_MINUTE: _Table(
        "rollups", _ROLLUP_KEY, "minute", _ROLLUP_COLUMNS, _rollup, _rollup_row,
        _replace("rollups", _ROLLUP_COLUMNS),  # minute_totals: summed again by trigger
    ),
    Kind.ROLLUP_HOUR: _Table(
        "rollups_hourly", _ROLLUP_KEY, "minute", _ROLLUP_COLUMNS, _rollup, _rollup_row,
        _replace("rollups_hourly", _ROLLUP_COLUMNS),
    ),
    Kind.RESOURCE_SAMPLE: _Table(
        "resource_samples", ("minute", "task"), "minute", _SAMPLE_COLUMNS,
        lambda row: ResourceSample(*row),
        lambda s: (s.minute, s.task, s.cpu_pct, s.mem_bytes, s.mem_pct),
        _replace("resource_samples", _SAMPLE_COLUMNS),
    ),
    # No key of its own: a probe is its (target, time); the rowid orders the listing.
    Kind.PROBE_RESULT: _Table(
        "probe_results", ("rowid",), "at", _PROBE_COLUMNS, _probe, _probe_row,
        "INSERT INTO probe_results (at, ok, latency_ms, status, detail, target)"
        " SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS"
        " (SELECT 1 FROM probe_results WHERE at = ?1 AND target = ?6)",
    ),
    Kind.LOG_COUNT: _Table(
        "log_counts", ("minute", "task", "level"), "minute", _LOG_COLUMNS,
        lambda row: LogCount(*row), lambda c: (c.minute, c.task, c.level, c.count),
        _upsert("log_counts", _LOG_COLUMNS, _LOG_COLUMNS[:3]),
    ),
    Kind.STORE_STAT: _Table(
        "store_stats", _STAT_COLUMNS[:4], "minute", _STAT_COLUMNS,
        lambda row: StoreCallStat(*row),
        lambda s: (
            s.minute, s.task, s.backend, s.operation, s.count, s.errors, s.throttles,
            s.latency_sum_ms, s.latency_max_ms, s.capacity_units,
        ),
        _upsert("store_stats", _STAT_COLUMNS, _STAT_COLUMNS[:4]),  # hourly sums: by trigger
    ),
    Kind.CHECK_RUN: _Table(
        "check_runs", ("id",), "started_at", _CHECK_COLUMNS, _check_run, _check_run_row,
        _replace("check_runs", _CHECK_COLUMNS),
    ),
    Kind.INCIDENT: _Table(
        "incidents", ("id",), "started_at", _INCIDENT_COLUMNS, _incident, _incident_row,
        _replace("incidents", _INCIDENT_COLUMNS),
    ),
    Kind.MAINTENANCE: _Table(
        "maintenance", ("id",), "start", _WINDOW_COLUMNS,
        lambda row: MaintenanceWindow(row[0], _dt(row[1]), _dt(row[2]), row[3]),
        lambda w: (w.id, _ts(w.start), _ts(w.end), w.description),
        _replace("maintenance", _WINDOW_COLUMNS),
    ),
    Kind.WORK_ITEM: _Table(
        "work_items", ("id",), "at", _WORK_COLUMNS,
        lambda row: WorkItem(row[0], _dt(row[1]), row[2], row[3]),
        lambda w: (w.id, _ts(w.at), w.kind, w.summary),
        _replace("work_items", _WORK_COLUMNS),
    ),
}  # fmt: skip
_ORDER = list(Kind)


def _span_sql(table: _Table, span: TimeRange) -> tuple[str, list[object]]:
    """The WHERE clauses (each starting with AND) and values that select ``span``."""
    if table.time is None:
        return "", []
    sql, values = "", list[object]()
    if span.start is not None:
        sql += f" AND {table.time} >= ?"
        values.append(span.start)
    if span.end is not None:
        sql += f" AND {table.time} < ?"
        values.append(span.end)
    return sql, values


class SQLiteTransfer:
    """The TransferRepository methods of :class:`~portfolio.store.sqlite.SQLiteStore`."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError  # SQLiteStore's

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # SQLiteStore's

    def export_page(self, span: TimeRange, after: Cursor | None, *, limit: int = 1000) -> Page:
        index = 0 if after is None else _ORDER.index(Kind(str(after["kind"])))
        last = None if after is None else after.get("after")
        while index < len(_ORDER):
            kind = _ORDER[index]
            rows, key = self._rows(_TABLES[kind], span, last, limit)
            if len(rows) == limit:
                return Page([(kind, r) for r in rows], {"kind": kind.value, "after": key})
            index, last = index + 1, None
            if rows:
                cursor: Cursor | None = None
                if index < len(_ORDER):
                    cursor = {"kind": _ORDER[index].value}
                return Page([(kind, r) for r in rows], cursor)
        return Page([], None)

    def _rows(
        self, table: _Table, span: TimeRange, last: object, limit: int
    ) -> tuple[list[Record], list[Any] | None]:
        """Up to ``limit`` records after the key ``last``, and the key of the last one."""
        keys = ", ".join(table.key)
        where, values = _span_sql(table, span)
        if isinstance(last, list):
            where += f" AND ({keys}) > ({', '.join('?' * len(last))})"
            values += last
        sql = (
            f"SELECT {', '.join(table.columns)}, {keys} FROM {table.name}"  # noqa: S608 (constants)
            f" WHERE true{where} ORDER BY {keys} LIMIT ?"
        )
        rows = self._conn().execute(sql, [*values, limit]).fetchall()
        width = len(table.columns)
        records = [table.decode(tuple(row[:width])) for row in rows]
        return records, (list(rows[-1][width:]) if rows else None)

    def put_records(self, entries: Sequence[Entry]) -> PutResult:
        by_kind: dict[Kind, list[Row]] = {}
        for kind, record in entries:
            by_kind.setdefault(kind, []).append(_TABLES[kind].encode(record))
        try:
            with self._write() as conn:
                for kind, rows in by_kind.items():
                    conn.executemany(_TABLES[kind].put, rows)
        except sqlite3.IntegrityError as err:
            raise DuplicateEmailError(
                f"a user's email belongs to another user of the store: {err}"
            ) from err
        return PutResult()

    def sum_again(self, span: TimeRange) -> int:
        """Nothing to do: triggers keep ``minute_totals`` and ``store_stats_hourly`` in
        the transaction of every write (store/migrations.py)."""
        return 0

    def count_records(self, span: TimeRange) -> dict[Kind, int]:
        counts = {}
        conn = self._conn()
        for kind, table in _TABLES.items():
            where, values = _span_sql(table, span)
            sql = f"SELECT count(*) FROM {table.name} WHERE true{where}"  # noqa: S608
            (n,) = conn.execute(sql, values).fetchone()
            if n:
                counts[kind] = n
        return counts
