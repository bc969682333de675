"""Run a checklist against a target: collect its snapshot once, evaluate, record the run.

Targets register a collector per kind (``checks.local``; ``checks.aws``,
``checks.aws_weekly`` and ``checks.aws_monthly`` for AWS), so ``--target`` is a registry
lookup; this module imports every target's collectors. Every run is recorded in the
operations log, which is where the monthly report's 実施した作業 and セキュリティ状況
come from.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portfolio.checks import aws, aws_monthly, aws_weekly, local
from portfolio.checks.base import Kind
from portfolio.checks.collectors import COLLECTORS, DEFAULT_URL, CheckContext
from portfolio.checks.registry import evaluate
from portfolio.errors import InputError
from portfolio.store.records import CheckRun

__all__ = [
    "DEFAULT_URL",
    "CheckContext",
    "aws",
    "aws_monthly",
    "aws_weekly",
    "local",
    "run_checks",
    "targets",
]


def targets() -> list[str]:
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
