"""The ReportSource seam: ``observe(period) -> Observations``.

The local store, access logs and AWS each produce the same plain Observations;
the report builder never knows which one it got. Sources register themselves by
name so the CLI's ``--source`` is a registry lookup, not an if-chain.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from portfolio.config import Settings
from portfolio.errors import InputError
from portfolio.store.records import (
    CheckRun,
    Incident,
    LogCount,
    MaintenanceWindow,
    MinuteTotals,
    ProbeResult,
    ResourceSample,
    StoreCallStat,
    WorkItem,
)
from portfolio.telemetry.sketch import LatencySketch

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month in a time zone; ``start``/``end`` are the UTC instants bounding it."""

    year: int
    month: int
    tz: str

    @classmethod
    def parse(cls, text: str, tz: str) -> Period:
        match = _MONTH.match(text.strip())
        if not match:
            raise InputError(f"month must look like 2025-08, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), tz)

    @classmethod
    def previous_to(cls, moment: datetime, tz: str) -> Period:
        local = moment.astimezone(ZoneInfo(tz))
        first = local.date().replace(day=1) - timedelta(days=1)
        return cls(first.year, first.month, tz)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    @property
    def days(self) -> list[date]:
        count = calendar.monthrange(self.year, self.month)[1]
        return [date(self.year, self.month, d) for d in range(1, count + 1)]

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def previous(self) -> Period:
        if self.month == 1:
            return Period(self.year - 1, 12, self.tz)
        return Period(self.year, self.month - 1, self.tz)

    def next(self) -> Period:
        if self.month == 12:
            return Period(self.year + 1, 1, self.tz)
        return Period(self.year, self.month + 1, self.tz)


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


@dataclass(frozen=True, slots=True)
class StaticSiteStats:
    requests: int
    cache_hits: int
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
    skipped_lines: int = 0
    user_count: int | None = None


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
SOURCES: dict[str, SourceFactory] = {}
"""Report sources by the name `portfolio report --source NAME` uses."""


def register_source(name: str) -> Callable[[SourceFactory], SourceFactory]:
    def add(factory: SourceFactory) -> SourceFactory:
        SOURCES[name] = factory
        return factory

    return add


def make_source(name: str, options: SourceOptions) -> ReportSource:
    """The named source, built from the options; InputError for an unknown name."""
    import portfolio.sources.registry  # noqa: F401  (imports every source so it registers)

    factory = SOURCES.get(name)
    if factory is None:
        raise InputError(f"unknown source {name!r}; available: {', '.join(sorted(SOURCES))}")
    return factory(options)


def utc_hour(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds - epoch_seconds % 3600, UTC)
