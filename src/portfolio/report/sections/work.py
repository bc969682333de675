"""実施した作業: scheduled maintenance, improvements and documentation updates."""

from __future__ import annotations

from portfolio.report.document import Block, Checklist, Document, Note, Paragraph, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.model import WorkEntry
from portfolio.report.sections.common import heading


def _work_list(f: Fmt, items: list[WorkEntry], empty: str) -> Block:
    """Work done as the original's checklist, each entry with its day; a sentence if none."""
    if not items:
        return Paragraph(f.t(empty))
    entries = [
        f.t("work.entry", summary=f.text(i.summary), day=f.day(i.at.astimezone(f.zone).date()))
        for i in items
    ]
    return Checklist([(True, entry) for entry in entries])


def work(doc: Document, f: Fmt) -> None:
    w = f.r.work
    heading(doc, 2, "h.work", "work")
    heading(doc, 3, "h.work.maintenance", "work-maintenance")
    outcome = [f.t("maint.outcome", passed=m.passed, warned=m.warned, failed=m.failed)
               if m.warned or m.failed else "" for m in w.maintenance]  # fmt: skip
    lines = [
        f.t(f"maint.{m.id}", n=m.count) + o for m, o in zip(w.maintenance, outcome, strict=True)
    ]
    doc.add(Checklist([(m.count > 0, line) for m, line in zip(w.maintenance, lines, strict=True)]))
    expected = {m.id: m.expected for m in w.maintenance}
    doc.add(
        Note(
            f.t(
                "note.maintenance",
                daily=expected["daily"],
                weekly=expected["weekly"],
                monthly=expected["monthly_security"],
            )
        )
    )
    heading(doc, 3, "h.work.improvements", "work-improvements")
    doc.add(_work_list(f, w.improvements, "work.no_improvements"))
    heading(doc, 3, "h.work.docs", "work-docs")
    doc.add(_work_list(f, w.documentation, "work.no_docs"))
    doc.add(Rule())
