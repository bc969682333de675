"""The kinds of record a store holds, as export, import and copy name and page them.

Every backend lists its records by kind (``TransferRepository.export_page``) and
puts them back (``put_records``) in these terms, so an export file, a copy between
backends and the contract suite share one vocabulary. docs/store-records.md
documents each kind's fields in the export file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from portfolio.store.records import (
    CheckRun,
    Incident,
    LogCount,
    MaintenanceWindow,
    ProbeResult,
    ResourceSample,
    Rollup,
    StoreCallStat,
    User,
    WorkItem,
)


class Kind(StrEnum):
    """One kind of stored record; the order is the order a store lists them in."""

    USER = "user"
    ROLLUP_MINUTE = "rollup_minute"
    ROLLUP_HOUR = "rollup_hour"
    RESOURCE_SAMPLE = "resource_sample"
    PROBE_RESULT = "probe_result"
    LOG_COUNT = "log_count"
    STORE_STAT = "store_stat"
    CHECK_RUN = "check_run"
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"
    WORK_ITEM = "work_item"


Record = (
    User
    | Rollup
    | ResourceSample
    | ProbeResult
    | LogCount
    | StoreCallStat
    | CheckRun
    | Incident
    | MaintenanceWindow
    | WorkItem
)
Entry = tuple[Kind, Record]
"""A record with its kind: minute and hourly rollups are both ``Rollup``."""

Cursor = dict[str, object]
"""Where a listing stopped, as JSON-able data a checkpoint file can keep."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """``start <= time < end`` in epoch seconds; None leaves that side open.

    A record's time is the one `record_time` names; users have none and are in
    every range (a backup of August still needs the people who own the data).
    """

    start: int | None = None
    end: int | None = None

    def holds(self, seconds: float | None) -> bool:
        if seconds is None:
            return True
        if self.start is not None and seconds < self.start:
            return False
        return self.end is None or seconds < self.end

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True, slots=True)
class Page:
    """Some entries and the cursor after them; ``cursor`` None: the listing is done."""

    entries: list[Entry]
    cursor: Cursor | None


@dataclass(slots=True)
class PutResult:
    """What a ``put_records`` call cost: retried (throttled) attempts and capacity units."""

    retries: int = 0
    capacity_units: float = 0.0
    expired: int = 0
    """Records already past the store's retention: stored, then deleted by its expiry."""


def _seconds(value: datetime) -> float:
    return value.timestamp()


def record_time(kind: Kind, record: Record) -> float | None:
    """The time a range selects a record by (epoch seconds); None for users."""
    if isinstance(record, Rollup | ResourceSample | LogCount | StoreCallStat):
        return float(record.minute)
    if isinstance(record, ProbeResult):
        return _seconds(record.at)
    if isinstance(record, CheckRun | Incident):
        return _seconds(record.started_at)
    if isinstance(record, MaintenanceWindow):
        return _seconds(record.start)
    if isinstance(record, WorkItem):
        return _seconds(record.at)
    return None


__all__ = ["Cursor", "Entry", "Kind", "Page", "PutResult", "Record", "TimeRange", "record_time"]
