"""CloudFront standard logs → the static site's figures (``Observations.static_site``).

Standard logs are tab-separated with ``#Version`` and ``#Fields`` header lines and
33 fields (DESIGN.md §5); CloudFront appends fields over time, so missing trailing
fields are padded and extra ones ignored. DuckDB reads and groups them; the cache
hit ratio counts ``Hit`` and ``RefreshHit`` in ``x-edge-result-type`` as hits and
everything else (Miss, Error, LimitExceeded, ...) as not. Edge locations are
grouped by their airport code (``NRT57-P1`` → ``NRT``). Rows whose date, time or
status do not parse are counted as skipped. The same read gives 異常アクセス by the
rules of portfolio.security_rules: requests to scanner paths (judged on the distinct
paths) and bursts of 401/403/404 per client address (``c-ip``) and minute. The API's
paths (``API_REQUEST``) share the distribution but are not the site's and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portfolio import names, security_rules
from portfolio.errors import SourceError
from portfolio.period import Period
from portfolio.sources.base import AccessAnomalies, StaticSiteStats
from portfolio.sources.duck import connect
from portfolio.sources.logfiles import LogFile, Materialized, batches, find_files

FIELDS = (
    # The 33 fields of a standard log line, in order (the #Fields header).
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
)
HITS = ("Hit", "RefreshHit")
API_REQUEST = (
    "starts_with(coalesce(path, ''), '/api/')"
    f" OR coalesce(path, '') IN ('{names.HEALTH_PATH}', '{names.LIVENESS_PATH}')"
)
"""The API's requests through the same distribution (``/api/*``, /health, /livez): never
cached, and Route 53's ~1.3M checks a month among them, they are the API's traffic (its
telemetry counts them), not the site's, and would bury its cache hit ratio."""
TOP = 10


def _column(name: str) -> str:
    return "c_" + "".join(ch if ch.isalnum() else "_" for ch in name)


def _relation(paths: Sequence[str]) -> str:
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    columns = ", ".join(f"'{_column(f)}': 'VARCHAR'" for f in FIELDS)
    return (
        f"read_csv([{listed}], columns={{{columns}}}, delim='\\t', quote='', escape='',"
        " header=false, auto_detect=false, comment='#', null_padding=true,"
        " strict_mode=false, compression='auto')"
    )


def read_cloudfront(
    paths: Sequence[str], period: Period, *, endpoint_url: str | None = None
) -> tuple[StaticSiteStats, list[str], AccessAnomalies]:
    """The period's static-site figures from the logs, notes for the report, and 異常アクセス."""
    return read_cloudfront_files(find_files(paths, endpoint_url=endpoint_url), period,
                                 endpoint_url=endpoint_url)  # fmt: skip


