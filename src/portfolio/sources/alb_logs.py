"""ALB access logs as a report source (``--source alb-logs``), read with DuckDB.

DuckDB reads the log text (plain or gzipped, as ALB delivers it), splits each
line on spaces — the fields the report needs all come before the first field
that may hold a space — and groups in SQL by (hour, endpoint, status, sketch bin)
and by minute. Python only turns the few thousand groups into TrafficBuckets
with ``LatencySketch.from_bins``; no Python code runs per log line. Files are read
in batches of about 64 MB so memory stays bounded (DuckDB's own limit is set too).

Rules, stated once here:

- Latency is ``target_processing_time`` in ms. A request the load balancer
  answered itself (target ``-``, times ``-1``) has no latency; a 5xx of that kind
  counts in ``load_balancer_errors_5xx`` as well as in the 5xx of its endpoint.
- A minute's ``latency_sum_ms`` is scaled to all its requests (sum of known
  latencies × requests / requests with a latency) so that sum / count — what
  incident detection reads — is the mean of the requests that reached a target.
- Availability: each minute with requests is one probe. It fails when no request
  of that minute reached a target and the load balancer answered at least one
  with its own 5xx — nobody could be served. A target's 500 is an error (the
  error-rate KPI), not downtime. Minutes without requests are unmonitored (the
  report shows the coverage); at very low traffic the estimate is coarse, as a
  prober's would be if it probed that rarely.
- Endpoints are the API's templates (``/api/v1/users/{user_id}`` ...; query
  strings dropped); every other path is one group, ``(unmatched)`` — scanners'
  probes and stray paths, which the report need not tell apart (rules in
  alb_format.ENDPOINT_RULES).
- A line is skipped (counted, a few shown with file and line number) when its
  type, time, status, byte counts or target time do not parse, or it has too few
  fields; skipped lines never stop a run.
"""

from __future__ import annotations

import gzip
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from portfolio.errors import SourceError
from portfolio.period import Period
from portfolio.sources import alb_format as fmt
from portfolio.sources.base import (
    Observations,
    SourceOptions,
    TrafficBucket,
    register_source,
    utc_hour,
)
from portfolio.sources.logfiles import LogFile, Materialized, batches, find_files
from portfolio.store.records import MinuteTotals, ProbeResult
from portfolio.telemetry.sketch import LatencySketch

MEMORY_LIMIT = "512MB"
"""DuckDB's own ceiling; with 64 MB batches a month of 6.5M lines peaks well under it."""
EXAMPLES = 5
NO_BIN = fmt.ZERO_BIN + 1
"""Bin marker of requests without a latency (answered by the load balancer itself)."""
Progress = Callable[[int], None]
"""Called with the number of files just read."""
ProgressFactory = Callable[[int], AbstractContextManager[Progress]]
"""Given the number of files, a context that shows progress and yields a Progress."""

NOTE_BEST_EFFORT = (
    "ALB アクセスログはベストエフォートで記録され、ヘルスチェックは含まれません。"
    "可用性はログから分単位で推定しています(リクエストがどのターゲットにも届かず、ロードバランサーが"
    "5xx を返した分を停止とします)"
    " / ALB access logs are best effort and omit the load balancer's health checks;"
    " availability is estimated per minute from the logs: a minute is down when no request"
    " reached a target and the load balancer answered with its own 5xx"
)


def _lines_relation(paths: Sequence[str]) -> str:
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    # One VARCHAR column per physical line: no quoting, a delimiter that never occurs.
    return (
        f"read_csv([{listed}], columns={{'line': 'VARCHAR'}}, delim='\\x01', quote='',"
        " escape='', header=false, auto_detect=false, filename=true, compression='auto')"
    )


