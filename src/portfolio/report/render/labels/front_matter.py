# ruff: noqa: E501  (a catalogue of sentences reads better unwrapped)
"""文書情報 and 概要."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.document": "文書情報",
    "h.overview": "概要",
    "l.created": "作成日",
    "l.version": "バージョン",
    "l.applies_to": "適用環境",
    "l.author": "作成者",
    "l.updated": "最終更新",
    "l.sources": "データソース",
    "l.timezone": "タイムゾーン",
    "overview.text": "本ドキュメントは、{env}の運用実績を月次で報告する運用報告書です。各数値は計測データから算出しています。",
    "l.target_env": "対象環境",
    "l.frequency": "報告頻度",
    "l.period": "対象期間",
    "l.reporter": "報告者",
    "env.production": "本番環境",
    "env.staging": "検証環境",
    "env.development": "開発環境",
    "platform.aws": "AWS",
    "platform.local": "ローカル",
    "frequency.monthly": "月次",
    "month": "{year}年{month}月",
}

EN: dict[str, str] = {
    "h.document": "Document information",
    "h.overview": "Overview",
    "l.created": "Created",
    "l.version": "Version",
    "l.applies_to": "Applies to",
    "l.author": "Author",
    "l.updated": "Last updated",
    "l.sources": "Data sources",
    "l.timezone": "Time zone",
    "overview.text": "This document reports the operations of {env} for one month. Every figure is computed from measured data.",
    "l.target_env": "Environment",
    "l.frequency": "Frequency",
    "l.period": "Period",
    "l.reporter": "Reporter",
    "env.production": "production",
    "env.staging": "staging",
    "env.development": "development",
    "platform.aws": "AWS",
    "platform.local": "local",
    "frequency.monthly": "monthly",
    "month": "{year}-{month:02d}",
}
