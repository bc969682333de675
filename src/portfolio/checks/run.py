"""Run a checklist against a target: collect its snapshot once, evaluate, record the run.

Targets register a collector per kind (``local`` here, ``aws`` in ``checks.aws``), so
``--target`` is a registry lookup. Every run is recorded in the operations log, which
is where the monthly report's 実施した作業 and セキュリティ状況 come from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from portfolio.checks.base import Kind, evaluate
from portfolio.checks.collect import daily_from_store, probe_health, weekly_from_store
from portfolio.checks.restore import restore_test_sqlite
from portfolio.checks.snapshot import MonthlySnapshot, RestoreTest, TargetHealth
from portfolio.checks.template import cached_assembly, snapshot_from_assembly
from portfolio.config import Settings
from portfolio.errors import InputError
from portfolio.store.protocols import Store
from portfolio.store.records import CheckRun

DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class CheckContext:
    """What the command line gives a collector; each takes the parts it needs."""

    settings: Settings
    store: Store
    url: str | None = None
    restore_test: bool = False
    endpoint_url: str | None = None
    now: datetime | None = None
    iac_scan: bool = False
    dependency_audit: bool = False
    restore_results: tuple[RestoreTest, ...] | None = None
    """Restore tests already run elsewhere (the serverless design's state machine)."""


Collector = Callable[[CheckContext, datetime], object]
COLLECTORS: dict[tuple[str, Kind], Collector] = {}
"""(target, kind) -> the function that gathers that kind's snapshot on that target."""


def register_collector(target: str, kind: Kind) -> Callable[[Collector], Collector]:
    def add(function: Collector) -> Collector:
        COLLECTORS[(target, kind)] = function
        return function

    return add


def targets() -> list[str]:
    import portfolio.checks.aws  # noqa: F401  (registers the aws target)

    return sorted({target for target, _ in COLLECTORS})


def run_checks(kind: Kind, target: str, context: CheckContext, *, record: bool = True) -> CheckRun:
    """Collect, evaluate every check of ``kind``, and record the run in the ops log."""
    available = targets()
    collector = COLLECTORS.get((target, kind))
    if collector is None:
        raise InputError(f"unknown target {target!r}; available: {', '.join(available)}")
    started = context.now or datetime.now(UTC)
    snapshot = collector(context, started)
    finished = datetime.now(UTC) if context.now is None else started
    run = evaluate(
        kind,
        snapshot,
        target=target,
        started_at=started,
        finished_at=finished,
        design=context.settings.design,
    )
    if record:
        context.store.add_check_run(run)
    return run


@register_collector("local", Kind.DAILY)
def _local_daily(context: CheckContext, at: datetime) -> object:
    url = context.url or DEFAULT_URL
    health = probe_health(url, timeout_s=context.settings.telemetry.probe_timeout_s)
    return daily_from_store(
        context.store,
        at,
        context.settings,
        health=health,
        # Locally the server itself is the one target; the ALB would ask it the same /health.
        targets=TargetHealth(healthy=1 if health.ok else 0, total=1, basis=f"/health at {url}"),
        source=f"local service at {url} and the {context.store.backend} store",
    )


@register_collector("local", Kind.WEEKLY)
def _local_weekly(context: CheckContext, at: datetime) -> object:
    return weekly_from_store(
        context.store, at, context.settings, source=f"the local {context.store.backend} store"
    )


def with_audits(snapshot: MonthlySnapshot, context: CheckContext) -> MonthlySnapshot:
    """The audits asked for on the command line; the rest stay None (not run)."""
    from portfolio.checks import audits
    from portfolio.infra.assembly import find_app

    if context.iac_scan:
        root = find_app().parent.parent
        assembly = cached_assembly(design=context.settings.design)
        snapshot = replace(snapshot, iac_scan=audits.iac_scan(assembly, root))
    if context.dependency_audit:
        import httpx

        root = find_app().parent.parent
        with httpx.Client(timeout=20.0) as client:
            audit = audits.audit_dependencies(audits.locked_packages(root / "uv.lock"), client)
        snapshot = replace(snapshot, dependency_audit=audit)
    return snapshot


@register_collector("local", Kind.MONTHLY)
def _local_monthly(context: CheckContext, at: datetime) -> object:
    assembly = cached_assembly(design=context.settings.design)
    snapshot = with_audits(snapshot_from_assembly(assembly, at=at), context)
    if not context.restore_test:
        return snapshot
    path = getattr(context.store, "path", None)
    if context.store.backend != "sqlite" or path is None:
        raise InputError(
            "--restore-test on the local target needs the sqlite store; use --target aws"
        )
    return with_restore_tests(snapshot, [restore_test_sqlite(path)])


def with_restore_tests(snapshot: MonthlySnapshot, tests: list[RestoreTest]) -> MonthlySnapshot:
    return replace(snapshot, restore_tests=tests)
