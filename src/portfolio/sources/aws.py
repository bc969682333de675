"""AWS as a report source: CloudWatch, Cost Explorer and describe calls -> Observations.

What comes from where:

- traffic: the service's own telemetry in the metrics table (portfolio.sources.aws_traffic):
  requests, exact latency sketches and the per-endpoint table, whichever design wrote
  them; Route 53's checks apart. The load balancer's RequestCount (original design) or
  the function's Invocations (serverless) is a cross-check, in a note.
- resources: ECS CPU/MemoryUtilization hourly averages (one pseudo-task, the service).
- store: DynamoDB SuccessfulRequestLatency (Average, SampleCount, Maximum) per table and
  operation, ThrottledRequests, Consumed Read/WriteCapacityUnits, over the whole month.
- static site: CloudFront's standard logs in the log bucket (portfolio.sources.aws_site),
  CloudWatch's free metrics without them (then the cache hit ratio is no data).
- costs: Cost Explorer, the project's tagged cost (portfolio.sources.aws_costs).
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

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

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
    period_label,
    project_distributions,
    public_hosts,
    target_group,
    target_health,
)
from portfolio.config import Design
from portfolio.period import Period
from portfolio.sources.aws_costs import measured_costs
from portfolio.sources.aws_site import observe_site
from portfolio.sources.aws_traffic import (
    Telemetry,
    alb_cross_check,
    lambda_cross_check,
    read_telemetry,
)
from portfolio.sources.base import (
    ComputeStatus,
    DataStoreStatus,
    Observations,
    PermissionChange,
    ReportSource,
    SourceOptions,
    TargetHealthSample,
    merge_anomalies,
    register_source,
)
from portfolio.sources.local import access_anomalies
from portfolio.sources.opslog import OpsLog, read_ops_log
from portfolio.store import open_store
from portfolio.store.protocols import Store
from portfolio.store.records import ProbeResult, ResourceSample, StoreCallStat

HOUR_S = 3600
DYNAMODB_OPERATIONS = {"GetItem": "get_item", "Query": "query", "Scan": "scan",
                       "BatchGetItem": "get_batch", "PutItem": "put_item",
                       "UpdateItem": "update_item", "DeleteItem": "delete_item",
                       "BatchWriteItem": "batch_write_item",
                       "TransactWriteItems": "transact_write_items"}  # fmt: skip


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
        store = self.store_factory() if self.store_factory is not None else None
        try:
            telemetry = (
                read_telemetry(store, period, with_minutes=not traffic_only)
                if store is not None
                else None
            )
            ops = read_ops_log(store, period) if store is not None and not traffic_only else None
        finally:
            if store is not None:
                store.close()
        if telemetry is None:
            self.notes.append("No store configured: the service's telemetry was not read.")
        costs = measured_costs(self.aws, period)
        observations = Observations(
            period=period,
            source=self.source_name,
            traffic=telemetry.traffic if telemetry else [],
            outside_probe_requests=telemetry.outside_probe_requests if telemetry else None,
            measured_costs=costs,
        )
        if traffic_only:
            observations.notes = self.notes
            return observations
        self._observe_account(observations, period, telemetry)
        if ops is not None:
            _add_ops_log(observations, ops)
        self._add_outside_probes(observations, period)
        observations.notes[:0] = self.notes
        return observations

    def _observe_account(
        self, obs: Observations, period: Period, telemetry: Telemetry | None
    ) -> None:
        """Everything but the traffic: status, resources, store, site, AWS's own counts."""
        cloudwatch = self.aws.client("cloudwatch")
        if telemetry is not None:
            obs.minutes = telemetry.minutes
            obs.access_anomalies = access_anomalies(telemetry.traffic, telemetry.minutes)
        if self.aws.settings.design is Design.SERVERLESS:
            # Its own function; no cluster, load balancer or targets to read.
            check = lambda_cross_check(self.aws, self.aws.settings.api_function, period)
            obs.notes.append(check.note(telemetry))
        else:
            lb = load_balancer(self.aws)
            if lb is not None:
                check = alb_cross_check(cloudwatch, lb, period)
                obs.notes.append(check.note(telemetry))
                obs.load_balancer_errors_5xx = check.never_reached
                obs.target_health = self._target_health(cloudwatch, lb, period)
            obs.resources = self._resources(cloudwatch, period)
            obs.compute = self._compute()
        obs.store_stats = self._store_stats(cloudwatch, period)
        obs.data_store = self._data_store()
        self._static_site(obs, period)
        obs.permission_changes = self._permission_changes(period)

    @property
    def _tables(self) -> tuple[str, str]:
        named = self.aws.settings.resources
        return named.users_table, named.metrics_table

    def _coarse(self, figure: str, step_s: int) -> None:
        label = period_label(step_s)
        if label is not None:
            self.notes.append(f"{figure}: {label}.")

    def _add_outside_probes(self, observations: Observations, period: Period) -> None:
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

    # -- CloudWatch --------------------------------------------------------------------------

    def _resources(self, cloudwatch: Any, period: Period) -> list[ResourceSample]:
        named = self.aws.settings.resources
        dims = (("ClusterName", named.cluster), ("ServiceName", named.service))
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
                task=named.service,
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
        for t, table in enumerate(self._tables):
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

    def _static_site(self, obs: Observations, period: Period) -> None:
        ids = [d["Id"] for d in project_distributions(self.aws)]
        if not ids:
            return
        site = observe_site(self.aws, ids, period)
        obs.static_site = site.stats
        obs.site_distribution = ", ".join(ids)
        obs.notes += site.notes
        if site.anomalies is not None:
            ours = obs.access_anomalies
            obs.access_anomalies = (
                site.anomalies if ours is None else merge_anomalies(ours, site.anomalies)
            )

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
        for table in self._tables:
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
                               tables=list(self._tables),
                               status="; ".join(statuses), point_in_time_recovery=all(pitr),
                               encryption="; ".join(encryption) or None,
                               max_read_units_per_s=sum(c[0] for c in known) if full else None,
                               max_write_units_per_s=sum(c[1] for c in known) if full else None,
                               )  # fmt: skip

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
        self._coarse("Availability (Route 53 health check)", step)
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
        self._coarse("Target health", step)
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


def _add_ops_log(obs: Observations, ops: OpsLog) -> None:
    """The operations log's entries, read from the configured store like every source's."""
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
    settings = options.settings
    return AwsSource(
        Aws(settings, options.endpoint_url), store_factory=lambda: open_store(settings)
    )
