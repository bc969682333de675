"""ALB access logs, read with DuckDB: the ``alb-logs`` report source and ``logs summary``.

DuckDB reads the log text (plain or gzipped, as ALB delivers it) with its CSV
reader, splitting each line on spaces into typed fields — the fields we need all
come before the first field that may hold a space — on every core, one big file
included, and groups it in one streaming pass: one ``GROUPING SETS`` query
per batch of files, so every grouping a caller needs comes from the same read
and no table of lines is ever held (memory stays bounded however big one file
is; DuckDB's own limit is set too). Each caller names a ``Shape``: the report
wants hours and minutes as epoch seconds, ``logs summary`` only endpoint groups,
so it never pays for hourly or per-minute groups it would not show. Python only
turns the few thousand groups into figures; no Python code runs per log line.

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
  strings dropped); every other path is ``(unmatched)`` (rules in
  alb_format.ENDPOINT_RULES). The paths of unmatched requests and of every 404
  are kept too, so a reader sees which paths they were (scanners' probes such as
  ``/wp-login.php``, marked by security_rules.is_scanner_path).
- 異常アクセス (security_rules): requests to scanner paths (judged on the
  distinct unmatched and 404 paths), and bursts of 401/403/404 per client address
  and minute.
- A line is malformed — skipped, counted, and the first few shown with file and
  line number — when its type, time, status, byte counts or target time do not
  parse, or it ends before its request line is complete (a record cut short after
  its status code is not a request). Empty lines are not records. Skipped lines
  never stop a run. The reader refuses such lines itself, with their line numbers
  (DuckDB numbers refused lines even when it reads one file on several threads:
  numbering every line would keep a file on one thread), and a few more (unusual
  methods and protocols, see VERBS); the full rule (_parse_sql) then judges the
  refused lines from the text the reader kept, so nothing is read twice.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from portfolio import names, security_rules
from portfolio.errors import SourceError
from portfolio.sketch import ZERO_BIN, bin_sql
from portfolio.sources import alb_format as fmt
from portfolio.sources.base import (
    AccessAnomalies,
)
from portfolio.sources.duck import connect
from portfolio.sources.logfiles import LogFile, Materialized, batches

EXAMPLES = 5
TOP_PATHS = 10
NO_BIN = ZERO_BIN + 1
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


VERBS = ("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE", "-")
"""Request methods the reader takes as they come. A line with another one is refused by the
reader and judged by the full rule from its text: still a request if that rule says so."""
PROTOCOLS = ("HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "-")
"""The same for the request line's protocol."""
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
REJECTED_LINE_LIMIT = 1 << 20
"""Bytes of a refused line DuckDB keeps: all of any log line (ALB's are a few KB)."""
READ_BUFFER = 8 << 20
"""The reader's buffer, the unit of work its threads share out. Measured on the 650k-line
month with DuckDB 2.0.1 on two cores, the scan took 0.71 s with the default (32 MB),
0.61-0.64 s with 6-12 MB and 0.85 s with 2 MB."""
_REJECTS = "alb_rejects"
_REJECT_SCANS = "alb_reject_scans"


_KNOWN = {
    "type": fmt.TYPES,
    "request_verb": tuple(f'"{v}' for v in VERBS),
    "request_proto": tuple(f'{v}"' for v in PROTOCOLS),
}
"""The fields the reader checks against a list: each listed value reads as NULL (nullstr), and
any other text is refused, as these columns are DATEs of a format no field can match (a
field never holds a newline). An ENUM would check the same but DuckDB 2.0 numbers its cast
errors wrongly when a blank line follows in the same chunk; casts to dates are numbered right.
One looseness: nullstr is one list for the three columns, so a line whose type field holds a
listed method or protocol (or the reverse) passes, where the full rule refuses it."""


