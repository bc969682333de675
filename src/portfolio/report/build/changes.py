"""前月からの変化: this month's figures beside last month's, compared once here.

Both months are read the same way (report.series, from report.json's content), so a
previous month written by an older schema compares field by field and says which parts
it lacks. The thresholds for a cost line are stated in the model (and so in the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portfolio.report.build.common import rounded
from portfolio.report.model_changes import (
    Changes,
    CostChange,
    FigureChange,
    IncidentChange,
    ProposalFollowUp,
)
from portfolio.report.series import HEADLINE, MonthFigures

COST_THRESHOLD_PERCENT = 10.0
"""A service's cost is listed when it moved by more than 10 % ..."""
COST_THRESHOLD_USD = 0.10
"""... and by at least $0.10: a cent's swing on a cent's line is not news."""

PreviousSource = Literal["report.json", "store", "none"]


@dataclass(frozen=True)
class Previous:
    """Last month as found: its figures and where they came from (none: not found)."""

    figures: MonthFigures | None
    source: PreviousSource
    month: str | None = None


def _percent(change: float | None, previous: float | None) -> float | None:
    if change is None or previous is None or previous == 0:
        return None
    return rounded(100 * change / abs(previous), 2)


def _figure(
    fid: str, kind: str, kpi: bool, before: float | None, now: float | None
) -> FigureChange:
    exact = None if before is None or now is None else now - before
    # The share from the exact difference: a unit cost's change rounded to 6 decimals
    # first (-0.000002 for -0.00000187) moved its percentage by a tenth of a point.
    return FigureChange(
        id=fid, kind=kind, kpi=kpi, previous=before, current=now, change=rounded(exact, 6),
        change_percent=_percent(exact, before),
    )  # fmt: skip


def _figures(now: MonthFigures, before: MonthFigures) -> list[FigureChange]:
    rows: list[FigureChange] = []
    for kpi in (now.kpis or {}).values():
        old = (before.kpis or {}).get(kpi.id)
        row = _figure(kpi.id, kpi.kind, True, old.actual if old else None, kpi.actual)
        rows.append(
            row.model_copy(
                update={"status": kpi.status, "previous_status": old.status if old else None}
            )
        )
    for name, (_path, kind) in HEADLINE.items():
        rows.append(_figure(name, kind, False, before.headline.get(name), now.headline.get(name)))
    return rows


def _costs(now: MonthFigures, before: MonthFigures) -> list[CostChange]:
    if now.costs is None or before.costs is None:
        return []
    moved = []
    for service in sorted(now.costs.keys() | before.costs.keys()):
        old, new = before.costs.get(service), now.costs.get(service)
        delta = (new or 0.0) - (old or 0.0)
        percent = _percent(delta, old)
        big = abs(delta) >= COST_THRESHOLD_USD and (
            percent is None or abs(percent) > COST_THRESHOLD_PERCENT
        )
        if big:
            moved.append(
                CostChange(service=service, previous_usd=old, usd=new,
                           change_usd=rounded(delta, 4) or 0.0, change_percent=percent)
            )  # fmt: skip
    return sorted(moved, key=lambda c: -abs(c.change_usd))


def _incident_rows(
    state: Literal["new", "resolved"], rows: list[tuple[str, str]], other: set[str]
) -> list[IncidentChange]:
    """Kinds in ``rows`` that ``other`` lacks, each with its count and first summary."""
    out = []
    for kind in dict.fromkeys(k for k, _ in rows if k not in other):
        same = [summary for k, summary in rows if k == kind]
        out.append(IncidentChange(kind=kind, state=state, count=len(same), summary=same[0]))
    return out


def _incidents(now: MonthFigures, before: MonthFigures) -> list[IncidentChange]:
    """By kind: a kind this month that last month had not (new), and the reverse (resolved)."""
    if now.incidents is None or before.incidents is None:
        return []
    kinds_now = {k for k, _ in now.incidents}
    kinds_before = {k for k, _ in before.incidents}
    return _incident_rows("new", now.incidents, kinds_before) + _incident_rows(
        "resolved", before.incidents, kinds_now
    )


def _proposals(now: MonthFigures, before: MonthFigures) -> list[ProposalFollowUp]:
    raised = dict(now.proposals or [])
    return [
        ProposalFollowUp(
            id=pid,
            state="still" if pid in raised else "gone",
            previous_evidence=evidence,
            evidence=raised.get(pid),
        )
        for pid, evidence in before.proposals or []
    ]


def build_changes(current: MonthFigures, previous: Previous) -> Changes:
    """The section's model; ``source`` none (no previous month) leaves every list empty."""
    before = previous.figures
    base = Changes(
        previous_month=before.month if before else previous.month,
        source=previous.source if before else "none",
        cost_threshold_percent=COST_THRESHOLD_PERCENT,
        cost_threshold_usd=COST_THRESHOLD_USD,
    )
    if before is None:
        return base
    return base.model_copy(
        update={
            "previous_schema_version": before.schema_version,
            "figures": _figures(current, before),
            "costs": _costs(current, before),
            "incidents": _incidents(current, before),
            "proposals": _proposals(current, before),
            "missing": list(before.missing),
        }
    )
