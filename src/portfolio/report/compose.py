"""Compose the neutral document from the report model, in the original's order.

The Japanese document is the original 運用報告書 (docs/original/) heading for
heading and label for label; the English one mirrors it item for item. What we
add (percentiles, daily tables, charts, method notes) comes after the original's
items of the same section, or in the 付録 after the closing block. Formatting
only: every figure is read from the model, a missing one says why in a phrase.
"""

from __future__ import annotations

from portfolio.report.document import Document, Notice
from portfolio.report.fmt import Fmt
from portfolio.report.model import Report
from portfolio.report.render.text import Lang
from portfolio.report.sections import (
    Section,
    appendix,
    changes,
    costs,
    document_info,
    incidents,
    kpis,
    overview,
    performance,
    proposal_lines,
    proposals,
    related,
    review,
    security,
    services,
    summary,
    traffic,
    work,
)

__all__ = ["SECTIONS", "compose", "proposal_lines"]

SECTIONS: tuple[Section, ...] = (
    document_info,
    overview,
    summary,
    changes,
    services,
    performance,
    traffic,
    incidents,
    costs,
    security,
    work,
    proposals,
    kpis,
    review,
    related,
    appendix,
)
"""The original's sections in its order, then the appendix; each adds its own blocks
(report/sections/, one module per section of the original)."""


def compose(report: Report, lang: Lang) -> Document:
    f = Fmt(report, lang)
    doc = Document(title=f.t("h.title", env=report.document.environment), lang=lang)
    if report.document.simulated:
        doc.add(Notice(f.t("simulated")))
    if report.period.in_progress:
        doc.add(Notice(f.t("notice.in_progress", now=f.when(report.document.generated_at))))
    for section in SECTIONS:
        section(doc, f)
    return doc