def _reader_columns() -> dict[str, str]:
    """The first fifteen fields of a line split on spaces, typed so that the reader itself
    refuses every line the full rule calls malformed (and a few more: see VERBS)."""
    types = dict.fromkeys(fmt.POSITION, "VARCHAR")
    types.update(dict.fromkeys(_KNOWN, "DATE"))
    types["time"] = "TIMESTAMP"
    types["target_processing_time"] = "DOUBLE"
    types["elb_status_code"] = "INTEGER"
    types["received_bytes"] = "BIGINT"
    types["sent_bytes"] = "BIGINT"
    return dict(sorted(types.items(), key=lambda item: fmt.POSITION[item[0]]))


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _typed_lines(paths: Sequence[str]) -> str:
    """The files' lines as typed fields, read in parallel; refused lines go to _REJECTS.

    The reader checks each line as it splits it. Fewer than fifteen fields, a field
    that does not parse as its type (none may be empty: force_not_null), or a type,
    method or protocol not in _KNOWN: the line is refused and stored with its line
    number, which DuckDB computes even when it reads one file on several threads.
    Fields after the fifteenth are ignored (strict_mode=false). DuckDB only checks
    the columns a query reads: _typed_sql reads every checked one.
    """
    listed = ", ".join(_sql_text(p) for p in paths)
    columns = _reader_columns()
    declared = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    not_null = ", ".join(f"'{name}'" for name in columns if name not in _KNOWN)
    known = ", ".join(_sql_text(v) for values in _KNOWN.values() for v in values)
    return (
        f"read_csv([{listed}], columns={{{declared}}}, delim=' ', quote='', escape='',"
        " header=false, auto_detect=false, filename=true, compression='auto',"
        f" timestampformat='{TIME_FORMAT}', dateformat=chr(10), nullstr=[{known}],"
        f" force_not_null=[{not_null}], strict_mode=false, store_rejects=true,"
        f" rejects_table='{_REJECTS}', rejects_scan='{_REJECT_SCANS}',"
        f" rejects_line_size_limit={REJECTED_LINE_LIMIT}, buffer_size={READ_BUFFER})"
    )


def _typed_sql(paths: Sequence[str]) -> str:
    """The lines the reader took, in the shape of _parse_sql: every one a complete request.

    ``complete`` reads every column, the unused ones too: DuckDB 2.0 applies
    force_not_null by the position of a column among those a query reads, so with
    some columns left out it lands on the wrong ones (and the listed types, methods
    and protocols stop reading as NULL: every line would be refused).
    """
    listed = " AND ".join(f"{name} IS NULL" for name in _KNOWN)
    present = " AND ".join(f"{name} IS NOT NULL" for name in fmt.POSITION if name not in _KNOWN)
    return f"""
    SELECT NULL::BIGINT AS rn, filename, NULL::VARCHAR AS line, false AS blank, time AS ts,
        target_processing_time AS target_s, elb_status_code AS status,
        received_bytes AS bytes_in, sent_bytes AS bytes_out, target = '-' AS no_target,
        split_part(client, ':', 1) AS client, {fmt.path_sql("request_url")} AS path,
        {listed} AND {present} AS complete
    FROM {_typed_lines(paths)}
    """  # noqa: S608 (constants of alb_format; paths quoted by _typed_lines)


def _rejected_lines() -> str:
    """The lines the reader refused, one row each (a line may fail several fields), numbered."""
    return f"""
    SELECT s.file_path AS filename, min(e.line) AS rn,
        ltrim(any_value(e.csv_line), chr(10) || chr(13)) AS line
    FROM {_REJECTS} e JOIN {_REJECT_SCANS} s USING (scan_id, file_id)
    GROUP BY e.scan_id, e.file_id, s.file_path, e.line_byte_position
    """  # noqa: S608 (constants only)


