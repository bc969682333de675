"""コスト分析: the breakdown by service, the budget, the cost per request, user and hour."""

from __future__ import annotations

import re

from portfolio.report import numbers
from portfolio.report.document import Chart, Document, Field, Fields, Note, Rule, Table
from portfolio.report.fmt import Fmt
from portfolio.report.rules import ARCHITECTURE_NAMES, SERVICE_NAMES
from portfolio.report.sections.common import heading


def costs(doc: Document, f: Fmt) -> None:
    heading(doc, 2, "h.costs", "costs")
    _cost_breakdown(doc, f)
    _cost_optimisation(doc, f)
    _cost_efficiency(doc, f)


def _cost_breakdown(doc: Document, f: Fmt) -> None:
    c = f.r.costs
    heading(doc, 3, "h.cost.breakdown", "cost-breakdown")
    rows = [
        [
            SERVICE_NAMES.get(line.service, line.service),
            f.usd(line.usd),
            f.pct(None if line.share is None else 100 * line.share, 1),
            _mom(f, line.usd, line.previous_usd, line.change_percent),
        ]
        for line in c.lines
    ]
    rows.append(
        [
            f"**{f.t('total')}**",
            f"**{f.usd(c.total_usd)}**",
            "**100%**" if c.total_usd else "—",
            f"**{_mom(f, c.total_usd, c.previous_total_usd, c.change_percent)}**",
        ]
    )
    as_of = (
        c.source_detail.split("price table of ")[-1].split(" ")[0] if c.source == "estimate" else ""
    )
    # The estimate names the design it priced ("design <architecture>: ..."), see
    # report/build/costs.py.
    priced = re.search(r"design ([a-z0-9-]+):", c.source_detail)
    design = ARCHITECTURE_NAMES.get(priced.group(1), priced.group(1)) if priced else ""
    note = [f.t(f"note.cost.{c.source}", as_of=as_of, design=design)]
    note += [
        f.t("note.cost.to_date", hours=numbers.number(f.r.period.elapsed_hours, 1))
    ] * f.r.period.in_progress
    doc.add(
        Table([f.t("c.service"), f.t("c.cost"), f.t("c.share"), f.t("c.mom")], rows),
        Note(" ".join(note + [f.t("note.cost.original")] * f.original_demo())),
        *([Note(f.t("note.cost.estimated"))] if c.estimated else []),
        Chart("costs"),
    )


def _mom(f: Fmt, usd: float | None, previous: float | None, change: float | None) -> str:
    """前月比; from a $0 month there is no ratio, which is not a missing month."""
    if change is not None or previous is None or previous != 0 or usd is None:
        return f.change(change)
    return f.t("cost.mom.both_zero" if usd == 0 else "cost.mom.from_zero")


def _cost_optimisation(doc: Document, f: Fmt) -> None:
    c = f.r.costs
    heading(doc, 3, "h.cost.optimisation", "cost-optimisation")
    headroom = f.nd("reason.no_cost")
    if c.headroom_usd is not None:
        headroom = f.t(
            "headroom.value",
            headroom=f.usd(c.headroom_usd),
            state=f.t("headroom.under" if c.headroom_usd >= 0 else "headroom.over"),
        )
        if c.cheapest_design and c.cheapest_design_saving_usd and c.cheapest_design_saving_usd > 0:
            headroom += f.t(
                "headroom.design",
                design=ARCHITECTURE_NAMES.get(c.cheapest_design, c.cheapest_design),
                usd=f.usd(c.cheapest_design_usd),
                saving=f.usd(c.cheapest_design_saving_usd),
            )
    doc.add(
        Fields(
            [
                Field(f.t("l.budget"), f.t("le", value=f.usd(c.budget_usd))),
                Field(f.t("l.actual_cost"), f.usd(c.total_usd)),
                Field(
                    f.t("l.budget_attainment"),
                    f.pct(c.budget_attainment_percent, 0, "reason.no_cost"),
                ),
                Field(f.t("l.headroom"), headroom),
                Field(f.t("l.budget_used"), f.pct(c.budget_used_percent, 1, "reason.no_cost")),
            ]
        )
    )


def _cost_efficiency(doc: Document, f: Fmt) -> None:
    c = f.r.costs
    heading(doc, 3, "h.cost.efficiency", "cost-efficiency")
    # Last month's cost known, its unit cost not: say which denominator is missing.
    known = c.previous_total_usd is not None

    def unit(
        value: float | None, previous: float | None, change: float | None, digits: int,
        suffix: str, reason: str, missing: str,
    ) -> str:  # fmt: skip
        if value is None:
            return f.nd(reason)
        mom = (
            f.t(missing)
            if known and previous is None
            else _mom(f, round(value, digits), previous, change)
        )
        return f.t("unit_cost", value=f"{f.usd(value, digits)}/{suffix}", change=mom)

    rows = [
        ("l.per_request", c.per_request_usd, c.per_request_previous_usd,
         c.per_request_change_percent, 6, "req", "reason.no_cost",
         "cost.mom.no_previous_requests"),
        ("l.per_user", c.per_user_usd, c.per_user_previous_usd, c.per_user_change_percent, 4,
         "user", "reason.no_users", "cost.mom.no_previous_users"),
        ("l.per_hour", c.per_hour_usd, c.per_hour_previous_usd, c.per_hour_change_percent, 4,
         "hour", "reason.no_cost", "reason.no_previous"),
    ]  # fmt: skip
    doc.add(Fields([Field(f.t(row[0]), unit(*row[1:])) for row in rows]), Rule())
