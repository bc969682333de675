"""サービス別運用状況: the heading and the sub-headings each service repeats."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.services": "サービス別運用状況",
    "h.svc.status": "稼働状況",
    "h.svc.performance": "パフォーマンス",
}

EN: dict[str, str] = {
    "h.services": "Service status",
    "h.svc.status": "Status",
    "h.svc.performance": "Performance",
}
