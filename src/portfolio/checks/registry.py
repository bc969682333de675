"""The checklist: every check module imported (so each check registers), and how to read it.

``base`` says what a check is and keeps the registry ``CHECKS``; the check modules fill
it as they are imported; this module imports them all, so whoever reads the checklist
through it sees every check. A new check module adds one line here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portfolio.checks import daily, daily_serverless, monthly, weekly
from portfolio.checks.base import CHECKS, Check, Kind
from portfolio.config import Design
from portfolio.store.ids import new_id
from portfolio.store.records import CheckRun

__all__ = [
    "all_checks",
    "checks_of",
    "daily",
    "daily_serverless",
    "evaluate",
    "get_check",
    "monthly",
    "weekly",
]


def checks_of(kind: Kind, design: Design | None = None) -> list[Check[Any]]:
    """The checks of ``kind``; with ``design``, only those that apply to it."""
    return [
        c for c in CHECKS.values() if c.kind is kind and (design is None or design in c.designs)
    ]


def all_checks() -> list[Check[Any]]:
    return CHECKS.values()


def get_check(check_id: str) -> Check[Any]:
    """The check with this id; InputError naming the ids there are if none."""
    return CHECKS[check_id]


def evaluate(
    kind: Kind,
    snapshot: object,
    *,
    target: str,
    started_at: datetime,
    finished_at: datetime,
    design: Design = Design.ORIGINAL,
) -> CheckRun:
    """Run every check of ``kind`` that applies to ``design`` over one snapshot."""
    findings = tuple(f for c in checks_of(kind, design) if (f := c.run(snapshot)) is not None)
    return CheckRun(
        id=new_id(),
        kind=kind.value,
        target=target,
        started_at=started_at,
        finished_at=finished_at,
        findings=findings,
    )
