# ruff: noqa: E501  (a catalogue of sentences reads better unwrapped)
"""サービス別運用状況 3. DynamoDB."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.svc.dynamodb": "3. DynamoDB",
    "times": "{value}回",
    "l.tables": "テーブル",
    "l.status": "ステータス",
    "l.backup": "バックアップ",
    "backup.on": "有効",
    "backup.off": "無効",
    "reason.no_backup": "データなし（月次点検が未実施でPITRの状態が不明）",
    "reason.no_encryption": "データなし（暗号化の状態が記録されていません）",
    "l.read_latency": "読み取りレイテンシー",
    "l.write_latency": "書き込みレイテンシー",
    "l.throttles": "スロットリング",
    "l.capacity": "コンシュームドキャパシティ",
    "capacity.value": "平均 読み取り{read} / 書き込み{write}（基準: 最大スループット設定 読み取り{max_read} / 書き込み{max_write} ユニット/秒）",
    "reason.no_capacity": "データなし（最大スループット設定が不明）",
    "l.store_calls": "呼び出し数 / エラー（{backend}）",
    "reason.no_store_stats": "データストア呼び出しの記録なし",
}

EN: dict[str, str] = {
    "h.svc.dynamodb": "3. DynamoDB",
    "times": "{value} times",
    "l.tables": "Tables",
    "l.status": "Status",
    "l.backup": "Backup",
    "backup.on": "enabled",
    "backup.off": "disabled",
    "reason.no_backup": "no data (no monthly check; PITR state unknown)",
    "reason.no_encryption": "no data (encryption state not recorded)",
    "l.read_latency": "Read latency",
    "l.write_latency": "Write latency",
    "l.throttles": "Throttling",
    "l.capacity": "Consumed capacity",
    "capacity.value": "average read {read} / write {write} (of the maximum throughput setting: read {max_read} / write {max_write} units/s)",
    "reason.no_capacity": "no data (maximum throughput setting unknown)",
    "l.store_calls": "Calls / errors ({backend})",
    "reason.no_store_stats": "no data-store calls recorded",
}
