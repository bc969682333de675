"""The alb-logs source against goaccess, exact percentiles, AWS's own examples and bad input."""

from __future__ import annotations

import gzip
import json
import math
import re
import subprocess
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from bench.alb_gen import generate

from portfolio.errors import InputError, SourceError
from portfolio.period import Period
from portfolio.sketch import bin_sql
from portfolio.sources import alb_format as fmt
from portfolio.sources import alb_logs as a
from portfolio.sources.alb_logs import (
    EXAMPLES,
    TIME_FORMAT,
    _lines_view,
    _parse_sql,
    connect,
    scan_alb,
)
from portfolio.sources.alb_source import AlbLogsSource, sketches_by_endpoint
from portfolio.sources.logfiles import find_files
from tests.sources.conftest import Generated

# ruff: noqa: E501 (AWS's examples are kept verbatim, long lines and all)
# AWS's examples, verbatim from the Elastic Load Balancing user guide ("Access log
# entries"); the guide wraps them over several lines "only to make them easier to read".
# The older guide (awsdocs/elb-application-load-balancers-user-guide) ends at
# target_status_code_list, unquoted; the current one quotes the lists and appends
# classification, classification_reason and conn_trace_id.
OLD_HTTP = """http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188
192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366
"GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - -
arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067
"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-"
0 2018-07-02T22:22:48.364000Z "forward" "-" "-" 10.0.0.1:80 200 "-" "-\""""
OLD_HTTPS = """https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188
192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57
"GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2
arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067
"Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012"
1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" 10.0.0.1:80 200 "-" "-\""""
NEW_HTTP = """http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188
192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366
"GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - -
arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067
"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-"
0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90"""
NEW_HTTPS = """https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188
192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57
"GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2
arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067
"Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012"
1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90"""
# A field appended in some future version must not make the line unreadable.
FUTURE = NEW_HTTPS + ' "m.example.com" "-" "TransformSuccess"'
DOC_ENTRIES = [OLD_HTTP, OLD_HTTPS, NEW_HTTP, NEW_HTTPS, FUTURE]


def one_line(entry: str) -> str:
    return " ".join(part.strip() for part in entry.splitlines())


def numbered(path: str) -> str:
    """The reference: every physical line of one file with its number, read on one thread."""
    reader = (
        f"read_csv(['{path}'], columns={{'line': 'VARCHAR'}}, delim='\\x01', quote='',"
        " escape='', header=false, auto_detect=false, filename=true, compression='auto')"
    )
    return f"SELECT row_number() OVER () AS rn, filename, line FROM {reader}"  # noqa: S608


def per_line(path: str) -> list[tuple[object, ...]]:
    """The full rule's verdict on every non-empty line of a file, in file order (the rule the
    scan applies to the lines its reader refuses)."""
    con = connect()
    try:
        columns = (
            f"ok, strftime(ts, '{TIME_FORMAT}'), endpoint, status, ms, lb_own, bytes_in,"
            " bytes_out, rn"
        )
        view = _lines_view(_parse_sql(numbered(path)))
        sql = f"SELECT {columns} FROM ({view}) WHERE NOT blank ORDER BY rn"  # noqa: S608
        return con.execute(sql).fetchall()
    finally:
        con.close()


# -- AWS's examples ---------------------------------------------------------------------


def test_documented_entries_parse(tmp_path: Path) -> None:
    log = tmp_path / "doc.log"
    log.write_text("\n".join(one_line(e) for e in DOC_ENTRIES) + "\n")
    rows = per_line(str(log))
    assert [r[0] for r in rows] == [True] * len(DOC_ENTRIES)
    expected_ms = [1.0, 48.0, 1.0, 48.0, 48.0]
    assert [r[4] for r in rows] == pytest.approx(expected_ms)
    assert {r[2] for r in rows} == {"(unmatched)"}  # the examples request "/"
    assert [r[6] for r in rows] == [34, 0, 34, 0, 0]
    assert [r[7] for r in rows] == [366, 57, 366, 57, 57]
    assert {r[1] for r in rows} == {"2018-07-02T22:23:00.186641Z"}


