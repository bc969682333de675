"""Versioned schema of the SQLite store, applied in order by ``PRAGMA user_version``.

Never edit a migration that has shipped: append a new one. Each runs inside the
caller's write transaction, so a failed migration leaves the file as it was.

Two tables are sums the store keeps of others, so that a monthly report reads ~45k
rows instead of ~420k: ``minute_totals`` (the per-minute request totals of
``rollups``) and ``store_stats_hourly`` (``store_stats`` per hour). Triggers keep them,
in the transaction of each write, whatever program writes: a ``portfolio serve`` of an
older version still running beside an upgraded CLI writes rows only, and its rows are
summed all the same. Each table's definition (its triggers' text, which holds the burst
rule's statuses) is kept in ``derived``; ``refresh_derived`` rebuilds a table and its
triggers when the definition has changed.
"""

from __future__ import annotations

import sqlite3

from portfolio.errors import ConfigError
from portfolio.security_rules import BURST_STATUSES
from portfolio.store.emails import email_skeleton

DENIED = ",".join(str(s) for s in sorted(BURST_STATUSES))
"""The statuses ``minute_totals.denied`` counts: the answers a 4xx burst is made of."""
_MINUTE_SUMS = (
    "SELECT minute, sum(count), sum(CASE WHEN status >= 500 THEN count ELSE 0 END),"  # noqa: S608 (integer constants)
    f" sum(duration_sum_ms), sum(CASE WHEN status IN ({DENIED}) THEN count ELSE 0 END)"
    " FROM rollups WHERE {where} GROUP BY minute"
)
MINUTE_TOTALS_OF_ROLLUPS = _MINUTE_SUMS.format(where="minute >= ? AND minute < ?")
"""Per-minute totals summed from the rollups of [?, ?): what ``minute_totals`` holds."""
_HOUR_SUMS = (
    "SELECT minute - minute % 3600, task, backend, operation, sum(count), sum(errors),"
    " sum(throttles), sum(latency_sum_ms), max(latency_max_ms), sum(capacity_units)"
    " FROM store_stats WHERE {where} GROUP BY 1, 2, 3, 4"
)
STORE_STATS_BY_HOUR = _HOUR_SUMS.format(where="minute >= ? AND minute < ?")
"""Store statistics of [?, ?) summed per hour: what ``store_stats_hourly`` holds."""


def _trigger(name: str, event: str, table: str, body: str) -> str:
    return f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END"


def _minute_totals_of(where: str) -> str:
    """Delete then sum again the minutes ``where`` picks (of OLD and NEW rows)."""
    minutes = _MINUTE_SUMS.format(where=where)
    picked = where.replace("minute", "minute_totals.minute", 1)
    return f"DELETE FROM minute_totals WHERE {picked}; INSERT INTO minute_totals {minutes}"  # noqa: S608 (constants)


def _hour_of(row: str) -> str:
    """``store_stats`` rows of the (hour, task, backend, operation) of ``row``."""
    hour = f"({row}.minute - {row}.minute % 3600)"
    return (
        f"(minute >= {hour} AND minute < {hour} + 3600 AND task = {row}.task"
        f" AND backend = {row}.backend AND operation = {row}.operation)"
    )


def _hours_again(*rows: str) -> str:
    """Delete then sum again the hour of each of ``rows`` (OLD, NEW) from its minutes: one
    pair of statements per row, each a range of the primary key."""
    statements = []
    for r in rows:
        key = (
            f"minute = {r}.minute - {r}.minute % 3600 AND task = {r}.task"
            f" AND backend = {r}.backend AND operation = {r}.operation"
        )
        statements.append(f"DELETE FROM store_stats_hourly WHERE {key}")  # noqa: S608 (constants)
        sums = _HOUR_SUMS.format(where=_hour_of(r))
        statements.append(f"INSERT INTO store_stats_hourly {sums}")
    return "; ".join(statements)


