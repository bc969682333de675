"""The ReportSource seam: ``observe(period) -> Observations``.

The local store, access logs and AWS each produce the same plain Observations;
the report builder never knows which one it got. Sources register themselves by
name so the CLI's ``--source`` is a registry lookup, not an if-chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from typing import Protocol

from portfolio import names
from portfolio.config import Settings
from portfolio.errors import InputError
from portfolio.period import Period
from portfolio.registry import Registry
from portfolio.sketch import LatencySketch
from portfolio.sources.registry import SOURCE_MODULES
from portfolio.store.records import (
    CheckRun,
    Incident,
    LogCount,
    MaintenanceWindow,
    MinuteTotals,
    ProbeCounts,
    ProbeResult,
    ResourceSample,
    ResourceSummary,
    StoreCallStat,
    WorkItem,
)


@dataclass(slots=True)
class TrafficBucket:
    """Requests of one hour for one (endpoint, status), all tasks merged."""

    hour: datetime
    endpoint: str
    status: int
    count: int
    bytes_in: int
    bytes_out: int
    sketch: LatencySketch
    method: str = ""
    """The HTTP method; "" when the source does not tell methods apart (all merged)."""


@dataclass(frozen=True, slots=True)
class CostLine:
    service: str
    usd: float
    basis: str = ""


@dataclass(frozen=True, slots=True)
class MeasuredCosts:
    """Costs as billed (Cost Explorer), for the period and the one before."""

    lines: list[CostLine]
    previous_lines: list[CostLine] | None
    source: str
    estimated: bool = False
    """Cost Explorer's ``Estimated`` flag on the period: the month has not settled."""


@dataclass(frozen=True, slots=True)
class ComputeStatus:
    desired_tasks: int
    running_tasks: int
    healthy_targets: int | None = None


@dataclass(frozen=True, slots=True)
class DataStoreStatus:
    backend: str
    tables: list[str]
    status: str | None = None
    point_in_time_recovery: bool | None = None
    encryption: str | None = None
    max_read_units_per_s: float | None = None
    """The reference of コンシュームドキャパシティ: the table's maximum read throughput
    (on-demand: its MaxReadRequestUnits setting; local: the configured equivalent)."""
    max_write_units_per_s: float | None = None


@dataclass(frozen=True, slots=True)
class TargetHealthSample:
    """One minute of the load balancer's view of its targets (ターゲット健全性)."""

    minute: int
    healthy: int
    total: int


@dataclass(frozen=True, slots=True)
class TargetHealthTotals:
    """ターゲット健全性 summed over a period: healthy of registered target-minutes."""

    minutes: int
    healthy: int
    registered: int


@dataclass(frozen=True, slots=True)
class AccessAnomalies:
    """異常アクセス: requests that probe for weaknesses, by the rules of portfolio.security_rules.

    ``scanner_requests`` counts requests to scanner paths (``/wp-login.php``, ``/.env``,
    ...); ``burst_clients`` counts clients that drew a burst of 401/403/404 answers (None
    where the source keeps no client addresses); ``burst_minutes`` counts minutes with such
    a burst service-wide. ``rule`` is security_rules.RULE_ID as the source applied it.
    """

    scanner_requests: int
    burst_minutes: int
    burst_clients: int | None
    rule: str
    top_paths: list[tuple[str, int]] = field(default_factory=list)


def merge_anomalies(a: AccessAnomalies, b: AccessAnomalies, *, top: int = 10) -> AccessAnomalies:
    """Two sources' anomalies (the API's and the site's) as one: counts add up.

    Burst clients stay unknown (None) when either side could not count them.
    """
    paths: dict[str, int] = {}
    for path, n in [*a.top_paths, *b.top_paths]:
        paths[path] = paths.get(path, 0) + n
    return AccessAnomalies(
        scanner_requests=a.scanner_requests + b.scanner_requests,
        burst_minutes=a.burst_minutes + b.burst_minutes,
        burst_clients=None
        if a.burst_clients is None or b.burst_clients is None
        else a.burst_clients + b.burst_clients,
        rule=a.rule,
        top_paths=sorted(paths.items(), key=lambda item: (-item[1], item[0]))[:top],
    )


@dataclass(frozen=True, slots=True)
class PermissionChange:
    """権限変更: a change of who may do what (a user's role, the API-key set, an IAM event)."""

    at: datetime
    kind: str  # "user_role" | "api_keys" | "iam"
    subject: str
    detail: str = ""
    actor: str = ""


@dataclass(frozen=True, slots=True)
class SiteProbe:
    """One probe of the static website (its status for S3 + CloudFront の静的サイト)."""

    at: datetime
    ok: bool
    status: int | None
    latency_ms: float | None = None


