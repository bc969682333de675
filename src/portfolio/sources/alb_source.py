"""The ``alb-logs`` report source: an ALB scan's groups turned into figures and Observations.

``alb_logs`` reads the files into groups (hours, minutes, endpoints, in arrays); this
module makes traffic buckets with their latency sketches, minute totals and probe-like
availability from them, and registers the source. Only a few thousand groups reach
Python; no Python code runs per log line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from portfolio.period import Period
from portfolio.sketch import ZERO_BIN, LatencySketch
from portfolio.sources.alb_logs import (
    NO_BIN,
    NOTE_BEST_EFFORT,
    REPORT,
    TOP_PATHS,
    AlbScan,
    ProgressFactory,
    anomalies,
    scan_alb,
)
from portfolio.sources.base import (
    Observations,
    SourceOptions,
    TrafficBucket,
    merge_anomalies,
    register_source,
    utc_hour,
)
from portfolio.sources.cloudfront_logs import read_cloudfront
from portfolio.sources.logfiles import find_files
from portfolio.sources.progress import file_progress, warn
from portfolio.store.records import MinuteTotals, ProbeResult


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
    zero = bins_v == ZERO_BIN
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
    """One sketch per endpoint over everything read (either shape)."""
    rows = scan.groups.get("endpoints") or scan.hourly
    if not rows or len(rows["n"]) == 0:
        return {}
    order = np.lexsort((rows["bin"], rows["endpoint"]))
    ordered = {k: v[order] for k, v in rows.items()}
    bounds = _group_bounds([ordered["endpoint"]])
    out: dict[str, LatencySketch] = {}
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        part = {k: v[lo:hi] for k, v in ordered.items()}
        # Merge equal bins of different statuses (and hours) before building the sketch.
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
    down = (m["reached"][mask] == 0) & (m["lb"][mask] > 0)
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
            m["n"][mask].tolist(), m["lb"][mask].tolist(), strict=True,
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
                self._scan = scan_alb(
                    files, shape=REPORT, endpoint_url=self.endpoint_url, progress=advance
                )
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
            access_anomalies=anomalies(scan, start, end),
            skipped_lines=scan.skipped,
        )
        if self.cloudfront:
            site, cf_notes, cf_anomalies = read_cloudfront(
                self.cloudfront, period, endpoint_url=self.endpoint_url
            )
            obs.static_site = site
            obs.notes.extend(cf_notes)
            if obs.access_anomalies is not None:
                obs.access_anomalies = merge_anomalies(
                    obs.access_anomalies, cf_anomalies, top=TOP_PATHS
                )
        return obs


def _lb_errors(scan: AlbScan, start: int, end: int) -> int:
    if not scan.hourly:
        return 0
    hour = scan.hourly["hour"]
    return int(scan.hourly["lb"][(hour >= start) & (hour < end)].sum())


def describe_skipped(scan: AlbScan) -> str:
    """The warning for skipped lines: how many, and the first few with file and line."""
    shown = "\n".join(f"  {e.file}:{e.line_number}: {e.text[:120]}" for e in scan.examples)
    return f"skipped {scan.skipped:,} malformed lines of {scan.lines:,}; first ones:\n{shown}"


@register_source("alb-logs")
def _alb_logs(options: SourceOptions) -> AlbLogsSource:
    return AlbLogsSource(
        options.logs,
        cloudfront=options.cloudfront_logs,
        endpoint_url=options.endpoint_url,
        progress=file_progress,
        warn=warn,
    )
