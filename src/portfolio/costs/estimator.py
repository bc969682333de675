"""Monthly cost of the system from a usage profile and the dated price table.

Pure functions: ``estimate(profile, prices, architecture)`` returns one line per
priced dimension, grouped by the service name Cost Explorer uses, each with the
arithmetic that produced it (``basis``) so a reader can redo it by hand. The same
profile priced under several architectures is how the report compares designs;
Cost Explorer's actual figures replace the estimate wherever they exist.

What is deliberately left out, because it is zero or negligible at this scale and
would only add noise: ECR storage of one image (< 0.1 GB), CloudWatch metrics that
AWS services publish for free, KMS (AWS owned keys), Budgets (no actions).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from portfolio import names
from portfolio.costs.prices import PriceTable

TAX_NOTE = "Prices are AWS list prices in USD and exclude tax (e.g. Japan's consumption tax)."
"""Said wherever an estimate is shown: an invoice adds tax on top of these figures."""
SECONDS_PER_HOUR = 3600
MINUTES_PER_HOUR = 60
BYTES_PER_GB = 1_000_000_000  # AWS bills data in decimal GB

# ALB capacity-unit dimensions (Elastic Load Balancing pricing page): one LCU is
# 25 new connections/s, 3,000 active connections/min or 1 GB processed per hour for
# IP targets; rule evaluations stay under the 10 free rules here.
LCU_NEW_CONNECTIONS_PER_S = 25.0
LCU_ACTIVE_CONNECTIONS_PER_MIN = 3000.0
LCU_GB_PER_HOUR = 1.0


class Architecture(StrEnum):
    """The designs the estimator can price."""

    FARGATE_ALB = "fargate-alb"
    FARGATE_X86_ALB = "fargate-x86-alb"
    FARGATE_SPOT_ALB = "fargate-spot-alb"
    LAMBDA_HTTP_API = "lambda-http-api"
    LAMBDA_FUNCTION_URL = "lambda-function-url"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Architecture.FARGATE_ALB: (
        "The original: Fargate ARM64 tasks in public subnets (no NAT) behind an ALB"
    ),
    Architecture.FARGATE_X86_ALB: "The original on x86 instead of ARM64",
    Architecture.FARGATE_SPOT_ALB: "The original with every task on Fargate Spot (ARM64)",
    Architecture.LAMBDA_HTTP_API: (
        "The same app on Lambda (ARM64) behind an API Gateway HTTP API; no ALB, no IPv4"
    ),
    Architecture.LAMBDA_FUNCTION_URL: (
        "The serverless design: the app on Lambda (ARM64) behind a Function URL via"
        " CloudFront, ops jobs as Lambda invocations; no ALB, no NAT, no IPv4"
    ),
}


class UsageProfile(BaseModel):
    """How much the system is used in one month; defaults are the original's traffic.

    The original served about 21,600 requests a day with two 0.25 vCPU / 0.5 GB ARM64
    tasks; a 31-day month of 744 hours is the longest, so the default overstates a
    shorter month slightly rather than understating any.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    hours_in_month: float = Field(default=744.0, gt=0, le=744)
    requests_per_month: float = Field(default=21_600 * 31, ge=0)
    avg_request_bytes: float = Field(default=512, ge=0)
    avg_response_bytes: float = Field(default=2_048, ge=0)
    tasks: int = Field(default=names.DESIRED_TASKS, ge=1)
    task_vcpu: float = Field(default=0.25, gt=0)
    task_memory_gb: float = Field(default=0.5, gt=0)
    alb_public_ipv4: int = Field(default=2, ge=0, description="One per AZ the ALB spans.")
    task_public_ipv4: bool = Field(
        default=True, description="Tasks in public subnets (the no-NAT design) hold one each."
    )
    dynamodb_reads_per_request: float = Field(default=1.0, ge=0, description="In RRU.")
    dynamodb_writes_per_request: float = Field(default=0.1, ge=0, description="In WRU.")
    telemetry_writes_per_task_minute: float = Field(
        default=19.5,
        ge=0,
        description="Each closed minute's rollups, log count, resource sample and probe, and"
        " each closed hour's rollups and store statistics, in WRU, with their merges into the"
        " hour's packs (the kept sums the report reads): measured on DynamoDB Local by"
        " tests/telemetry/test_write_rate.py (19.47 at steady traffic over 7 endpoints; 10.48"
        " of it the records, the rest the packs, which grow through the hour).",
    )
    dynamodb_storage_gb: float = Field(default=1.0, ge=0)
    log_ingest_gb: float = Field(default=1.0, ge=0)
    log_stored_gb: float = Field(default=1.0, ge=0)
    static_requests_per_month: float = Field(default=100_000, ge=0)
    static_gb_per_month: float = Field(default=2.0, ge=0)
    static_storage_gb: float = Field(default=0.05, ge=0)
    access_log_storage_gb: float = Field(default=1.0, ge=0, description="ALB + CloudFront logs.")
    access_log_objects_per_month: float = Field(
        default=2 * 12 * 24 * 31 + 24 * 31,
        ge=0,
        description="ALB writes a file per node every 5 min; CloudFront about hourly.",
    )
    alarm_metrics: int = Field(
        default=10,
        ge=0,
        description="Billed alarm metrics: 1 per plain alarm, 1 per metric of a metric-math"
        " alarm, 3 per anomaly-detection alarm (CloudWatch pricing).",
    )
    composite_alarms: int = Field(default=0, ge=0)
    health_checks: int = Field(default=0, ge=0, description="Route 53 checks, AWS endpoints.")
    health_check_features: int = Field(
        default=0, ge=0, description="Optional features over all checks (HTTPS, string match...)."
    )
    health_check_requests_per_month: float = Field(
        default=0, ge=0, description="Requests the checkers send through CloudFront."
    )
    scheduled_runs_per_month: float = Field(default=0, ge=0)
    scheduled_task_minutes_per_run: float = Field(
        default=5.0,
        ge=0,
        description="Billed Fargate minutes of one ops job (a 1-minute minimum; the image"
        " pull and a month's report dominate). An assumption until the jobs have run on AWS.",
    )
    scheduled_log_reads_per_month: float = Field(
        default=0, ge=0, description="ALB log files the weekly review reads (S3 GETs)."
    )
    scheduled_task_vcpu: float = Field(default=0.25, ge=0)
    scheduled_task_memory_gb: float = Field(default=1.0, ge=0)
    dashboards: int = Field(default=1, ge=0)
    custom_metrics: int = Field(default=0, ge=0)
    secrets: int = Field(default=1, ge=0)
    secret_api_calls: float = Field(default=200, ge=0)
    alarm_notifications: float = Field(default=20, ge=0)
    lambda_memory_gb: float = Field(default=0.5, gt=0)
    lambda_avg_duration_ms: float = Field(
        default=60.0,
        gt=0,
        description="Billed duration per request, the telemetry flush included. An assumption"
        " until the function has run on AWS (the app answers in a few ms locally).",
    )
    lambda_telemetry_writes_per_instance_minute: float = Field(
        default=18.5,
        ge=0,
        description="WRU one Lambda instance's minute flush costs (closed minute's rollups, the"
        " hour's partial rollups, store statistics, log counts) with the outside probe's and"
        " the users' requests: measured on DynamoDB Local by tests/api/test_lambda_flush.py::"
        "test_write_units_per_instance_minute_on_dynamodb_local (18.50 at 45 req/min, the"
        " merges into the hour's packs included; 14.90 without). The"
        " per-request flush (PORTFOLIO_TELEMETRY__LAMBDA_FLUSH=request) cost 9.8 per request.",
    )
    lambda_active_instances: float = Field(
        default=2.0,
        ge=0,
        description="Instances invoked in a typical minute, each writing its minute once:"
        " at ~0.75 req/s (probe and users) of ~60 ms one is nearly always free, a second takes"
        " the overlaps. An assumption until measured on AWS (ConcurrentExecutions).",
    )
    health_check_reads_per_request: float = Field(
        default=1.0,
        ge=0,
        description="RRU of one /health: a BatchGetItem of one absent key per table"
        " (eventually consistent, 0.5 RRU each).",
    )
    scheduled_on_lambda: bool = Field(
        default=False, description="The ops jobs run as Lambda invocations (serverless design)."
    )
    api_on_cloudfront: bool = Field(
        default=True,
        description="API requests pass through CloudFront (/api/*, /health) and are billed there.",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def requests_per_second(self) -> float:
        return self.requests_per_month / (self.hours_in_month * SECONDS_PER_HOUR)

    @property
    def app_requests_per_month(self) -> float:
        """Requests that reach the app: the users' and the outside probe's (every design)."""
        return self.requests_per_month + self.health_check_requests_per_month


class CostLine(BaseModel):
    """One priced dimension: how much of it, at what price, and the arithmetic."""

    model_config = ConfigDict(frozen=True)

    service: str
    item: str
    quantity: float
    billable_quantity: float
    unit: str
    unit_usd: float
    usd: float
    basis: str
    price_key: str
    price_verified: bool


class CostEstimate(BaseModel):
    """An architecture's monthly cost, line by line."""

    model_config = ConfigDict(frozen=True)

    architecture: Architecture
    description: str
    region: str
    prices_as_of: str
    always_free_applied: bool
    lines: tuple[CostLine, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_usd(self) -> float:
        return sum(line.usd for line in self.lines)

    def by_service(self) -> dict[str, float]:
        """Total per Cost Explorer service, largest first."""
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.service] = totals.get(line.service, 0.0) + line.usd
        return dict(sorted(totals.items(), key=lambda item: -item[1]))


def _num(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


def _price_text(usd: float, unit: str) -> str:
    if 0 < usd < 0.001:
        return f"${usd * 1_000_000:,.6g} per 1M {unit}"
    return f"${usd:,.6g}/{unit}"


class _Lines:
    """Collects lines against one price table, applying always-free allowances once each."""

    def __init__(self, prices: PriceTable, *, always_free: bool) -> None:
        self._prices = prices
        self._always_free = always_free
        self.lines: list[CostLine] = []

    def add(self, key: str, quantity: float, factors: str) -> None:
        price = self._prices[key]
        free = price.free_per_month if self._always_free else 0.0
        billable = max(0.0, quantity - free)
        basis = f"{factors} × {_price_text(price.usd, price.unit)}"
        if free:
            basis = f"({factors} − {_num(free)} free) × {_price_text(price.usd, price.unit)}"
        self.lines.append(
            CostLine(
                service=price.service,
                item=price.description,
                quantity=quantity,
                billable_quantity=billable,
                unit=price.unit,
                unit_usd=price.usd,
                usd=billable * price.usd,
                basis=basis,
                price_key=key,
                price_verified=price.verified,
            )
        )


def _fargate(keys: tuple[str, str]) -> Callable[[_Lines, UsageProfile], None]:
    vcpu_key, gb_key = keys

    def add(lines: _Lines, p: UsageProfile) -> None:
        hours = p.hours_in_month
        lines.add(
            vcpu_key,
            p.tasks * p.task_vcpu * hours,
            f"{p.tasks} tasks × {_num(p.task_vcpu)} vCPU × {_num(hours)} h",
        )
        lines.add(
            gb_key,
            p.tasks * p.task_memory_gb * hours,
            f"{p.tasks} tasks × {_num(p.task_memory_gb)} GB × {_num(hours)} h",
        )
        _alb(lines, p)
        _public_ipv4(lines, p)
        _dynamodb_requests(lines, p, writers=p.tasks)

    return add


def _alb(lines: _Lines, p: UsageProfile) -> None:
    hours = p.hours_in_month
    lines.add("alb_hour", hours, f"1 ALB × {_num(hours)} h")
    per_hour = p.app_requests_per_month / hours  # the outside probe's requests pass it too
    lcu = max(
        per_hour / SECONDS_PER_HOUR / LCU_NEW_CONNECTIONS_PER_S,
        per_hour / MINUTES_PER_HOUR / LCU_ACTIVE_CONNECTIONS_PER_MIN,
        per_hour * (p.avg_request_bytes + p.avg_response_bytes) / BYTES_PER_GB / LCU_GB_PER_HOUR,
    )
    lines.add(
        "alb_lcu_hour",
        lcu * hours,
        f"{_num(lcu)} LCU (max of new conns/s ÷ 25, active/min ÷ 3,000, GB/h) × {_num(hours)} h",
    )


def _public_ipv4(lines: _Lines, p: UsageProfile) -> None:
    task_ips = p.tasks if p.task_public_ipv4 else 0
    count = p.alb_public_ipv4 + task_ips
    lines.add(
        "public_ipv4_hour",
        count * p.hours_in_month,
        f"({p.alb_public_ipv4} ALB + {task_ips} task) IPs × {_num(p.hours_in_month)} h",
    )


def _dynamodb_requests(lines: _Lines, p: UsageProfile, *, writers: int) -> None:
    minutes = p.hours_in_month * MINUTES_PER_HOUR
    api_writes = p.requests_per_month * p.dynamodb_writes_per_request
    telemetry = writers * minutes * p.telemetry_writes_per_task_minute
    lines.add(
        "dynamodb_write_request_unit",
        api_writes + telemetry,
        f"({_num(p.requests_per_month)} req × {_num(p.dynamodb_writes_per_request)}"
        f" + {writers} writers × {_num(minutes)} min × {_num(p.telemetry_writes_per_task_minute)})"
        " WRU",
    )
    _dynamodb_reads(lines, p)


def _dynamodb_reads(lines: _Lines, p: UsageProfile) -> None:
    probes = p.health_check_requests_per_month
    lines.add(
        "dynamodb_read_request_unit",
        p.requests_per_month * p.dynamodb_reads_per_request
        + probes * p.health_check_reads_per_request,
        f"({_num(p.requests_per_month)} req × {_num(p.dynamodb_reads_per_request)}"
        f" + {_num(probes)} probe × {_num(p.health_check_reads_per_request)}) RRU",
    )


def _lambda(lines: _Lines, p: UsageProfile) -> None:
    """The app on Lambda behind an HTTP API: the serverless design's lines plus API Gateway."""
    _lambda_requests(lines, p)
    lines.add(
        "apigw_http_request", p.app_requests_per_month, f"{_num(p.app_requests_per_month)} req"
    )
    _lambda_dynamodb(lines, p)


def _lambda_function_url(lines: _Lines, p: UsageProfile) -> None:
    """The serverless design: a Function URL has no charge of its own; telemetry per request."""
    _lambda_requests(lines, p)
    lines.add(
        "lambda_function_url_request",
        p.app_requests_per_month,
        f"{_num(p.app_requests_per_month)} req (billed as the invocations above)",
    )
    _lambda_dynamodb(lines, p)


def _lambda_requests(lines: _Lines, p: UsageProfile) -> None:
    """Invocations and duration of the API and (when they run there) the ops jobs."""
    runs = p.scheduled_runs_per_month if p.scheduled_on_lambda else 0.0
    invoked = p.app_requests_per_month  # the outside probe's checks are invocations too
    api_gb_s = invoked * p.lambda_avg_duration_ms / 1000 * p.lambda_memory_gb
    ops_gb_s = runs * p.scheduled_task_minutes_per_run * 60 * p.scheduled_task_memory_gb
    lines.add(
        "lambda_request",
        invoked + runs,
        f"({_num(p.requests_per_month)} API + {_num(p.health_check_requests_per_month)} probe"
        f" + {_num(round(runs, 2))} ops) req",
    )
    lines.add(
        "lambda_arm_gb_second",
        api_gb_s + ops_gb_s,
        f"({_num(invoked)} req × {_num(p.lambda_avg_duration_ms)} ms"
        f" × {_num(p.lambda_memory_gb)} GB + {_num(round(runs, 2))} ops"
        f" runs × {_num(p.scheduled_task_minutes_per_run)} min × {_num(p.scheduled_task_memory_gb)}"
        " GB)",
    )


def _lambda_dynamodb(lines: _Lines, p: UsageProfile) -> None:
    """Table requests on Lambda: each active instance writes its telemetry once a minute."""
    api_writes = p.requests_per_month * p.dynamodb_writes_per_request
    minutes = p.hours_in_month * MINUTES_PER_HOUR
    telemetry = p.lambda_active_instances * minutes * p.lambda_telemetry_writes_per_instance_minute
    lines.add(
        "dynamodb_write_request_unit",
        api_writes + telemetry,
        f"({_num(p.requests_per_month)} req × {_num(p.dynamodb_writes_per_request)} API"
        f" + {_num(p.lambda_active_instances)} instances × {_num(minutes)} min"
        f" × {_num(p.lambda_telemetry_writes_per_instance_minute)} telemetry) WRU",
    )
    _dynamodb_reads(lines, p)


_COMPUTE: dict[Architecture, Callable[[_Lines, UsageProfile], None]] = {
    Architecture.FARGATE_ALB: _fargate(("fargate_arm_vcpu_hour", "fargate_arm_gb_hour")),
    Architecture.FARGATE_X86_ALB: _fargate(("fargate_x86_vcpu_hour", "fargate_x86_gb_hour")),
    Architecture.FARGATE_SPOT_ALB: _fargate(
        ("fargate_spot_arm_vcpu_hour", "fargate_spot_arm_gb_hour")
    ),
    Architecture.LAMBDA_HTTP_API: _lambda,
    Architecture.LAMBDA_FUNCTION_URL: _lambda_function_url,
}


def _shared(lines: _Lines, p: UsageProfile) -> None:
    """What every design has: tables, static site, logs, alarms, secrets, egress."""
    lines.add(
        "dynamodb_storage_gb_month", p.dynamodb_storage_gb, f"{_num(p.dynamodb_storage_gb)} GB"
    )
    lines.add("dynamodb_pitr_gb_month", p.dynamodb_storage_gb, f"{_num(p.dynamodb_storage_gb)} GB")
    stored = p.static_storage_gb + p.access_log_storage_gb
    lines.add(
        "s3_standard_gb_month",
        stored,
        f"({_num(p.static_storage_gb)} site + {_num(p.access_log_storage_gb)} logs) GB",
    )
    lines.add(
        "s3_put_request",
        p.access_log_objects_per_month,
        f"{_num(p.access_log_objects_per_month)} log objects",
    )
    # CloudFront caches the site; origin GETs are a small share of viewer requests.
    origin_gets = p.static_requests_per_month * 0.1
    lines.add(
        "s3_get_request",
        origin_gets + p.scheduled_log_reads_per_month,
        f"{_num(p.static_requests_per_month)} req × 10 % misses"
        f" + {_num(p.scheduled_log_reads_per_month)} log files read by the weekly review",
    )
    api_gb = p.requests_per_month * p.avg_response_bytes / BYTES_PER_GB
    edge_gb = p.static_gb_per_month + (api_gb if p.api_on_cloudfront else 0.0)
    lines.add(
        "cloudfront_dto_japan_gb",
        edge_gb,
        f"({_num(p.static_gb_per_month)} site"
        f" + {_num(round(api_gb, 3)) if p.api_on_cloudfront else 0} API) GB",
    )
    api_edge = p.requests_per_month if p.api_on_cloudfront else 0.0
    edge_requests = p.static_requests_per_month + p.health_check_requests_per_month + api_edge
    lines.add(
        "cloudfront_https_request_japan",
        edge_requests,
        f"({_num(p.static_requests_per_month)} site + {_num(p.health_check_requests_per_month)}"
        f" health-check + {_num(api_edge)} API) req",
    )
    lines.add("cloudwatch_logs_ingest_gb", p.log_ingest_gb, f"{_num(p.log_ingest_gb)} GB")
    lines.add("cloudwatch_logs_storage_gb_month", p.log_stored_gb, f"{_num(p.log_stored_gb)} GB")
    lines.add("cloudwatch_alarm_month", p.alarm_metrics, f"{p.alarm_metrics} alarm metrics")
    if p.composite_alarms:
        lines.add(
            "cloudwatch_composite_alarm_month",
            p.composite_alarms,
            f"{p.composite_alarms} composite (burn-rate) alarms",
        )
    _health_checks(lines, p)
    _scheduled_tasks(lines, p)
    lines.add("cloudwatch_dashboard_month", p.dashboards, f"{p.dashboards} dashboards")
    if p.custom_metrics:
        lines.add("cloudwatch_custom_metric_month", p.custom_metrics, f"{p.custom_metrics} metrics")
    lines.add("secret_month", p.secrets, f"{p.secrets} secrets")
    lines.add("secret_api_call", p.secret_api_calls, f"{_num(p.secret_api_calls)} calls")
    emails = p.alarm_notifications + p.scheduled_runs_per_month  # a summary per ops job
    lines.add(
        "sns_email_notification",
        emails,
        f"({_num(p.alarm_notifications)} alarm + {_num(round(p.scheduled_runs_per_month, 2))}"
        " ops summary) emails",
    )
    lines.add("budget_month", 1, "1 budget")
    if not p.api_on_cloudfront:  # through CloudFront, origin-to-edge transfer is free
        lines.add(
            "data_transfer_out_gb",
            api_gb,
            f"{_num(api_gb)} GB ({_num(p.requests_per_month)} req"
            f" × {_num(p.avg_response_bytes)} B)",
        )


def _health_checks(lines: _Lines, p: UsageProfile) -> None:
    if not p.health_checks:
        return
    lines.add("route53_health_check_month", p.health_checks, f"{p.health_checks} checks")
    if p.health_check_features:
        lines.add(
            "route53_health_check_feature_month",
            p.health_check_features,
            f"{p.health_check_features} optional features (HTTPS, ...)",
        )


def _scheduled_tasks(lines: _Lines, p: UsageProfile) -> None:
    """The ops jobs: one short Fargate task per scheduled run, started by Scheduler."""
    if not p.scheduled_runs_per_month:
        return
    if p.scheduled_on_lambda:  # priced with the function's lines; Scheduler bills the same
        lines.add(
            "scheduler_invocation",
            p.scheduled_runs_per_month,
            f"{_num(round(p.scheduled_runs_per_month, 2))} runs",
        )
        return
    hours = p.scheduled_runs_per_month * p.scheduled_task_minutes_per_run / MINUTES_PER_HOUR
    runs = f"{_num(round(p.scheduled_runs_per_month, 2))} runs"
    per_run = f"{_num(p.scheduled_task_minutes_per_run)} min"
    lines.add(
        "fargate_arm_vcpu_hour",
        hours * p.scheduled_task_vcpu,
        f"ops jobs: {runs} × {per_run} × {_num(p.scheduled_task_vcpu)} vCPU",
    )
    lines.add(
        "fargate_arm_gb_hour",
        hours * p.scheduled_task_memory_gb,
        f"ops jobs: {runs} × {per_run} × {_num(p.scheduled_task_memory_gb)} GB",
    )
    lines.add("scheduler_invocation", p.scheduled_runs_per_month, runs)


def estimate(
    profile: UsageProfile,
    prices: PriceTable,
    architecture: Architecture = Architecture.FARGATE_ALB,
    *,
    always_free: bool = True,
) -> CostEstimate:
    """Price ``profile`` under ``architecture``.

    ``always_free`` subtracts the permanent monthly allowances (CloudFront 1 TB, Lambda
    1 M requests, 10 alarms, ...) as if this system were the only one in the account;
    pass False for an account that already uses them up.
    """
    lines = _Lines(prices, always_free=always_free)
    if architecture in (Architecture.LAMBDA_FUNCTION_URL, Architecture.LAMBDA_HTTP_API):
        # The Lambda designs run their ops jobs as invocations too (priced with them).
        profile = profile.model_copy(update={"scheduled_on_lambda": True})
    _COMPUTE[architecture](lines, profile)
    _shared(lines, profile)
    return CostEstimate(
        architecture=architecture,
        description=architecture.description,
        region=prices.region,
        prices_as_of=prices.as_of.isoformat(),
        always_free_applied=always_free,
        lines=tuple(lines.lines),
    )


def compare(
    profile: UsageProfile,
    prices: PriceTable,
    architectures: tuple[Architecture, ...] = tuple(Architecture),
    *,
    always_free: bool = True,
) -> list[CostEstimate]:
    """Every architecture priced on the same profile, cheapest first."""
    estimates = [estimate(profile, prices, a, always_free=always_free) for a in architectures]
    return sorted(estimates, key=lambda e: e.total_usd)
