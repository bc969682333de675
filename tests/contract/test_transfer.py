"""Listing every record by kind and putting records back: the same on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portfolio.errors import DuplicateEmailError
from portfolio.store.kinds import Entry, Kind, TimeRange
from portfolio.store.protocols import Store
from portfolio.store.records import (
    PROBE_SITE,
    CheckRun,
    Finding,
    FindingStatus,
    Incident,
    LogCount,
    MaintenanceWindow,
    NewUser,
    ProbeResult,
    ResourceSample,
    Rollup,
    StoreCallStat,
    WorkItem,
)
from portfolio.store.transfer.jsonl import record_line
from tests.conftest import STORE_FACTORIES

# Recent times: DynamoDB expires telemetry after the retention (400 days).
HOUR = int(datetime.now(UTC).timestamp()) // 3600 * 3600 - 2 * 86_400
AT = datetime.fromtimestamp(HOUR, UTC)


def fill(store: Store) -> None:
    """One record or more of every kind, written the way the service writes them."""
    store.create_user(NewUser(name="Ada", email="ada@example.com", links=("https://a.example",)))
    store.create_user(NewUser(name="Bo", email="bo@example.com"))
    rollups = [Rollup(HOUR + 60 * i, "/health", "GET", 200, "t1", count=3 + i) for i in range(3)]
    for r in rollups:
        r.sketch.add(12.5 + r.minute % 7)
    store.write_rollups(rollups)
    store.write_resource_samples([ResourceSample(HOUR, "t1", 12.5, 1 << 20, 3.5)])
    store.write_probe_results(
        [
            ProbeResult(AT + timedelta(seconds=1.25), True, 4.5, 200),
            ProbeResult(AT + timedelta(seconds=2), False, None, None, "timeout", PROBE_SITE),
        ]
    )
    store.write_log_counts([LogCount(HOUR, "t1", "ERROR", 2)])
    store.write_store_stats(
        [StoreCallStat(HOUR, "t1", "sqlite", "get_user", 5, 0, 1, 9.5, 4.0, 2.5)]
    )
    finding = Finding("health", FindingStatus.WARN, "slow")
    store.add_check_run(
        CheckRun("run1", "daily", "local", AT, AT + timedelta(seconds=3), (finding,))
    )
    store.add_incident(Incident("inc1", AT, None, "down", detected_at=AT))
    store.add_maintenance(MaintenanceWindow("mw1", AT, AT + timedelta(minutes=30), "patch"))
    store.add_work_item(WorkItem("wi1", AT, "deploy", "v1.2"))


EVERYTHING = TimeRange()


def listed(store: Store, span: TimeRange = EVERYTHING, limit: int = 1000) -> list[Entry]:
    entries: list[Entry] = []
    cursor = None
    while True:
        page = store.export_page(span, cursor, limit=limit)
        entries += page.entries
        if page.cursor is None:
            return entries
        cursor = page.cursor


def lines(entries: list[Entry]) -> list[bytes]:
    """The records as their export lines, sorted: equal lines are equal records."""
    return sorted(record_line(kind, record) for kind, record in entries)


@pytest.fixture
def empty(store: Store, tmp_path: Path) -> Iterator[Store]:
    """A second, empty store of the same backend."""
    yield from STORE_FACTORIES[store.backend](tmp_path / "other")


def test_every_kind_is_listed_and_counted(store: Store) -> None:
    fill(store)
    entries = listed(store)
    counts: dict[Kind, int] = {}
    for kind, _ in entries:
        counts[kind] = counts.get(kind, 0) + 1
    assert set(counts) == set(Kind)
    assert (counts[Kind.USER], counts[Kind.ROLLUP_MINUTE]) == (2, 3)
    assert (counts[Kind.ROLLUP_HOUR], counts[Kind.PROBE_RESULT]) == (1, 2)
    assert store.count_records(TimeRange()) == counts


def test_pages_resume_from_their_cursor(store: Store) -> None:
    fill(store)
    assert lines(listed(store, limit=2)) == lines(listed(store))


def test_a_time_range_selects_by_each_kinds_time(store: Store) -> None:
    fill(store)
    span = TimeRange(HOUR + 60, HOUR + 120)
    kinds = sorted(kind.value for kind, _ in listed(store, span))
    assert kinds == ["rollup_minute", "user", "user"]
    assert store.count_records(span) == {Kind.USER: 2, Kind.ROLLUP_MINUTE: 1}


def test_a_range_pages_and_an_open_range_selects_alike(store: Store) -> None:
    fill(store)
    span = TimeRange(HOUR, HOUR + 3600)
    assert lines(listed(store, span, limit=1)) == lines(listed(store, span))
    assert lines(listed(store, TimeRange(HOUR, None))) == lines(listed(store, span))
    assert lines(listed(store, TimeRange(None, HOUR))) == lines(
        [(k, r) for k, r in listed(store) if k is Kind.USER]
    )


def test_put_into_an_empty_store_gives_the_same_records_and_twice_changes_nothing(
    store: Store, empty: Store
) -> None:
    fill(store)
    entries = listed(store)
    empty.put_records(entries)
    assert lines(listed(empty)) == lines(entries)
    empty.put_records(entries)
    assert lines(listed(empty)) == lines(entries)
    assert empty.count_records(TimeRange()) == store.count_records(TimeRange())
    # What the service reads from the copy is what it read from the original.
    assert empty.read_minute_totals(HOUR, HOUR + 3600) == store.read_minute_totals(
        HOUR, HOUR + 3600
    )
    assert list(empty.read_store_stats(HOUR, HOUR + 3600)) == list(
        store.read_store_stats(HOUR, HOUR + 3600)
    )
    user = next(r for k, r in entries if k is Kind.USER)
    assert empty.get_user(user.id) == user  # type: ignore[union-attr]


def test_a_user_whose_email_another_user_has_is_refused(store: Store, empty: Store) -> None:
    fill(store)
    users = [(k, r) for k, r in listed(store) if k is Kind.USER]
    empty.create_user(NewUser(name="Other", email="ada@example.com"))
    with pytest.raises(DuplicateEmailError):
        empty.put_records(users)


def test_imported_users_keep_their_lookalike_guard(store: Store, empty: Store) -> None:
    """A restored user still holds its UTS #39 skeleton: a look-alike of its address
    (Cyrillic а) is refused afterwards, and a look-alike already in the target refuses
    the import."""
    fill(store)
    users = [(k, r) for k, r in listed(store) if k is Kind.USER]
    empty.put_records(users)
    empty.put_records(users)  # twice: the guard is this user's own, so no refusal
    with pytest.raises(DuplicateEmailError):
        empty.create_user(NewUser(name="Imposter", email="\u0430da@example.com"))


def test_an_import_refuses_a_lookalike_already_in_the_target(store: Store, empty: Store) -> None:
    fill(store)
    users = [(k, r) for k, r in listed(store) if k is Kind.USER]
    empty.create_user(NewUser(name="Imposter", email="bo@ex\u0430mple.com"))
    with pytest.raises(DuplicateEmailError):
        empty.put_records(users)


def report_reads(store: Store) -> dict[str, object]:
    """Every read a month's report makes of telemetry, over the filled hour."""
    end = HOUR + 3600
    later = AT + timedelta(hours=1)
    return {
        "hours": list(store.read_rollups(HOUR, end, resolution="hour")),
        "minutes": store.read_minute_totals(HOUR, end),
        "resources": store.read_resource_summary(HOUR, end),
        "probes": list(store.read_probe_results(AT, later)),
        "site": store.read_probe_counts(AT, later, target=PROBE_SITE),
        "logs": list(store.read_log_counts(HOUR, end)),
        "stats": list(store.read_store_stats(HOUR, end)),
    }


def test_the_sums_a_report_reads_follow_a_put_in_pages_and_twice(
    store: Store, empty: Store
) -> None:
    """Kept sums (the DynamoDB store's packs) of an import: each hour summed from what it
    holds, whether its records came in one put or several, once or twice."""
    fill(store)
    entries = listed(store)
    for i in range(0, len(entries), 3):
        empty.put_records(entries[i : i + 3])
    empty.put_records(entries)
    expected = report_reads(store)
    assert report_reads(empty) == expected
    assert all(expected[name] for name in ("minutes", "hours", "logs", "probes", "stats"))


def test_summing_again_changes_nothing_the_writers_kept(store: Store) -> None:
    fill(store)
    before = report_reads(store)
    hours = store.sum_again(TimeRange(HOUR, HOUR + 2 * 3600))
    assert hours == (0 if store.backend == "sqlite" else 2)
    assert report_reads(store) == before
