"""Versioned schema of the SQLite store, applied in order by ``PRAGMA user_version``.

Never edit a migration that has shipped: append a new one. Each runs inside the
caller's write transaction, so a failed migration leaves the file as it was.

Two tables are sums the store keeps of others, written in the same transaction as
the rows they sum, so that a monthly report reads ~45k rows instead of ~420k:
``minute_totals`` (the per-minute request totals of ``rollups``) and
``store_stats_hourly`` (``store_stats`` per hour). ``minute_totals`` depends on a rule
(which answers count as ``denied``): the rule it was built with is kept in
``derived``, and ``refresh_derived`` rebuilds the table when the rule has changed.
"""

from __future__ import annotations

import sqlite3

from portfolio.errors import ConfigError
from portfolio.security_rules import BURST_STATUSES

DENIED = ",".join(str(s) for s in sorted(BURST_STATUSES))
"""The statuses ``minute_totals.denied`` counts: the answers a 4xx burst is made of."""
MINUTE_TOTALS_OF_ROLLUPS = (
    "SELECT minute, sum(count), sum(CASE WHEN status >= 500 THEN count ELSE 0 END),"  # noqa: S608 (integer constants)
    f" sum(duration_sum_ms), sum(CASE WHEN status IN ({DENIED}) THEN count ELSE 0 END)"
    " FROM rollups WHERE minute >= ? AND minute < ? GROUP BY minute"
)
"""Per-minute totals summed from the rollups: what ``minute_totals`` holds."""
_MINUTE_TOTALS_RULE = f"denied={DENIED}"

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
        """
        INSERT INTO store_stats_hourly
        SELECT minute - minute % 3600, task, backend, operation, sum(count), sum(errors),
            sum(throttles), sum(latency_sum_ms), max(latency_max_ms), sum(capacity_units)
        FROM store_stats GROUP BY 1, 2, 3, 4
        """,
        "CREATE TABLE derived (name TEXT PRIMARY KEY, rule TEXT NOT NULL)",
    ],
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date inside the open transaction; return the version."""
    current: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise ConfigError(
            f"database schema version {current} is newer than this program ({len(MIGRATIONS)})"
        )
    for version in range(current, len(MIGRATIONS)):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    return len(MIGRATIONS)


def refresh_derived(conn: sqlite3.Connection) -> None:
    """Rebuild ``minute_totals`` from the rollups unless it was built with today's rule.

    Runs inside the caller's write transaction, after ``migrate``: the first time
    (the table is new) and after a change of BURST_STATUSES it sums every rollup
    again; otherwise it costs one read.
    """
    row = conn.execute("SELECT rule FROM derived WHERE name = 'minute_totals'").fetchone()
    if row is not None and row[0] == _MINUTE_TOTALS_RULE:
        return
    conn.execute("DELETE FROM minute_totals")
    conn.execute(
        f"INSERT INTO minute_totals {MINUTE_TOTALS_OF_ROLLUPS}",
        (-(2**62), 2**62),
    )
    conn.execute(
        "INSERT OR REPLACE INTO derived (name, rule) VALUES ('minute_totals', ?)",
        (_MINUTE_TOTALS_RULE,),
    )
