# ruff: noqa: E501  (a catalogue of sentences reads better unwrapped)
"""付録."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.appendix": "付録",
    "h.app.slo": "SLO・エラーバジェット",
    "h.app.endpoints": "エンドポイント別リクエスト",
    "h.app.method": "データソースと算出方法",
    "l.slo_target": "可用性目標",
    "l.slo_allowed": "許容停止時間",
    "l.slo_consumed": "消費",
    "l.slo_remaining": "残り",
    "l.slo_burn": "バーンレート",
    "c.endpoint": "エンドポイント",
    "method.sources": "データソース: {sources}。タイムゾーン: {tz}。",
    "method.availability": "可用性 = (計測時間 − 計画停止 − 予期しない停止) / (計測時間 − 計画停止)。プローブのない時間は不明として除外し、計測カバー率として示します。",
    "method.latency": "平均は全リクエストの平均、p50/p95/p99 は時間別スケッチの合成（相対誤差1%以内）。",
}

EN: dict[str, str] = {
    "h.appendix": "Appendix",
    "h.app.slo": "SLO and error budget",
    "h.app.endpoints": "Requests by endpoint",
    "h.app.method": "Data sources and method",
    "l.slo_target": "Availability target",
    "l.slo_allowed": "Allowed downtime",
    "l.slo_consumed": "Consumed",
    "l.slo_remaining": "Remaining",
    "l.slo_burn": "Burn rate",
    "c.endpoint": "Endpoint",
    "method.sources": "Data sources: {sources}. Time zone: {tz}.",
    "method.availability": "Availability = (measured − planned − unplanned) / (measured − planned). Time without probes is unknown, left out, and shown as the measurement coverage.",
    "method.latency": "Average is the mean of every request; p50/p95/p99 merge hourly sketches (relative error ≤ 1 %).",
}
