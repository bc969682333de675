"""Collect check snapshots from an AWS account (the ``aws`` target) with boto3.

Describe calls give the configuration (ECS, ELBv2, EC2, IAM, DynamoDB, S3, CloudFront,
CloudWatch Logs), CloudWatch the health and performance figures. Errors are branched
on their code: a missing resource is a finding's input (``None``/absent), an error we
do not know is raised. The restore test restores each table to a scratch table at its
latest restorable time, compares item counts and deletes the scratch table.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from portfolio import names
from portfolio.checks.base import Kind
from portfolio.checks.collect import DAY, WEEK, probe_health
from portfolio.checks.restore_dynamodb import restore_test_table
from portfolio.checks.run import CheckContext, register_collector, with_audits
from portfolio.checks.snapshot import (
    BucketConfig,
    ContainerConfig,
    DailySnapshot,
    DistributionConfig,
    EndpointLatency,
    FunctionState,
    ImageScan,
    IngressRule,
    LoadBalancerConfig,
    LogGroupConfig,
    MonthlySnapshot,
    PolicyStatement,
    TableConfig,
    TargetHealth,
    TaskCount,
    Utilisation,
    WeeklySnapshot,
    WindowStats,
    policy_statements,
)
from portfolio.checks.weekly_telemetry import telemetry_week
from portfolio.cloud import (
    NOT_FOUND,
    WEB_REGION,
    Aws,
    MetricQuery,
    ecs_service,
    error_code,
    lb_dimension,
    load_balancer,
    metric_data,
    project_distributions,
    public_hosts,
    target_health,
    total,
)
from portfolio.config import Design
from portfolio.errors import InputError
from portfolio.names import ResourceNames

MAX_LOG_EVENTS = 100_000


def _aws(context: CheckContext) -> Aws:
    return Aws(context.settings, context.endpoint_url)


# -- shared lookups -------------------------------------------------------------------------


def alb_queries(lb_arn: str, period_s: int, stats: dict[str, tuple[str, str]]) -> list[MetricQuery]:
    dims = (("LoadBalancer", lb_dimension(lb_arn)),)
    return [
        MetricQuery(qid, "AWS/ApplicationELB", metric, dims, stat, period_s)
        for qid, (metric, stat) in stats.items()
    ]


def ecs_queries(named: ResourceNames, period_s: int) -> list[MetricQuery]:
    dims = (("ClusterName", named.cluster), ("ServiceName", named.service))
    return [
        MetricQuery(f"{m.lower()}_{s.lower()}", "AWS/ECS", f"{m}Utilization", dims, s, period_s)
        for m in ("CPU", "Memory")
        for s in ("Average", "Maximum")
    ]


# -- daily ------------------------------------------------------------------------------------


def _error_log_lines(aws: Aws, start: datetime, end: datetime, log_group: str) -> int | None:
    logs = aws.client("logs")
    count, token = 0, None
    while count < MAX_LOG_EVENTS:
        kwargs: dict[str, Any] = {
            "logGroupName": log_group,
            "startTime": int(start.timestamp() * 1000),
            "endTime": int(end.timestamp() * 1000),
            "filterPattern": '"ERROR"',
        }
        if token:
            kwargs["nextToken"] = token
        try:
            page = logs.filter_log_events(**kwargs)
        except ClientError as err:
            if error_code(err) in NOT_FOUND:
                return None
            raise
        count += len(page.get("events", []))
        token = page.get("nextToken")
        if not token:
            break
    return count


def public_url(aws: Aws, lb: dict[str, Any] | None) -> str | None:
    """Where people reach the API, in the scheme the stack serves there.

    The site's CloudFront distribution (HTTPS only) routes /health to the load balancer,
    which answers only CloudFront; without a distribution, an internet-facing load
    balancer itself, over HTTPS when it has a 443 listener (port 80 then only
    redirects). An internal one (behind a CloudFront VPC origin) has no public URL.
    """
    distributions = project_distributions(aws)
    if distributions:
        return f"https://{public_hosts(distributions[0])[0]}"
    if lb is None or lb.get("Scheme") == "internal":
        return None
    listeners = aws.client("elbv2").describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])
    ports = {int(item["Port"]) for item in listeners.get("Listeners", [])}
    return f"{'https' if 443 in ports else 'http'}://{lb['DNSName']}"


def daily_original(context: CheckContext, at: datetime) -> DailySnapshot:
    """The ECS service behind its ALB: targets, tasks and the ALB's request counts."""
    aws = _aws(context)
    lb = load_balancer(aws)
    url = context.url or public_url(aws, lb)
    health = (
        probe_health(url, timeout_s=context.settings.telemetry.probe_timeout_s) if url else None
    )
    counted = target_health(aws)
    targets = (
        None
        if counted is None
        else TargetHealth(
            healthy=counted[0], total=counted[1], basis=aws.settings.resources.target_group
        )
    )
    service = ecs_service(aws)
    tasks = (
        TaskCount(running=int(service["runningCount"]), desired=int(service["desiredCount"]))
        if service
        else None
    )
    requests = errors = None
    start = at - DAY
    if lb is not None:
        data = metric_data(
            aws.client("cloudwatch"),
            alb_queries(
                lb["LoadBalancerArn"],
                3600,
                {
                    "requests": ("RequestCount", "Sum"),
                    "target_5xx": ("HTTPCode_Target_5XX_Count", "Sum"),
                    "elb_5xx": ("HTTPCode_ELB_5XX_Count", "Sum"),
                },
            ),
            start,
            at,
        )
        requests = int(total(data["requests"]))
        errors = int(total(data["target_5xx"]) + total(data["elb_5xx"]))
    return DailySnapshot(
        at=at,
        source=f"AWS {aws.region}",
        window_hours=DAY.total_seconds() / 3600,
        health=health,
        targets=targets,
        tasks=tasks,
        requests=requests,
        errors_5xx=errors,
        error_log_lines=_error_log_lines(aws, start, at, aws.settings.resources.log_group),
        latency_target_ms=context.settings.kpi.response_time_ms,
        error_rate_target_pct=context.settings.kpi.error_rate_pct,
    )