def _parse_sql(numbered: str) -> str:
    """The full rule, from a line's text: its number, the typed fields, validity.

    ``numbered`` gives (rn, filename, line): the line number in its file and the text.
    Empty lines (NULL here) are no record.
    """
    p = fmt.POSITION
    types = ", ".join(f"'{t}'" for t in fmt.TYPES)
    return f"""
    SELECT rn, filename, line, line IS NULL OR line = '' AS blank,
        try_strptime(f[{p["time"]}], '{TIME_FORMAT}') AS ts,
        try_cast(f[{p["target_processing_time"]}] AS DOUBLE) AS target_s,
        try_cast(f[{p["elb_status_code"]}] AS INTEGER) AS status,
        try_cast(f[{p["received_bytes"]}] AS BIGINT) AS bytes_in,
        try_cast(f[{p["sent_bytes"]}] AS BIGINT) AS bytes_out,
        f[{p["target"]}] = '-' AS no_target,
        split_part(f[{p["client"]}], ':', 1) AS client,
        {fmt.path_sql(f"f[{p['request_url']}]")} AS path,
        coalesce(f[{p["type"]}] IN ({types}) AND len(f) >= {p["request_proto"]}
            AND starts_with(f[{p["request_verb"]}], '"')
            AND ends_with(f[{p["request_proto"]}], '"'), false) AS complete
    FROM (
        SELECT rn, filename, line, string_split(coalesce(line, ''), ' ') AS f
        FROM ({numbered})
    )
    """  # noqa: S608 (constants of alb_format)


def _lines_view(parsed: str) -> str:
    """Each line's figures: what the grouping sets add up (keys are NULL on malformed lines)."""
    ok = (
        "(NOT blank AND complete AND ts IS NOT NULL AND target_s IS NOT NULL"
        " AND status IS NOT NULL AND bytes_in IS NOT NULL AND bytes_out IS NOT NULL)"
    )
    burst = ", ".join(str(s) for s in sorted(security_rules.BURST_STATUSES))
    return f"""
    SELECT rn, filename, blank, ok, ts, status, endpoint, ms, bytes_in, bytes_out,
        ok AND no_target AND status >= 500 AS lb_own, ok AND NOT no_target AS reached,
        CASE WHEN NOT ok AND NOT blank THEN line END AS bad,
        CASE WHEN ok THEN CAST(floor(epoch(ts) / 3600) * 3600 AS BIGINT) END AS hour,
        CASE WHEN ok THEN CAST(floor(epoch(ts) / 60) * 60 AS BIGINT) END AS minute,
        CASE WHEN ok AND (endpoint = '{names.UNMATCHED_ENDPOINT}' OR status = 404)
            THEN path END AS odd_path,
        CASE WHEN ok AND status IN ({burst}) THEN hash(client) END AS burst_client,
        CASE WHEN ok AND status IN ({burst}) THEN CAST(floor(epoch(ts) / 60) AS INTEGER) END
            AS burst_minute,
        {bin_sql("ms", null_bin=str(NO_BIN))} AS bin
    FROM (
        SELECT *, {ok} AS ok,
            {fmt.endpoint_case("path", dialect="duckdb")} AS endpoint,
            CASE WHEN {ok} AND target_s >= 0 THEN target_s * 1000 END AS ms
        FROM ({parsed})
    )
    """  # noqa: S608 (constants only)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One figure of every group: how a batch computes it, and how batches combine."""

    sql: str
    combine: str  # "sum" | "min" | "max"


AGGREGATES: dict[str, Aggregate] = {
    "n": Aggregate("count(*) FILTER (WHERE ok)", "sum"),
    "lat_sum": Aggregate("coalesce(sum(ms), 0)", "sum"),
    "lat_n": Aggregate("count(ms)", "sum"),
    "lat_min": Aggregate("coalesce(min(ms), 'inf'::DOUBLE)", "min"),
    "lat_max": Aggregate("coalesce(max(ms), '-inf'::DOUBLE)", "max"),
    "bytes_in": Aggregate("coalesce(sum(bytes_in) FILTER (WHERE ok), 0)", "sum"),
    "bytes_out": Aggregate("coalesce(sum(bytes_out) FILTER (WHERE ok), 0)", "sum"),
    "lb": Aggregate("count(*) FILTER (WHERE lb_own)", "sum"),
    "e5": Aggregate("count(*) FILTER (WHERE ok AND status >= 500)", "sum"),
    "reached": Aggregate("count(*) FILTER (WHERE reached)", "sum"),
}
"""Figures of the request groups; the file group's own figures are in _FILE_FIGURES."""

