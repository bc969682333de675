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
        "per_request": "{value}/req",
        "pattern.all": "{path}（全メソッド）",
        "store.not_dynamodb": "DynamoDBではありません（{backend}ストアで稼働。テーブルのステータスはありません）",
    },
    "en": {
        "ge": "≥ {value}",
        "per_request": "{value}/req",
        "pattern.all": "{path} (all methods)",
        "store.not_dynamodb": "not DynamoDB (running on the {backend} store, which has no table status)",
    },
}
