"""AWS as a report source: CloudWatch, Cost Explorer and describe calls -> Observations.

What comes from where:

- traffic: ALB metrics per hour (RequestCount, HTTPCode_Target_2XX/3XX/4XX/5XX_Count,
  TargetResponseTime Average/p50/p95/p99) as one TrafficBucket per (hour, status class)
  on the endpoint ``ALL_ENDPOINTS`` — CloudWatch has no per-path metrics.
- latency: CloudWatch gives percentiles, not sketches. Each hour's sketch is *built*
  from that hour's figures: its sum is Average × count, so every mean the report shows
  is CloudWatch's exactly; its values follow a quantile function through (0.5, p50),
  (0.95, p95), (0.99, p99), log-linear between them, with p50/2 at rank 0 and p99 at
  rank 1 as stated assumptions. An hour's p50/p95/p99 read back within the sketch's
  1 % accuracy; percentiles over days or the month are merges of these approximations,
  not CloudWatch's own. Without percentiles an hour is a point mass at its average.
- resources: ECS CPU/MemoryUtilization hourly averages (one pseudo-task, the service).
- store: DynamoDB SuccessfulRequestLatency (Average, SampleCount, Maximum) per table and
  operation, ThrottledRequests, Consumed Read/WriteCapacityUnits, over the whole month.
- static site: CloudFront Requests, BytesDownloaded, CacheHitRate, 4xx/5xxErrorRate.
- costs: Cost Explorer GetCostAndUsage, UnblendedCost by SERVICE for the month and the
  one before (one request, monthly granularity) -> ``measured_costs``.
- status: ECS service running/desired, target health, table status, PITR, encryption,
  each table's on-demand throughput ceiling (the reference of consumed capacity).
- availability from outside: the Route 53 health check on the site's /health (its
  HealthCheckStatus in us-east-1) becomes one ProbeResult per minute, so the report's
  availability code reads it like the prober's; minutes without a datapoint stay
  unmeasured. The tasks' own probes (from the store) remain a second signal, in a note.
- target health: ELB HealthyHostCount / UnHealthyHostCount per minute.
- permission changes (権限変更): CloudTrail LookupEvents of IAM's write events.
- the operations log (incidents, maintenance, check runs, work items, users) from the
  configured store, read by portfolio.sources.opslog like every other source.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from botocore.exceptions import ClientError

from portfolio import names
from portfolio.cloud import (
    NOT_FOUND,
    SERVER_ERRORS,
    WEB_REGION,
    Aws,
    MetricQuery,
    Series,
    ecs_service,
    error_code,
    finest_period_s,
    lb_dimension,
    load_balancer,
    metric_data,
    project_distributions,
    public_hosts,
    target_group,
    target_health,
)
from portfolio.errors import SourceError
from portfolio.period import Period
from portfolio.sources.base import (
    ComputeStatus,
    CostLine,
    DataStoreStatus,
    MeasuredCosts,
    Observations,
    PermissionChange,
    ReportSource,
    SourceOptions,
    StaticSiteStats,
    TargetHealthSample,
    TrafficBucket,
    register_source,
)
from portfolio.sources.opslog import read_ops_log
from portfolio.store.protocols import Store
from portfolio.store.records import ProbeResult, ResourceSample, StoreCallStat
from portfolio.telemetry.sketch import LatencySketch

HOUR_S = 3600
ALL_ENDPOINTS = "(all endpoints: ALB)"
STATUS_CLASSES = {200: "HTTPCode_Target_2XX_Count", 300: "HTTPCode_Target_3XX_Count",
                  400: "HTTPCode_Target_4XX_Count", 500: "HTTPCode_Target_5XX_Count"}  # fmt: skip
PERCENTILES = ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"))
SKETCH_POINTS = 1000
"""Synthetic values per hour; counts are scaled to the hour's requests."""
DYNAMODB_OPERATIONS = {"GetItem": "get_item", "Query": "query", "Scan": "scan",
                       "BatchGetItem": "get_batch", "PutItem": "put_item",
                       "UpdateItem": "update_item", "DeleteItem": "delete_item",
                       "BatchWriteItem": "batch_write_item",
                       "TransactWriteItems": "transact_write_items"}  # fmt: skip