def read_cloudfront_files(
    files: Sequence[LogFile], period: Period, *, endpoint_url: str | None = None
) -> tuple[StaticSiteStats, list[str], AccessAnomalies]:
    """As ``read_cloudfront``, over files already found (the AWS source lists the period's)."""
    con = connect()
    con.execute(
        "CREATE TEMP TABLE cf (ts TIMESTAMP, loc VARCHAR, bytes BIGINT, status INTEGER,"
        " result VARCHAR, path VARCHAR, ip VARCHAR)"
    )
    con.execute("CREATE TEMP TABLE cf_bad (n BIGINT)")
    local = Materialized(endpoint_url)
    try:
        _load(con, files, local)
        window = "ts >= ? AND ts < ?"
        bounds = [period.start.replace(tzinfo=None), period.end.replace(tzinfo=None)]
        row: Any = con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE result IN {HITS}),
                    coalesce(sum(bytes), 0), count(*) FILTER (WHERE status >= 500),
                    count(*) FILTER (WHERE status BETWEEN 400 AND 499)
                FROM cf WHERE {window}""",  # noqa: S608
            bounds,
        ).fetchone()
        top_paths = con.execute(
            f"SELECT path, count(*) AS n FROM cf WHERE {window} GROUP BY path"  # noqa: S608
            f" ORDER BY n DESC, path LIMIT {TOP}",
            bounds,
        ).fetchall()
        edges = con.execute(
            f"SELECT loc, count(*) AS n FROM cf WHERE {window} GROUP BY loc"  # noqa: S608
            f" ORDER BY n DESC, loc LIMIT {TOP}",
            bounds,
        ).fetchall()
        skipped = con.execute("SELECT coalesce(sum(n), 0) FROM cf_bad").fetchone()
        distinct_paths = con.execute(
            f"SELECT path, count(*) FROM cf WHERE {window} GROUP BY path",  # noqa: S608
            bounds,
        ).fetchall()
        burst = ", ".join(str(s) for s in sorted(security_rules.BURST_STATUSES))
        bursts = con.execute(
            f"SELECT ip, date_trunc('minute', ts) AS minute, count(*) FROM cf WHERE {window}"  # noqa: S608
            f" AND status IN ({burst}) GROUP BY ALL",
            bounds,
        ).fetchall()
    finally:
        local.release()
        con.close()
    stats = StaticSiteStats(
        requests=int(row[0]),
        cache_hits=int(row[1]),
        bytes_out=int(row[2]),
        errors_5xx=int(row[3]),
        errors_4xx=int(row[4]),
        top_paths=[(str(p), int(n)) for p, n in top_paths],
        edge_locations=[(str(loc), int(n)) for loc, n in edges],
    )
    bad = int(skipped[0]) if skipped else 0
    notes = [
        f"CloudFront 標準ログ {len(files)} ファイル、読み取れない行 {bad:,} 行"
        f" / CloudFront standard logs: {len(files)} files, {bad:,} malformed lines skipped"
    ]
    return stats, notes, _anomalies(distinct_paths, bursts)


def _load(con: Any, files: Sequence[LogFile], local: Materialized) -> None:
    """Every file's lines into ``cf`` (the site's requests) and ``cf_bad`` (a count of the
    unreadable), batch by batch."""
    import duckdb

    for batch in batches(files):
        relation = _relation([p for p, _ in local.paths(batch)])
        parsed = f"""
            SELECT try_strptime(c_date || ' ' || c_time, '%Y-%m-%d %H:%M:%S') AS ts,
                left(c_x_edge_location, 3) AS loc,
                try_cast(c_sc_bytes AS BIGINT) AS bytes,
                try_cast(c_sc_status AS INTEGER) AS status,
                c_x_edge_result_type AS result, c_cs_uri_stem AS path, c_c_ip AS ip
            FROM {relation}
        """  # noqa: S608 (constants and quoted paths)
        try:
            con.execute(
                f"INSERT INTO cf SELECT * FROM ({parsed}) WHERE ts IS NOT NULL"  # noqa: S608
                f" AND status IS NOT NULL AND bytes IS NOT NULL AND NOT ({API_REQUEST})"
            )
            con.execute(
                f"INSERT INTO cf_bad SELECT count(*) FROM ({parsed}) WHERE ts IS NULL"  # noqa: S608
                " OR status IS NULL OR bytes IS NULL"
            )
        except duckdb.Error as err:
            raise SourceError(
                f"cannot read CloudFront logs ({batch[0].name}...): {str(err).splitlines()[0]}"
            ) from err
        local.release()


def _anomalies(paths: list[tuple[str, int]], bursts: list[tuple[str, Any, int]]) -> AccessAnomalies:
    scanner = {p: int(n) for p, n in paths if p and security_rules.is_scanner_path(p)}
    per_minute: dict[Any, int] = {}
    clients: set[str] = set()
    for ip, minute, n in bursts:
        per_minute[minute] = per_minute.get(minute, 0) + int(n)
        if n >= security_rules.BURST_THRESHOLD:
            clients.add(ip)
    return AccessAnomalies(
        scanner_requests=sum(scanner.values()),
        burst_minutes=sum(1 for n in per_minute.values() if n >= security_rules.BURST_THRESHOLD),
        burst_clients=len(clients),
        rule=security_rules.RULE_ID,
        top_paths=sorted(scanner.items(), key=lambda item: (-item[1], item[0]))[:TOP],
    )