LAMBDA_DAY_STATS = {
    "invocations": ("Invocations", "Sum"),
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
    "concurrency": ("ConcurrentExecutions", "Maximum"),
}


def function_state(aws: Aws, name: str, start: datetime, end: datetime) -> FunctionState:
    """The API function's state, concurrency limit and its AWS/Lambda figures of [start, end)."""
    client = aws.client("lambda")
    try:
        found = client.get_function(FunctionName=name)
    except ClientError as err:
        if error_code(err) in NOT_FOUND:
            return FunctionState(name, None, None, 0, 0, 0, None, None, "no such function")
        raise
    configuration = found.get("Configuration", {})
    reserved = (found.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    limit: int | None
    if reserved is not None:
        limit, basis = int(reserved), "its reserved concurrency"
    else:
        account = client.get_account_settings().get("AccountLimit", {})
        unreserved = account.get("UnreservedConcurrentExecutions")
        limit = None if unreserved is None else int(unreserved)
        basis = "the account's unreserved concurrency"
    dims = (("FunctionName", name),)
    period = int((end - start).total_seconds())
    data = metric_data(
        aws.client("cloudwatch"),
        [
            MetricQuery(qid, "AWS/Lambda", metric, dims, stat, period)
            for qid, (metric, stat) in LAMBDA_DAY_STATS.items()
        ],
        start,
        end,
    )
    peaks = data["concurrency"].values()
    return FunctionState(
        name=name,
        state=configuration.get("State"),
        last_update=configuration.get("LastUpdateStatus"),
        invocations=int(total(data["invocations"])),
        errors=int(total(data["errors"])),
        throttles=int(total(data["throttles"])),
        peak_concurrency=int(max(peaks)) if peaks else None,
        concurrency_limit=limit,
        limit_basis=basis,
    )


def daily_serverless(context: CheckContext, at: datetime) -> DailySnapshot:
    """The API function behind CloudFront: its state and day in AWS/Lambda, no ALB or ECS."""
    aws = _aws(context)
    url = context.url or public_url(aws, None)
    health = (
        probe_health(url, timeout_s=context.settings.telemetry.probe_timeout_s) if url else None
    )
    name = context.settings.api_function
    start = at - DAY
    function = function_state(aws, name, start, at)
    return DailySnapshot(
        at=at,
        source=f"AWS {aws.region} (serverless design)",
        window_hours=DAY.total_seconds() / 3600,
        health=health,
        targets=None,
        tasks=None,
        # Every request through CloudFront to the API is one invocation; the error-log
        # allowance is measured against them. Mangum's 5xx answers are not counted apart.
        requests=function.invocations if function.state is not None else None,
        errors_5xx=None,
        error_log_lines=_error_log_lines(aws, start, at, f"/aws/lambda/{name}"),
        latency_target_ms=context.settings.kpi.response_time_ms,
        error_rate_target_pct=context.settings.kpi.error_rate_pct,
        function=function,
    )


DAILY_BY_DESIGN = {Design.ORIGINAL: daily_original, Design.SERVERLESS: daily_serverless}
"""Each design's daily collector: it gathers only what that design's checks read."""


@register_collector("aws", Kind.DAILY)
def daily(context: CheckContext, at: datetime) -> DailySnapshot:
    return DAILY_BY_DESIGN[context.settings.design](context, at)


# -- weekly -----------------------------------------------------------------------------------

LATENCY_STATS = {
    "avg": ("TargetResponseTime", "Average"),
    "p50": ("TargetResponseTime", "p50"),
    "p95": ("TargetResponseTime", "p95"),
    "p99": ("TargetResponseTime", "p99"),
    "requests": ("RequestCount", "Sum"),
    "target_5xx": ("HTTPCode_Target_5XX_Count", "Sum"),
    "elb_5xx": ("HTTPCode_ELB_5XX_Count", "Sum"),
}


def _ms(series: dict[datetime, float]) -> float | None:
    """The one datapoint of a week-long period, seconds -> ms."""
    return round(1000 * next(iter(series.values())), 3) if series else None


def _week(aws: Aws, lb_arn: str, start: datetime, end: datetime) -> WindowStats | None:
    period = int((end - start).total_seconds())
    data = metric_data(
        aws.client("cloudwatch"), alb_queries(lb_arn, period, LATENCY_STATS), start, end
    )
    requests = int(total(data["requests"]))
    if not requests:
        return None
    return WindowStats(
        requests=requests,
        errors_5xx=int(total(data["target_5xx"]) + total(data["elb_5xx"])),
        avg_ms=_ms(data["avg"]),
        p50_ms=_ms(data["p50"]),
        p95_ms=_ms(data["p95"]),
        p99_ms=_ms(data["p99"]),
    )


def alb_log_prefix(aws: Aws, lb: dict[str, Any]) -> str | None:
    """s3://bucket/prefix/AWSLogs/<account>/elasticloadbalancing/<region>/, if logging."""
    attrs = aws.client("elbv2").describe_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"]
    )
    values = {a["Key"]: a["Value"] for a in attrs.get("Attributes", [])}
    if values.get("access_logs.s3.enabled") != "true" or not values.get("access_logs.s3.bucket"):
        return None
    _arn, _partition, _service, region, account, _rest = lb["LoadBalancerArn"].split(":", 5)
    prefix = values.get("access_logs.s3.prefix", "").strip("/")
    base = f"s3://{values['access_logs.s3.bucket']}/" + (f"{prefix}/" if prefix else "")
    return f"{base}AWSLogs/{account}/elasticloadbalancing/{region}/"