_FILE_FIGURES = (
    "count(*) FILTER (WHERE NOT blank) AS lines, count(bad) AS bad,"
    " min(ts) FILTER (WHERE ok) AS first, max(ts) FILTER (WHERE ok) AS last,"
    f" min_by({{'rn': rn, 'text': bad}}, rn, {EXAMPLES}) FILTER (WHERE bad IS NOT NULL)"
    " AS examples"
)


@dataclass(frozen=True, slots=True)
class Shape:
    """The groups a caller needs: grouping sets by name (their key columns) and their figures.

    Every shape also groups by file (lines, malformed lines and their examples, the
    time range) and by (client, minute) of 401/403/404 answers (bursts).
    """

    name: str
    sets: dict[str, tuple[str, ...]]
    figures: tuple[str, ...]


REPORT = Shape(
    "report",
    {
        "hourly": ("hour", "endpoint", "status", "bin"),
        "minutely": ("minute",),
        "paths": ("hour", "odd_path", "endpoint", "status"),
    },
    ("n", "lat_sum", "lat_n", "lat_min", "lat_max", "bytes_in", "bytes_out", "lb", "e5", "reached"),
)
"""What the report's source reads: hours and minutes as epoch seconds (UTC)."""
SUMMARY = Shape(
    "summary",
    {"endpoints": ("endpoint", "status", "bin"), "paths": ("odd_path", "endpoint", "status")},
    ("n", "lat_sum", "lat_min", "lat_max", "lb"),
)
"""What ``logs summary`` reads: no hours, no minutes, the time range as text."""
_COMMON_SETS: dict[str, tuple[str, ...]] = {"bursts": ("burst_client", "burst_minute")}


def _all_sets(shape: Shape) -> dict[str, tuple[str, ...]]:
    return {**shape.sets, **_COMMON_SETS}


def _batch_sql(shape: Shape, parsed: str) -> str:
    """One streaming pass over parsed lines: every grouping set of the shape, plus the files."""
    sets = _all_sets(shape)
    keys = sorted({k for ks in sets.values() for k in ks})
    grouping = ", ".join(f"({', '.join(ks)})" for ks in sets.values())
    ids = ", ".join(f"grouping({', '.join(ks)}) = 0 AS g_{name}" for name, ks in sets.items())
    figures = ", ".join(f"{AGGREGATES[f].sql} AS {f}" for f in shape.figures)
    return f"""
    SELECT {ids}, grouping(filename) = 0 AS g_files, {", ".join(keys)}, filename,
        {figures}, {_FILE_FIGURES}
    FROM ({_lines_view(parsed)})
    GROUP BY GROUPING SETS ({grouping}, (filename))
    """  # noqa: S608 (constants only)


def _final_sql(shape: Shape, name: str, keys: tuple[str, ...]) -> str:
    """One grouping set over all batches: figures combined, groups without requests dropped."""
    figures = ", ".join(f"{AGGREGATES[f].combine}({f}) AS {f}" for f in shape.figures if f != "n")
    cols = ", ".join(keys)
    present = " AND ".join(f"{k} IS NOT NULL" for k in keys if k not in ("endpoint", "bin"))
    return f"""
    SELECT {cols}, CAST(sum(n) AS BIGINT) AS n, {figures}
    FROM acc WHERE g_{name} AND {present or "true"}
    GROUP BY ALL HAVING sum(n) > 0 ORDER BY {cols}
    """  # noqa: S608 (constants only)


_FILE_ROWS = "SELECT filename, lines, bad, first, last, examples FROM part WHERE g_files"


@dataclass(frozen=True, slots=True)
class Malformed:
    file: str
    line_number: int
    text: str


