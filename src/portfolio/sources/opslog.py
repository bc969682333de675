"""The operations log of one period, read the same way by every source that has a store.

Probes, incidents, maintenance windows, check runs, work items and the user count live
in the store whichever source reads the traffic (local telemetry, access logs or AWS),
so one reader serves them all, and the entries that are not work done (the demo's
simulated-data marker, the permission changes the service records) are sorted out in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio import security_rules
from portfolio.period import Period
from portfolio.sources.base import PermissionChange
from portfolio.store.protocols import Store
from portfolio.store.records import CheckRun, Incident, MaintenanceWindow, ProbeResult, WorkItem

SIMULATED_MARKER = "simulated"
"""The kind of the work item `portfolio demo` records to say its data is simulated."""


@dataclass(frozen=True)
class OpsLog:
    probes: list[ProbeResult]
    incidents: list[Incident]
    maintenance: list[MaintenanceWindow]
    check_runs: list[CheckRun]
    work_items: list[WorkItem]
    """Work done: without the simulated marker and the permission entries."""
    permission_changes: list[PermissionChange]
    """The permission entries the service recorded (kind ``permission:<what>``)."""
    simulated: bool
    user_count: int


def read_ops_log(store: Store, period: Period) -> OpsLog:
    work_items = store.list_work_items(period.start, period.end)
    return OpsLog(
        probes=list(store.read_probe_results(period.start, period.end)),
        incidents=store.list_incidents(period.start, period.end),
        maintenance=store.list_maintenance(period.start, period.end),
        check_runs=store.list_check_runs(period.start, period.end),
        work_items=[w for w in work_items if not _is_log_entry(w)],
        permission_changes=permission_changes(work_items),
        simulated=any(w.kind == SIMULATED_MARKER for w in work_items),
        user_count=count_users(store),
    )


def permission_changes(items: list[WorkItem]) -> list[PermissionChange]:
    """The operations log's permission entries (kind ``permission:<what>``)."""
    prefix = security_rules.PERMISSION_KIND_PREFIX
    return [
        PermissionChange(at=w.at, kind=w.kind.removeprefix(prefix), subject=w.summary)
        for w in items
        if w.kind.startswith(prefix)
    ]


def _is_log_entry(item: WorkItem) -> bool:
    """Entries the operations log keeps that are not work done: the demo marker, the first
    API-key set, permission changes."""
    return item.kind in (
        SIMULATED_MARKER,
        security_rules.API_KEYS_BASELINE,
    ) or item.kind.startswith(security_rules.PERMISSION_KIND_PREFIX)


def count_users(store: Store) -> int:
    """Users in the store now (the per-user cost's denominator), by paging through them."""
    total, cursor = 0, None
    while True:
        page = store.list_users(limit=100, cursor=cursor)
        total += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return total
