"""The operations log of one period, read the same way by every source that has a store.

Probes, incidents, maintenance windows, check runs, work items and the user count live
in the store whichever source reads the traffic (local telemetry, access logs or AWS),
so one reader serves them all, and work items that only mark simulated data (the demo)
are filtered in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.period import Period
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
    """Without the simulated marker."""
    simulated: bool
    user_count: int


def read_ops_log(store: Store, period: Period) -> OpsLog:
    work_items = store.list_work_items(period.start, period.end)
    return OpsLog(
        probes=list(store.read_probe_results(period.start, period.end)),
        incidents=store.list_incidents(period.start, period.end),
        maintenance=store.list_maintenance(period.start, period.end),
        check_runs=store.list_check_runs(period.start, period.end),
        work_items=[w for w in work_items if w.kind != SIMULATED_MARKER],
        simulated=any(w.kind == SIMULATED_MARKER for w in work_items),
        user_count=count_users(store),
    )


def count_users(store: Store) -> int:
    """Users in the store now (the per-user cost's denominator), by paging through them."""
    total, cursor = 0, None
    while True:
        page = store.list_users(limit=100, cursor=cursor)
        total += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return total