@dataclass
class AlbScan:
    """Everything read from a set of ALB log files, grouped as its Shape asked; the input of
    every figure. ``groups`` holds one dict of column arrays per grouping set."""

    shape: Shape = REPORT
    files: int = 0
    lines: int = 0
    skipped: int = 0
    refused: int = 0
    """Lines the parallel reader refused and the full rule judged: the skipped ones, and
    requests with a method or protocol the reader does not list (VERBS, PROTOCOLS)."""
    examples: list[Malformed] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    groups: dict[str, dict[str, npt.NDArray[Any]]] = field(default_factory=dict)

    @property
    def hourly(self) -> dict[str, npt.NDArray[Any]]:
        return self.groups.get("hourly", {})

    @property
    def minutely(self) -> dict[str, npt.NDArray[Any]]:
        return self.groups.get("minutely", {})

    @property
    def requests(self) -> int:
        main = self.groups.get("hourly") or self.groups.get("endpoints")
        return int(main["n"].sum()) if main else 0


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


SNIFF_BYTES = 64 * 1024
"""What is read of a file's start to tell an ALB log from other text (ALB's lines are < 8 KB)."""
SNIFF_LINES = 5


def _check_is_alb_log(path: str, name: str) -> None:
    """SourceError unless one of the file's first lines is an ALB record (or it has none).

    The parallel reader keeps an error for every line it refuses until the scan ends,
    outside DuckDB's memory limit: a file of other text (CloudFront logs given as ALB
    logs) would cost about ten times its size. Its first few lines tell, and they are the
    only bytes read twice: a few kilobytes of each file, never its records again.
    """
    # Compressed or not by the name, as DuckDB's reader decides (compression='auto').
    try:
        with gzip.open(path) if path.endswith(".gz") else Path(path).open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as err:
        raise SourceError(f"cannot read ALB logs ({name}): {err}") from err
    lines = [line for line in head.decode("utf-8", "replace").splitlines() if line.strip()]
    if len(head) == SNIFF_BYTES and len(lines) > 1:
        lines.pop()  # cut at the sniff's end
    if not lines or any(_is_alb_record(line) for line in lines[:SNIFF_LINES]):
        return
    raise SourceError(
        f"{name} is not an ALB access log: its first lines are no ALB records"
        f" (first: {lines[0][:80]!r}); CloudFront standard logs go to"
        " `portfolio report --cloudfront-logs`"
    )


def _is_alb_record(line: str) -> bool:
    """Its type is one ALB writes and its second field is ALB's time: enough to tell a log."""
    fields = line.split(" ", 2)
    if len(fields) < 3 or fields[0] not in fmt.TYPES:
        return False
    try:
        datetime.strptime(fields[1], TIME_FORMAT)
    except ValueError:
        return False
    return True


