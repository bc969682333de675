# ruff: noqa: E501  (a catalogue of sentences reads better unwrapped)
"""Words added since the original's catalogue (labels.py): KPI bounds and units, the
operator's plan, the data store's kind, the demo's comparison with the original.

Merged into render.text.TEXT like labels.py, so ``t(lang, key)`` finds them and the
test that both languages hold the same keys covers them too.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "ja": {
        "ge": "{value}以上",
        "plan.mark": "運用者の計画: {source}",
        "prop.by_rule": "根拠: 上記の計測値（ルールによる提案）",
        "week.partial": "（{days}日間）",
        "note.cost.to_date": "進行中の月のため、コストとリクエスト・ユーザー・時間あたりの単価はいずれも現時点まで（{hours}時間）の利用に基づきます。",
        "maint.outcome": "：合格{passed}回・警告{warned}回・不合格{failed}回",
        "inc.content.latency": "レスポンス時間が一時的に{value}msに増加（期間の平均。最悪の1分は{peak}ms）",
        "inc.content.errors": "5xxエラー率が一時的に{value}%に上昇（期間の平均。最悪の1分は{peak}%）",
        "inc.content.outage": "ヘルスチェックが{value}分間失敗（サービス停止）",
        "inc.content.logs.minor": "{logs}の軽微な警告（{count}件）",
        "inc.content.logs": "{logs}の警告（{count}件）",
        "overview.text.simulated": "本ドキュメントは、{env}の運用実績を月次で報告する運用報告書のデモです。各数値はデモ用に生成したシミュレーションデータから、実運用と同じ計測・集計の経路で算出しています。",
        "note.cost.original": "原本の $8.45 はALB単体の月額にも満たないため、このデモ月では実際の料金体系で算出した値を示します（docs/report.md）。",
        "per_request": "{value}/req",
        "pattern.all": "{path}（全メソッド）",
        "store.not_dynamodb": "DynamoDBではありません（{backend}ストアで稼働。テーブルのステータスはありません）",
    },
    "en": {
        "ge": "≥ {value}",
        "plan.mark": "the operator's plan: {source}",
        "prop.by_rule": "Evidence: the measured figure above (proposed by a rule)",
        "week.partial": " ({days} days)",
        "note.cost.to_date": "The month is in progress: the cost and the cost per request, user and hour all rest on the usage so far ({hours} hours).",
        "maint.outcome": ": {passed} passed, {warned} warned, {failed} failed",
        "inc.content.latency": "Response time rose to {value} ms for a while (mean over the incident; worst minute {peak} ms)",
        "inc.content.errors": "The 5xx error rate rose to {value}% for a while (mean over the incident; worst minute {peak}%)",
        "inc.content.outage": "Health checks failed for {value} min (outage)",
        "inc.content.logs.minor": "Minor warnings in {logs} ({count})",
        "inc.content.logs": "Warnings in {logs} ({count})",
        "overview.text.simulated": "This document is a demo of the monthly operations report of {env}. Every figure is computed from simulated data generated for the demo, through the same measuring and aggregation as in operation.",
        "note.cost.original": "The original's $8.45 is below an ALB's own monthly charge; this demo month shows the figure real prices give (docs/report.md).",
        "per_request": "{value}/req",
        "pattern.all": "{path} (all methods)",
        "store.not_dynamodb": "not DynamoDB (running on the {backend} store, which has no table status)",
    },
}