def week_endpoints(
    aws: Aws, lb: dict[str, Any], start: datetime, end: datetime
) -> list[EndpointLatency] | None:
    """Requests and p95 per endpoint from the ALB's log files of [start, end).

    The logs are read straight from S3 with the same reader as `report --source
    alb-logs` (one GET per 5-minute file: ~4,000 a week, a fraction of a cent); None
    when the load balancer does not log, or no file of the week exists yet.
    """
    from portfolio.sources.alb_logs import scan_alb, traffic_buckets
    from portfolio.sources.logfiles import find_files
    from portfolio.telemetry.sketch import LatencySketch

    base = alb_log_prefix(aws, lb)
    if base is None:
        return None
    days = {(start + timedelta(days=i)).date() for i in range((end - start).days + 1)}
    folders = [f"{base}{day:%Y/%m/%d}/" for day in sorted(days) if day <= end.date()]
    files = []
    for folder in folders:
        try:
            files += find_files([folder], endpoint_url=aws.endpoint_url)
        except InputError:
            continue  # no file that day (yet): those hours are simply not covered
    if not files:
        return None
    buckets = traffic_buckets(
        scan_alb(files, endpoint_url=aws.endpoint_url), int(start.timestamp()), int(end.timestamp())
    )
    counts: dict[str, int] = {}
    sketches: dict[str, LatencySketch] = {}
    for bucket in buckets:
        counts[bucket.endpoint] = counts.get(bucket.endpoint, 0) + bucket.count
        sketches.setdefault(bucket.endpoint, LatencySketch()).merge(bucket.sketch)
    return [
        EndpointLatency(
            endpoint=name,
            requests=count,
            p95_ms=None if (p95 := sketches[name].quantile(0.95)) is None else round(p95, 3),
        )
        for name, count in sorted(counts.items(), key=lambda item: -item[1])
    ]