def _parse_sql(relation: str) -> str:
    """One row per line: the typed fields, and the line itself (with its file) when unreadable.

    Each field is extracted once here and stored in the batch table; everything that
    uses a field several times (validity, the endpoint CASE, the sketch bin) runs on
    the stored columns, because DuckDB would otherwise inline and recompute it.
    """
    p = fmt.POSITION
    types = ", ".join(f"'{t}'" for t in fmt.TYPES)
    ts = f"try_strptime(f[{p['time']}], '%Y-%m-%dT%H:%M:%S.%fZ')"
    target_s = f"try_cast(f[{p['target_processing_time']}] AS DOUBLE)"
    status = f"try_cast(f[{p['elb_status_code']}] AS INTEGER)"
    bytes_in = f"try_cast(f[{p['received_bytes']}] AS BIGINT)"
    bytes_out = f"try_cast(f[{p['sent_bytes']}] AS BIGINT)"
    readable = (
        f"coalesce(f[{p['type']}] IN ({types}) AND len(f) >= {p['request_url']}"
        f" AND starts_with(f[{p['request_verb']}], '\"') AND {ts} IS NOT NULL"
        f" AND {target_s} IS NOT NULL AND {status} IS NOT NULL AND {bytes_in} IS NOT NULL"
        f" AND {bytes_out} IS NOT NULL, false)"
    )
    # Built from constants of alb_format; file paths are quoted by _lines_relation.
    return f"""
    SELECT epoch({ts}) AS ts, {target_s} AS target_s, {status} AS status,
        {bytes_in} AS bytes_in, {bytes_out} AS bytes_out,
        f[{p["target"]}] = '-' AS no_target,
        {fmt.path_sql(f"f[{p['request_url']}]")} AS path,
        CASE WHEN NOT {readable} THEN filename || chr(1) || line END AS bad
    FROM (
        SELECT filename, line, string_split(line, ' ') AS f
        FROM {relation} WHERE line IS NOT NULL AND line <> ''
    )
    """  # noqa: S608


def _lines_view(table: str) -> str:
    """Each line's figures, from the batch table: what the groups below add up."""
    return f"""
    SELECT bad IS NULL AS ok, ts, {fmt.endpoint_case("path", dialect="duckdb")} AS endpoint,
        status, CASE WHEN target_s >= 0 THEN target_s * 1000 END AS ms,
        no_target AND status >= 500 AS lb_own, NOT no_target AS reached, bytes_in, bytes_out
    FROM {table}
    """  # noqa: S608


_BIN_SQL = (
    f"CASE WHEN ms IS NULL THEN {NO_BIN} WHEN ms < {fmt.MIN_MS!r} THEN {fmt.ZERO_BIN} "
    f"ELSE CAST(ceil(ln(ms) / {fmt.LOG_GAMMA!r}) AS INTEGER) END"
)
_SCHEMA = """
CREATE TEMP TABLE hourly (hour BIGINT, endpoint VARCHAR, status INTEGER, bin INTEGER,
    n BIGINT, lat_sum DOUBLE, lat_min DOUBLE, lat_max DOUBLE,
    bytes_in HUGEINT, bytes_out HUGEINT, lb BIGINT);
CREATE TEMP TABLE minutely (minute BIGINT, n BIGINT, e5 BIGINT, lat_sum DOUBLE, lat_n BIGINT,
    reached BIGINT, lb5 BIGINT);
CREATE TEMP TABLE spans (lo DOUBLE, hi DOUBLE);
"""
_LINES = _lines_view("batch")
_FOLD = f"""
INSERT INTO hourly SELECT CAST(floor(ts / 3600) * 3600 AS BIGINT), endpoint, status, {_BIN_SQL},
    count(*), sum(ms), min(ms), max(ms), sum(bytes_in), sum(bytes_out),
    count(*) FILTER (WHERE lb_own)
    FROM ({_LINES}) WHERE ok GROUP BY ALL;
INSERT INTO minutely SELECT CAST(floor(ts / 60) * 60 AS BIGINT), count(*),
    count(*) FILTER (WHERE status >= 500), coalesce(sum(ms), 0), count(ms),
    count(*) FILTER (WHERE reached), count(*) FILTER (WHERE lb_own)
    FROM ({_LINES}) WHERE ok GROUP BY ALL;
INSERT INTO spans SELECT min(ts), max(ts) FROM batch WHERE bad IS NULL;
"""  # noqa: S608 (constants only)


@dataclass
class Malformed:
    file: str
    line_number: int | None
    text: str


@dataclass
class AlbScan:
    """Everything read from a set of ALB log files, grouped; the input of every figure."""

    files: int = 0
    lines: int = 0
    skipped: int = 0
    examples: list[Malformed] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    hourly: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    minutely: dict[str, npt.NDArray[Any]] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return int(self.hourly["n"].sum()) if self.hourly else 0


