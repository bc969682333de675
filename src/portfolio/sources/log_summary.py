"""``portfolio logs summary`` as a library: one scan of ALB logs, summarised as plain data.

The CLI only formats what ``summarize_logs`` returns (tables, or JSON with
``to_json``). The scan is alb_logs' ``SUMMARY`` shape: endpoint groups, the paths
of unmatched requests and of 404s, and the 401/403/404 bursts — no hourly or
per-minute groups. As goaccess shows its "Requested Files" and "Not Found URLs"
panels, the summary lists the top unmatched paths and the top 404 paths instead of
lumping them into "(unmatched)"; scanner paths (security_rules.is_scanner_path) are
marked. Times are shown in one zone, the report's (settings.report.timezone).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from portfolio import names, security_rules
from portfolio.sources.alb_logs import (
    SUMMARY,
    AlbScan,
    Malformed,
    Progress,
    ProgressFactory,
    anomalies,
    scan_alb,
)
from portfolio.sources.alb_source import sketches_by_endpoint
from portfolio.sources.base import AccessAnomalies
from portfolio.sources.logfiles import find_files
from portfolio.telemetry.percentiles import Percentiles, latency_percentiles

TOP = 10
"""Rows of the unmatched-path and 404 lists."""


@dataclass(frozen=True, slots=True)
class StatusCount:
    endpoint: str
    status: int
    requests: int


@dataclass(frozen=True, slots=True)
class EndpointLatency:
    """Requests of one endpoint and the target latency of those that reached a target."""

    endpoint: str
    requests: int
    latency_ms: Percentiles


@dataclass(frozen=True, slots=True)
class PathCount:
    path: str
    requests: int
    scanner: bool


@dataclass(frozen=True, slots=True)
class LogSummary:
    """Everything ``logs summary`` shows; ``first``/``last`` are in ``timezone``."""

    files: int
    lines: int
    requests: int
    skipped: int
    examples: list[Malformed]
    timezone: str
    first: datetime | None
    last: datetime | None
    load_balancer_5xx: int
    by_status: list[StatusCount]
    endpoints: list[EndpointLatency]
    unmatched_paths: list[PathCount]
    not_found_paths: list[PathCount]
    anomalies: AccessAnomalies


def _top_paths(scan: AlbScan, pick: str, top: int) -> list[PathCount]:
    rows = scan.groups.get("paths", {})
    counts: dict[str, int] = {}
    if rows:
        for path, endpoint, status, n in zip(
            rows["odd_path"].tolist(), rows["endpoint"].tolist(), rows["status"].tolist(),
            rows["n"].tolist(), strict=True,
        ):  # fmt: skip
            wanted = endpoint == names.UNMATCHED_ENDPOINT if pick == "unmatched" else status == 404
            if wanted:
                counts[path] = counts.get(path, 0) + n
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [PathCount(p, n, security_rules.is_scanner_path(p)) for p, n in ordered]


def summarize(scan: AlbScan, timezone: str, *, top: int = TOP) -> LogSummary:
    """The summary of a SUMMARY-shaped scan (a REPORT-shaped one works too)."""
    zone = ZoneInfo(timezone)
    rows = scan.groups.get("endpoints") or scan.hourly
    counts: dict[tuple[str, int], int] = {}
    lb = 0
    if rows:
        for endpoint, status, n in zip(
            rows["endpoint"].tolist(), rows["status"].tolist(), rows["n"].tolist(), strict=True
        ):
            counts[(endpoint, status)] = counts.get((endpoint, status), 0) + n
        lb = int(rows["lb"].sum())
    per_endpoint: dict[str, int] = {}
    for (endpoint, _status), n in counts.items():
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + n
    sketches = sketches_by_endpoint(scan)
    endpoints = [
        EndpointLatency(endpoint, per_endpoint[endpoint], latency_percentiles(sketch))
        for endpoint, sketch in sorted(sketches.items(), key=lambda i: (-per_endpoint[i[0]], i[0]))
    ]
    return LogSummary(
        files=scan.files,
        lines=scan.lines,
        requests=scan.requests,
        skipped=scan.skipped,
        examples=list(scan.examples),
        timezone=timezone,
        first=None if scan.first is None else scan.first.astimezone(zone),
        last=None if scan.last is None else scan.last.astimezone(zone),
        load_balancer_5xx=lb,
        by_status=[StatusCount(e, s, n) for (e, s), n in sorted(counts.items())],
        endpoints=endpoints,
        unmatched_paths=_top_paths(scan, "unmatched", top),
        not_found_paths=_top_paths(scan, "404", top),
        anomalies=anomalies(scan),
    )


def summarize_logs(
    paths: Sequence[str],
    timezone: str,
    *,
    endpoint_url: str | None = None,
    progress: ProgressFactory | None = None,
    top: int = TOP,
) -> tuple[LogSummary, AlbScan]:
    """Find the files, scan them once (SUMMARY shape) and summarise; the scan comes back too
    (for the skipped-lines warning). ``progress``: given the file count, a context yielding
    the function that advances a bar."""
    files = find_files(paths, endpoint_url=endpoint_url)
    shown: AbstractContextManager[Progress | None] = (
        progress(len(files)) if progress is not None else nullcontext(None)
    )
    with shown as advance:
        scan = scan_alb(files, shape=SUMMARY, endpoint_url=endpoint_url, progress=advance)
    return summarize(scan, timezone, top=top), scan


def to_json(summary: LogSummary) -> dict[str, Any]:
    """The summary as JSON-ready data: times in ISO 8601 with their offset, the zone named."""
    data = asdict(summary)
    for key in ("first", "last"):
        value = data[key]
        data[key] = None if value is None else value.isoformat()
    data["anomalies"]["top_paths"] = [
        {"path": p, "requests": n} for p, n in summary.anomalies.top_paths
    ]
    return data
