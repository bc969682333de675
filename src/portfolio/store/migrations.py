"""Versioned schema of the SQLite store, applied in order by ``PRAGMA user_version``.

Never edit a migration that has shipped: append a new one. Each runs inside the
caller's write transaction, so a failed migration leaves the file as it was.
"""

from __future__ import annotations

import sqlite3

from portfolio.errors import ConfigError

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
