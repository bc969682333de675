"""総括・所感: achievements, issues and next month's aims."""

from __future__ import annotations

from portfolio.report import numbers
from portfolio.report.document import Document, Numbered, Paragraph, Rule
from portfolio.report.fmt import Fmt
from portfolio.report.plan_text import plan_points
from portfolio.report.sections.common import heading
from portfolio.report.sections.proposals import proposal_lines


def _point(f: Fmt, key: str, values: dict[str, int | float | str]) -> str:
    if key == "sum.next":
        title, _text, target = proposal_lines(
            f.lang, next(p for p in f.r.proposals if p.id == values["proposal"])
        )
        return f.t("sum.next", title=title, text=target[0])
    if key == "sum.no_data_kpi":
        return f.t(key, kpi_name=f.t(f"k.{values['kpi']}"))
    shown = {
        k: (numbers.number(v, 2).rstrip("0").rstrip(".") if isinstance(v, float) else v)
        for k, v in values.items()
    }
    return f.t(key, **shown)


def review(doc: Document, f: Fmt) -> None:
    s = f.r.summary
    heading(doc, 2, "h.review", "review")
    for key, points in (
        ("achievements", s.achievements),
        ("issues", s.issues),
        ("expectations", s.expectations),
    ):
        heading(doc, 3, f"h.review.{key}", f"review-{key}")
        items: list[tuple[str, str, list[str]]] = [
            (_point(f, p.key, p.values), "", []) for p in points
        ]
        items += plan_points(f, key)
        doc.add(Numbered(items) if items else Paragraph(f.t("prop.none_theme")))
    doc.add(Rule())
