"""What the measurements say about each incident, for its 内容 line.

A rule finds an incident by its worst minutes; the reader asks what happened over the
whole of it — the original writes "レスポンス時間が一時的に120msに増加" — and, for an
incident only a person recorded, what the logs showed ("CloudWatch Logsの軽微な警告").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from portfolio.report.model import IncidentRow
from portfolio.store.records import LogCount, MinuteTotals

WARNING_LEVELS = ("warning", "warn")


def _window(start: datetime, end: datetime | None) -> tuple[int, int]:
    first = int(start.timestamp())
    last = int((end or start).timestamp())
    return first, max(last, first + 60)


def with_evidence(
    rows: Sequence[IncidentRow], minutes: Sequence[MinuteTotals], logs: Sequence[LogCount]
) -> list[IncidentRow]:
    """Each incident with its window's figure and the warnings logged in that window."""
    out = []
    for row in rows:
        lo, hi = _window(row.start, row.end)
        inside = [m for m in minutes if lo <= m.minute < hi]
        count = sum(m.count for m in inside)
        value: float | None = None
        if count and row.kind == "latency":
            value = round(sum(m.latency_sum_ms for m in inside) / count, 1)
        elif count and row.kind == "errors":
            value = round(100 * sum(m.errors_5xx for m in inside) / count, 2)
        warnings = [
            g.count for g in logs if lo <= g.minute < hi and g.level.lower() in WARNING_LEVELS
        ]
        out.append(
            row.model_copy(
                update={"window_value": value, "log_warnings": sum(warnings) if logs else None}
            )
        )
    return out
