"""What a check run is given, and the registry of collectors by (target, kind).

A target (``local``, ``aws``) registers one collector per kind; each gathers that kind's
snapshot once, from what the command line gave (``CheckContext``). ``run`` imports every
target's module and looks the collector up; the collectors import this module, below it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import httpx

from portfolio.checks import audits
from portfolio.checks.base import Kind
from portfolio.checks.snapshot import MonthlySnapshot, RestoreTest
from portfolio.checks.template import cached_assembly
from portfolio.config import Settings
from portfolio.errors import InputError
from portfolio.infra.assembly import find_app
from portfolio.registry import Registry
from portfolio.store.protocols import Store

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

    def __post_init__(self) -> None:
        if self.url is not None:
            check_url(self.url)


def check_url(url: str) -> None:
    """InputError unless ``url`` is an http(s) address with a host.

    Checked before anything runs: a mistyped ``--url`` would otherwise be recorded as a
    failed /health check, a critical FAIL the service never had.
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as err:
        raise InputError(f"--url must be an http:// or https:// address, got {url!r}") from err
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InputError(f"--url must be an http:// or https:// address, got {url!r}")


Collector = Callable[[CheckContext, datetime], object]
COLLECTORS: Registry[tuple[str, Kind], Collector] = Registry("collector")
"""(target, kind) -> the function that gathers that kind's snapshot on that target."""


def register_collector(target: str, kind: Kind) -> Callable[[Collector], Collector]:
    """Register the decorated function as the ``kind`` collector of ``target``."""
    return COLLECTORS.add((target, kind))


def with_audits(snapshot: MonthlySnapshot, context: CheckContext) -> MonthlySnapshot:
    """The audits asked for on the command line; the rest stay None (not run)."""
    if context.iac_scan:
        root = find_app().parent.parent
        assembly = cached_assembly(design=context.settings.design)
        snapshot = replace(snapshot, iac_scan=audits.iac_scan(assembly, root))
    if context.dependency_audit:
        root = find_app().parent.parent
        with httpx.Client(timeout=20.0) as client:
            audit = audits.audit_dependencies(audits.locked_packages(root / "uv.lock"), client)
        snapshot = replace(snapshot, dependency_audit=audit)
    return snapshot


def with_restore_tests(snapshot: MonthlySnapshot, tests: list[RestoreTest]) -> MonthlySnapshot:
    return replace(snapshot, restore_tests=tests)
