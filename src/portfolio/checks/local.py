"""The ``local`` target's collectors: the service on this machine and its store.

Daily probes the running server's /health and reads the store; weekly reads the store;
monthly reads the synthesized CloudFormation template (what would be deployed), with
the audits and the SQLite restore test when asked for.
"""

from __future__ import annotations

from datetime import datetime

from portfolio.checks.base import Kind
from portfolio.checks.collect import daily_from_store, probe_health, weekly_from_store
from portfolio.checks.collectors import (
    DEFAULT_URL,
    CheckContext,
    register_collector,
    with_audits,
    with_restore_tests,
)
from portfolio.checks.restore import restore_test_sqlite
from portfolio.checks.snapshot import TargetHealth
from portfolio.checks.template import cached_assembly, snapshot_from_assembly
from portfolio.errors import InputError


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