@dataclass(frozen=True, slots=True)
class StaticSiteStats:
    requests: int
    cache_hits: int | None
    """Hit and RefreshHit answers; None where no source of them was read (not 0 %)."""
    bytes_out: int
    errors_5xx: int
    errors_4xx: int = 0
    top_paths: list[tuple[str, int]] = field(default_factory=list)
    edge_locations: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Observations:
    """Everything measured about one period, from one source, as plain data."""

    period: Period
    source: str
    simulated: bool = False
    notes: list[str] = field(default_factory=list)
    traffic: list[TrafficBucket] = field(default_factory=list)
    minutes: list[MinuteTotals] = field(default_factory=list)
    probes: list[ProbeResult] = field(default_factory=list)
    resources: list[ResourceSample] = field(default_factory=list)
    log_counts: list[LogCount] = field(default_factory=list)
    store_stats: list[StoreCallStat] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    maintenance: list[MaintenanceWindow] = field(default_factory=list)
    check_runs: list[CheckRun] = field(default_factory=list)
    work_items: list[WorkItem] = field(default_factory=list)
    compute: ComputeStatus | None = None
    data_store: DataStoreStatus | None = None
    static_site: StaticSiteStats | None = None
    measured_costs: MeasuredCosts | None = None
    load_balancer_errors_5xx: int | None = None
    target_health: list[TargetHealthSample] = field(default_factory=list)
    access_anomalies: AccessAnomalies | None = None
    permission_changes: list[PermissionChange] | None = None
    """None when no source of permission changes was read (not the same as none found)."""
    site_probes: list[SiteProbe] = field(default_factory=list)
    site_bucket: str | None = None
    """The static site's S3 bucket name, where the source knows it (None: not known)."""
    site_distribution: str | None = None
    """The CloudFront distribution's id or name, where the source knows it."""
    skipped_lines: int = 0
    user_count: int | None = None
    # Sums a source may give instead of a list it would only be summed from (the local
    # store sums in SQL rather than list a month's ~90k samples and ~45k probes); the
    # report reads the sum when given, the list otherwise.
    site_probe_counts: ProbeCounts | None = None
    """The site probes counted, in place of listing them in ``site_probes``."""
    resource_summary: ResourceSummary | None = None
    """The resource samples summed up, in place of listing them in ``resources``."""
    target_health_totals: TargetHealthTotals | None = None
    """ターゲット健全性 summed, in place of listing each minute in ``target_health``."""
    outside_probe_requests: int | None = None
    """Requests of Route 53's health checkers, kept out of ``traffic`` (None: not told apart)."""


class ReportSource(Protocol):
    name: str

    def observe(self, period: Period, *, traffic_only: bool = False) -> Observations:
        """Observations of the period; ``traffic_only`` fills just traffic and measured costs.

        The report observes the previous month only for 前月比 (its costs and
        traffic), so sources may skip everything else there.
        """
        ...


@dataclass(frozen=True)
class SourceOptions:
    """What the command line gives a source; each source takes the parts it needs."""

    settings: Settings
    logs: tuple[str, ...] = ()
    cloudfront_logs: tuple[str, ...] = ()
    endpoint_url: str | None = None


SourceFactory = Callable[[SourceOptions], ReportSource]
SOURCES: Registry[str, SourceFactory] = Registry("source", unknown=InputError)
"""Report sources by the name `portfolio report --source NAME` uses."""


def register_source(name: str) -> Callable[[SourceFactory], SourceFactory]:
    """Register the decorated factory as the source ``name`` (listed in SOURCE_MODULES)."""
    return SOURCES.add(name)


def make_source(name: str, options: SourceOptions) -> ReportSource:
    """The named source, built from the options; InputError for an unknown name."""
    module = SOURCE_MODULES.get(name)
    if module is None:
        raise InputError(f"unknown source {name!r}; available: {', '.join(SOURCE_MODULES)}")
    # Plug-in loading: only the asked-for source's module, which registers its factory (a
    # report from the local store so never imports boto3 or DuckDB).
    import_module(module)
    return SOURCES[name](options)


def without_outside_probes(traffic: list[TrafficBucket]) -> tuple[list[TrafficBucket], int]:
    """The users' traffic and the outside checkers' request count, told apart.

    Telemetry files Route 53's checks under ``names.OUTSIDE_PROBE_ENDPOINT`` (their
    User-Agent); they are a monitor's requests, not a user's, and at ~1.3M a month they
    would outnumber the users' and make the latency and error rate mostly /health's.
    """
    users = [b for b in traffic if b.endpoint != names.OUTSIDE_PROBE_ENDPOINT]
    probe = sum(b.count for b in traffic if b.endpoint == names.OUTSIDE_PROBE_ENDPOINT)
    return users, probe


def utc_hour(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds - epoch_seconds % 3600, UTC)
