"""Restore tests: copy the data the way a recovery would, compare counts, delete the copy.

Locally the store is a SQLite file, so the test is SQLite's online backup into a scratch
file; on AWS it is a point-in-time restore of each table into a scratch table.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from portfolio.checks.snapshot import RestoreTest


def _counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        str(row[0])
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # Table names come from sqlite_master of the same file, not from a person.
    return {t: int(connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables}  # noqa: S608


def restore_test_sqlite(path: Path) -> RestoreTest:
    """Back the store up with SQLite's online backup into a scratch file and compare rows."""
    started = time.monotonic()
    label = f"sqlite store {path.name}"
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with tempfile.TemporaryDirectory(prefix="portfolio-restore-", dir=path.parent) as scratch:
            copy = sqlite3.connect(Path(scratch) / "restored.db")
            try:
                source.backup(copy)
                before, after = _counts(source), _counts(copy)
            finally:
                copy.close()
    except sqlite3.Error as err:
        return RestoreTest(label, None, None, time.monotonic() - started, error=str(err))
    finally:
        source.close()
    differing = sorted(t for t in before if before[t] != after.get(t))
    return RestoreTest(
        table=label,
        source_items=sum(before.values()),
        restored_items=sum(after.values()),
        seconds=time.monotonic() - started,
        error=f"row counts differ in {', '.join(differing)}" if differing else None,
    )