@pytest.mark.parametrize(
    "entry", DOC_ENTRIES, ids=["old-http", "old-https", "http", "https", "future"]
)
def test_athena_regex_reads_documented_entries_as_duckdb_does(tmp_path: Path, entry: str) -> None:
    """Python's re stands in for Java's: the Athena regex must take every documented line."""
    line = one_line(entry)
    match = re.fullmatch(fmt.line_regex(), line)
    assert match is not None
    fields = dict(zip([f.name for f in fmt.FIELDS], match.groups(), strict=True))
    log = tmp_path / "one.log"
    log.write_text(line + "\n")
    (ok, _ts, endpoint, status, ms, _lb, bytes_in, bytes_out, _rn) = per_line(str(log))[0]
    assert ok
    assert int(fields["elb_status_code"]) == status
    assert float(fields["target_processing_time"]) * 1000 == pytest.approx(ms)
    assert (int(fields["received_bytes"]), int(fields["sent_bytes"])) == (bytes_in, bytes_out)
    assert fmt.endpoint_of(fmt.path_of(fields["request_url"])) == endpoint
    assert fields["trace_id"].startswith("Root=1-")


def test_athena_regex_and_duckdb_agree_on_generated_lines(month_logs: Generated) -> None:
    lines = month_logs.plain.read_text().splitlines()[:3000]
    sample = month_logs.plain.with_name("sample.log")
    sample.write_text("\n".join(lines) + "\n")
    rows = per_line(str(sample))
    assert len(rows) == len(lines)
    pattern = re.compile(fmt.line_regex())
    names = [f.name for f in fmt.FIELDS]
    for line, (ok, _ts, endpoint, status, ms, lb_own, _bi, _bo, _rn) in zip(
        lines, rows, strict=True
    ):
        match = pattern.fullmatch(line)
        assert (match is not None) == ok, line
        if match is None:
            continue
        fields = dict(zip(names, match.groups(), strict=True))
        assert int(fields["elb_status_code"]) == status
        assert endpoint == fmt.endpoint_of(fmt.path_of(fields["request_url"]))
        target_s = float(fields["target_processing_time"])
        assert (ms is None) == (target_s < 0)
        assert lb_own == (fields["target_ip"] == "" and status >= 500)


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/health", "/health"),
        ("/health/", "/health"),
        ("/api/v1/users", "/api/v1/users"),
        ("/api/v1/users/", "/api/v1/users"),
        ("/api/v1/users/0a1b2c", "/api/v1/users/{user_id}"),
        ("/api/v1/users/0a1b2c/", "/api/v1/users/{user_id}"),
        ("/api/v1/users/0a1b2c/roles", "(unmatched)"),
        ("/api/v1/users//", "(unmatched)"),
        ("/api/v1/users/0a1b2c//", "(unmatched)"),
        ("/api/v1/metrics", "/api/v1/metrics"),
        ("/api/v1/metricsx", "(unmatched)"),
        ("/", "(unmatched)"),
        ("/wp-login.php", "(unmatched)"),
    ],
)
def test_endpoint_rules_in_python_and_both_sql_dialects(path: str, template: str) -> None:
    url = f"https://api.example.com:443{path}?limit=5"
    assert fmt.endpoint_of(fmt.path_of(url)) == template
    con = connect()
    try:
        for dialect in ("duckdb", "athena"):
            case = fmt.endpoint_case(fmt.path_sql("request_url"), dialect=dialect)
            sql = f"SELECT {case} FROM (SELECT CAST(? AS VARCHAR) AS request_url)"  # noqa: S608
            assert con.execute(sql, [url]).fetchone() == (template,)
    finally:
        con.close()


