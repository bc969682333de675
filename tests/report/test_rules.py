"""Every proposal rule: it fires on its figure, and its words name exactly its evidence."""

from __future__ import annotations

import string
from collections.abc import Callable

import pytest

from portfolio.config import Settings
from portfolio.report.compose import proposal_lines
from portfolio.report.model import CheckedItem, Report
from portfolio.report.render.text import TEXT
from portfolio.report.rules import RULES, RuleInputs, proposals
from tests.report.conftest import SimulatedMonth


def _inputs(r: Report, **changes: object) -> RuleInputs:
    base = {
        "settings": Settings(), "availability": r.availability, "error_rate": r.error_rate,
        "performance": r.performance, "incidents": r.incidents, "work": r.work,
        "security": r.security, "costs": r.costs, "services": r.services,
        "budget": r.error_budget, "p95_ms": r.latency_ms.p95,
    }  # fmt: skip
    base.update(changes)
    return RuleInputs(**base)  # type: ignore[arg-type]


def _copy(model: object, **update: object) -> object:
    return model.model_copy(deep=True, update=update)  # type: ignore[attr-defined]


def _services(r: Report, **compute: object) -> object:
    return _copy(r.services, compute=_copy(r.services.compute, **compute))


def _checks(r: Report, kind: str) -> object:
    checks = [_copy(c, expected=4, done=1) if c.kind == kind else c for c in r.work.checks]
    return _copy(r.work, checks=checks)


def _not_run(item: CheckedItem) -> CheckedItem:
    return item.model_copy(update={"outcome": "not_run"})


TRIGGERS: dict[str, Callable[[Report], dict[str, object]]] = {
    "latency_p95_goal": lambda r: {"p95_ms": 95.0},
    "peak_p95_over_target": lambda r: {"performance": _copy(r.performance, peak=_copy(
        r.performance.peak, peak=_copy(r.performance.peak.peak, p95=180.0)))},
    "latency_rising": lambda r: {"performance": _copy(r.performance, weekly=[
        _copy(r.performance.weekly[0], trend="rising", change_percent=12.5, avg_ms=88.0)])},
    "enable_prober": lambda r: {"availability": _copy(r.availability, probes=0)},
    "prober_coverage_low": lambda r: {"availability": _copy(
        r.availability, coverage_sufficient=False, coverage_percent=97.5,
        monitored_minutes=r.availability.total_minutes * 0.975)},
    "daily_checks_missed": lambda r: {"work": _checks(r, "daily")},
    "weekly_checks_missed": lambda r: {"work": _checks(r, "weekly")},
    "monthly_checks_missed": lambda r: {"work": _checks(r, "monthly")},
    "cpu_high": lambda r: {"services": _services(r, cpu_avg_percent=91.0)},
    "memory_high": lambda r: {"services": _services(r, memory_avg_percent=92.0)},
    "cost_over_budget": lambda r: {"costs": _copy(r.costs, total_usd=52.53)},
    "rightsize_tasks": lambda r: {"services": _services(r, cpu_avg_percent=12.0,
                                                        memory_avg_percent=30.0)},
    "availability_below_target": lambda r: {"availability": _copy(r.availability,
                                                                   percent=99.5)},
    "error_rate_above_target": lambda r: {"error_rate": 2.5},
    "error_budget_burning": lambda r: {"budget": _copy(r.error_budget, burn_rate=3.2,
                                                       remaining_minutes=5.0)},
    "incident_response_slow": lambda r: {"incidents": [
        _copy(r.incidents[0], response_minutes=45.0)]},
    "record_incident_causes": lambda r: {"incidents": [_copy(r.incidents[0], cause=None)]},
    "security_findings": lambda r: {"security": _copy(r.security, findings_fail=2)},
    "access_anomalies": lambda r: {"security": _copy(r.security, metrics=_copy(
        r.security.metrics, anomalous_requests=37, burst_minutes=3))},
    "security_scans_not_run": lambda r: {"security": _copy(r.security, metrics=_copy(
        r.security.metrics, scan=_not_run(r.security.metrics.scan)))},
    "cheaper_architecture": lambda r: {"costs": _copy(
        r.costs, total_usd=52.53, cheapest_design="lambda-http-api", cheapest_design_usd=1.92,
        cheapest_design_saving_usd=50.61)},
}  # fmt: skip


def test_every_rule_has_a_trigger_here() -> None:
    assert {r.id for r in RULES} == set(TRIGGERS)


def _fields(text: str) -> set[str]:
    return {f[1] for f in string.Formatter().parse(text) if f[1]}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_fires_and_its_text_names_exactly_its_evidence(
    rule: object, simulated: SimulatedMonth
) -> None:
    r = simulated.report
    rid = rule.id  # type: ignore[attr-defined]
    evidence = rule.evaluate(_inputs(r, **TRIGGERS[rid](r)))  # type: ignore[attr-defined]
    assert evidence is not None, rid
    for lang in ("ja", "en"):
        words = _fields(TEXT[lang][f"prop.{rid}"]) | _fields(TEXT[lang][f"prop.target.{rid}"])
        assert words == set(evidence), (lang, rid)
        proposal = next(p for p in proposals(_inputs(r, **TRIGGERS[rid](r))) if p.id == rid)
        title, sentence, subs = proposal_lines(lang, proposal)  # type: ignore[arg-type]
        shown = sentence + " ".join(subs)
        for value in evidence.values():
            plain = f"{value:,.2f}" if isinstance(value, float) else str(value)
            assert plain in shown or str(value) in shown, (lang, rid, value, shown)
        assert title


def test_rules_stay_quiet_on_a_healthy_month(simulated: SimulatedMonth) -> None:
    r = simulated.report
    healthy = _inputs(
        r, p95_ms=40.0, costs=_copy(r.costs, total_usd=5.0, cheapest_design_saving_usd=0.0),
        services=_services(r, cpu_avg_percent=50.0, memory_avg_percent=50.0),
        incidents=[], error_rate=0.1,
    )  # fmt: skip
    fired = {p.id for p in proposals(healthy)}
    assert not fired & {"latency_p95_goal", "cost_over_budget", "rightsize_tasks",
                        "cheaper_architecture", "record_incident_causes"}  # fmt: skip
