"""A month whose truth is known, seeded into the places the AWS report reads it from.

- the service's telemetry in the metrics table (DynamoDB Local): users' requests on
  several endpoints, statuses and tasks, each rollup's latencies drawn and kept so the
  month's exact percentiles are known; Route 53 checker requests under their own
  endpoint; one rollup just before the month (Asia/Tokyo) that must not be counted;
- CloudFront standard logs in the log bucket (moto): site lines with known Hit/Miss
  results, API lines through the same distribution (left out), and a file of another
  month that must not be read;
- Lambda's Invocations for the serverless design's function (moto CloudWatch).
"""

from __future__ import annotations

import gzip
import io
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from portfolio import names
from portfolio.period import Period
from portfolio.sketch import LatencySketch
from portfolio.store.protocols import Store
from portfolio.store.records import Rollup
from tests.sources.moto_aws import LOG_BUCKET, Moto

PERIOD = Period(2025, 8, "Asia/Tokyo")
USER_ENDPOINTS = (names.HEALTH_PATH, names.USERS_PATH, names.METRICS_PATH, names.SCANNER_ENDPOINT)
STATUSES = (200, 404, 500)
TASKS = ("task-a", "task-b")
PROBE_PER_MINUTE = 30
LAMBDA_INVOCATIONS = 5_676
LAMBDA_THROTTLES = 4
CF_PREFIX = "cloudfront/"


@dataclass
class Truth:
    requests: int = 0
    errors_5xx: int = 0
    probe_requests: int = 0
    latencies: list[float] = field(default_factory=list)
    site_requests: int = 0
    site_hits: int = 0

    def exact(self, q: float) -> float:
        """The value at 1-based rank ceil(q * n), the nearest rank: the report's definition
        of a quantile (docs/report.md), which the sketch follows within its accuracy."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _minutes() -> list[int]:
    """Minutes spread over the month (UTC epoch seconds), the month's first and last included."""
    start, end = int(PERIOD.start.timestamp()), int(PERIOD.end.timestamp())
    step = (end - start) // 23
    picked = [start + i * step - (i * step) % 60 for i in range(23)]
    return [*picked, end - 60]


def seed_telemetry(store: Store, seed: int = 7) -> Truth:
    """Users' and checkers' rollups of the month, and one the minute before it."""
    rng = np.random.default_rng(seed)
    truth = Truth()
    rollups: list[Rollup] = []
    for minute in _minutes():
        for endpoint in USER_ENDPOINTS:
            for status in STATUSES:
                for task in TASKS:
                    n = int(rng.integers(0, 6))
                    if n == 0:
                        continue
                    values = rng.lognormal(mean=3.0, sigma=0.8, size=n)
                    rollups.append(_rollup(minute, endpoint, status, task, values))
                    truth.requests += n
                    truth.errors_5xx += n if status >= 500 else 0
                    truth.latencies += values.tolist()
        values = rng.lognormal(mean=1.0, sigma=0.3, size=PROBE_PER_MINUTE)
        rollups.append(_rollup(minute, names.OUTSIDE_PROBE_ENDPOINT, 200, "task-a", values))
        truth.probe_requests += PROBE_PER_MINUTE
    before = int(PERIOD.start.timestamp()) - 60
    rollups.append(_rollup(before, names.USERS_PATH, 200, "task-a", np.full(50, 9999.0)))
    store.write_rollups(rollups)
    return truth


def _rollup(minute: int, endpoint: str, status: int, task: str, values: np.ndarray) -> Rollup:
    sketch = LatencySketch()
    sketch.add_many(values.astype(np.float64))
    return Rollup(minute, endpoint, "GET", status, task, count=int(values.size),
                  bytes_in=0, bytes_out=100 * int(values.size), sketch=sketch)  # fmt: skip


CF_FIELDS = 33