@register_collector("aws", Kind.WEEKLY)
def weekly(context: CheckContext, at: datetime) -> WeeklySnapshot:
    aws = _aws(context)
    end = at.replace(minute=0, second=0, microsecond=0)
    # The serverless design has no ALB or ECS service: nothing of theirs to ask for.
    has_service = context.settings.design is Design.ORIGINAL
    lb = load_balancer(aws) if has_service else None
    # Traffic from the service's own telemetry, as the report reads it (both designs);
    # the load balancer's figures only for a week the telemetry has no request of.
    this = telemetry_week(context.store, end - WEEK, end)
    last = telemetry_week(context.store, end - 2 * WEEK, end - WEEK)
    this_week, last_week = this.stats, last.stats
    if lb is not None and this_week is None:
        this_week = _week(aws, lb["LoadBalancerArn"], end - WEEK, end)
    if lb is not None and last_week is None:
        last_week = _week(aws, lb["LoadBalancerArn"], end - 2 * WEEK, end - WEEK)
    endpoints = this.endpoints or None
    if endpoints is None and lb is not None:
        # Without telemetry, the ALB's access logs of the week have per-path figures.
        endpoints = week_endpoints(aws, lb, end - WEEK, end)
    period = int(WEEK.total_seconds())
    ecs: dict[str, dict[datetime, float]] = (
        metric_data(
            aws.client("cloudwatch"), ecs_queries(aws.settings.resources, period), end - WEEK, end
        )
        if has_service
        else {}
    )

    def utilisation(metric: str) -> Utilisation | None:
        avg, peak = ecs.get(f"{metric}_average"), ecs.get(f"{metric}_maximum")
        if not avg or not peak:
            return None
        return Utilisation(avg_pct=sum(avg.values()) / len(avg), max_pct=max(peak.values()))

    return WeeklySnapshot(
        at=at,
        source=f"AWS {aws.region}: the service's telemetry, CloudWatch",
        this_week=this_week,
        last_week=last_week,
        cpu=utilisation("cpu"),
        memory=utilisation("memory"),
        endpoints=endpoints,
        latency_target_ms=context.settings.kpi.response_time_ms,
        error_rate_target_pct=context.settings.kpi.error_rate_pct,
        utilisation_target_pct=context.settings.kpi.cpu_mem_pct,
    )


# -- monthly ----------------------------------------------------------------------------------


def _document(raw: Any) -> dict[str, Any]:
    """IAM returns policy documents URL-encoded (the real API) or as a dict (some SDKs)."""
    if isinstance(raw, dict):
        return raw
    parsed: dict[str, Any] = json.loads(unquote(str(raw)))
    return parsed


def task_role_statements(aws: Aws, role_arn: str) -> list[PolicyStatement]:
    iam = aws.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    statements: list[PolicyStatement] = []
    for name in iam.list_role_policies(RoleName=role).get("PolicyNames", []):
        statements += policy_statements(
            _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
        )
    for attached in iam.list_attached_role_policies(RoleName=role).get("AttachedPolicies", []):
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(
            PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
        )
        statements += policy_statements(_document(version["PolicyVersion"]["Document"]))
    return statements


def _containers(task_definition: dict[str, Any]) -> list[ContainerConfig]:
    return [
        ContainerConfig(
            name=f"{task_definition.get('family')}/{c.get('name')}",
            environment=tuple(
                (str(e["name"]), str(e.get("value", ""))) for e in c.get("environment", [])
            ),
            secrets=tuple(str(s["name"]) for s in c.get("secrets", [])),
        )
        for c in task_definition.get("containerDefinitions", [])
    ]


