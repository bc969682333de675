"""Plain records that cross the store seam.

Every backend reads and writes these and nothing else, so the API, the report
and the checks never see a SQLite row or a DynamoDB item. Times are aware UTC
datetimes; telemetry minutes are epoch seconds of the minute's start (UTC).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from portfolio.sketch import LatencySketch

K = TypeVar("K", bound=Hashable)

USER_FIELDS = ("name", "email", "role", "title", "bio", "links")
PROBE_API = "api"
PROBE_SITE = "site"
"""Probe targets: the API's /health and the static page `portfolio serve` also serves."""


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


@dataclass(frozen=True, slots=True)
class NewUser:
    name: str
    email: str
    role: Role = Role.VIEWER
    title: str = ""
    bio: str = ""
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    email: str
    role: Role
    title: str
    bio: str
    links: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    version: int


UserChanges = Mapping[str, object]
"""Fields to change, a subset of USER_FIELDS; values already validated by the caller."""


@dataclass(frozen=True, slots=True)
class UsersPage:
    items: list[User]
    next_cursor: str | None


@dataclass(slots=True)
class Rollup:
    """One minute of requests for one (endpoint, method, status, task)."""

    minute: int
    endpoint: str
    method: str
    status: int
    task: str
    count: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    sketch: LatencySketch = field(default_factory=LatencySketch)

    @property
    def key(self) -> tuple[int, str, str, int, str]:
        return (self.minute, self.endpoint, self.method, self.status, self.task)

    def merge(self, other: Rollup) -> None:
        self.count += other.count
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out
        self.sketch.merge(other.sketch)


def hourly(rollups: Iterable[Rollup]) -> list[Rollup]:
    """The hourly rollups (``minute`` = the hour's start) the given ones add up to.

    Both backends derive hours this way when a bulk write asks for them (the simulator
    writes a month of ~600k minute rollups so); the live recorder keeps its own hours in
    memory and writes each once, when it closes.
    """
    rows = list(rollups)
    keys = [(r.minute - r.minute % 3600, r.endpoint, r.method, r.status, r.task) for r in rows]
    return [
        Rollup(*key, count, bytes_in, bytes_out, sketch)
        for key, count, bytes_in, bytes_out, sketch in summed_by(rows, keys)
    ]


def summed_by(
    rows: Sequence[Rollup], keys: Sequence[K]
) -> list[tuple[K, int, int, int, LatencySketch]]:
    """``rows[i]`` added up under ``keys[i]``: (key, count, bytes in, bytes out, sketch) per
    key, in the order keys first appear, every group's sketches merged in one bulk step
    (LatencySketch.merged_groups) rather than one ``merge`` at a time."""
    index: dict[K, int] = {}
    ids = [index.setdefault(key, len(index)) for key in keys]
    sizes = [[0, 0, 0] for _ in index]
    for r, i in zip(rows, ids, strict=True):
        size = sizes[i]
        size[0] += r.count
        size[1] += r.bytes_in
        size[2] += r.bytes_out
    sketches = LatencySketch.merged_groups([r.sketch for r in rows], ids, len(index))
    return [
        (key, count, bytes_in, bytes_out, sketch)
        for key, (count, bytes_in, bytes_out), sketch in zip(index, sizes, sketches, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class MinuteTotals:
    """All endpoints and tasks of one minute: what incident detection needs, no sketch."""

    minute: int
    count: int
    errors_5xx: int
    latency_sum_ms: float
    denied: int = 0
    """Answers of security_rules.BURST_STATUSES (401/403/404): a burst's evidence."""


@dataclass(frozen=True, slots=True)
class ResourceSample:
    """One worker's CPU and memory in one minute."""

    minute: int
    task: str
    cpu_pct: float
    mem_bytes: int
    mem_pct: float


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One availability probe of /health."""

    at: datetime
    ok: bool
    latency_ms: float | None
    status: int | None
    detail: str = ""
    target: str = "api"
    """What was probed: PROBE_API (/health, the availability record) or PROBE_SITE."""


@dataclass(frozen=True, slots=True)
class ProbeCounts:
    """How many probes of one target a range holds, and how many of them succeeded.

    For readers that need the share, not each probe (the static site's 44,640 a month).
    """

    probes: int
    ok: int


@dataclass(frozen=True, slots=True)
class ResourceSummary:
    """A range's resource samples summed up: what the report shows of CPU, memory, tasks.

    ``minutes_by_tasks`` maps a number of workers to the minutes in which exactly that
    many recorded a sample (ターゲット健全性 without listing every minute); the last
    reporting minute and its worker count give the running tasks.
    """

    samples: int
    cpu_avg_pct: float | None
    cpu_max_pct: float | None
    mem_avg_pct: float | None
    mem_max_pct: float | None
    mem_avg_bytes: float | None
    minutes_by_tasks: Mapping[int, int]
    last_minute: int | None
    last_minute_tasks: int


@dataclass(frozen=True, slots=True)
class LogCount:
    """How many log records of one level one task wrote in one minute."""

    minute: int
    task: str
    level: str
    count: int


@dataclass(frozen=True, slots=True)
class StoreCallStat:
    """One minute of calls to the store by operation: the data-store section's figures."""

    minute: int
    task: str
    backend: str
    operation: str
    count: int
    errors: int
    throttles: int
    latency_sum_ms: float
    latency_max_ms: float
    capacity_units: float

    def plus(self, other: StoreCallStat) -> StoreCallStat:
        """Both together, under this one's key: sums add, the maximum is the larger."""
        return replace(
            self,
            count=self.count + other.count,
            errors=self.errors + other.errors,
            throttles=self.throttles + other.throttles,
            latency_sum_ms=self.latency_sum_ms + other.latency_sum_ms,
            latency_max_ms=max(self.latency_max_ms, other.latency_max_ms),
            capacity_units=self.capacity_units + other.capacity_units,
        )


class FindingStatus(StrEnum):
    """Worst last: NO_DATA (nothing observed yet, e.g. right after a fresh install) is no
    failure, and ranks below PASS wherever findings are ranked."""

    NO_DATA = "NO_DATA"
    PASS = "PASS"  # noqa: S105 - a check outcome, not a password
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Finding:
    check_id: str
    status: FindingStatus
    detail: str


@dataclass(frozen=True, slots=True)
class CheckRun:
    """One run of a checklist (daily / weekly / monthly) and what it found."""

    id: str
    kind: str
    target: str
    started_at: datetime
    finished_at: datetime
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        """Nothing wrong found: every finding PASS, or no data yet (not a failure)."""
        return all(f.status in (FindingStatus.PASS, FindingStatus.NO_DATA) for f in self.findings)


@dataclass(frozen=True, slots=True)
class Incident:
    """A recorded incident; detected ones are computed by the report, not stored."""

    id: str
    started_at: datetime
    ended_at: datetime | None
    summary: str
    severity: str = "minor"
    impact: str = ""
    cause: str = ""
    response: str = ""
    prevention: str = ""
    detected_at: datetime | None = None
    responded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    id: str
    start: datetime
    end: datetime
    description: str


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: str
    at: datetime
    kind: str
    summary: str
