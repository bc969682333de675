"""リクエストパターン: the request mix by resource, named for exactly what it counts.

The original writes "GET /api/v1/users: 25%". When the source tells methods apart (the
service's own telemetry does), a group counts that resource's GET requests only — the
user API's POST and PATCH go to その他 — and says GET. When it does not (ALB logs and
CloudWatch merge methods), a group counts every method and its label says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from portfolio import names
from portfolio.report.model import OTHER_PATTERN_GROUP, PatternShare
from portfolio.sources.base import TrafficBucket

PATTERN_GROUPS = (names.HEALTH_PATH, names.USERS_PATH, names.METRICS_PATH)
"""The resources the original's リクエストパターン names; everything else is その他."""

READ_METHOD = "GET"


def resource_of(endpoint: str) -> str:
    """``/api/v1/users/{user_id}`` belongs to ``/api/v1/users``; unnamed ones to 'other'."""
    return next(
        (g for g in PATTERN_GROUPS if endpoint == g or endpoint.startswith(g + "/")),
        OTHER_PATTERN_GROUP,
    )


def pattern(buckets: Iterable[TrafficBucket]) -> list[PatternShare]:
    """The groups' shares of all requests, GET-only when every bucket knows its method."""
    rows = list(buckets)
    total = sum(b.count for b in rows)
    if not total:
        return []
    by_method = all(b.method for b in rows)
    counts = dict.fromkeys((*PATTERN_GROUPS, OTHER_PATTERN_GROUP), 0)
    for b in rows:
        group = resource_of(b.endpoint)
        if by_method and b.method.upper() != READ_METHOD:
            group = OTHER_PATTERN_GROUP
        counts[group] += b.count
    method = READ_METHOD if by_method else None
    return [
        PatternShare(
            group=g,
            method=None if g == OTHER_PATTERN_GROUP else method,
            requests=n,
            share=round(n / total, 6),
        )
        for g, n in counts.items()
    ]