def _ingress(aws: Aws, vpc_id: str | None, lb_groups: set[str]) -> list[IngressRule]:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}] if vpc_id else []
    groups = aws.client("ec2").describe_security_groups(Filters=filters).get("SecurityGroups", [])
    rules = []
    for group in groups:
        for perm in group.get("IpPermissions", []):
            common = {
                "group": f"{group['GroupId']} ({group.get('GroupName', '')})",
                "protocol": str(perm.get("IpProtocol", "-1")),
                "from_port": perm.get("FromPort"),
                "to_port": perm.get("ToPort"),
                "load_balancer_group": group["GroupId"] in lb_groups,
            }
            cidrs = [r["CidrIp"] for r in perm.get("IpRanges", [])]
            cidrs += [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
            cidrs += [f"sg:{p['GroupId']}" for p in perm.get("UserIdGroupPairs", [])]
            cidrs += [f"pl:{p['PrefixListId']}" for p in perm.get("PrefixListIds", [])]
            rules += [IngressRule(cidr=c, **common) for c in cidrs]
    return rules


def _expected_tables(aws: Aws) -> tuple[str, str]:
    """This environment's tables, as its stack names them (Settings.resources)."""
    named = aws.settings.resources
    return named.users_table, named.metrics_table


def _tables(aws: Aws) -> list[TableConfig]:
    dynamodb = aws.client("dynamodb")
    tables = []
    for name in _expected_tables(aws):
        try:
            table = dynamodb.describe_table(TableName=name)["Table"]
            backups = dynamodb.describe_continuous_backups(TableName=name)
        except ClientError as err:
            if error_code(err) in NOT_FOUND:
                continue
            raise
        sse = table.get("SSEDescription") or {}
        if sse.get("Status") in ("ENABLED", "UPDATING") and sse.get("SSEType") == "KMS":
            encryption = "kms"
        else:
            encryption = "aws-owned"
        pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        tables.append(
            TableConfig(
                name=name,
                encryption=encryption,
                pitr=pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
                latest_restorable=pitr.get("LatestRestorableDateTime"),
            )
        )
    return tables


def _bucket(s3: Any, name: str, log_targets: set[str]) -> BucketConfig:
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        encryption = next(
            (r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules), None
        )
    except ClientError as err:
        if error_code(err) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        encryption = None
    try:
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        blocked = all(
            block.get(f) is True
            for f in (
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            )
        )
    except ClientError as err:
        if error_code(err) != "NoSuchPublicAccessBlockConfiguration":
            raise
        blocked = False
    logging = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
    return BucketConfig(
        name=name,
        encryption=encryption,
        public_access_blocked=blocked,
        access_logging=logging is not None,
        receives_logs=name in log_targets,
    )


def _distributions(aws: Aws, log_targets: set[str]) -> list[DistributionConfig]:
    cloudfront = aws.client("cloudfront", region=WEB_REGION)
    listing = cloudfront.list_distributions().get("DistributionList", {})
    result = []
    for summary in listing.get("Items", []) or []:
        if names.PROJECT not in str(summary.get("Comment", "")):
            continue
        config = cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
        behaviors = [config.get("DefaultCacheBehavior", {})]
        behaviors += config.get("CacheBehaviors", {}).get("Items", []) or []
        cert = config.get("ViewerCertificate", {})
        default_cert = bool(cert.get("CloudFrontDefaultCertificate", not cert))
        logging = config.get("Logging", {})
        if logging.get("Enabled"):
            log_targets.add(str(logging.get("Bucket", "")).split(".s3", 1)[0])
        result.append(
            DistributionConfig(
                name=summary["Id"],
                viewer_protocol_policies=tuple(
                    str(b.get("ViewerProtocolPolicy")) for b in behaviors
                ),
                minimum_protocol_version=None
                if default_cert
                else cert.get("MinimumProtocolVersion"),
                default_certificate=default_cert,
                logging=bool(logging.get("Enabled")),
                custom_domain=bool(config.get("Aliases", {}).get("Items")),
            )
        )
    return result


def _image_scan(aws: Aws, service: dict[str, Any] | None) -> ImageScan | None:
    """ECR's scan-on-push findings for the image the service's task definition runs."""
    if service is None:
        return None
    task_definition = aws.client("ecs").describe_task_definition(
        taskDefinition=service["taskDefinition"]
    )["taskDefinition"]
    images = [c.get("image", "") for c in task_definition.get("containerDefinitions", [])]
    parsed = [p for p in (ecr_image(i) for i in images) if p is not None]
    if not parsed:
        return None
    repository, image_id, image = parsed[0]
    try:
        found = aws.client("ecr").describe_image_scan_findings(
            repositoryName=repository, imageId=image_id
        )
    except ClientError as err:
        code = error_code(err)
        if code in (
            "ScanNotFoundException",
            "ImageNotFoundException",
            "RepositoryNotFoundException",
        ):
            return ImageScan(image=image, counts=(), error=code)
        raise
    counts = found.get("imageScanFindings", {}).get("findingSeverityCounts", {})
    order = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")
    return ImageScan(image=image, counts=tuple((s, int(counts.get(s, 0))) for s in order))


def ecr_image(uri: str) -> tuple[str, dict[str, str], str] | None:
    """(repository, imageId, display) of an ECR image URI; None for other registries."""
    host, _, rest = uri.partition("/")
    if ".dkr.ecr." not in host or not rest:
        return None
    if "@" in rest:
        repository, digest = rest.split("@", 1)
        return repository, {"imageDigest": digest}, f"{repository}@{digest[:19]}"
    repository, _, tag = rest.partition(":")
    return repository, {"imageTag": tag or "latest"}, f"{repository}:{tag or 'latest'}"


@register_collector("aws", Kind.MONTHLY)
def monthly(context: CheckContext, at: datetime) -> MonthlySnapshot:
    aws = _aws(context)
    # The serverless design has no ALB, ECS service or image: nothing of theirs to ask for.
    has_service = context.settings.design is Design.ORIGINAL
    lb = load_balancer(aws) if has_service else None
    log_targets: set[str] = set()
    load_balancers, lb_groups, vpc_id = [], set(), None
    if lb is not None:
        attrs = aws.client("elbv2").describe_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"]
        )
        values = {a["Key"]: a["Value"] for a in attrs.get("Attributes", [])}
        load_balancers.append(
            LoadBalancerConfig(
                name=lb["LoadBalancerName"],
                access_logs=values.get("access_logs.s3.enabled") == "true",
            )
        )
        if values.get("access_logs.s3.bucket"):
            log_targets.add(values["access_logs.s3.bucket"])
        lb_groups = set(lb.get("SecurityGroups", []))
        vpc_id = lb.get("VpcId")
    service = ecs_service(aws) if has_service else None
    statements: list[PolicyStatement] | None = None
    containers: list[ContainerConfig] | None = None
    if service is not None:
        task_definition = aws.client("ecs").describe_task_definition(
            taskDefinition=service["taskDefinition"]
        )["taskDefinition"]
        containers = _containers(task_definition)
        role = task_definition.get("taskRoleArn")
        statements = task_role_statements(aws, role) if role else []
    distributions = _distributions(aws, log_targets)
    s3 = aws.client("s3")
    bucket_names = [
        b["Name"] for b in s3.list_buckets().get("Buckets", []) if names.PROJECT in b["Name"]
    ]
    for name in bucket_names:
        target = (s3.get_bucket_logging(Bucket=name).get("LoggingEnabled") or {}).get(
            "TargetBucket"
        )
        if target:
            log_targets.add(target)
    buckets = [_bucket(s3, name, log_targets) for name in bucket_names]
    groups = aws.client("logs").describe_log_groups(
        logGroupNamePrefix=aws.settings.resources.log_group
    )
    snapshot = MonthlySnapshot(
        at=at,
        source=f"AWS {aws.region}",
        expected_tables=_expected_tables(aws),
        task_role=statements,
        ingress=_ingress(aws, vpc_id, lb_groups) if lb is not None else None,
        tables=_tables(aws),
        buckets=buckets,
        log_groups=[
            LogGroupConfig(
                name=g["logGroupName"],
                kms_key="kmsKeyId" in g,
                retention_days=g.get("retentionInDays"),
            )
            for g in groups.get("logGroups", [])
        ],
        distributions=distributions,
        load_balancers=load_balancers,
        containers=containers,
        restore_window_observable=True,
    )
    snapshot = with_audits(replace(snapshot, image_scan=_image_scan(aws, service)), context)
    if context.restore_results is not None:  # run by the serverless state machine
        snapshot = replace(snapshot, restore_tests=list(context.restore_results))
    elif context.restore_test:
        snapshot = replace(
            snapshot, restore_tests=[restore_test_table(aws, t.name) for t in snapshot.tables or []]
        )
    return snapshot


__all__ = ["daily", "monthly", "weekly"]
