"""`logs summary` as a library and a command: its figures against the generator's truth and an
independent DuckDB script, malformed lines from the scan, 異常アクセス, JSON and time zones."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from bench.engine_baseline import figures as engine_figures
from bench.engine_baseline import log_files

from portfolio import security_rules
from portfolio.cli.main import run
from portfolio.period import Period
from portfolio.sketch import LatencySketch
from portfolio.sources import alb_format as fmt
from portfolio.sources.alb_logs import EXAMPLES
from portfolio.sources.alb_source import AlbLogsSource
from portfolio.sources.cloudfront_logs import read_cloudfront
from portfolio.sources.log_summary import summarize_logs, to_json
from portfolio.telemetry.percentiles import latency_percentiles
from tests.sources.conftest import Generated
from tests.sources.test_report_and_cli import CF_HEADER

GOOD = (
    "https {time} app/lb/1 {client}:5000 10.0.0.1:80 0.000 0.004 0.000 {status} {status} 10 20 "
    '"GET https://h:443{path} HTTP/1.1" "agent" - - arn:tg "Root=1-x" "-" "-" 0 {time} '
    '"forward" "-" "-" "-" "-" "-" "-" TID_1'
)


def line(
    *, time: str = "2025-08-03T10:00:05.000000Z", client: str = "198.51.100.1",
    status: int = 200, path: str = "/health",
) -> str:  # fmt: skip
    return GOOD.format(time=time, client=client, status=status, path=path)


def test_summary_matches_the_generator_and_an_independent_duckdb_script(
    month_logs: Generated,
) -> None:
    summary, _scan = summarize_logs([str(month_logs.plain)], "UTC")
    truth = month_logs.truth
    assert (summary.lines, summary.requests, summary.skipped) == (
        truth.lines, truth.requests, truth.malformed,
    )  # fmt: skip
    assert summary.load_balancer_5xx == truth.lb_errors_5xx
    per_endpoint = {e.endpoint: e.requests for e in summary.endpoints}
    assert per_endpoint == dict(truth.by_endpoint)

    engine = engine_figures(log_files([str(month_logs.plain)]))
    assert (engine["lines"], engine["requests"]) == (summary.lines, summary.requests)
    assert summary.first is not None
    assert summary.last is not None
    assert summary.first.strftime("%Y-%m-%dT%H:%M:%S.%fZ") == engine["first"]
    assert summary.last.strftime("%Y-%m-%dT%H:%M:%S.%fZ") == engine["last"]
    assert [(s.endpoint, s.status, s.requests) for s in summary.by_status] == [
        tuple(row) for row in engine["by_status"]
    ]
    assert [(p.path, p.requests) for p in summary.unmatched_paths] == [
        tuple(row) for row in engine["unmatched"]
    ]
    assert [(p.path, p.requests) for p in summary.not_found_paths] == [
        tuple(row) for row in engine["not_found"]
    ]
    assert (summary.anomalies.scanner_requests,) == engine["scanner_requests"]
    # Percentile ranks differ between DuckDB's quantile_disc and the sketch (whose exactness
    # test_alb_logs checks); counts, means and maxima must agree exactly.
    engine_latency = {row[0]: row for row in engine["latency"]}
    for e in summary.endpoints:
        _name, requests, timed, avg, _quantiles, top = engine_latency[e.endpoint]
        assert (e.requests, e.latency_ms.count, e.latency_ms.max) == (requests, timed, top)
        assert e.latency_ms.avg == pytest.approx(avg)


def test_unmatched_paths_are_listed_and_scanner_paths_marked(month_logs: Generated) -> None:
    summary, _scan = summarize_logs([str(month_logs.tree)], "UTC")
    marks = {p.path: p.scanner for p in summary.unmatched_paths}
    assert marks["/wp-login.php"] is True
    assert marks["/.env"] is True
    assert marks["/robots.txt"] is False
    assert "(unmatched)" not in marks
    # Counted from the file with the Athena regex, independently of the scan.
    pattern = re.compile(fmt.line_regex())
    names = [f.name for f in fmt.FIELDS]
    scanner: Counter[str] = Counter()
    for text in month_logs.plain.read_text().splitlines():
        match = pattern.fullmatch(text)
        if match is not None:
            path = fmt.path_of(dict(zip(names, match.groups(), strict=True))["request_url"])
            if security_rules.is_scanner_path(path):
                scanner[path] += 1
    assert summary.anomalies.scanner_requests == sum(scanner.values()) > 0
    assert dict(summary.anomalies.top_paths) == dict(scanner)
    assert summary.anomalies.rule == security_rules.RULE_ID


def test_malformed_examples_come_from_the_scan_in_file_order(tmp_path: Path) -> None:
    good = line()
    cut_after_status = good[: good.index(" 10 20 ")]  # no byte counts, no request line
    cut_in_request = good[: good.index(" HTTP/1.1")]  # the request line never closes
    first = ["garbage", good, cut_after_status, good, "", cut_in_request, good]
    (tmp_path / "a.log").write_text("\n".join(first) + "\n")
    second = [good] * 3 + ["garbage"] * 6  # identical texts on distinct lines
    (tmp_path / "b.log").write_text("\n".join(second) + "\n")
    summary, _scan = summarize_logs([str(tmp_path)], "UTC")
    assert summary.requests == 3 + 3
    assert summary.skipped == 3 + 6
    assert summary.lines == len(first) - 1 + len(second)  # the empty line is no record
    shown = [(Path(e.file).name, e.line_number, e.text) for e in summary.examples]
    assert (
        shown
        == [
            ("a.log", 1, "garbage"),
            ("a.log", 3, cut_after_status),
            ("a.log", 6, cut_in_request),
            ("b.log", 4, "garbage"),
            ("b.log", 5, "garbage"),
        ][:EXAMPLES]
    )
    assert len(set(shown)) == len(shown)


def test_bursts_per_client_and_minute_reach_the_report(tmp_path: Path) -> None:
    threshold = security_rules.BURST_THRESHOLD
    rows = [line(client="203.0.113.9", status=404, path=f"/x{i}",
                 time=f"2025-08-03T10:00:{i:02d}.000000Z") for i in range(threshold)]  # fmt: skip
    # Many clients under the threshold each, over the threshold together: a burst minute only.
    rows += [line(client=f"192.0.2.{i}", status=401, path="/api/v1/users",
                  time=f"2025-08-03T11:00:{i:02d}.000000Z") for i in range(threshold)]  # fmt: skip
    rows += [line(client="203.0.113.9", status=404, path="/.env",
                  time="2025-07-31T10:00:00.000000Z")] * threshold  # fmt: skip
    (tmp_path / "a.log").write_text("\n".join(rows) + "\n")
    summary, _scan = summarize_logs([str(tmp_path)], "UTC")
    assert (summary.anomalies.burst_minutes, summary.anomalies.burst_clients) == (3, 1)
    assert summary.anomalies.scanner_requests == threshold
    obs = AlbLogsSource([str(tmp_path)]).observe(Period.parse("2025-08", "UTC"))
    assert obs.access_anomalies is not None
    assert (obs.access_anomalies.burst_minutes, obs.access_anomalies.burst_clients) == (2, 1)
    assert obs.access_anomalies.scanner_requests == 0  # the /.env probes were in July


def test_cloudfront_logs_give_access_anomalies(tmp_path: Path) -> None:
    rows = [CF_HEADER]
    for i in range(security_rules.BURST_THRESHOLD + 1):
        path = "/wp-login.php" if i % 2 else "/index.html"
        rows.append("\t".join([
            "2025-08-02", f"03:04:{i:02d}", "NRT57-P1", "300", "192.0.2.77", "GET", "d.net",
            path, "404", "-", "ua", "-", "-", "Error", "id", "h", "https", "1", "0.001", "-",
            "TLSv1.3", "c", "Error", "HTTP/2.0", "-", "-", "1", "0.001", "Error", "text/html",
            "1", "-", "-",
        ]))  # fmt: skip
    (tmp_path / "cf.log").write_text("\n".join(rows) + "\n")
    stats, _notes, found = read_cloudfront([str(tmp_path)], Period.parse("2025-08", "UTC"))
    assert stats.requests == security_rules.BURST_THRESHOLD + 1
    assert found.scanner_requests == security_rules.BURST_THRESHOLD // 2
    assert (found.burst_minutes, found.burst_clients) == (1, 1)
    assert found.top_paths == [("/wp-login.php", security_rules.BURST_THRESHOLD // 2)]


def test_logs_summary_json_and_times_in_the_report_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.log").write_text(line(path="/wp-login.php", status=404) + "\n")
    assert run(["logs", "summary", "--json", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["timezone"] == "Asia/Tokyo"
    assert data["first"] == "2025-08-03T19:00:05+09:00"
    assert data["unmatched_paths"] == [{"path": "/wp-login.php", "requests": 1, "scanner": True}]
    assert data["anomalies"]["scanner_requests"] == 1

    assert run(["logs", "summary", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2025-08-03 19:00:05 JST" in out
    assert "(Asia/Tokyo)" in out
    monkeypatch.setenv("PORTFOLIO_REPORT__TIMEZONE", "UTC")
    assert run(["logs", "summary", str(tmp_path)]) == 0
    assert "2025-08-03 10:00:05 UTC" in capsys.readouterr().out


def test_logs_summary_refuses_a_bad_top(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.log").write_text(line() + "\n")
    assert run(["logs", "summary", "--top", "0", str(tmp_path)]) == 2


def test_one_percentile_function_reads_the_sketch() -> None:
    sketch = LatencySketch()
    for value in range(1, 101):
        sketch.add(float(value))
    p = latency_percentiles(sketch)
    assert (p.count, p.max, p.avg) == (100, 100.0, 50.5)
    assert (p.p50, p.p95, p.p99) == (sketch.quantile(0.5), sketch.quantile(0.95),
                                     sketch.quantile(0.99))  # fmt: skip
    rounded = latency_percentiles(sketch, digits=1)
    assert rounded.p95 == round(sketch.quantile(0.95) or 0, 1)
    empty = latency_percentiles(LatencySketch())
    assert (empty.count, empty.p50, empty.max) == (0, None, None)


def test_to_json_is_plain_json(month_logs: Generated) -> None:
    summary, _scan = summarize_logs([str(month_logs.tree)], "Asia/Tokyo")
    data = json.loads(json.dumps(to_json(summary)))
    assert data["requests"] == month_logs.truth.requests
    assert data["examples"][0]["line_number"] >= 1
