"""実施した作業: scheduled checks against the schedule, improvements, documentation."""

from __future__ import annotations

from datetime import datetime

from portfolio.period import Period
from portfolio.report.maintenance import maintenance
from portfolio.report.model import CheckSummary, WorkDone, WorkEntry
from portfolio.security_rules import PERMISSION_KIND_PREFIX
from portfolio.sources.base import Observations
from portfolio.store.records import FindingStatus

CHECK_KINDS = ("daily", "weekly", "monthly")


DOCS_KIND = "docs"
"""The work-item kind counted under ドキュメント更新 (the rest is 改善作業)."""


def _expected_runs(period: Period, now: datetime) -> dict[str, int]:
    """The schedule: one daily run a day, one weekly run a full week, one monthly run."""
    days = period.days
    if now < period.end:
        today = now.astimezone(period.zone).date()
        days = [d for d in days if d <= today]
    return {"daily": len(days), "weekly": len(days) // 7, "monthly": 1 if days else 0}


def build_work(obs: Observations, period: Period, now: datetime) -> WorkDone:
    expected = _expected_runs(period, now)
    checks = []
    for kind in CHECK_KINDS:
        runs = [r for r in obs.check_runs if r.kind == kind]
        if kind == "daily":  # at most one counts per day
            done = len({r.started_at.astimezone(period.zone).date() for r in runs})
        else:
            done = len(runs)
        latest = max(runs, key=lambda r: r.started_at) if runs else None
        checks.append(
            CheckSummary(
                kind=kind,
                expected=expected[kind],
                done=min(done, expected[kind]) if expected[kind] else done,
                passed=sum(1 for r in runs if r.passed),
                last_run=latest.started_at if latest else None,
                failing_checks=sorted(
                    {f.check_id for f in latest.findings if f.status is not FindingStatus.PASS}
                )
                if latest
                else [],
            )
        )
    # Permission changes are recorded in the same log but are not work done.
    items = [
        WorkEntry(at=w.at, kind=w.kind, summary=w.summary)
        for w in obs.work_items
        if not w.kind.startswith(PERMISSION_KIND_PREFIX)
    ]
    return WorkDone(
        checks=checks,
        items=items,
        maintenance=maintenance(obs.check_runs, checks, period.zone),
        improvements=[i for i in items if i.kind != DOCS_KIND],
        documentation=[i for i in items if i.kind == DOCS_KIND],
    )
