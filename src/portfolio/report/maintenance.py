"""定期メンテナンス: the original's four checklist lines, each with how its runs came out.

A run counts once (a daily check once a day: that day's last run); each counted run is
passed (every finding PASS), warned (a WARN, no FAIL) or failed (a FAIL), so "4回" never
hides four runs that all warned. The monthly run's backup findings make the backup line,
its other findings the security line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from zoneinfo import ZoneInfo

from portfolio.report.model import CheckSummary, MaintenanceItem
from portfolio.store.records import CheckRun, Finding, FindingStatus

BACKUP_PREFIX = "backup_"


def outcome(findings: Sequence[Finding]) -> str:
    """'failed', 'warned' or 'passed' for one run's findings (or part of them)."""
    statuses = {f.status for f in findings}
    if FindingStatus.FAIL in statuses:
        return "failed"
    return "warned" if FindingStatus.WARN in statuses else "passed"


def _item(
    item_id: Literal["daily", "weekly", "monthly_security", "monthly_backup"],
    outcomes: list[str],
    summary: CheckSummary,
    cap: bool = True,
) -> MaintenanceItem:
    if cap and summary.expected:
        outcomes = outcomes[-summary.expected :]  # the latest runs, as many as were due
    count = len(outcomes)
    return MaintenanceItem(
        id=item_id,
        count=count,
        expected=summary.expected,
        passed=outcomes.count("passed"),
        warned=outcomes.count("warned"),
        failed=outcomes.count("failed"),
    )


def maintenance(
    runs: Sequence[CheckRun], checks: Sequence[CheckSummary], zone: ZoneInfo
) -> list[MaintenanceItem]:
    by_kind = {c.kind: c for c in checks}
    daily: dict[object, CheckRun] = {}
    for run in sorted((r for r in runs if r.kind == "daily"), key=lambda r: r.started_at):
        daily[run.started_at.astimezone(zone).date()] = run
    weekly = sorted((r for r in runs if r.kind == "weekly"), key=lambda r: r.started_at)
    monthly = sorted((r for r in runs if r.kind == "monthly"), key=lambda r: r.started_at)
    security = [
        [f for f in r.findings if not f.check_id.startswith(BACKUP_PREFIX)] for r in monthly
    ]
    backup = [[f for f in r.findings if f.check_id.startswith(BACKUP_PREFIX)] for r in monthly]
    return [
        _item("daily", [outcome(r.findings) for r in daily.values()], by_kind["daily"]),
        _item("weekly", [outcome(r.findings) for r in weekly], by_kind["weekly"]),
        _item("monthly_security", [outcome(f) for f in security], by_kind["monthly"]),
        _item("monthly_backup", [outcome(f) for f in backup if f], by_kind["monthly"]),
    ]
