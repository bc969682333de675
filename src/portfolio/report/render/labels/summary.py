# ruff: noqa: E501  (a catalogue of sentences reads better unwrapped)
"""運用実績サマリー: the period overview and its key indicators."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.summary": "運用実績サマリー",
    "h.summary.period": "期間概要",
    "h.summary.kpis": "主要指標達成状況",
    "l.report_period": "報告期間",
    "l.total_hours": "総稼働時間",
    "l.planned": "計画停止",
    "l.unplanned": "予期しない停止",
    "l.availability": "可用性",
    "l.coverage": "計測カバー率",
    "hours": "{value}時間",
    "hours_minutes": "{hours}時間（{minutes}分）",
    "in_progress_hours": "{elapsed}時間（月の途中: 全{total}時間中、現在までの経過時間）",
    "coverage.value": "{value}（基準 {threshold}以上）",
    "availability.partial": "{value}（計測時間に対する値。計測カバー率 {coverage}）",
    "coverage.low": "{value}（基準 {threshold} 未満: 計測のない時間は稼働とみなしていません）",
    "c.metric": "指標",
}

EN: dict[str, str] = {
    "h.summary": "Operations summary",
    "h.summary.period": "Period overview",
    "h.summary.kpis": "Key indicators",
    "l.report_period": "Reporting period",
    "l.total_hours": "Total hours",
    "l.planned": "Planned downtime",
    "l.unplanned": "Unplanned downtime",
    "l.availability": "Availability",
    "l.coverage": "Measurement coverage",
    "hours": "{value} hours",
    "hours_minutes": "{hours} hours ({minutes} min)",
    "in_progress_hours": "{elapsed} hours (month in progress: elapsed of {total} hours)",
    "coverage.value": "{value} (threshold {threshold})",
    "availability.partial": "{value} (over measured time; coverage {coverage})",
    "coverage.low": "{value} (below the {threshold} threshold: unmeasured time is not counted as up)",
    "c.metric": "Indicator",
}
