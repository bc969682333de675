"""改善提案・次期計画: the rules' proposals and the operator's plan, by horizon and theme."""

from __future__ import annotations

from portfolio.report.document import Document, Numbered, Paragraph, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.model import Proposal
from portfolio.report.plan_text import plan_proposals
from portfolio.report.render.text import Lang, t
from portfolio.report.sections.common import heading

HORIZONS = (
    ("short", ("performance", "cost")),
    ("mid", ("availability", "security")),
    ("long", ("architecture",)),
)
"""The original's 改善提案 structure: each horizon with its themes."""


def proposal_lines(lang: Lang, p: Proposal) -> tuple[str, str, list[str]]:
    """Title, sentence (the triggering figure) and target of one proposal, in one language."""
    values = dict(p.evidence)
    return (
        t(lang, f"prop.title.{p.id}"),
        t(lang, f"prop.{p.id}", **values),
        [
            t(lang, "prop.target", text=t(lang, f"prop.target.{p.id}", **values)),
            t(lang, "prop.priority", value=t(lang, f"priority.{p.priority}")),
        ],
    )


def proposals(doc: Document, f: Fmt) -> None:
    heading(doc, 2, "h.proposals", "proposals")
    for horizon, themes in HORIZONS:
        heading(doc, 3, f"h.horizon.{horizon}", f"prop-{horizon}")
        for theme in themes:
            heading(doc, 4, f"h.theme.{theme}", f"prop-{horizon}-{theme}")
            found = [p for p in f.r.proposals if p.horizon == horizon and p.theme == theme]
            lines = (proposal_lines(f.lang, p) for p in found)
            items = [(a, b, [*c, f.t("prop.by_rule")]) for a, b, c in lines]
            items += plan_proposals(f, horizon, theme)
            doc.add(Numbered(items) if items else Paragraph(f.t("prop.none_theme")))
    doc.add(Rule())