COST_METRIC = "UnblendedCost"


def approximate_sketch(count: int, avg_ms: float, percentiles: dict[float, float]) -> LatencySketch:
    """A sketch of ``count`` requests whose mean is ``avg_ms`` and whose quantiles follow
    the given percentiles (see the module docstring for the assumptions)."""
    if count <= 0:
        return LatencySketch()
    knots = sorted((q, v) for q, v in percentiles.items() if v > 0)
    if not knots:
        values = np.full(min(count, SKETCH_POINTS), max(avg_ms, 1e-3))
    else:
        ranks = [0.0, *(q for q, _ in knots), 1.0]
        logs = [math.log(knots[0][1] / 2), *(math.log(v) for _, v in knots), math.log(knots[-1][1])]
        points = min(count, SKETCH_POINTS)
        grid = (np.arange(points) + 0.5) / points
        values = np.exp(np.interp(grid, ranks, logs))
    keys = LatencySketch.bin_indexes(values)
    unique, per_key = np.unique(keys, return_counts=True)
    scaled = np.floor(per_key * count / values.size).astype(np.int64)
    scaled[np.argmax(per_key)] += count - int(scaled.sum())  # rounding remainder
    keep = scaled > 0
    return LatencySketch.from_bins(
        unique[keep].astype(np.int64),
        scaled[keep],
        zero_count=0,
        total=avg_ms * count,
        low=float(values.min()),
        high=float(values.max()),
    )


