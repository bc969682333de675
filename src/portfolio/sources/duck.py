"""DuckDB, set up once for every log reader: bounded memory, both cores, UTC.

The ALB and CloudFront readers both open their connection here, so neither imports
the other, and the limits that keep a month of logs inside the task's memory are
stated once.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

MEMORY_LIMIT = "256MB"
"""DuckDB's own ceiling. The streaming scan keeps only groups, so a file of any size stays
under it; with Python, the reader's buffers and the allocator the process peaks near
400 MB on 6.5M lines in one file (bench/alb_logs.py measures it; the goal is 512 MB).
Refused lines are the exception: DuckDB keeps every error of its reader until the scan
ends, outside this limit (about 1 KB each, up to fourteen for a line cut short), so memory
grows with the malformed lines: nothing for ALB's own logs, about ten times the size of a
file that is not an ALB log at all (measured: 64 MB of other text, 3 GB), which is why such
a file is refused from its first lines before it is read (alb_logs._check_is_alb_log)."""
THREADS = max(2, os.cpu_count() or 2)


def connect() -> Any:
    """A DuckDB connection with bounded memory, both cores, and UTC as its zone."""
    # Imported here: DuckDB loads when a log is read, not when a source or check module
    # that can read logs is imported (`portfolio check`, a report from the store).
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/portfolio-duckdb'")
    con.execute("SET preserve_insertion_order = false")
    # DuckDB's own bar would write to stdout; the sources show theirs on stderr.
    con.execute("SET enable_progress_bar = false")
    return con