_ADD_TO_HOUR = (
    "INSERT INTO store_stats_hourly VALUES (NEW.minute - NEW.minute % 3600, NEW.task,"
    " NEW.backend, NEW.operation, NEW.count, NEW.errors, NEW.throttles, NEW.latency_sum_ms,"
    " NEW.latency_max_ms, NEW.capacity_units) ON CONFLICT (minute, task, backend, operation)"
    " DO UPDATE SET count = count + excluded.count, errors = errors + excluded.errors,"
    " throttles = throttles + excluded.throttles,"
    " latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,"
    " latency_max_ms = max(latency_max_ms, excluded.latency_max_ms),"
    " capacity_units = capacity_units + excluded.capacity_units"
)

DERIVED: dict[str, tuple[str, list[str]]] = {
    # The minute written is summed again from its rows: exact, and right after an
    # INSERT OR REPLACE too, whose implicit delete fires no trigger.
    "minute_totals": (
        _MINUTE_SUMS.format(where="true"),
        [
            _trigger(
                "minute_totals_insert",
                "INSERT",
                "rollups",
                "INSERT OR REPLACE INTO minute_totals "
                + _MINUTE_SUMS.format(where="minute = NEW.minute"),
            ),
            _trigger(
                "minute_totals_update",
                "UPDATE",
                "rollups",
                _minute_totals_of("minute IN (OLD.minute, NEW.minute)"),
            ),
            _trigger(
                "minute_totals_delete",
                "DELETE",
                "rollups",
                _minute_totals_of("minute = OLD.minute"),
            ),
        ],
    ),
    # A new minute row adds to its hour (summing the hour again for each of a month's
    # ~120k rows would read it ~60 times); a changed or removed row sums its hour again.
    "store_stats_hourly": (
        _HOUR_SUMS.format(where="true"),
        [
            _trigger("store_stats_hourly_insert", "INSERT", "store_stats", _ADD_TO_HOUR),
            _trigger(
                "store_stats_hourly_update", "UPDATE", "store_stats", _hours_again("OLD", "NEW")
            ),
            _trigger("store_stats_hourly_delete", "DELETE", "store_stats", _hours_again("OLD")),
        ],
    ),
}
"""Each kept table: the query that fills it from scratch, and the triggers that keep it."""

_ROLLUP_TABLE = """
CREATE TABLE {name} (
    minute INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    method TEXT NOT NULL,
    status INTEGER NOT NULL,
    task TEXT NOT NULL,
    count INTEGER NOT NULL,
    bytes_in INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    duration_sum_ms REAL NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY (minute, endpoint, method, status, task)
) WITHOUT ROWID
"""