def _cf_line(at: datetime, path: str, result: str, status: int = 200) -> str:
    fields = ["-"] * CF_FIELDS
    fields[0], fields[1] = at.strftime("%Y-%m-%d"), at.strftime("%H:%M:%S")
    fields[2], fields[3], fields[4] = "NRT57-P1", "1200", "192.0.2.10"
    fields[5], fields[6], fields[7], fields[8] = "GET", "d1.cloudfront.net", path, str(status)
    fields[10] = "Mozilla/5.0"
    fields[13] = result
    return "\t".join(fields)


def _cf_file(lines: list[str]) -> bytes:
    text = "#Version: 1.0\n#Fields: date time ...\n" + "\n".join(lines) + "\n"
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as fh:
        fh.write(text.encode())
    return buffer.getvalue()


def seed_cloudfront_logs(moto: Moto, distribution_id: str, truth: Truth) -> None:
    """Two files of the month (site and API lines) and one of the next month."""
    s3 = moto.client("s3")
    at = datetime(2025, 8, 10, 3, tzinfo=UTC)
    results = ["Hit"] * 7 + ["RefreshHit"] + ["Miss"] * 2
    site = [_cf_line(at + timedelta(seconds=i), "/index.html", r) for i, r in enumerate(results)]
    api = [_cf_line(at, names.HEALTH_PATH, "Miss") for _ in range(5)]
    api.append(_cf_line(at, names.USERS_PATH, "Miss"))
    later = at + timedelta(days=5)
    more = [_cf_line(later, "/", "Hit"), _cf_line(later, "/style.css", "Error", 503)]
    files = {
        f"{distribution_id}.2025-08-10-03.a1.gz": site + api,
        f"{distribution_id}.2025-08-15-03.b2.gz": more,
        f"{distribution_id}.2025-09-05-03.c3.gz": [_cf_line(datetime(2025, 9, 5, 3, tzinfo=UTC),
                                                   "/", "Miss")] * 40,
    }  # fmt: skip
    for key, lines in files.items():
        s3.put_object(Bucket=LOG_BUCKET, Key=CF_PREFIX + key, Body=_cf_file(lines))
    truth.site_requests = len(site) + len(more)
    truth.site_hits = 8 + 1


def seed_lambda(moto: Moto, function: str) -> None:
    cloudwatch = moto.client("cloudwatch")
    at = datetime(2025, 8, 12, tzinfo=UTC)
    dims = [{"Name": "FunctionName", "Value": function}]
    cloudwatch.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {"MetricName": "Invocations", "Dimensions": dims, "Timestamp": at,
             "Value": LAMBDA_INVOCATIONS},
            {"MetricName": "Throttles", "Dimensions": dims, "Timestamp": at,
             "Value": LAMBDA_THROTTLES},
        ],
    )  # fmt: skip


def seed_distribution(moto: Moto, *, prefix: str, requests_per_hour: float) -> str:
    """Another project distribution logging under ``prefix`` (no files), 3 hours of Requests."""
    cloudfront = moto.client("cloudfront", region="us-east-1")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": f"portfolio-{prefix}",
            "Comment": "portfolio second site",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [
                {"Id": "site", "DomainName": "other.s3.amazonaws.com",
                 "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
            "Logging": {"Enabled": True, "IncludeCookies": False,
                        "Bucket": f"{LOG_BUCKET}.s3.amazonaws.com", "Prefix": prefix},
        }
    )["Distribution"]  # fmt: skip
    edge = moto.client("cloudwatch", region="us-east-1")
    dims = [{"Name": "DistributionId", "Value": distribution["Id"]},
            {"Name": "Region", "Value": "Global"}]  # fmt: skip
    edge.put_metric_data(
        Namespace="AWS/CloudFront",
        MetricData=[
            {"MetricName": "Requests", "Dimensions": dims, "Value": requests_per_hour,
             "Timestamp": datetime(2025, 8, 3, h, 30, tzinfo=UTC)}
            for h in range(3)
        ],
    )  # fmt: skip
    return str(distribution["Id"])
