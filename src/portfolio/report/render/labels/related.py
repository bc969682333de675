"""関連ドキュメント and the closing block."""

from __future__ import annotations

JA: dict[str, str] = {
    "h.related": "関連ドキュメント",
    "related.08": "運用項目一覧",
    "related.09": "管理台帳",
    "related.11": "トラブルシューティングガイド",
    "l.report_date": "報告日",
    "l.approver": "承認者",
    "l.next_report": "次回報告予定",
    "sign": "＿＿＿＿＿＿＿＿（署名）",
}

EN: dict[str, str] = {
    "h.related": "Related documents",
    "related.08": "operations checklist",
    "related.09": "management ledger",
    "related.11": "troubleshooting guide",
    "l.report_date": "Report date",
    "l.approver": "Approver",
    "l.next_report": "Next report",
    "sign": "________ (signature)",
}
