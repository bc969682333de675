"""前月からの変化 / Changes since last month: the report model's ``changes`` field.

Kept beside report.model (which imports it) so the model stays one screen per part.
Every value is read from two months' report.json (or the store's previous month, built
as a report): nothing here is measured, only compared.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FigureStatus = Literal["met", "warn", "missed", "no_data"]


class FigureChange(BaseModel):
    """One KPI or headline figure: last month's value, this month's and the change."""

    id: str = Field(description="The KPI id, or a headline figure's name (requests, p95_ms, ...).")
    kind: str = Field(description="How it is written (report/kpis.py Kind, or count/ms/usd).")
    kpi: bool
    previous: float | None
    current: float | None
    change: float | None = Field(description="current - previous; null when either is missing.")
    change_percent: float | None = Field(description="Null when either is missing or previous 0.")
    previous_status: FigureStatus | None = None
    status: FigureStatus | None = None


class CostChange(BaseModel):
    """A service whose cost moved by more than the threshold (or appeared / went away)."""

    service: str
    previous_usd: float | None
    usd: float | None
    change_usd: float
    change_percent: float | None


class IncidentChange(BaseModel):
    """An incident kind new this month, or last month's that did not recur."""

    kind: str
    state: Literal["new", "resolved"]
    count: int = Field(description="Incidents of this kind in the month it is counted in.")
    summary: str = Field(description="The first such incident's summary, as recorded.")


class ProposalFollowUp(BaseModel):
    """A proposal of last month: raised again (its evidence still there) or not (gone)."""

    id: str
    state: Literal["gone", "still"]
    previous_evidence: dict[str, int | float | str]
    evidence: dict[str, int | float | str] | None = Field(
        description="This month's figures when raised again; null when gone."
    )


class Changes(BaseModel):
    """What changed since last month; ``source`` says where last month was read from."""

    previous_month: str | None
    source: Literal["report.json", "store", "none"] = Field(
        description="report.json: the previous month's file beside this one; store: the"
        " previous month built from the store; none: no previous month exists."
    )
    previous_schema_version: str | None = None
    figures: list[FigureChange] = Field(default_factory=list)
    cost_threshold_percent: float = Field(
        description="A service's cost is listed when it moved by more than this share ..."
    )
    cost_threshold_usd: float = Field(description="... and by at least this many dollars.")
    costs: list[CostChange] = Field(default_factory=list)
    incidents: list[IncidentChange] = Field(default_factory=list)
    proposals: list[ProposalFollowUp] = Field(default_factory=list)
    missing: list[str] = Field(
        default_factory=list,
        description="Parts the previous month's file does not hold (an older schema).",
    )