def scan_alb(
    files: Sequence[LogFile],
    *,
    shape: Shape = REPORT,
    endpoint_url: str | None = None,
    progress: Progress | None = None,
) -> AlbScan:
    """Read and group every line of the files once (SourceError if DuckDB cannot read one)."""
    import duckdb

    con = connect()
    local = Materialized(endpoint_url)
    scan = AlbScan(shape=shape, files=len(files))
    first: list[datetime] = []
    last: list[datetime] = []
    try:
        for number, batch in enumerate(batches(files)):
            paths = local.paths(batch)
            for path, log in paths:
                _check_is_alb_log(path, log.name)
            try:
                typed = _typed_sql([p for p, _ in paths])
                con.execute(f"CREATE OR REPLACE TEMP TABLE part AS {_batch_sql(shape, typed)}")
            except duckdb.Error as err:
                names_ = ", ".join(f.name for _, f in paths[:3])
                raise SourceError(
                    f"cannot read ALB logs ({names_}{'...' if len(paths) > 3 else ''}): "
                    f"{str(err).splitlines()[0]}"
                ) from err
            files_read = con.execute(_FILE_ROWS).fetchall()
            # The file rows go along: every grouping set is read back by its own g_ flag.
            keep = "INSERT INTO acc SELECT * FROM part"
            con.execute("ALTER TABLE part RENAME TO acc" if number == 0 else keep)
            # The lines the reader refused: the full rule judges them from their text.
            con.execute(
                "CREATE OR REPLACE TEMP TABLE part AS"
                f" {_batch_sql(shape, _parse_sql(_rejected_lines()))}"
            )
            con.execute(keep)
            refused = con.execute(_FILE_ROWS).fetchall()
            scan.refused += sum(row[1] for row in refused)
            files_read += refused
            con.execute(f"DROP TABLE {_REJECTS}")
            con.execute(f"DROP TABLE {_REJECT_SCANS}")
            by_local = dict(paths)
            # File order, as given: examples are shown in the order a reader meets them.
            order = {p: i for i, (p, _) in enumerate(paths)}
            examples: list[tuple[int, int, Malformed]] = []
            for name, lines, bad, lo, hi, shown in files_read:
                scan.lines += lines
                scan.skipped += bad
                first.extend([lo] if lo else [])
                last.extend([hi] if hi else [])
                file = by_local[name].name if name in by_local else name
                examples.extend(
                    (order.get(name, len(order)), e["rn"], Malformed(file, e["rn"], e["text"]))
                    for e in shown or []
                )
            for _, _, example in sorted(examples, key=lambda e: e[:2]):
                if len(scan.examples) < EXAMPLES:
                    scan.examples.append(example)
            local.release()
            if progress is not None:
                progress(len(batch))
        if files and scan.lines:
            for name, keys in _all_sets(shape).items():
                scan.groups[name] = con.execute(_final_sql(shape, name, keys)).fetchnumpy()
        scan.first = _utc(min(first, default=None))
        scan.last = _utc(max(last, default=None))
    finally:
        local.release()
        con.close()
    return scan


def anomalies(scan: AlbScan, start: int | None = None, end: int | None = None) -> AccessAnomalies:
    """異常アクセス of the scan, or of [start, end) (epoch seconds).

    Scanner paths are judged on the distinct unmatched and 404 paths the scan kept;
    a burst is BURST_THRESHOLD or more 401/403/404 answers to one client address in
    one minute (burst_clients) or to everyone in that minute (burst_minutes). Clients
    are told apart by a 64-bit hash of their address: small integer keys keep the
    scan's memory low, and only their number is reported.
    """
    paths = scan.groups.get("paths", {})
    scanner: dict[str, int] = {}
    if paths:
        keep = np.ones(len(paths["n"]), dtype=bool)
        if "hour" in paths and start is not None and end is not None:
            keep = (paths["hour"] >= start) & (paths["hour"] < end)
        for path, n in zip(
            paths["odd_path"][keep].tolist(), paths["n"][keep].tolist(), strict=True
        ):
            if security_rules.is_scanner_path(path):
                scanner[path] = scanner.get(path, 0) + n
    bursts = scan.groups.get("bursts", {})
    per_minute: dict[str, int] = {}
    clients: set[int] = set()
    if bursts:
        for client, minute, n in zip(
            bursts["burst_client"].tolist(), bursts["burst_minute"].tolist(),
            bursts["n"].tolist(), strict=True,
        ):  # fmt: skip
            if start is not None and end is not None and not start <= minute * 60 < end:
                continue
            per_minute[minute] = per_minute.get(minute, 0) + n
            if n >= security_rules.BURST_THRESHOLD:
                clients.add(client)
    top = sorted(scanner.items(), key=lambda item: (-item[1], item[0]))[:TOP_PATHS]
    return AccessAnomalies(
        scanner_requests=sum(scanner.values()),
        burst_minutes=sum(1 for n in per_minute.values() if n >= security_rules.BURST_THRESHOLD),
        burst_clients=len(clients),
        rule=security_rules.RULE_ID,
        top_paths=top,
    )


__all__ = [
    "EXAMPLES",
    "NOTE_BEST_EFFORT",
    "NO_BIN",
    "REPORT",
    "SUMMARY",
    "TIME_FORMAT",
    "TOP_PATHS",
    "AlbScan",
    "Malformed",
    "Progress",
    "ProgressFactory",
    "Shape",
    "anomalies",
    "connect",
    "scan_alb",
]
