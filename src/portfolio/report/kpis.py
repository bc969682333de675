"""One declaration per KPI: its unit, direction and how its figures are written.

The builder takes a KPI's category, unit and direction from here, the composer and the
terminal summary write its target and actual by its ``kind``, and report.json carries
the kind beside the unit. A KPI added here is formatted everywhere at once; a KPI id or a
kind with no declaration raises UnknownKpiError instead of borrowing another KPI's format
(a 200 ms target once rendered as "200%").

達成率 (achievement) is never shown as 100 % for a target that was missed: it is rounded
down, not to the nearest, at the precision that first shows the gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from portfolio.errors import PortfolioError
from portfolio.report import numbers

Category = Literal["technical", "operational", "cost"]


class UnknownKpiError(PortfolioError):
    """A KPI id or a format kind that no declaration names."""


class Kind(StrEnum):
    """How a KPI's figures are written; each kind has one formatter per renderer."""

    PERCENT = "percent"
    MILLISECONDS = "ms"
    COUNT = "count"
    MINUTES = "minutes"
    PER_MONTH = "per_month"
    USD = "usd"
    USD_PER_REQUEST = "usd_per_request"
    TREND = "trend"
    """Cost efficiency: the target is 'improving', the actual a word (improved/worsened)."""


UNITS: dict[Kind, str] = {
    Kind.PERCENT: "%",
    Kind.MILLISECONDS: "ms",
    Kind.COUNT: "count",
    Kind.MINUTES: "min",
    Kind.PER_MONTH: "count/month",
    Kind.USD: "USD",
    Kind.USD_PER_REQUEST: "USD/req",
    Kind.TREND: "USD/req",
}


@dataclass(frozen=True, slots=True)
class KpiSpec:
    id: str
    category: Category
    kind: Kind
    higher_is_better: bool
    target_digits: int = 0
    actual_digits: int = 0
    bound: bool = False
    """The target is written as a bound (100ms以下 / ≤ 100 ms), as the original does."""
    no_data: str = "reason.no_traffic"
    """The label key of the reason an absent actual gives."""

    @property
    def unit(self) -> str:
        return UNITS[self.kind]

    @property
    def direction(self) -> Literal["higher_is_better", "lower_is_better"]:
        return "higher_is_better" if self.higher_is_better else "lower_is_better"


_DECLARED = (
    KpiSpec("availability", "technical", Kind.PERCENT, True, 1, 3, no_data="reason.no_probes"),
    KpiSpec("response_time_avg", "technical", Kind.MILLISECONDS, False, bound=True),
    KpiSpec("error_rate", "technical", Kind.PERCENT, False, 0, 2, bound=True),
    KpiSpec("security_incidents", "technical", Kind.COUNT, False),
    KpiSpec(
        "incident_response_time", "operational", Kind.MINUTES, False, bound=True,
        no_data="reason.no_incident_response",
    ),
    KpiSpec(
        "maintenance_completion", "operational", Kind.PERCENT, True,
        no_data="reason.no_schedule",
    ),
    KpiSpec("documentation_updates", "operational", Kind.PER_MONTH, True),
    KpiSpec("monthly_cost", "cost", Kind.USD, False, 2, 2, bound=True, no_data="reason.no_cost"),
    KpiSpec("cost_efficiency", "cost", Kind.TREND, False, no_data="reason.no_previous_cost"),
    KpiSpec("budget_attainment", "cost", Kind.PERCENT, True, no_data="reason.no_cost"),
)  # fmt: skip

KPIS: dict[str, KpiSpec] = {spec.id: spec for spec in _DECLARED}


def spec(kpi_id: str) -> KpiSpec:
    """The declaration of a KPI; an undeclared one is an error, never a guess."""
    try:
        return KPIS[kpi_id]
    except KeyError:
        raise UnknownKpiError(f"KPI {kpi_id!r} has no declaration in report/kpis.py") from None


def kind_of(value: str) -> Kind:
    """A kind by its name (report.json's ``kind``); an unknown name is an error."""
    try:
        return Kind(value)
    except ValueError:
        raise UnknownKpiError(f"no KPI format kind {value!r}") from None


def achievement_shown(value: float, met: bool, digits: int = 0) -> str:
    """達成率 as written: a missed target never reads 100 %.

    Rounded as usual, except that a miss that would round to 100 is rounded down with as
    many more decimals (up to 3) as it takes to show that it is below 100.
    """
    if met or round(value, digits) < 100:
        return numbers.percent(value, digits)
    more = digits
    while more < digits + 3 and _floor(value, more) >= 100:
        more += 1
    return numbers.percent(min(_floor(value, more), 100 - 10**-more), more)


def _floor(value: float, digits: int) -> float:
    scale: float = 10.0**digits
    return math.floor(value * scale + 1e-9) / scale


def plain(kpi_id: str, value: float | None) -> str:
    """A figure of this KPI with its unit, for the terminal and logs (no_data: 'no data').

    The terminal's own plain form, not the report's (report.numbers): one language, a
    space before every unit, enough decimals to compare with a threshold by eye.
    """
    declared = spec(kpi_id)
    if value is None:
        return "no data"
    match declared.kind:
        case Kind.PERCENT:
            return f"{value:,.3f}".rstrip("0").rstrip(".") + " %"
        case Kind.MILLISECONDS:
            return f"{value:,.1f} ms"
        case Kind.COUNT:
            return f"{value:,.0f}"
        case Kind.MINUTES:
            return f"{value:,.1f} min"
        case Kind.PER_MONTH:
            return f"{value:,.0f} a month"
        case Kind.USD:
            return f"${value:,.2f}"
        case Kind.USD_PER_REQUEST | Kind.TREND:
            return f"${value:.6f}/req"
    raise UnknownKpiError(f"no plain format for kind {declared.kind!r}")  # pragma: no cover