def test_athena_queries_use_the_same_rules_and_bins() -> None:
    ddl = fmt.athena_ddl("s3://bucket/AWSLogs/1/elasticloadbalancing/r/")
    assert "org.apache.hadoop.hive.serde2.RegexSerDe" in ddl
    columns = re.findall(r"^    (\w+) (\w+),?$", ddl, flags=re.M)
    assert [c for c, _ in columns] == [f.name for f in fmt.FIELDS]
    # The regex in the DDL, unescaped, is the one the tests above run.
    regex = re.search(r"'input.regex' = '(.*)'\)", ddl)
    assert regex is not None
    assert regex.group(1).replace("\\'", "'").replace("\\\\", "\\") == fmt.line_regex()
    assert re.compile(fmt.line_regex()).groups == len(fmt.FIELDS)
    queries = fmt.athena_queries(start="2025-08-01T00:00:00Z", end="2025-09-01T00:00:00Z")
    hourly = next(q for title, q in queries.items() if title.startswith("requests by hour"))
    assert fmt.path_sql("request_url") in hourly
    assert fmt.endpoint_case("path", dialect="athena") in hourly
    assert bin_sql("ms") in hourly


# -- goaccess and exact figures ---------------------------------------------------------


def goaccess_json(log: Path, out: Path) -> dict[str, object]:
    subprocess.run(
        ["goaccess", "--log-format=AWSALB", "--no-global-config", "-o", str(out), str(log)],
        check=True,
        capture_output=True,
    )
    data: dict[str, object] = json.loads(out.read_text())
    return data


def test_totals_match_goaccess_and_the_generator(month_logs: Generated, tmp_path: Path) -> None:
    report = goaccess_json(month_logs.plain, tmp_path / "goaccess.json")
    general = report["general"]
    assert isinstance(general, dict)
    scan = scan_alb(find_files([str(month_logs.tree)]))
    truth = month_logs.truth
    # The parallel reader takes every well-formed line itself: the full rule sees only the rest.
    assert scan.refused == scan.skipped
    one_file = scan_alb(find_files([str(month_logs.plain)]), shape=a.SUMMARY)
    assert (one_file.requests, one_file.skipped) == (truth.requests, truth.malformed)
    assert one_file.refused == one_file.skipped

    assert scan.requests == general["valid_requests"] == truth.requests
    assert scan.lines == general["total_requests"] == truth.lines
    assert scan.skipped == truth.malformed > 0

    statuses = report["status_codes"]
    assert isinstance(statuses, dict)
    ga_5xx = sum(g["hits"]["count"] for g in statuses["data"] if g["data"].startswith("5xx"))
    ours_5xx = int(scan.hourly["n"][scan.hourly["status"] >= 500].sum())
    assert ours_5xx == ga_5xx == truth.errors_5xx

    visitors = report["visitors"]
    assert isinstance(visitors, dict)
    ga_days = {
        datetime.strptime(d["data"], "%Y%m%d").date(): d["hits"]["count"] for d in visitors["data"]
    }
    ours_days: Counter[date] = Counter()
    for hour, n in zip(scan.hourly["hour"].tolist(), scan.hourly["n"].tolist(), strict=True):
        ours_days[datetime.fromtimestamp(hour, UTC).date()] += n
    assert dict(ours_days) == ga_days == dict(truth.by_utc_day)
    assert int(scan.hourly["lb"].sum()) == truth.lb_errors_5xx > 0


