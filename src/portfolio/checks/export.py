"""A check run as plain JSON data: what `check --format json` prints and the ops task stores."""

from __future__ import annotations

from typing import Any

from portfolio.checks.registry import get_check
from portfolio.store.records import CheckRun, FindingStatus


def run_to_dict(run: CheckRun) -> dict[str, Any]:
    counts = {s.value: sum(1 for f in run.findings if f.status is s) for s in FindingStatus}
    return {
        "id": run.id,
        "kind": run.kind,
        "target": run.target,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat(),
        "passed": run.passed,
        "counts": counts,
        "findings": [
            {
                "check_id": f.check_id,
                "status": f.status.value,
                "severity": get_check(f.check_id).severity.value,
                "title": get_check(f.check_id).title_en,
                "detail": f.detail,
            }
            for f in run.findings
        ],
    }
