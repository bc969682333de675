"""関連ドキュメント and the closing block (report date, reporter, approver, next report)."""

from __future__ import annotations

from portfolio.report.document import Bullets, Document, Field, Fields, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.sections.common import heading

RELATED_DOCS = (
    ("docs/08-operations-checklist.md", "related.08"),
    ("docs/09-management-ledger.md", "related.09"),
    ("docs/11-troubleshooting-guide.md", "related.11"),
)
"""関連ドキュメント, as the original lists them (the files are in this repository)."""


def related(doc: Document, f: Fmt) -> None:
    heading(doc, 2, "h.related", "related")
    doc.add(Bullets([f"`{path}` - {f.t(key)}" for path, key in RELATED_DOCS], code=True), Rule())
    c = f.r.closing
    doc.add(
        Fields(
            [
                Field(f.t("l.report_date"), f.day(c.report_date)),
                Field(f.t("l.reporter"), f.person(c.reporter)),
                Field(f.t("l.approver"), c.approver or f.t("sign")),
                Field(f.t("l.next_report"), f.day(c.next_report_date)),
            ],
            bullets=False,
        )
    )