def connect() -> Any:
    """A DuckDB connection with bounded memory, both cores, and UTC as its zone."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET threads = {max(2, os.cpu_count() or 2)}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/portfolio-duckdb'")
    con.execute("SET preserve_insertion_order = false")
    # DuckDB's own bar would write to stdout; the sources show theirs on stderr.
    con.execute("SET enable_progress_bar = false")
    return con


def scan_alb(
    files: Sequence[LogFile], *, endpoint_url: str | None = None, progress: Progress | None = None
) -> AlbScan:
    """Read and group every line of the files (SourceError if DuckDB cannot read one)."""
    import duckdb

    con = connect()
    con.execute(_SCHEMA)
    local = Materialized(endpoint_url)
    scan = AlbScan(files=len(files))
    try:
        for batch in batches(files):
            paths = local.paths(batch)
            try:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE batch AS "
                    + _parse_sql(_lines_relation([p for p, _ in paths]))
                )
            except duckdb.Error as err:
                names_ = ", ".join(f.name for _, f in paths[:3])
                raise SourceError(
                    f"cannot read ALB logs ({names_}{'...' if len(paths) > 3 else ''}): "
                    f"{str(err).splitlines()[0]}"
                ) from err
            con.execute(_FOLD)
            lines, bad = con.execute("SELECT count(*), count(bad) FROM batch").fetchone()
            scan.lines += lines
            scan.skipped += bad
            if bad and len(scan.examples) < EXAMPLES:
                by_local = {p: f.name for p, f in paths}
                rows = con.execute(
                    "SELECT bad FROM batch WHERE bad IS NOT NULL LIMIT ?",
                    [EXAMPLES - len(scan.examples)],
                ).fetchall()
                for (bad_row,) in rows:
                    f, _, text = bad_row.partition("\x01")
                    scan.examples.append(Malformed(by_local.get(f, f), _line_number(f, text), text))
            local.release()
            if progress is not None:
                progress(len(batch))
        con.execute("DROP TABLE IF EXISTS batch")
        lo, hi = con.execute("SELECT min(lo), max(hi) FROM spans").fetchone()
        scan.first = None if lo is None else datetime.fromtimestamp(lo, UTC)
        scan.last = None if hi is None else datetime.fromtimestamp(hi, UTC)
        scan.hourly = con.execute(
            """SELECT hour, endpoint, status, bin, CAST(sum(n) AS BIGINT) AS n,
                   coalesce(sum(lat_sum), 0) AS lat_sum,
                   coalesce(min(lat_min), 'inf'::DOUBLE) AS lat_min,
                   coalesce(max(lat_max), '-inf'::DOUBLE) AS lat_max,
                   CAST(sum(bytes_in) AS BIGINT) AS bytes_in,
                   CAST(sum(bytes_out) AS BIGINT) AS bytes_out, CAST(sum(lb) AS BIGINT) AS lb
               FROM hourly GROUP BY ALL ORDER BY hour, endpoint, status, bin"""
        ).fetchnumpy()
        scan.minutely = con.execute(
            """SELECT minute, CAST(sum(n) AS BIGINT) AS n, CAST(sum(e5) AS BIGINT) AS e5,
                   sum(lat_sum) AS lat_sum, CAST(sum(lat_n) AS BIGINT) AS lat_n,
                   CAST(sum(reached) AS BIGINT) AS reached, CAST(sum(lb5) AS BIGINT) AS lb5
               FROM minutely GROUP BY ALL ORDER BY minute"""
        ).fetchnumpy()
    finally:
        local.release()
        con.close()
    return scan


def _line_number(local_path: str, text: str) -> int | None:
    """Where a skipped line sits in its file: only ever run for the few lines shown."""
    opener = gzip.open if local_path.endswith(".gz") else open
    try:
        with opener(local_path, "rt", encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if line.rstrip("\n") == text:
                    return number
    except OSError:
        return None
    return None


# -- from groups to Observations ---------------------------------------------


def _group_bounds(keys: list[npt.NDArray[Any]]) -> npt.NDArray[np.int64]:
    """Start indexes of runs of equal keys (rows are sorted by them), plus the end."""
    size = len(keys[0])
    if size == 0:
        return np.array([0], dtype=np.int64)
    change = np.zeros(size, dtype=bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    return np.append(np.flatnonzero(change), size).astype(np.int64)


def _sketch(rows: dict[str, npt.NDArray[Any]], lo: int, hi: int) -> LatencySketch:
    """A sketch from one group's bin rows (NO_BIN: no latency; ZERO_BIN: zero_count)."""
    bins = rows["bin"][lo:hi].astype(np.int64)
    valid = bins != NO_BIN
    if not valid.any():
        return LatencySketch()
    bins_v = bins[valid]
    counts_v = rows["n"][lo:hi].astype(np.int64)[valid]
    zero = bins_v == fmt.ZERO_BIN
    return LatencySketch.from_bins(
        bins_v[~zero],
        counts_v[~zero],
        zero_count=int(counts_v[zero].sum()),
        total=float(rows["lat_sum"][lo:hi][valid].sum()),
        low=float(rows["lat_min"][lo:hi][valid].min()),
        high=float(rows["lat_max"][lo:hi][valid].max()),
    )


