"""Which scratch tables the restore test sweeps: its table's, older than any live run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portfolio.checks.restore_sweep import SWEEP_AFTER, scratch_name, stale_scratch_tables

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_only_this_tables_copies_older_than_a_live_run_are_stale() -> None:
    old = NOW - SWEEP_AFTER - timedelta(seconds=1)
    live = NOW - SWEEP_AFTER + timedelta(minutes=5)
    names = [
        scratch_name("portfolio-users", old),
        scratch_name("portfolio-users", live),
        scratch_name("portfolio-users-staging", old),  # another environment's table
        scratch_name("portfolio-metrics", old),
        "portfolio-users",
        "portfolio-users-restore-test-notatime",
    ]
    assert stale_scratch_tables(names, "portfolio-users", NOW) == [names[0]]
    assert stale_scratch_tables(names, "portfolio-metrics", NOW) == [names[3]]


def test_the_scratch_name_carries_its_start_time() -> None:
    assert (
        scratch_name("portfolio-users", NOW)
        == f"portfolio-users-restore-test-{int(NOW.timestamp())}"
    )
