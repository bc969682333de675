"""The operator's plan (report/plan.py) as numbered items in the original's places,
each marked as the operator's, so no reader takes a plan for a measurement."""

from __future__ import annotations

from portfolio.report.fmt import Fmt

Item = tuple[str, str, list[str]]


def plan_proposals(f: Fmt, horizon: str, theme: str) -> list[Item]:
    """改善提案 of one horizon and theme from the plan: title, the mark, its items."""
    plan = f.r.plan
    if plan is None:
        return []
    mark = f.t("plan.mark", source=plan.source)
    return [
        (f.text(p.title), mark, [f.text(item) for item in p.items])
        for p in plan.proposals
        if p.horizon == horizon and p.theme == theme
    ]


def plan_points(f: Fmt, section: str) -> list[Item]:
    """総括・所感's 課題 ('issues') or 次期 ('expectations') points from the plan."""
    plan = f.r.plan
    if plan is None or section not in ("issues", "expectations"):
        return []
    mark = f.t("plan.mark", source=plan.source)
    mark = f"（{mark}）" if f.lang == "ja" else f" ({mark})"
    points = plan.issues if section == "issues" else plan.expectations
    return [(f.text(p.title), f.text(p.text) + mark, []) for p in points]