@dataclass
class AwsSource:
    """Observations of one month from CloudWatch, Cost Explorer and describe calls."""

    aws: Aws
    store_factory: Callable[[], Store] | None = None
    name: str = "aws"
    notes: list[str] = field(default_factory=list)

    @property
    def source_name(self) -> str:
        return f"AWS {self.aws.region} (CloudWatch, Cost Explorer)"

    def observe(self, period: Period, *, traffic_only: bool = False) -> Observations:
        self.notes = []
        lb = load_balancer(self.aws)
        cloudwatch = self.aws.client("cloudwatch")
        traffic, lb_5xx = self._traffic(cloudwatch, lb, period) if lb else ([], None)
        costs = self._costs(period)
        notes = [
            *self.notes,
            "CloudWatch: hourly statistics; latency sketches are built from each hour's"
            " Average and p50/p95/p99 (means exact, merged percentiles approximate);"
            " no per-endpoint or per-minute figures.",
        ]
        if traffic_only:
            return Observations(period=period, source=self.source_name, traffic=traffic,
                                measured_costs=costs, notes=notes)  # fmt: skip
        observations = Observations(
            period=period,
            source=self.source_name,
            notes=notes,
            traffic=traffic,
            resources=self._resources(cloudwatch, period),
            store_stats=self._store_stats(cloudwatch, period),
            compute=self._compute(),
            data_store=self._data_store(),
            static_site=self._static_site(period),
            measured_costs=costs,
            load_balancer_errors_5xx=lb_5xx,
        )
        if lb is not None:
            observations.target_health = self._target_health(cloudwatch, lb, period)
        observations.permission_changes = self._permission_changes(period)
        if self.store_factory is not None:
            self._add_ops_log(observations, period)
        outside = self._outside_probes(period)
        if outside is not None:
            inside = observations.probes
            ok = sum(1 for p in inside if p.ok)
            observations.probes = outside
            observations.notes.append(
                "Availability: the Route 53 health check on the public /health, per minute"
                f" ({len(outside)} measured minutes); the tasks' own probes, a second"
                f" signal: {ok} of {len(inside)} ok."
            )
        else:
            observations.notes.append(
                "Availability: no Route 53 health check on the site's /health was found;"
                " the tasks' own probes of 127.0.0.1 are the only measure."
            )
        return observations

    # -- CloudWatch --------------------------------------------------------------------------

    def _traffic(
        self, cloudwatch: Any, lb: dict[str, Any], period: Period
    ) -> tuple[list[TrafficBucket], int]:
        dims = (("LoadBalancer", lb_dimension(lb["LoadBalancerArn"])),)
        ns = "AWS/ApplicationELB"
        queries = [MetricQuery(f"s{status}", ns, metric, dims, "Sum", HOUR_S)
                   for status, metric in STATUS_CLASSES.items()]  # fmt: skip
        queries += [
            MetricQuery("elb5xx", ns, "HTTPCode_ELB_5XX_Count", dims, "Sum", HOUR_S),
            MetricQuery("bytes", ns, "ProcessedBytes", dims, "Sum", HOUR_S),
            MetricQuery("avg", ns, "TargetResponseTime", dims, "Average", HOUR_S),
        ]
        data = metric_data(cloudwatch, queries, period.start, period.end)
        data.update(self._percentiles(cloudwatch, dims, period))
        buckets = []
        for status in STATUS_CLASSES:
            for hour, value in sorted(data[f"s{status}"].items()):
                count = round(value)
                if count <= 0:
                    continue
                avg_s = data["avg"].get(hour)
                if avg_s is None:
                    continue  # requests without a response time: nothing honest to put in a sketch
                percentiles = {q: 1000 * data[label][hour] for q, label in PERCENTILES
                               if hour in data[label]}  # fmt: skip
                hour_total = sum(data[f"s{s}"].get(hour, 0.0) for s in STATUS_CLASSES) or 1.0
                share = count / hour_total
                buckets.append(
                    TrafficBucket(
                        hour=hour,
                        endpoint=ALL_ENDPOINTS,
                        status=status,
                        count=count,
                        bytes_in=0,
                        # ProcessedBytes counts both directions; split by the status's share.
                        bytes_out=int(data["bytes"].get(hour, 0.0) * share),
                        sketch=approximate_sketch(count, 1000 * avg_s, percentiles),
                    )
                )
        return buckets, round(sum(data["elb5xx"].values()))

    def _percentiles(
        self, cloudwatch: Any, dims: tuple[tuple[str, str], ...], period: Period
    ) -> dict[str, Series]:
        """p50/p95/p99 per hour, asked separately so the averages survive their failure.

        Real CloudWatch serves percentile statistics; a stand-in that fails on them on its
        own side (moto answers 500) yields averages-only sketches and a note, not no report.
        """
        queries = [MetricQuery(label, "AWS/ApplicationELB", "TargetResponseTime", dims, label,
                               HOUR_S) for _, label in PERCENTILES]  # fmt: skip
        try:
            return metric_data(cloudwatch, queries, period.start, period.end)
        except ClientError as err:
            if error_code(err) not in SERVER_ERRORS:
                raise
            self.notes.append(
                f"CloudWatch percentile statistics failed ({error_code(err)}): latency"
                " percentiles here are those of hourly averages."
            )
            return {label: {} for _, label in PERCENTILES}

    def _resources(self, cloudwatch: Any, period: Period) -> list[ResourceSample]:
        dims = (("ClusterName", names.CLUSTER), ("ServiceName", names.SERVICE))
        data = metric_data(
            cloudwatch,
            [MetricQuery("cpu", "AWS/ECS", "CPUUtilization", dims, "Average", HOUR_S),
             MetricQuery("mem", "AWS/ECS", "MemoryUtilization", dims, "Average", HOUR_S)],
            period.start,
            period.end,
        )  # fmt: skip
        return [
            ResourceSample(
                minute=int(hour.timestamp()),
                task=names.SERVICE,
                cpu_pct=round(cpu, 3),
                mem_bytes=0,  # CloudWatch gives a percentage of the reservation, not bytes
                mem_pct=round(data["mem"].get(hour, 0.0), 3),
            )
            for hour, cpu in sorted(data["cpu"].items())
        ]

    def _store_stats(self, cloudwatch: Any, period: Period) -> list[StoreCallStat]:
        """One figure per table and operation for the whole month.

        The report only sums the data store's calls over the month, and a month-long
        period asks CloudWatch for 1 datapoint per query instead of ~720 across ~80 queries.
        """
        ns = "AWS/DynamoDB"
        span = int((period.end - period.start).total_seconds())
        queries: list[MetricQuery] = []
        keys: dict[str, tuple[str, str, str]] = {}
        for t, table in enumerate((names.USERS_TABLE, names.METRICS_TABLE)):
            for o, (operation, op_name) in enumerate(DYNAMODB_OPERATIONS.items()):
                dims = (("TableName", table), ("Operation", operation))
                for stat in ("Average", "SampleCount", "Maximum"):
                    qid = f"t{t}o{o}{stat.lower()}"
                    queries.append(
                        MetricQuery(qid, ns, "SuccessfulRequestLatency", dims, stat, span)
                    )
                    keys[qid] = (table, op_name, stat)
                qid = f"t{t}o{o}throttled"
                queries.append(MetricQuery(qid, ns, "ThrottledRequests", dims, "Sum", span))
                keys[qid] = (table, op_name, "Throttled")
            for unit in ("Read", "Write"):
                qid = f"t{t}{unit.lower()}cu"
                queries.append(MetricQuery(qid, ns, f"Consumed{unit}CapacityUnits",
                                           (("TableName", table),), "Sum", span))  # fmt: skip
                keys[qid] = (table, "consumed_capacity", unit)
        data = metric_data(cloudwatch, queries, period.start, period.end)
        cells: dict[tuple[datetime, str, str], dict[str, float]] = defaultdict(dict)
        for qid, series in data.items():
            table, op_name, stat = keys[qid]
            for hour, value in series.items():
                cell = cells[(hour, table, op_name)]
                cell[stat] = cell.get(stat, 0.0) + value
        stats = []
        for (hour, table, op_name), cell in sorted(cells.items()):
            count = round(cell.get("SampleCount", 0.0))
            stats.append(
                StoreCallStat(
                    minute=int(hour.timestamp()),
                    task=table,
                    backend="dynamodb",
                    operation=op_name,
                    count=count,
                    errors=0,
                    throttles=round(cell.get("Throttled", 0.0)),
                    latency_sum_ms=cell.get("Average", 0.0) * count,
                    latency_max_ms=cell.get("Maximum", 0.0),
                    capacity_units=cell.get("Read", 0.0) + cell.get("Write", 0.0),
                )
            )
        return stats

    def _static_site(self, period: Period) -> StaticSiteStats | None:
        ids = [d["Id"] for d in project_distributions(self.aws)]
        if not ids:
            return None
        ns = "AWS/CloudFront"
        queries = []
        for i, dist in enumerate(ids):
            dims = (("DistributionId", dist), ("Region", "Global"))
            queries += [
                MetricQuery(f"d{i}req", ns, "Requests", dims, "Sum", HOUR_S),
                MetricQuery(f"d{i}bytes", ns, "BytesDownloaded", dims, "Sum", HOUR_S),
                MetricQuery(f"d{i}hit", ns, "CacheHitRate", dims, "Average", HOUR_S),
                MetricQuery(f"d{i}e4", ns, "4xxErrorRate", dims, "Average", HOUR_S),
                MetricQuery(f"d{i}e5", ns, "5xxErrorRate", dims, "Average", HOUR_S),
            ]
        data = metric_data(self.aws.client("cloudwatch", region=WEB_REGION), queries,
                           period.start, period.end)  # fmt: skip
        requests = hits = e4 = e5 = 0.0
        bytes_out = 0.0
        for i in range(len(ids)):
            req = data[f"d{i}req"]
            requests += sum(req.values())
            bytes_out += sum(data[f"d{i}bytes"].values())

            def weighted(series: Series, req: Series = req) -> float:
                # Rates are per hour; weight each by that hour's requests.
                return sum(req.get(h, 0.0) * pct / 100 for h, pct in series.items())

            hits += weighted(data[f"d{i}hit"])
            e4 += weighted(data[f"d{i}e4"])
            e5 += weighted(data[f"d{i}e5"])
        return StaticSiteStats(requests=round(requests), cache_hits=round(hits),
                               bytes_out=int(bytes_out), errors_5xx=round(e5),
                               errors_4xx=round(e4))  # fmt: skip

    # -- describe calls ------------------------------------------------------------------------

    def _compute(self) -> ComputeStatus | None:
        service = ecs_service(self.aws)
        if service is None:
            return None
        counted = target_health(self.aws)
        return ComputeStatus(desired_tasks=int(service["desiredCount"]),
                             running_tasks=int(service["runningCount"]),
                             healthy_targets=None if counted is None else counted[0])  # fmt: skip

    def _data_store(self) -> DataStoreStatus:
        dynamodb = self.aws.client("dynamodb")
        statuses, pitr, encryption = [], [], []
        ceilings: list[tuple[float, float] | None] = []
        for table in (names.USERS_TABLE, names.METRICS_TABLE):
            try:
                described = dynamodb.describe_table(TableName=table)["Table"]
                backups = dynamodb.describe_continuous_backups(TableName=table)
            except ClientError as err:
                if error_code(err) in NOT_FOUND:
                    statuses.append(f"{table}: not found")
                    pitr.append(False)
                    continue
                raise
            statuses.append(f"{table}: {described['TableStatus']}")
            description = backups["ContinuousBackupsDescription"]
            recovery = description.get("PointInTimeRecoveryDescription", {})
            pitr.append(recovery.get("PointInTimeRecoveryStatus") == "ENABLED")
            sse = described.get("SSEDescription") or {}
            encryption.append(f"{table}: {sse.get('SSEType', 'AWS owned key')}")
            ceilings.append(_ceiling(described.get("OnDemandThroughput") or {}))
        # Consumed capacity is summed over both tables, so its reference is too; a table
        # without a ceiling leaves no reference at all.
        known = [c for c in ceilings if c is not None]
        full = bool(ceilings) and len(known) == len(ceilings)
        return DataStoreStatus(backend="dynamodb",
                               tables=[names.USERS_TABLE, names.METRICS_TABLE],
                               status="; ".join(statuses), point_in_time_recovery=all(pitr),
                               encryption="; ".join(encryption) or None,
                               max_read_units_per_s=sum(c[0] for c in known) if full else None,
                               max_write_units_per_s=sum(c[1] for c in known) if full else None,
                               )  # fmt: skip

    # -- Cost Explorer -------------------------------------------------------------------------

    def _costs(self, period: Period) -> MeasuredCosts | None:
        """One GetCostAndUsage for the month before and this month, monthly, by SERVICE."""
        ce = self.aws.client("ce", region=WEB_REGION)
        before = period.previous()
        start, end = date(before.year, before.month, 1), period.next()
        kwargs: dict[str, Any] = {
            "TimePeriod": {
                "Start": start.isoformat(),
                "End": date(end.year, end.month, 1).isoformat(),
            },
            "Granularity": "MONTHLY",
            "Metrics": [COST_METRIC],
            "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
        }
        by_month: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        while True:
            try:
                page = ce.get_cost_and_usage(**kwargs)
            except ClientError as err:
                code = error_code(err)
                if code in ("AccessDeniedException", "DataUnavailableException"):
                    raise SourceError(f"Cost Explorer GetCostAndUsage refused: {code}") from err
                raise
            for result in page.get("ResultsByTime", []):
                month = str(result["TimePeriod"]["Start"])[:7]
                for group in result.get("Groups", []):
                    amount = float(group["Metrics"][COST_METRIC]["Amount"])
                    by_month[month][str(group["Keys"][0])] += amount
            token = page.get("NextPageToken")
            if not token:
                break
            kwargs["NextPageToken"] = token
        if period.label not in by_month:
            return None

        def lines(month: str) -> list[CostLine]:
            return [CostLine(service=s, usd=usd, basis=f"Cost Explorer {COST_METRIC} {month}")
                    for s, usd in sorted(by_month[month].items())]  # fmt: skip

        return MeasuredCosts(
            lines=lines(period.label),
            previous_lines=lines(before.label) if before.label in by_month else None,
            source=f"Cost Explorer GetCostAndUsage ({COST_METRIC} by SERVICE,"
            f" {before.label} and {period.label})",
        )

    # -- the operations log ----------------------------------------------------------------------

    def _add_ops_log(self, obs: Observations, period: Period) -> None:
        assert self.store_factory is not None  # noqa: S101 - checked by the caller
        store = self.store_factory()
        try:
            ops = read_ops_log(store, period)
        finally:
            store.close()
        obs.probes = ops.probes
        obs.incidents = ops.incidents
        obs.maintenance = ops.maintenance
        obs.check_runs = ops.check_runs
        obs.work_items = ops.work_items
        if obs.permission_changes is not None:  # unknown stays unknown when CloudTrail failed
            obs.permission_changes = sorted(
                obs.permission_changes + ops.permission_changes, key=lambda c: c.at
            )
        obs.simulated = ops.simulated
        obs.user_count = ops.user_count

    # -- availability from outside, target health, permission changes ---------------------------

    def _health_check_id(self) -> str | None:
        """The Route 53 check whose target is the site's /health (the stack makes one)."""
        hosts = {h for d in project_distributions(self.aws) for h in public_hosts(d)}
        if not hosts:
            return None
        route53 = self.aws.client("route53", region=WEB_REGION)
        marker: str | None = None
        while True:
            page = route53.list_health_checks(**({"Marker": marker} if marker else {}))
            for check in page.get("HealthChecks", []):
                config = check.get("HealthCheckConfig", {})
                if (config.get("FullyQualifiedDomainName") in hosts
                        and config.get("ResourcePath") == names.HEALTH_PATH):  # fmt: skip
                    return str(check["Id"])
            if not page.get("IsTruncated"):
                return None
            marker = page.get("NextMarker")

    def _outside_probes(self, period: Period) -> list[ProbeResult] | None:
        check_id = self._health_check_id()
        if check_id is None:
            return None
        step = finest_period_s(period.start)
        dims = (("HealthCheckId", check_id),)
        queries = [MetricQuery(q, "AWS/Route53", "HealthCheckStatus", dims, stat, step)
                   for q, stat in (("avg", "Average"), ("n", "SampleCount"))]  # fmt: skip
        data = metric_data(self.aws.client("cloudwatch", region=WEB_REGION), queries,
                           period.start, period.end)  # fmt: skip
        return outside_probe_minutes(data["avg"], data["n"], step)

    def _target_health(
        self, cloudwatch: Any, lb: dict[str, Any], period: Period
    ) -> list[TargetHealthSample]:
        group = target_group(self.aws)
        if group is None:
            return []
        step = finest_period_s(period.start)
        dims = (("TargetGroup", group["TargetGroupArn"].split(":", 5)[-1]),
                ("LoadBalancer", lb_dimension(lb["LoadBalancerArn"])))  # fmt: skip
        ns = "AWS/ApplicationELB"
        data = metric_data(cloudwatch, [
            MetricQuery("healthy", ns, "HealthyHostCount", dims, "Minimum", step),
            MetricQuery("unhealthy", ns, "UnHealthyHostCount", dims, "Maximum", step),
        ], period.start, period.end)  # fmt: skip
        samples = []
        for at, healthy in sorted(data["healthy"].items()):
            unhealthy = data["unhealthy"].get(at, 0.0)
            for minute in range(int(at.timestamp()), int(at.timestamp()) + step, 60):
                samples.append(TargetHealthSample(minute=minute, healthy=round(healthy),
                                                  total=round(healthy + unhealthy)))  # fmt: skip
        return samples

    def _permission_changes(self, period: Period) -> list[PermissionChange] | None:
        """IAM's write events (IAM is global: CloudTrail records them in us-east-1)."""
        cloudtrail = self.aws.client("cloudtrail", region=WEB_REGION)
        kwargs: dict[str, Any] = {
            "LookupAttributes": [
                {"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}
            ],
            "StartTime": period.start,
            "EndTime": period.end,
        }
        changes: list[PermissionChange] = []
        while True:
            try:
                page = cloudtrail.lookup_events(**kwargs)
            except ClientError as err:
                code = error_code(err)
                if code in SERVER_ERRORS or code in ("AccessDeniedException",):
                    # None, not []: "not read" must not read as "no changes".
                    self.notes.append(
                        f"CloudTrail LookupEvents failed ({code}): 権限変更 not read."
                    )
                    return None
                raise
            changes += [c for e in page.get("Events", []) if (c := iam_change(e)) is not None]
            token = page.get("NextToken")
            if not token:
                return sorted(changes, key=lambda c: c.at)
            kwargs["NextToken"] = token


def _ceiling(throughput: dict[str, Any]) -> tuple[float, float] | None:
    """A table's on-demand (read, write) ceiling per second; None when unlimited (-1)."""
    read = throughput.get("MaxReadRequestUnits")
    write = throughput.get("MaxWriteRequestUnits")
    if read is None or write is None or read < 0 or write < 0:
        return None
    return float(read), float(write)


def outside_probe_minutes(average: Series, samples: Series, step_s: int) -> list[ProbeResult]:
    """HealthCheckStatus datapoints -> one ProbeResult per measured minute.

    With 1-minute datapoints each is a minute, up when its Average is 1. A 5-minute
    datapoint (CloudWatch keeps 1-minute data 15 days) stands for as many minutes as it
    has samples, capped at 5: round(Average × minutes) of them up, the rest down, the
    down minutes first (their order inside the 5 minutes is not known; the count is).
    Minutes without a datapoint get no result: unmeasured, not up.
    """
    minutes_per_point = max(1, step_s // 60)
    results: list[ProbeResult] = []
    for at, value in sorted(average.items()):
        measured = min(minutes_per_point, max(1, round(samples.get(at, minutes_per_point))))
        up = round(value * measured)
        for i in range(measured):
            ok = i >= measured - up
            results.append(ProbeResult(at=at + timedelta(minutes=i), ok=ok, latency_ms=None,
                                       status=None, detail="Route 53 health check"))  # fmt: skip
    return results


READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Generate", "Simulate")


def iam_change(event: dict[str, Any]) -> PermissionChange | None:
    """One CloudTrail event as a permission change; None for IAM's read-only calls."""
    name = str(event.get("EventName", ""))
    if event.get("ReadOnly") == "true" or name.startswith(READ_ONLY_PREFIXES):
        return None
    resources = [str(r.get("ResourceName")) for r in event.get("Resources") or []
                 if r.get("ResourceName")]  # fmt: skip
    at = event["EventTime"]
    return PermissionChange(
        at=at.astimezone(UTC) if isinstance(at, datetime) else at,
        kind="iam",
        subject=", ".join(resources) or name,
        detail=name,
        actor=str(event.get("Username", "")),
    )


@register_source("aws")
def _aws(options: SourceOptions) -> ReportSource:
    from portfolio.store import open_store

    settings = options.settings
    return AwsSource(
        Aws(settings, options.endpoint_url), store_factory=lambda: open_store(settings)
    )