def _select(rows: dict[str, npt.NDArray[Any]], mask: npt.NDArray[np.bool_]) -> dict[str, Any]:
    return {k: v[mask] for k, v in rows.items()}


def traffic_buckets(scan: AlbScan, start: int, end: int) -> list[TrafficBucket]:
    """One TrafficBucket per (hour, endpoint, status) of [start, end) (epoch seconds)."""
    if not scan.hourly or len(scan.hourly["hour"]) == 0:
        return []
    hour = scan.hourly["hour"]
    rows = _select(scan.hourly, (hour >= start) & (hour < end))
    bounds = _group_bounds([rows["hour"], rows["endpoint"], rows["status"]])
    buckets = []
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        buckets.append(
            TrafficBucket(
                hour=utc_hour(int(rows["hour"][lo])),
                endpoint=str(rows["endpoint"][lo]),
                status=int(rows["status"][lo]),
                count=int(rows["n"][lo:hi].sum()),
                bytes_in=int(rows["bytes_in"][lo:hi].sum()),
                bytes_out=int(rows["bytes_out"][lo:hi].sum()),
                sketch=_sketch(rows, lo, hi),
            )
        )
    return buckets


def sketches_by_endpoint(scan: AlbScan) -> dict[str, LatencySketch]:
    """One sketch per endpoint over everything read (for quick looks at a log set)."""
    if not scan.hourly or len(scan.hourly["hour"]) == 0:
        return {}
    rows = scan.hourly
    order = np.lexsort((rows["bin"], rows["endpoint"]))
    ordered = {k: v[order] for k, v in rows.items()}
    bounds = _group_bounds([ordered["endpoint"]])
    out: dict[str, LatencySketch] = {}
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        part = {k: v[lo:hi] for k, v in ordered.items()}
        # Merge equal bins of different hours before building the sketch.
        keys, inverse = np.unique(part["bin"].astype(np.int64), return_inverse=True)
        merged = {
            "bin": keys,
            "n": np.bincount(inverse, weights=part["n"]).astype(np.int64),
            "lat_sum": np.bincount(inverse, weights=part["lat_sum"]),
            "lat_min": np.full(keys.size, np.inf),
            "lat_max": np.full(keys.size, -np.inf),
        }
        np.minimum.at(merged["lat_min"], inverse, part["lat_min"])
        np.maximum.at(merged["lat_max"], inverse, part["lat_max"])
        out[str(part["endpoint"][0])] = _sketch(merged, 0, keys.size)
    return out


def minute_totals(scan: AlbScan, start: int, end: int) -> list[MinuteTotals]:
    if not scan.minutely or len(scan.minutely["minute"]) == 0:
        return []
    m = scan.minutely
    mask = (m["minute"] >= start) & (m["minute"] < end)
    lat_n = m["lat_n"][mask]
    n = m["n"][mask]
    lat_sum = m["lat_sum"][mask]
    scaled = np.where(lat_n > 0, lat_sum * n / np.maximum(lat_n, 1), 0.0)
    return [
        MinuteTotals(minute=int(a), count=int(b), errors_5xx=int(c), latency_sum_ms=float(d))
        for a, b, c, d in zip(
            m["minute"][mask].tolist(), n.tolist(), m["e5"][mask].tolist(), scaled.tolist(),
            strict=True,
        )
    ]  # fmt: skip


