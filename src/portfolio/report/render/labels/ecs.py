"""サービス別運用状況 1. ECS/Fargate."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.svc.ecs": "1. ECS/Fargate",
    "h.svc.logs": "ログ・監視",
    "l.cluster": "クラスター",
    "l.service": "サービス",
    "l.tasks": "実行タスク数",
    "tasks.value": "{running}（目標値: {desired}）",
    "l.task_health": "タスク健全性",
    "l.cpu": "CPU使用率",
    "l.memory": "メモリ使用率",
    "avg_target": "平均{value}（目標: {target}以下）",
    "l.network": "ネットワークI/O",
    "l.peak_usage": "CPU・メモリ使用率（最大）",
    "l.memory_mb": "メモリ使用量（平均）",
    "l.cw_logs": "CloudWatch Logs",
    "logs.ok": "正常（ログレベル別の件数を記録）",
    "logs.none": "データなし（ログ件数の記録がありません）",
    "l.error_logs": "エラーログ",
    "l.warning_logs": "警告ログ",
    "reason.no_samples": "リソース使用率の記録なし",
    "reason.no_tasks": "タスク数の記録なし",
}

EN: dict[str, str] = {
    "h.svc.ecs": "1. ECS/Fargate",
    "h.svc.logs": "Logs and monitoring",
    "l.cluster": "Cluster",
    "l.service": "Service",
    "l.tasks": "Running tasks",
    "tasks.value": "{running} (desired: {desired})",
    "l.task_health": "Task health",
    "l.cpu": "CPU utilisation",
    "l.memory": "Memory utilisation",
    "avg_target": "average {value} (target: ≤ {target})",
    "l.network": "Network I/O",
    "l.peak_usage": "CPU / memory utilisation (max)",
    "l.memory_mb": "Memory used (average)",
    "l.cw_logs": "CloudWatch Logs",
    "logs.ok": "normal (counts by log level recorded)",
    "logs.none": "no data (no log counts recorded)",
    "l.error_logs": "Error logs",
    "l.warning_logs": "Warning logs",
    "reason.no_samples": "no resource samples recorded",
    "reason.no_tasks": "task counts not recorded",
}
