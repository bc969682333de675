"""`portfolio report` on a store gives the figures the demo gave from it.

Two things the demo passes in-process used to be missing from a plain `portfolio report`:
the synthesized template's shape (without it the estimate priced the estimator's
defaults: $53.52 against the demo's and `infra cost`'s $52.04 for the demo month), and
last month rebuilt from the store under this month's plan file (which names its month
and refused last month's, exit 2).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portfolio.checks.template import cached_assembly
from portfolio.cli.main import run
from portfolio.config import Settings
from portfolio.costs import load_prices
from portfolio.costs.estimator import Architecture
from portfolio.infra.cost import template_shape
from portfolio.report.build import compute_report
from portfolio.simulate.scenarios import ORIGINAL_PLAN
from portfolio.sources.local import LocalSource
from tests.report.conftest import MONTH, SimulatedMonth


def _costs(simulated: SimulatedMonth, *, shaped: bool) -> list[tuple[str, float | None]]:
    source = LocalSource(simulated.store)
    report = compute_report(
        source.observe(simulated.period), Settings(),
        previous=source.observe(simulated.period.previous(), traffic_only=True),
        now=datetime.now(UTC), prices=load_prices(), design=Architecture.FARGATE_ALB,
        shape=template_shape(cached_assembly()) if shaped else None,
    )  # fmt: skip
    return [(line.service, line.usd) for line in report.costs.lines]


def test_report_prices_the_synthesized_template_under_the_months_plan(
    simulated: SimulatedMonth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shaped, unshaped = _costs(simulated, shaped=True), _costs(simulated, shaped=False)
    assert shaped != unshaped  # else this test could not tell the two apart
    monkeypatch.setenv("PORTFOLIO_REPORT__PLAN_PATH", str(ORIGINAL_PLAN))  # 2025-08's plan
    out = tmp_path / MONTH  # no 2025-07/report.json beside it: July is rebuilt from the store
    code = run(["report", "--month", MONTH, "--db", str(simulated.store.path), "--out",
                str(out), "--format", "json"])  # fmt: skip
    assert code == 0
    written = json.loads((out / "report.json").read_text("utf-8"))
    assert [(line["service"], line["usd"]) for line in written["costs"]["lines"]] == shaped
    assert written["changes"]["source"] == "store"
