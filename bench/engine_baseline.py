"""The engine baseline: the figures of `portfolio logs summary`, as a minimal DuckDB script.

What someone fluent in DuckDB would write in a few minutes, with nothing of ours:
read the lines, split on spaces, keep the parsed fields in one table, and run one
plain query per figure — lines and malformed lines, the time range, requests by
endpoint and status, the load balancer's own 5xx, avg/p50/p95/p99/max per endpoint
(DuckDB's exact ``quantile_disc``), the top unmatched and 404 paths, requests to
scanner paths and 401/403/404 bursts per client and minute. `make bench` times our
command against it: the gap is what our code costs above the engine.

    python bench/engine_baseline.py LOG_OR_DIR [LOG_OR_DIR ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

# Kept literal on purpose (not imported from portfolio): the baseline must not run our code.
ENDPOINTS = """CASE
    WHEN path IN ('/health', '/health/') THEN '/health'
    WHEN path IN ('/api/v1/users', '/api/v1/users/') THEN '/api/v1/users'
    WHEN regexp_full_match(path, '/api/v1/users/[^/]+/?') THEN '/api/v1/users/{user_id}'
    WHEN path IN ('/api/v1/metrics', '/api/v1/metrics/') THEN '/api/v1/metrics'
    ELSE '(unmatched)' END"""
SCANNER = (
    r"(?i)/wp-(login|admin|content|includes)|/xmlrpc\.php|/\.env|/\.git/|/\.aws/|/phpmyadmin"
    r"|/pma/|/cgi-bin/|/vendor/phpunit|/actuator|/server-status|/boaform|/HNAP1"
    r"|\.php$|\.asp$|\.aspx$"
)


def log_files(inputs: list[str]) -> list[str]:
    out: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            out.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix in (".log", ".gz"))
        else:
            out.append(str(path))
    return out


def figures(files: list[str]) -> dict[str, object]:
    con = duckdb.connect()
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    con.execute(f"""
        CREATE TABLE t AS
        SELECT f[2] AS time, try_strptime(f[2], '%Y-%m-%dT%H:%M:%S.%fZ') AS ts,
            split_part(f[4], ':', 1) AS client, f[5] = '-' AS no_target,
            try_cast(f[7] AS DOUBLE) AS target_s, try_cast(f[9] AS INTEGER) AS status,
            try_cast(f[11] AS BIGINT) AS bytes_in, try_cast(f[12] AS BIGINT) AS bytes_out,
            split_part(regexp_extract(f[14], '^[a-z]+://[^/]*(/.*)?$', 1), '?', 1) AS path,
            len(f) >= 15 AND starts_with(f[13], '"') AND ends_with(f[15], '"') AS complete
        FROM (SELECT string_split(line, ' ') AS f FROM read_csv([{listed}],
            columns={{'line': 'VARCHAR'}}, delim='\\x01', quote='', escape='', header=false,
            auto_detect=false) WHERE line <> '')
    """)  # noqa: S608 (quoted paths)
    con.execute(f"""
        CREATE VIEW ok AS SELECT *, CASE WHEN target_s >= 0 THEN target_s * 1000 END AS ms,
            {ENDPOINTS} AS endpoint
        FROM t WHERE complete AND ts IS NOT NULL AND target_s IS NOT NULL
            AND status IS NOT NULL AND bytes_in IS NOT NULL AND bytes_out IS NOT NULL
    """)  # noqa: S608 (a constant)
    q = con.execute
    lines = q("SELECT count(*) FROM t").fetchone()
    requests, first, last, lb = q(
        "SELECT count(*), min(time), max(time),"
        " count(*) FILTER (WHERE no_target AND status >= 500) FROM ok"
    ).fetchone() or (0, None, None, 0)
    return {
        "lines": lines[0] if lines else 0,
        "requests": requests,
        "first": first,
        "last": last,
        "load_balancer_5xx": lb,
        "by_status": q(
            "SELECT endpoint, status, count(*) FROM ok GROUP BY ALL ORDER BY ALL"
        ).fetchall(),
        "latency": q(
            "SELECT endpoint, count(*), count(ms), avg(ms),"
            " quantile_disc(ms, [0.5, 0.95, 0.99]), max(ms) FROM ok GROUP BY ALL ORDER BY 2 DESC"
        ).fetchall(),
        "unmatched": q(
            "SELECT path, count(*) AS n FROM ok WHERE endpoint = '(unmatched)'"
            " GROUP BY ALL ORDER BY n DESC, path LIMIT 10"
        ).fetchall(),
        "not_found": q(
            "SELECT path, count(*) AS n FROM ok WHERE status = 404"
            " GROUP BY ALL ORDER BY n DESC, path LIMIT 10"
        ).fetchall(),
        "scanner_requests": q(
            "SELECT count(*) FROM ok WHERE regexp_matches(path, ?)", [SCANNER]
        ).fetchone(),
        "bursts": q(
            "SELECT count(DISTINCT minute) FILTER (WHERE minute_n >= 20),"
            " count(DISTINCT client) FILTER (WHERE n >= 20) FROM ("
            "  SELECT client, minute, n, sum(n) OVER (PARTITION BY minute) AS minute_n FROM ("
            "    SELECT client, date_trunc('minute', ts) AS minute, count(*) AS n FROM ok"
            "    WHERE status IN (401, 403, 404) GROUP BY ALL))"
        ).fetchone(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/engine_baseline.py",
        description="The figures of `portfolio logs summary` as a minimal DuckDB script"
        " (the benchmark's engine baseline).",
    )
    parser.add_argument("paths", nargs="+", help="ALB log files or directories (.log, .gz)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = figures(log_files(args.paths))
    if args.json:
        print(json.dumps(result, default=str, indent=2))
    else:
        print(f"{result['requests']:,} requests of {result['lines']:,} lines"
              f" in {time.perf_counter() - started:.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