def traffic_probes(scan: AlbScan, start: int, end: int) -> list[ProbeResult]:
    """One probe per minute with requests: failed when none reached a target (see above)."""
    if not scan.minutely or len(scan.minutely["minute"]) == 0:
        return []
    m = scan.minutely
    mask = (m["minute"] >= start) & (m["minute"] < end) & (m["n"] > 0)
    down = (m["reached"][mask] == 0) & (m["lb5"][mask] > 0)
    lat_n = m["lat_n"][mask]
    mean = np.where(lat_n > 0, m["lat_sum"][mask] / np.maximum(lat_n, 1), np.nan)
    return [
        ProbeResult(
            at=datetime.fromtimestamp(minute, UTC),
            ok=not failed,
            latency_ms=None if math.isnan(ms) else round(ms, 3),
            status=None,
            detail=f"{n} requests in the access log, {lb5} answered by the load balancer",
        )
        for minute, failed, ms, n, lb5 in zip(
            m["minute"][mask].tolist(), down.tolist(), mean.tolist(),
            m["n"][mask].tolist(), m["lb5"][mask].tolist(), strict=True,
        )
    ]  # fmt: skip


def skipped_note(scan: AlbScan) -> str:
    return (
        f"読み取れない行 {scan.skipped:,} 行をスキップしました(全 {scan.lines:,} 行)"
        f" / {scan.skipped:,} malformed lines skipped of {scan.lines:,} read"
    )


class AlbLogsSource:
    """ALB access logs (files, directories, .gz, s3:// prefixes) as Observations.

    The logs are read once, on the first ``observe``, and grouped by hour and
    minute; the report's second look (the previous month, for 前月比) is a slice
    of the same groups rather than a second read.
    """

    name = "alb-logs"

    def __init__(
        self,
        paths: Sequence[str],
        *,
        cloudfront: Sequence[str] = (),
        endpoint_url: str | None = None,
        progress: ProgressFactory | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.paths = list(paths)
        self.cloudfront = list(cloudfront)
        self.endpoint_url = endpoint_url
        self.progress = progress
        self.warn = warn
        self._scan: AlbScan | None = None

    @property
    def scan(self) -> AlbScan:
        if self._scan is None:
            files = find_files(self.paths, endpoint_url=self.endpoint_url)
            shown = self.progress(len(files)) if self.progress else nullcontext(None)
            with shown as advance:
                self._scan = scan_alb(files, endpoint_url=self.endpoint_url, progress=advance)
            if self._scan.skipped and self.warn is not None:
                self.warn(describe_skipped(self._scan))
        return self._scan

    def observe(self, period: Period, *, traffic_only: bool = False) -> Observations:
        scan = self.scan
        start, end = int(period.start.timestamp()), int(period.end.timestamp())
        source = f"ALB access logs ({scan.files} files)"
        traffic = traffic_buckets(scan, start, end)
        if traffic_only:
            return Observations(period=period, source=source, traffic=traffic)
        inside = sum(b.count for b in traffic)
        notes = [NOTE_BEST_EFFORT, skipped_note(scan)]
        outside = scan.requests - inside
        if outside:
            notes.append(
                f"対象月以外のリクエスト {outside:,} 件は集計していません"
                f" / {outside:,} requests outside {period.label} not counted"
            )
        obs = Observations(
            period=period,
            source=source,
            notes=notes,
            traffic=traffic,
            minutes=minute_totals(scan, start, end),
            probes=traffic_probes(scan, start, end),
            load_balancer_errors_5xx=_lb_errors(scan, start, end),
            skipped_lines=scan.skipped,
        )
        if self.cloudfront:
            from portfolio.sources.cloudfront_logs import read_cloudfront

            site, cf_notes = read_cloudfront(
                self.cloudfront, period, endpoint_url=self.endpoint_url
            )
            obs.static_site = site
            obs.notes.extend(cf_notes)
        return obs


def _lb_errors(scan: AlbScan, start: int, end: int) -> int:
    if not scan.hourly:
        return 0
    hour = scan.hourly["hour"]
    return int(scan.hourly["lb"][(hour >= start) & (hour < end)].sum())


def describe_skipped(scan: AlbScan) -> str:
    """The warning for skipped lines: how many, and the first few with file and line."""
    shown = "\n".join(f"  {e.file}:{e.line_number or '?'}: {e.text[:120]}" for e in scan.examples)
    return f"skipped {scan.skipped:,} malformed lines of {scan.lines:,}; first ones:\n{shown}"


@register_source("alb-logs")
def _alb_logs(options: SourceOptions) -> AlbLogsSource:
    from portfolio.sources.progress import file_progress, warn

    return AlbLogsSource(
        options.logs,
        cloudfront=options.cloudfront_logs,
        endpoint_url=options.endpoint_url,
        progress=file_progress,
        warn=warn,
    )