def test_percentiles_match_an_exact_computation(tmp_path: Path) -> None:
    """Exact: the value at nearest rank ceil(q·n) of the sorted latencies (sketch.py's rank)."""
    plain = tmp_path / "small.log"
    generate(tmp_path / "tree", lines=4000, seed=3, plain=plain)
    pattern = re.compile(fmt.line_regex())
    names = [f.name for f in fmt.FIELDS]
    values: dict[str, list[float]] = defaultdict(list)
    for line in plain.read_text().splitlines():
        match = pattern.fullmatch(line)
        if match is None:
            continue
        fields = dict(zip(names, match.groups(), strict=True))
        seconds = float(fields["target_processing_time"])
        if seconds >= 0:
            endpoint = fmt.endpoint_of(fmt.path_of(fields["request_url"]))
            values[endpoint].append(seconds * 1000)
    sketches = sketches_by_endpoint(scan_alb(find_files([str(plain)])))
    assert set(sketches) == set(values)
    for endpoint, latencies in values.items():
        ordered = sorted(latencies)
        sketch = sketches[endpoint]
        assert sketch.count == len(ordered)
        assert sketch.sum == pytest.approx(sum(ordered))
        for q in (0.5, 0.95, 0.99):
            exact = ordered[max(1, math.ceil(q * len(ordered) - 1e-9)) - 1]
            estimate = sketch.quantile(q)
            assert estimate is not None
            assert abs(estimate - exact) <= 0.01 * exact + 1e-9, (endpoint, q, exact, estimate)


# -- observe(): the report's view -----------------------------------------------------------


def test_observe_fills_traffic_minutes_probes_and_notes(month_logs: Generated) -> None:
    source = AlbLogsSource([str(month_logs.tree)])
    obs = source.observe(Period.parse("2025-08", "UTC"))
    truth = month_logs.truth
    assert sum(b.count for b in obs.traffic) == truth.requests
    assert sum(m.count for m in obs.minutes) == truth.requests
    assert sum(m.errors_5xx for m in obs.minutes) == truth.errors_5xx
    assert obs.load_balancer_errors_5xx == truth.lb_errors_5xx
    assert obs.skipped_lines == truth.malformed
    timed = sum(b.sketch.count for b in obs.traffic)
    assert timed == truth.latency_count
    assert sum(b.sketch.sum for b in obs.traffic) == pytest.approx(truth.latency_sum_ms)
    by_endpoint: Counter[str] = Counter()
    for b in obs.traffic:
        by_endpoint[b.endpoint] += b.count
    assert by_endpoint == truth.by_endpoint
    # Minute means are the means of the requests that reached a target.
    assert sum(m.latency_sum_ms for m in obs.minutes) >= truth.latency_sum_ms
    assert obs.probes
    assert all(p.at.second == 0 for p in obs.probes)
    assert any(f"{truth.malformed:,} malformed lines" in n for n in obs.notes)
    assert any("best effort" in n for n in obs.notes)
    # The previous month is a slice of the same read, and empty here.
    assert source.observe(Period.parse("2025-07", "UTC"), traffic_only=True).traffic == []


def test_load_balancer_outage_minutes_fail_their_probes(tmp_path: Path) -> None:
    """Minutes where the load balancer answered every request itself read as down."""
    stamp = "2025-08-03T10:{m:02d}:{s:02d}.000000Z"
    tail = (
        '"Root=1-x" "-" "-" 0 2025-08-03T10:00:00.000000Z "forward" "-" "-" "-" "-" "-" "-" TID_1'
    )
    lines = []
    for minute in range(10):
        for second in (5, 35):
            lb_down = 3 <= minute < 7
            target, times, status, tstatus = (
                ("-", "-1 -1 -1", 502, "-")
                if lb_down
                else ("10.0.0.1:80", "0.000 0.002 0.000", 200, "200")
            )
            lines.append(
                f"https {stamp.format(m=minute, s=second)} app/lb/1 198.51.100.1:5000 {target} "
                f'{times} {status} {tstatus} 10 20 "GET https://h:443/health HTTP/1.1" "probe" '
                f"- - arn:tg {tail}"
            )
    (tmp_path / "a.log").write_text("\n".join(lines) + "\n")
    obs = AlbLogsSource([str(tmp_path)]).observe(Period.parse("2025-08", "UTC"))
    assert [p.ok for p in obs.probes] == [True] * 3 + [False] * 4 + [True] * 3
    assert obs.load_balancer_errors_5xx == 8
    health = [b for b in obs.traffic if b.status == 502]
    assert sum(b.count for b in health) == 8
    assert all(b.sketch.count == 0 for b in health)