MIGRATIONS: list[list[str]] = [
    [
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            email_key TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            title TEXT NOT NULL,
            bio TEXT NOT NULL,
            links TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            version INTEGER NOT NULL
        )
        """,
        _ROLLUP_TABLE.format(name="rollups"),
        _ROLLUP_TABLE.format(name="rollups_hourly"),
        """
        CREATE TABLE resource_samples (
            minute INTEGER NOT NULL,
            task TEXT NOT NULL,
            cpu_pct REAL NOT NULL,
            mem_bytes INTEGER NOT NULL,
            mem_pct REAL NOT NULL,
            PRIMARY KEY (minute, task)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE probe_results (
            at REAL NOT NULL,
            ok INTEGER NOT NULL,
            latency_ms REAL,
            status INTEGER,
            detail TEXT NOT NULL
        )
        """,
        "CREATE INDEX probe_results_at ON probe_results (at)",
        """
        CREATE TABLE log_counts (
            minute INTEGER NOT NULL,
            task TEXT NOT NULL,
            level TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (minute, task, level)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE store_stats (
            minute INTEGER NOT NULL,
            task TEXT NOT NULL,
            backend TEXT NOT NULL,
            operation TEXT NOT NULL,
            count INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            throttles INTEGER NOT NULL,
            latency_sum_ms REAL NOT NULL,
            latency_max_ms REAL NOT NULL,
            capacity_units REAL NOT NULL,
            PRIMARY KEY (minute, task, backend, operation)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE check_runs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL NOT NULL,
            findings TEXT NOT NULL
        )
        """,
        "CREATE INDEX check_runs_started ON check_runs (started_at)",
        """
        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            started_at REAL NOT NULL,
            ended_at REAL,
            summary TEXT NOT NULL,
            severity TEXT NOT NULL,
            impact TEXT NOT NULL,
            cause TEXT NOT NULL,
            response TEXT NOT NULL,
            prevention TEXT NOT NULL,
            detected_at REAL,
            responded_at REAL
        )
        """,
        """
        CREATE TABLE maintenance (
            id TEXT PRIMARY KEY,
            start REAL NOT NULL,
            end REAL NOT NULL,
            description TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE work_items (
            id TEXT PRIMARY KEY,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            summary TEXT NOT NULL
        )
        """,
    ],
    [
        # Probes of the static site beside those of the API; old rows were all the API's.
        "ALTER TABLE probe_results ADD COLUMN target TEXT NOT NULL DEFAULT 'api'",
        "DROP INDEX probe_results_at",
        "CREATE INDEX probe_results_target_at ON probe_results (target, at)",
    ],
    [
        # Sums kept beside the rows they sum (see the module's docstring).
        """
        CREATE TABLE minute_totals (
            minute INTEGER PRIMARY KEY,
            count INTEGER NOT NULL,
            errors_5xx INTEGER NOT NULL,
            latency_sum_ms REAL NOT NULL,
            denied INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        # The columns of store_stats (migration 1, shipped: its text stays), ``minute`` the hour.
        """
        CREATE TABLE store_stats_hourly (
            minute INTEGER NOT NULL,
            task TEXT NOT NULL,
            backend TEXT NOT NULL,
            operation TEXT NOT NULL,
            count INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            throttles INTEGER NOT NULL,
            latency_sum_ms REAL NOT NULL,
            latency_max_ms REAL NOT NULL,
            capacity_units REAL NOT NULL,
            PRIMARY KEY (minute, task, backend, operation)
        ) WITHOUT ROWID
        """,
        # What each kept table was built with (its triggers' text); refresh_derived fills them.
        "CREATE TABLE derived (name TEXT PRIMARY KEY, rule TEXT NOT NULL)",
    ],
    [
        # Look-alike emails (UTS #39 skeleton, store.emails): one user per skeleton.
        # Look-alikes registered before this guard keep their rows; only the oldest of
        # each group holds the skeleton (NULLs do not collide in a unique index).
        "ALTER TABLE users ADD COLUMN email_skeleton TEXT",
        "UPDATE users SET email_skeleton = email_skeleton(email)",
        """
        UPDATE users SET email_skeleton = NULL WHERE id > (
            SELECT MIN(u.id) FROM users AS u WHERE u.email_skeleton = users.email_skeleton
        )
        """,
        "CREATE UNIQUE INDEX users_email_skeleton ON users (email_skeleton)",
    ],
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date inside the open transaction; return the version."""
    current: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise ConfigError(
            f"database schema version {current} is newer than this program ({len(MIGRATIONS)})"
        )
    conn.create_function("email_skeleton", 1, email_skeleton, deterministic=True)
    for version in range(current, len(MIGRATIONS)):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    return len(MIGRATIONS)


def refresh_derived(conn: sqlite3.Connection) -> None:
    """Fill each kept table and create its triggers unless they match today's definition.

    Runs inside the caller's write transaction, after ``migrate``: the first time, and
    after a change of a definition (the burst rule's statuses among others), the table
    is summed again from all its rows; otherwise this costs one read per table.
    """
    for table, (fill, triggers) in DERIVED.items():
        definition = ";\n".join(triggers)
        row = conn.execute("SELECT rule FROM derived WHERE name = ?", (table,)).fetchone()
        if row is not None and row[0] == definition:
            continue
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
            (f"{table}_%",),
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 (a name of DERIVED)
        conn.execute(f"INSERT INTO {table} {fill}")
        for trigger in triggers:
            conn.execute(trigger)
        conn.execute(
            "INSERT OR REPLACE INTO derived (name, rule) VALUES (?, ?)", (table, definition)
        )
