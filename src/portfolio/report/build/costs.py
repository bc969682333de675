"""コスト分析: measured or estimated cost by service, the budget, cost per request, user
and hour."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from portfolio import names
from portfolio.config import Settings
from portfolio.costs import Architecture, CostEstimate, PriceTable, UsageProfile, estimate
from portfolio.report import analysis
from portfolio.report.build.common import TrafficIndex, rounded
from portfolio.report.model import CostRow, Costs
from portfolio.sources.base import CostLine, Observations, TrafficBucket
from portfolio.telemetry.totals import RequestVolume


@dataclass(frozen=True, slots=True)
class _Volume:
    count: int
    bytes_in: int
    bytes_out: int

    @classmethod
    def of(cls, buckets: Iterable[TrafficBucket]) -> _Volume:
        """Sums only: the month before is priced, never shown, so its sketches are not merged."""
        rows = list(buckets)
        count = sum(b.count for b in rows)
        return cls(count, sum(b.bytes_in for b in rows), sum(b.bytes_out for b in rows))


def _profile(obs: Observations, volume: RequestVolume, elapsed: float = 1.0) -> UsageProfile:
    """The usage priced: in a month in progress, the hours so far with the requests so far,
    so the cost and every cost per request, user or hour share one basis (to date)."""
    requests = volume.count
    defaults = UsageProfile()
    return UsageProfile(
        hours_in_month=max(obs.period.hours * elapsed, 1 / 60),
        requests_per_month=requests,
        avg_response_bytes=volume.bytes_out / requests if requests else defaults.avg_response_bytes,
        avg_request_bytes=volume.bytes_in / requests if requests else defaults.avg_request_bytes,
        tasks=obs.compute.desired_tasks if obs.compute else names.DESIRED_TASKS,
    )


Shape = Callable[[UsageProfile], UsageProfile]
"""Measured usage -> the profile of the design's template with that usage."""


@dataclass(frozen=True, slots=True)
class Priced:
    """How the report prices usage: the price table, the design, its template's shape."""

    prices: PriceTable
    design: Architecture
    shape: Shape | None

    def profile(
        self, obs: Observations, volume: RequestVolume, elapsed: float = 1.0
    ) -> UsageProfile:
        measured = _profile(obs, volume, elapsed)
        return measured if self.shape is None else self.shape(measured)


def _estimated_lines(
    obs: Observations,
    priced: Priced,
    volume: RequestVolume,
    elapsed: float = 1.0,
) -> list[CostLine] | None:
    """Usage × dated prices, by service; None when nothing was measured in the period."""
    if volume.count == 0 and not obs.probes:
        return None
    result = estimate(priced.profile(obs, volume, elapsed), priced.prices, priced.design)
    bases: dict[str, list[str]] = defaultdict(list)
    for line in result.lines:
        bases[line.service].append(line.basis)
    return [
        CostLine(service=service, usd=usd, basis="; ".join(bases[service]))
        for service, usd in result.by_service().items()
    ]


def build_costs(
    obs: Observations,
    previous: Observations | None,
    settings: Settings,
    priced: Priced,
    index: TrafficIndex,
    elapsed: float = 1.0,
) -> Costs:
    prices, design = priced.prices, priced.design
    budget = settings.kpi.budget_usd
    lines: list[CostLine] | None
    if obs.measured_costs is not None:
        lines = obs.measured_costs.lines
        previous_lines = obs.measured_costs.previous_lines
        source, detail = "cost-explorer", obs.measured_costs.source
    else:
        lines = _estimated_lines(obs, priced, index.total, elapsed)
        previous_lines = (
            _estimated_lines(previous, priced, _Volume.of(previous.traffic))
            if previous is not None
            else None
        )
        source = "estimate" if lines is not None else "none"
        detail = (
            f"estimate: measured usage × price table of {prices.as_of.isoformat()}"
            f" ({prices.region}, design {design.value}: {design.description})"
        )
    if lines is None:
        return _unmeasured(obs, budget, previous_lines)
    return _measured(obs, previous, budget, lines, previous_lines, (source, detail), index, elapsed)