# -- bad input ----------------------------------------------------------------------------------


UNLISTED = (
    one_line(NEW_HTTPS).replace('"GET ', '"PROPFIND ', 1),  # a method the reader does not list
    one_line(NEW_HTTPS).replace(" HTTP/1.1", " HTTP/0.9", 1),  # a protocol it does not list
)
"""Requests the reader refuses: the full rule takes them."""


def odd_lines() -> list[str]:
    """Every cut of a documented line, and whole lines the reader refuses but the rule takes."""
    good = one_line(NEW_HTTPS)
    # Every cut around the request line (the subtle ones), every fifth elsewhere.
    request = range(good.index('"GET') - 2, good.index(' "curl') + 3)
    cuts = [good[:k] for k in range(1, len(good)) if k in request or k % 5 == 0]
    odd = [
        *UNLISTED,
        good.replace("https ", "ftp ", 1),  # not a type: malformed
        good.replace(" 200 200 ", " 200  200 ", 1),  # a double space shifts the fields
        good.replace(" 0 57 ", " 0 x57 ", 1),
        " ",
        "garbage",
    ]
    return odd + cuts


def test_the_scan_judges_every_line_as_the_full_rule_does(tmp_path: Path) -> None:
    """The parallel reader refuses lines and the full rule judges those from their text: the
    result must be the full rule's on every line, line numbers included (blank lines too)."""
    good = one_line(NEW_HTTPS)
    cases = odd_lines()
    for start in range(0, len(cases), EXAMPLES):
        chunk = cases[start : start + EXAMPLES]
        lines = [good, ""]
        for case in chunk:
            lines += [case, good, ""]
        path = tmp_path / f"part{start}.log"
        path.write_text("\n".join(lines) + "\n")
        expected = per_line(str(path))
        bad = [
            (rn, line)
            for (ok, *_, rn), line in zip(expected, [x for x in lines if x], strict=True)
            if not ok
        ]
        scan = scan_alb(find_files([str(path)]), shape=a.SUMMARY)
        assert (scan.lines, scan.skipped) == (len(expected), len(bad)), chunk
        assert [(e.line_number, e.text) for e in scan.examples] == bad, chunk
        assert scan.requests == sum(1 for ok, *_ in expected if ok)
        assert scan.refused == len(bad) + sum(1 for case in chunk if case in UNLISTED)


def test_malformed_lines_are_counted_and_shown_with_file_and_line(tmp_path: Path) -> None:
    good = one_line(NEW_HTTPS)
    text = "\n".join([good, "garbage that is not a log line", good, good[:40], good]) + "\n"
    path = tmp_path / "x.log.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(text)
    warnings: list[str] = []
    source = AlbLogsSource([str(tmp_path)], warn=warnings.append)
    obs = source.observe(Period.parse("2018-07", "UTC"))
    assert sum(b.count for b in obs.traffic) == 3
    assert obs.skipped_lines == 2
    assert len(warnings) == 1
    assert f"{path}:2: garbage" in warnings[0]
    assert f"{path}:4: " in warnings[0]


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such log file"):
        find_files([str(tmp_path / "nope")])


def test_corrupt_gzip_is_one_clear_source_error(tmp_path: Path) -> None:
    (tmp_path / "bad.log.gz").write_bytes(b"this is not gzip data at all\n")
    with pytest.raises(SourceError, match=r"cannot read ALB logs \(.*bad\.log\.gz"):
        scan_alb(find_files([str(tmp_path)]))


