"""The operations log contract: check runs, incidents, maintenance windows, work items."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from portfolio.errors import ConflictError, NotFoundError
from portfolio.store.protocols import Store
from portfolio.store.records import (
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    MaintenanceWindow,
    WorkItem,
)

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_check_runs_round_trip_with_findings_in_range(store: Store) -> None:
    run = CheckRun(
        id="run-1",
        kind="daily",
        target="local",
        started_at=at(1),
        finished_at=at(1) + timedelta(seconds=2, microseconds=123456),
        findings=(
            Finding("HEALTH-1", FindingStatus.PASS, "the API answers"),
            Finding("COST-2", FindingStatus.WARN, "budget at 85 %"),
        ),
    )
    empty = CheckRun("run-2", "weekly", "aws", at(5), at(5.1), ())
    before = CheckRun("run-0", "daily", "local", at(-1), at(-0.9), ())
    for r in (empty, run, before):
        store.add_check_run(r)
    assert store.list_check_runs(at(0), at(5)) == [run]
    assert store.list_check_runs(at(0), at(6)) == [run, empty]
    assert not store.list_check_runs(at(0), at(6))[0].passed
    assert store.list_check_runs(at(0), at(6))[1].passed


def incident(iid: str, start: float, end: float | None, **extra: object) -> Incident:
    return Incident(
        id=iid,
        started_at=at(start),
        ended_at=None if end is None else at(end),
        summary=f"incident {iid}",
        **extra,  # type: ignore[arg-type]
    )


def test_incidents_overlapping_the_range_are_listed_in_start_order(store: Store) -> None:
    spans = {
        "before": (0, 1),  # ends before the range
        "into": (1, 3),  # runs into the range
        "inside": (4, 5),
        "across": (1.5, 20),  # covers the whole range
        "out": (3.5, 12),  # runs out of the range
        "after": (10, 11),  # starts at the range's end: excluded
        "point": (6, None),  # open, started inside
        "ongoing": (0.5, None),  # open, started before the range: still going on
    }
    for iid, (start, end) in spans.items():
        store.add_incident(incident(iid, start, end))
    listed = store.list_incidents(at(2), at(10))
    assert [i.id for i in listed] == ["ongoing", "into", "across", "out", "inside", "point"]


def test_incident_update_replaces_every_field(store: Store) -> None:
    original = incident("inc-1", 1, None, severity="major")
    store.add_incident(original)
    assert store.get_incident("inc-1") == original
    closed = replace(
        original,
        ended_at=at(2),
        impact="API 503 for 40 min",
        cause="DynamoDB throttled",
        response="raised capacity",
        prevention="alarm on throttles",
        detected_at=at(1.1),
        responded_at=at(1.25),
        severity="minor",
    )
    store.update_incident(closed)
    assert store.get_incident("inc-1") == closed
    assert store.list_incidents(at(0), at(3)) == [closed]


def test_unknown_incident_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_incident("nope")
    with pytest.raises(NotFoundError):
        store.update_incident(incident("nope", 1, 2))


def test_maintenance_windows_overlapping_the_range(store: Store) -> None:
    windows = [
        MaintenanceWindow("m-1", at(0), at(1), "ends at the range start: excluded"),
        MaintenanceWindow("m-2", at(0.5), at(2), "runs into the range"),
        MaintenanceWindow("m-3", at(3), at(4), "inside"),
        MaintenanceWindow("m-4", at(5), at(6), "starts at the range end: excluded"),
    ]
    for w in reversed(windows):
        store.add_maintenance(w)
    assert store.list_maintenance(at(1), at(5)) == [windows[1], windows[2]]


def test_work_items_in_range_in_time_order(store: Store) -> None:
    items = [
        WorkItem("w-2", at(2), "deploy", "v1.2 to production"),
        WorkItem("w-1", at(1), "change", "raised the budget alarm"),
        WorkItem("w-3", at(3), "deploy", "v1.3"),
    ]
    for item in items:
        store.add_work_item(item)
    assert store.list_work_items(at(1), at(3)) == [items[1], items[0]]
    assert store.list_work_items(at(3), at(1)) == []


def test_recording_the_same_record_twice_is_a_conflict(store: Store) -> None:
    """A retried write of an ops-log record fails loudly instead of duplicating it."""
    records = (
        (store.add_incident, incident("twice", 1, 2)),
        (store.add_check_run, CheckRun("run-twice", "daily", "local", at(1), at(1.1), ())),
        (store.add_maintenance, MaintenanceWindow("mw-twice", at(1), at(2), "patching")),
        (store.add_work_item, WorkItem("wi-twice", at(1), "docs", "runbook")),
    )
    for add, record in records:
        add(record)  # type: ignore[operator]
        with pytest.raises(ConflictError):
            add(record)  # type: ignore[operator]
    assert [i.id for i in store.list_incidents(at(0), at(3))] == ["twice"]
    assert len(store.list_check_runs(at(0), at(3))) == 1
    assert len(store.list_maintenance(at(0), at(3))) == 1
    assert len(store.list_work_items(at(0), at(3))) == 1