def _unmeasured(obs: Observations, budget: float, previous_lines: list[CostLine] | None) -> Costs:
    """No usage measured in the period: no cost, only the month before's total if known."""
    return Costs(
        source="none",
        source_detail="no usage was measured in this period",
        total_usd=None,
        previous_total_usd=rounded(sum(line.usd for line in previous_lines), 4)
        if previous_lines
        else None,
        change_percent=None,
        budget_usd=budget,
        headroom_usd=None,
        budget_used_percent=None,
        per_request_usd=None,
        per_user_usd=None,
        per_hour_usd=None,
        users=obs.user_count,
        lines=[],
        budget_attainment_percent=None,
        per_request_previous_usd=None,
        per_user_previous_usd=None,
        per_hour_previous_usd=None,
        per_request_change_percent=None,
        per_user_change_percent=None,
        per_hour_change_percent=None,
        efficiency=None,
        cheapest_design=None,
        cheapest_design_usd=None,
        cheapest_design_saving_usd=None,
    )


def _measured(
    obs: Observations,
    previous: Observations | None,
    budget: float,
    lines: list[CostLine],
    previous_lines: list[CostLine] | None,
    origin: tuple[str, str],
    index: TrafficIndex,
    elapsed: float,
) -> Costs:
    """The month's cost from its lines, against the month before and the budget."""
    source, detail = origin
    total = sum(line.usd for line in lines)
    previous_by_service = {line.service: line.usd for line in previous_lines or []}
    previous_total = sum(previous_by_service.values()) if previous_lines else None
    requests = index.total.count
    per_request = total / requests if requests else None
    per_user = round(total / obs.user_count, 4) if obs.user_count else None
    per_hour = round(total / max(obs.period.hours * elapsed, 1 / 60), 5)
    prev_requests = sum(b.count for b in previous.traffic) if previous is not None else 0
    prev_per_request = (
        previous_total / prev_requests if previous_total is not None and prev_requests else None
    )
    prev_per_user = (
        round(previous_total / previous.user_count, 4)
        if previous is not None and previous_total is not None and previous.user_count
        else None
    )
    prev_per_hour = (
        round(previous_total / previous.period.hours, 5)
        if previous is not None and previous_total is not None
        else None
    )
    efficiency = None
    if per_request is not None and prev_per_request is not None:
        efficiency = (
            "improved" if per_request < prev_per_request
            else "worsened" if per_request > prev_per_request
            else "unchanged"
        )  # fmt: skip
    return Costs(
        budget_attainment_percent=round(min(100.0, 100 * budget / total), 2) if total else 100.0,
        per_request_previous_usd=prev_per_request,
        per_user_previous_usd=prev_per_user,
        per_hour_previous_usd=prev_per_hour,
        per_request_change_percent=analysis.percent_change(per_request, prev_per_request),
        per_user_change_percent=analysis.percent_change(per_user, prev_per_user),
        per_hour_change_percent=analysis.percent_change(per_hour, prev_per_hour),
        efficiency=efficiency,
        cheapest_design=None,
        cheapest_design_usd=None,
        cheapest_design_saving_usd=None,
        source=source,
        source_detail=detail,
        estimated=obs.measured_costs is not None and obs.measured_costs.estimated,
        total_usd=round(total, 4),
        previous_total_usd=rounded(previous_total, 4),
        change_percent=analysis.percent_change(total, previous_total),
        budget_usd=budget,
        headroom_usd=round(budget - total, 4),
        budget_used_percent=round(100 * total / budget, 2),
        per_request_usd=per_request,
        per_user_usd=per_user,
        per_hour_usd=per_hour,
        users=obs.user_count,
        lines=_rows(lines, previous_lines, total),
    )


def _rows(
    lines: list[CostLine], previous_lines: list[CostLine] | None, total: float
) -> list[CostRow]:
    """月次コスト内訳: one row a service, the largest first, with its 前月比."""
    previous_by_service = {line.service: line.usd for line in previous_lines or []}
    return [
        CostRow(
            service=line.service,
            usd=round(line.usd, 4),
            share=round(line.usd / total, 4) if total else None,
            previous_usd=rounded(previous_by_service.get(line.service), 4)
            if previous_lines
            else None,
            change_percent=analysis.percent_change(line.usd, previous_by_service.get(line.service)),
            basis=line.basis,
        )
        for line in sorted(lines, key=lambda item: -item.usd)
    ]


def cheapest(costs: Costs, options: list[CostEstimate]) -> None:
    """最適化余地's second half: the cheapest design the estimator priced for this usage."""
    if not options or costs.total_usd is None:
        return
    cheapest = options[0]
    costs.cheapest_design = cheapest.architecture.value
    costs.cheapest_design_usd = round(cheapest.total_usd, 4)
    costs.cheapest_design_saving_usd = round(costs.total_usd - cheapest.total_usd, 4)