def test_athena_queries_give_the_readers_groups(month_logs: Generated) -> None:
    """Run the Athena SQL itself (DuckDB with two shims for Trino names) over a table the
    Athena regex filled, and compare with the DuckDB reader's groups of the same lines."""
    lines = month_logs.plain.read_text().splitlines()[:4000]
    sample = month_logs.plain.with_name("athena-sample.log")
    sample.write_text("\n".join(lines) + "\n")
    pattern = re.compile(fmt.line_regex())
    casts = {"int": int, "bigint": int, "double": float, "string": str}

    def typed(kind: str, text: str) -> object:
        if kind != "string" and text in ("", "-"):
            return None  # Hive reads an unparsable number as NULL
        return casts[kind](text)

    rows = []
    for line in lines:
        match = pattern.fullmatch(line)
        if match is not None:
            rows.append(
                [
                    typed(f.athena_type, g or "")
                    for f, g in zip(fmt.FIELDS, match.groups(), strict=True)
                ]
            )
    con = connect()
    try:
        columns = ", ".join(f"{f.name} {f.athena_type.upper()}" for f in fmt.FIELDS)
        con.execute(f"CREATE TABLE alb_logs ({columns})")
        # One INSERT of one list per column (unnest zips them row by row): DuckDB runs an
        # executemany as one query per row, ~12 CPU-s for these 4,000 rows.
        unnested = ", ".join(f"unnest(?::{f.athena_type.upper()}[])" for f in fmt.FIELDS)
        con.execute(
            f"INSERT INTO alb_logs SELECT {unnested}", [list(c) for c in zip(*rows, strict=True)]
        )
        con.execute("CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)")
        # Athena's partition column (projected from the yyyy/MM/dd folders ALB writes).
        con.execute("ALTER TABLE alb_logs ADD COLUMN day VARCHAR")
        con.execute("UPDATE alb_logs SET day = strftime(CAST(time AS TIMESTAMP), '%Y/%m/%d')")
        queries = fmt.athena_queries(start="2025-08-01T00:00:00Z", end="2025-09-01T00:00:00Z")
        hourly_sql = next(q for t, q in queries.items() if t.startswith("requests by hour"))
        athena = {
            (int(h.timestamp()), e, s, a.NO_BIN if b is None else b): (n, lat or 0.0, bi, bo, lb)
            for h, e, s, b, n, lat, bi, bo, lb in con.execute(hourly_sql.rstrip(";")).fetchall()
        }
    finally:
        con.close()
    scan = scan_alb(find_files([str(sample)]))
    h = scan.hourly
    ours = {
        (hour, e, s, b): (n, lat, bi, bo, lb)
        for hour, e, s, b, n, lat, bi, bo, lb in zip(
            *(h[k].tolist() for k in ("hour", "endpoint", "status", "bin", "n", "lat_sum",
                                     "bytes_in", "bytes_out", "lb")), strict=True,
        )
    }  # fmt: skip
    assert set(athena) == set(ours)
    for key, (n, lat, bi, bo, lb) in ours.items():
        assert athena[key][0] == n
        assert athena[key][1] == pytest.approx(lat)
        assert athena[key][2:] == (bi, bo, lb)


def test_a_file_of_other_text_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """The reader would keep an error for each line of it: one clear error instead."""
    other = tmp_path / "cloudfront.log"
    other.write_text("#Version: 1.0\n" + "2025-08-01\t00:00:01\tNRT57-C1\t123\n" * 1000)
    with pytest.raises(SourceError, match=r"cloudfront\.log is not an ALB access log"):
        scan_alb(find_files([str(other)]))


def test_a_log_whose_first_lines_are_cut_short_is_still_read(tmp_path: Path) -> None:
    good = one_line(NEW_HTTPS)
    path = tmp_path / "late.log.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(["", good[:30], good[:60], good, good]) + "\n")
    scan = scan_alb(find_files([str(path)]), shape=a.SUMMARY)
    assert (scan.requests, scan.skipped) == (2, 2)
    empty = tmp_path / "empty.log"
    empty.write_text("")
    assert scan_alb(find_files([str(empty)]), shape=a.SUMMARY).lines == 0
