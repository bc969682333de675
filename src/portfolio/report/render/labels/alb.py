"""サービス別運用状況 2. Application Load Balancer."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.svc.alb": "2. Application Load Balancer",
    "l.alb": "ALB",
    "l.tg": "ターゲットグループ",
    "l.health_check": "ヘルスチェック",
    "health.value": "{value}成功",
    "l.target_health": "ターゲット健全性",
    "reason.no_target_health": "データなし（ターゲットの状態が記録されていません）",
    "l.latency": "レイテンシー",
    "l.requests": "リクエスト数",
    "rpm": "平均{value} req/min",
    "l.error_rate": "エラー率",
    "l.latency_pct": "レイテンシー（p50 / p95 / p99）",
    "l.rpm_peak": "リクエスト数（最大）",
    "rpm_peak": "{value} req/min",
    "l.lb_5xx": "ロードバランサー起因の5xx",
    "reason.no_lb": "データなし（ロードバランサーのログがありません）",
}

EN: dict[str, str] = {
    "h.svc.alb": "2. Application Load Balancer",
    "l.alb": "ALB",
    "l.tg": "Target group",
    "l.health_check": "Health check",
    "health.value": "{value} successful",
    "l.target_health": "Target health",
    "reason.no_target_health": "no data (target health not recorded)",
    "l.latency": "Latency",
    "l.requests": "Requests",
    "rpm": "average {value} req/min",
    "l.error_rate": "Error rate",
    "l.latency_pct": "Latency (p50 / p95 / p99)",
    "l.rpm_peak": "Requests (max)",
    "rpm_peak": "{value} req/min",
    "l.lb_5xx": "5xx answered by the load balancer",
    "reason.no_lb": "no data (no load-balancer logs)",
}
