"""The report's sections, in the original's order, with their headings in both languages.

Every renderer walks this list, and the heading test checks it, so the order
lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    ja: str
    en: str


SECTIONS: tuple[Section, ...] = (
    Section("document", "1. 文書情報", "1. Document information"),
    Section("overview", "2. 運用期間サマリー", "2. Period summary"),
    Section("kpi", "3. KPI達成状況", "3. KPI achievement"),
    Section("services", "4. サービス別稼働状況", "4. Service status"),
    Section("performance", "5. パフォーマンス分析", "5. Performance analysis"),
    Section("incidents", "6. インシデント", "6. Incidents"),
    Section("costs", "7. コスト分析", "7. Cost analysis"),
    Section("security", "8. セキュリティ状況", "8. Security status"),
    Section("work", "9. 実施した作業", "9. Work done"),
    Section("slo", "10. SLO・エラーバジェット", "10. SLO and error budget"),
    Section("proposals", "11. 改善提案", "11. Improvement proposals"),
    Section("summary", "12. 総括", "12. Summary"),
)

SUBSECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "kpi": (("3.1 技術KPI", "3.1 Technical KPIs"), ("3.2 運用KPI", "3.2 Operational KPIs"),
            ("3.3 コストKPI", "3.3 Cost KPIs")),
    "services": (("4.1 ECS Fargate（コンピュート）", "4.1 ECS Fargate (compute)"),
                 ("4.2 Application Load Balancer（エントリーポイント）",
                  "4.2 Application Load Balancer (entry point)"),
                 ("4.3 DynamoDB（データストア）", "4.3 DynamoDB (data store)"),
                 ("4.4 S3 / CloudFront（静的サイト）", "4.4 S3 / CloudFront (static site)")),
    "performance": (("5.1 週次応答時間推移", "5.1 Weekly response time trend"),
                    ("5.2 ピーク時間帯分析", "5.2 Peak vs off-peak"),
                    ("5.3 日別リクエスト数", "5.3 Daily requests"),
                    ("5.4 エンドポイント別リクエスト", "5.4 Requests by endpoint")),
    "costs": (("7.1 サービス別コスト", "7.1 Cost by service"),
              ("7.2 単価指標", "7.2 Unit costs")),
}  # fmt: skip
