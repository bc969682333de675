"""The static site on AWS: CloudFront's standard logs, CloudWatch where there are none.

CloudFront publishes ``CacheHitRate`` only with its paid "additional metrics", which the
stack does not buy; the standard logs it already writes to the log bucket give the same
ratio, and the requests, bytes, errors, top paths and edge locations with it, exactly.
The period's files are listed by their names (``<prefix><distribution>.YYYY-MM-DD-HH.
<id>.gz``, the hour a file covers), an hour either side for late deliveries; lines
outside the period are dropped by their own time when read.

Without logging, or without a file for the period, the site's requests, bytes and error
rates come from CloudWatch's free metrics and the cache hit ratio is "no data", never 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from portfolio.cloud import WEB_REGION, Aws, MetricQuery, Series, metric_data
from portfolio.period import Period
from portfolio.sources.base import AccessAnomalies, StaticSiteStats
from portfolio.sources.cloudfront_logs import read_cloudfront_files
from portfolio.sources.logfiles import LogFile

HOUR_S = 3600
STAMP = "%Y-%m-%d-%H"


@dataclass
class SiteObservation:
    stats: StaticSiteStats | None
    notes: list[str] = field(default_factory=list)
    anomalies: AccessAnomalies | None = None


def log_location(aws: Aws, distribution_id: str) -> tuple[str, str] | None:
    """(bucket, prefix) a distribution writes its standard logs to; None when it does not."""
    cloudfront = aws.client("cloudfront", region=WEB_REGION)
    config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    logging = config.get("Logging") or {}
    if not logging.get("Enabled") or not logging.get("Bucket"):
        return None
    # CloudFront names the bucket by its domain: name.s3.amazonaws.com (or a regional one).
    return str(logging["Bucket"]).split(".s3.", 1)[0], str(logging.get("Prefix") or "")


def period_log_files(
    s3: Any, bucket: str, prefix: str, distribution_id: str, period: Period
) -> list[LogFile]:
    """The distribution's log files whose hour is in the period (an hour either side)."""
    head = f"{prefix}{distribution_id}."
    first = (period.start - timedelta(hours=1)).strftime(STAMP)
    last = (period.end + timedelta(hours=1)).strftime(STAMP)
    found: list[LogFile] = []
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=head, StartAfter=head + first
    )
    for page in pages:
        for obj in page.get("Contents", []):
            key = str(obj["Key"])
            if key[len(head) : len(head) + len(first)] > last:
                return found  # keys are listed in order: the rest are later still
            found.append(LogFile(name=f"s3://{bucket}/{key}", size=int(obj["Size"]),
                                 bucket=bucket, key=key))  # fmt: skip
    return found


def observe_site(aws: Aws, distribution_ids: list[str], period: Period) -> SiteObservation:
    """The site's figures from the logs of every project distribution, else CloudWatch's."""
    files: list[LogFile] = []
    logged = 0
    for dist in distribution_ids:
        location = log_location(aws, dist)
        if location is None:
            continue
        logged += 1
        files += period_log_files(aws.client("s3"), *location, dist, period)
    if files:
        read = read_cloudfront_files(files, period, endpoint_url=aws.endpoint_url)
        return SiteObservation(*read)
    why = (
        "no CloudFront standard log file for the period"
        if logged
        else "CloudFront standard logging is off"
    )
    return SiteObservation(
        _from_metrics(aws, distribution_ids, period),
        [f"Static site: {why}; requests and error rates from CloudWatch, cache hit ratio no data"
         " (CacheHitRate is a paid metric)."],
    )  # fmt: skip


def _from_metrics(aws: Aws, ids: list[str], period: Period) -> StaticSiteStats:
    ns = "AWS/CloudFront"
    queries = []
    for i, dist in enumerate(ids):
        dims = (("DistributionId", dist), ("Region", "Global"))
        queries += [
            MetricQuery(f"d{i}req", ns, "Requests", dims, "Sum", HOUR_S),
            MetricQuery(f"d{i}bytes", ns, "BytesDownloaded", dims, "Sum", HOUR_S),
            MetricQuery(f"d{i}e4", ns, "4xxErrorRate", dims, "Average", HOUR_S),
            MetricQuery(f"d{i}e5", ns, "5xxErrorRate", dims, "Average", HOUR_S),
        ]
    data = metric_data(aws.client("cloudwatch", region=WEB_REGION), queries,
                       period.start, period.end)  # fmt: skip
    requests = e4 = e5 = bytes_out = 0.0
    for i in range(len(ids)):
        req = data[f"d{i}req"]
        requests += sum(req.values())
        bytes_out += sum(data[f"d{i}bytes"].values())

        def weighted(series: Series, req: Series = req) -> float:
            # Rates are per hour; weight each by that hour's requests.
            return sum(req.get(h, 0.0) * pct / 100 for h, pct in series.items())

        e4 += weighted(data[f"d{i}e4"])
        e5 += weighted(data[f"d{i}e5"])
    return StaticSiteStats(requests=round(requests), cache_hits=None, bytes_out=int(bytes_out),
                           errors_5xx=round(e5), errors_4xx=round(e4))  # fmt: skip
