# ruff: noqa: E501  (a catalogue of sentences reads better unwrapped)
"""実施した作業."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.work": "実施した作業",
    "h.work.maintenance": "定期メンテナンス",
    "h.work.improvements": "改善作業",
    "h.work.docs": "ドキュメント更新",
    "work.entry": "{summary}（{day}）",
    "maint.daily": "日次ヘルスチェック（{n}回）",
    "maint.weekly": "週次パフォーマンス確認（{n}回）",
    "maint.monthly_security": "月次セキュリティ設定確認（{n}回）",
    "maint.monthly_backup": "月次バックアップ確認（{n}回）",
    "note.maintenance": "回数は実行記録のある点検のみ（予定: 日次{daily}回、週次{weekly}回、月次{monthly}回）。",
    "work.no_improvements": "記録された改善作業はありません。",
    "work.no_docs": "記録されたドキュメント更新はありません。",
}

EN: dict[str, str] = {
    "h.work": "Work done",
    "h.work.maintenance": "Scheduled maintenance",
    "h.work.improvements": "Improvements",
    "h.work.docs": "Documentation updates",
    "work.entry": "{summary} ({day})",
    "maint.daily": "Daily health check (runs: {n})",
    "maint.weekly": "Weekly performance review (runs: {n})",
    "maint.monthly_security": "Monthly security configuration check (runs: {n})",
    "maint.monthly_backup": "Monthly backup check (runs: {n})",
    "note.maintenance": "Counts are recorded runs only (scheduled: daily {daily}, weekly {weekly}, monthly {monthly}).",
    "work.no_improvements": "No improvement work was recorded.",
    "work.no_docs": "No documentation update was recorded.",
}
