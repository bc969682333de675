"""End to end: `portfolio report --source alb-logs` and `portfolio logs ...` through the CLI."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.sources import alb_format as fmt
from tests.sources.conftest import Generated

CF_HEADER = "#Version: 1.0\n#Fields: " + " ".join(
    [
        "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)",
        "cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)",
        "x-edge-result-type", "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes",
        "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher",
        "x-edge-response-result-type", "cs-protocol-version", "fle-status",
        "fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type",
        "sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end",
    ]
)  # fmt: skip
CF_ROWS = [
    # (day, location, bytes, path, status, result)
    (1, "NRT57-P1", 5120, "/index.html", 200, "Hit"),
    (1, "NRT57-P1", 5120, "/index.html", 200, "RefreshHit"),
    (2, "KIX50-C1", 900, "/status.html", 200, "Miss"),
    (3, "NRT12-C2", 300, "/missing", 404, "Error"),
    (4, "HKG62-C1", 0, "/index.html", 503, "Error"),
    (5, "NRT57-P1", 5120, "/index.html", 200, "Hit"),
]


def cloudfront_log(path: Path, *, month: str = "2025-08") -> None:
    lines = [CF_HEADER]
    for day, loc, size, uri, status, result in CF_ROWS:
        fields = [
            f"{month}-{day:02d}", "03:04:05", loc, str(size), "192.0.2.10", "GET",
            "d111111abcdef8.cloudfront.net", uri, str(status), "-", "Mozilla/5.0", "-", "-",
            result, "req-id", "www.example.com", "https", "120", "0.002", "-", "TLSv1.3",
            "TLS_AES_128_GCM_SHA256", result, "HTTP/2.0", "-", "-", "51000", "0.001", result,
            "text/html", str(size), "-", "-",
        ]  # fmt: skip
        lines.append("\t".join(fields))
    lines.append("not\ta\tlog line")
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(lines) + "\n")


@pytest.fixture
def utc_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Report in UTC so the month's bounds are the generator's (it writes UTC days)."""
    monkeypatch.setenv("PORTFOLIO_REPORT__TIMEZONE", "UTC")


@pytest.mark.usefixtures("utc_reports")
def test_report_from_a_month_of_gzipped_logs(month_logs: Generated, tmp_path: Path) -> None:
    cf = tmp_path / "cf"
    cf.mkdir()
    cloudfront_log(cf / "E2EXAMPLE.2025-08-01-03.abcd1234.gz")
    out = tmp_path / "report"
    code = run([
        "report", "--month", "2025-08", "--source", "alb-logs", "--logs", str(month_logs.tree),
        "--cloudfront-logs", str(cf), "--out", str(out),
    ])  # fmt: skip
    assert code == 0
    assert (out / "operations-report.ja.md").exists()
    assert (out / "operations-report.en.md").exists()
    report = json.loads((out / "report.json").read_text())
    truth = month_logs.truth

    traffic = report["traffic"]
    assert traffic["total_requests"] == truth.requests
    assert traffic["errors_5xx"] == truth.errors_5xx
    assert traffic["errors_4xx"] == sum(n for s, n in truth.by_status.items() if 400 <= s < 500)
    daily = {d["date"]: d["requests"] for d in traffic["daily"] if d["requests"]}
    assert daily == {d.isoformat(): n for d, n in truth.by_utc_day.items()}
    endpoints = {e["endpoint"]: e["requests"] for e in traffic["by_endpoint"]}
    assert endpoints == dict(truth.by_endpoint)
    assert all(e["p95_ms"] is not None for e in traffic["by_endpoint"])

    entry = report["services"]["entry_point"]
    assert entry["load_balancer_errors_5xx"] == truth.lb_errors_5xx
    assert entry["latency_ms"]["p99"] is not None
    # The mean latency is over requests that reached a target (exact: the sum is exact).
    mean = truth.latency_sum_ms / truth.latency_count
    assert report["latency_ms"]["avg"] == pytest.approx(mean, abs=0.006)
    assert report["error_rate"] == pytest.approx(100 * truth.errors_5xx / truth.requests, abs=1e-4)

    availability = report["availability"]
    assert availability["probes"] > 0
    assert availability["percent"] is not None
    # The generator's outage (every request answered by the load balancer) is found.
    first, last = min(truth.outage_minutes), max(truth.outage_minutes)
    outage = next(
        o for o in availability["outages"] if o["start"].startswith(f"{first:%Y-%m-%dT%H:%M}")
    )
    assert outage["minutes"] >= (last - first).total_seconds() / 60
    notes = " ".join(report["document"]["notes"])
    assert f"{truth.malformed:,} malformed lines skipped" in notes
    assert "best effort" in notes

    site = report["services"]["static_site"]
    assert site["requests"] == len(CF_ROWS)
    assert site["cache_hit_ratio_percent"] == pytest.approx(100 * 3 / len(CF_ROWS), abs=0.01)
    assert site["errors_5xx"] == 1
    assert site["bytes_out"] == sum(r[2] for r in CF_ROWS)
    assert site["top_paths"][0] == ["/index.html", 4]


def test_cloudfront_figures_and_edges(tmp_path: Path) -> None:
    from portfolio.period import Period
    from portfolio.sources.cloudfront_logs import read_cloudfront

    cloudfront_log(tmp_path / "a.gz")
    cloudfront_log(tmp_path / "b.gz", month="2025-07")  # the month before: not counted
    stats, notes, _anomalies = read_cloudfront([str(tmp_path)], Period.parse("2025-08", "UTC"))
    assert stats.requests == len(CF_ROWS)
    assert stats.cache_hits == 3
    assert stats.errors_4xx == 1
    assert stats.edge_locations[0] == ("NRT", 4)
    assert "2 malformed lines skipped" in notes[0]


def test_report_with_a_missing_log_path_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["report", "--month", "2025-08", "--source", "alb-logs", "--logs",
                str(tmp_path / "missing"), "--out", str(tmp_path / "out")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"portfolio: no such log file or directory: {tmp_path / 'missing'}"]


def test_unreadable_log_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.log.gz").write_bytes(b"\x1f\x8b\x08\x00 truncated gzip")
    code = run(["logs", "summary", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("portfolio: cannot read ALB logs (")


def test_logs_summary_prints_counts_and_percentiles(
    month_logs: Generated, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["logs", "summary", str(month_logs.tree)]) == 0
    out = capsys.readouterr().out
    assert f"{month_logs.truth.requests:,}" in out
    assert f"{month_logs.truth.malformed:,}" in out
    assert "p99" in out
    for endpoint in ("/health", "/api/v1/metrics", "(unmatched)"):
        assert endpoint in out
    assert "2025-08-01" in out


def test_logs_athena_prints_the_table_and_queries(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["logs", "athena", "--location", "s3://logs/AWSLogs/1/", "--month", "2025-08"]) == 0
    out = capsys.readouterr().out
    assert "CREATE EXTERNAL TABLE IF NOT EXISTS alb_logs" in out
    assert "LOCATION 's3://logs/AWSLogs/1/'" in out
    for title in fmt.athena_queries(start="a", end="b"):
        assert f"-- {title} (2025-08, Asia/Tokyo)" in out
    start = datetime(2025, 8, 1, tzinfo=UTC) - timedelta(hours=9)  # the report zone, Asia/Tokyo
    assert start.strftime("%Y-%m-%dT%H:%M:%SZ") in out
    regex = re.search(r"'input.regex' = '(.*)'\)", out)
    assert regex is not None
