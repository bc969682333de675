"""Replay the checklist over a simulated month: the demo's recorded runs come from the checks.

For each simulated morning (daily), each completed week (weekly) and the month's last
day (monthly), the snapshot is built from what the simulated store holds up to that
moment — the same collectors a live run uses, with the simulated prober's /health
answer standing in for a live request — and evaluated by the same check functions.
The monthly run reads the synthesized CDK templates, as a local run does, and on the
SQLite store it runs the local restore test (an online backup of the store file into a
scratch copy, rows compared), as `portfolio check monthly --restore-test` does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from portfolio.checks.base import Kind
from portfolio.checks.collect import daily_from_store, health_answer, weekly_from_store
from portfolio.checks.registry import evaluate
from portfolio.checks.restore import restore_test_sqlite
from portfolio.checks.snapshot import (
    HealthAnswer,
    IacScan,
    IngressRule,
    RestoreTest,
    TargetHealth,
)
from portfolio.checks.template import snapshot_from_assembly
from portfolio.config import Settings
from portfolio.infra.assembly import Assembly
from portfolio.period import Period
from portfolio.store.protocols import Store
from portfolio.store.records import CheckRun

DAILY_AT = time(9, 0)
WEEKLY_AT = time(23, 0)
MONTHLY_AT = time(10, 0)
TARGET = "local (simulated)"
PROBE_LOOKBACK = timedelta(minutes=2)


def _at(period: Period, day: int, clock: time) -> datetime:
    return datetime(period.year, period.month, day, clock.hour, clock.minute, tzinfo=period.zone)


def _recorded_health(store: Store, at: datetime) -> HealthAnswer | None:
    """The simulated prober's last /health answer at or just before ``at``."""
    probes = list(store.read_probe_results(at - PROBE_LOOKBACK, at + timedelta(seconds=1)))
    return health_answer(max(probes, key=lambda p: p.at)) if probes else None


def _record(store: Store, kind: Kind, snapshot: object, at: datetime) -> CheckRun:
    run = evaluate(kind, snapshot, target=TARGET, started_at=at, finished_at=at)
    store.add_check_run(run)
    return run


def _restore_tests(store: Store) -> list[RestoreTest] | None:
    """The restore test this machine can run: the SQLite file's; none for other stores."""
    path = getattr(store, "path", None)
    if store.backend != "sqlite" or path is None:
        return None
    return [restore_test_sqlite(path)]


def record_simulated_checks(
    store: Store,
    period: Period,
    settings: Settings,
    assembly: Assembly,
    *,
    iac_scan: IacScan | None = None,
    open_ssh: bool = False,
) -> list[CheckRun]:
    """Run the daily, weekly and monthly checks at their simulated times; record each run.

    The monthly run reads the templates and, when given, the IaC scan the demo ran over
    them; ``open_ssh`` adds a 0.0.0.0/0:22 ingress rule to its view (the detection scenario).
    """
    runs = []
    source = f"simulated {store.backend} store"
    for day in period.days:
        at = _at(period, day.day, DAILY_AT)
        health = _recorded_health(store, at)
        targets = (
            TargetHealth(healthy=1 if health.ok else 0, total=1, basis="simulated prober's /health")
            if health is not None
            else None
        )
        snapshot = daily_from_store(
            store, at, settings, health=health, targets=targets, source=source
        )
        runs.append(_record(store, Kind.DAILY, snapshot, at))
        if day.day % 7 == 0:
            weekly_at = _at(period, day.day, WEEKLY_AT)
            runs.append(
                _record(
                    store,
                    Kind.WEEKLY,
                    weekly_from_store(store, weekly_at, settings, source=source),
                    weekly_at,
                )
            )
    monthly_at = _at(period, period.days[-1].day, MONTHLY_AT)
    monthly = replace(
        snapshot_from_assembly(assembly, at=monthly_at),
        iac_scan=iac_scan,
        restore_tests=_restore_tests(store),
    )
    if open_ssh:
        rule = IngressRule("simulated-admin-sg", "0.0.0.0/0", "tcp", 22, 22, False)
        monthly = replace(monthly, ingress=[*(monthly.ingress or []), rule])
    runs.append(_record(store, Kind.MONTHLY, monthly, monthly_at))
    return runs
