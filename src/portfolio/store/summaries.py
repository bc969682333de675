"""Aggregated reads computed from listed records, for sources holding plain lists.

SQLite sums in SQL; DynamoDB sums its packs (store/dynamodb/packs.py, which follows
these definitions). Sources that list samples sum them here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from portfolio.store.records import ResourceSample, ResourceSummary


def summarise_resources(samples: Iterable[ResourceSample]) -> ResourceSummary:
    """Means and maxima of CPU and memory, and the workers that reported per minute."""
    listed = list(samples)
    if not listed:
        return ResourceSummary(0, None, None, None, None, None, {}, None, 0)
    n = len(listed)
    cpu = [s.cpu_pct for s in listed]
    mem = [s.mem_pct for s in listed]
    # (minute, task) is a sample's key in every store, so counting minutes counts workers.
    per_minute = Counter(s.minute for s in listed)
    last = max(per_minute)
    return ResourceSummary(
        samples=n,
        cpu_avg_pct=sum(cpu) / n,
        cpu_max_pct=max(cpu),
        mem_avg_pct=sum(mem) / n,
        mem_max_pct=max(mem),
        mem_avg_bytes=sum(s.mem_bytes for s in listed) / n,
        minutes_by_tasks=dict(Counter(per_minute.values())),
        last_minute=last,
        last_minute_tasks=per_minute[last],
    )
