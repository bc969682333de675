"""`portfolio infra cost` and `ledger` over an already synthesized assembly."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.cli.main import run
from portfolio.costs import load_prices
from portfolio.infra.assembly import Assembly
from portfolio.infra.cost import stack_cost

LEDGER = Path(__file__).resolve().parents[2] / "docs" / "09-management-ledger.md"


def test_cost_prints_the_total_the_budget_verdict_and_alternatives(
    assembly: Assembly, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["infra", "cost", "--out", str(assembly.directory)]) == 0
    out = capsys.readouterr().out
    expected = stack_cost(assembly, load_prices())
    assert f"${expected.estimate.total_usd:,.2f}" in out
    assert "cannot hold" in out  # the original design exceeds the $10 budget
    best = expected.cheapest_keeping_targets()
    assert f"Cheapest design that keeps the targets: {best.architecture.value}" in out


def test_cost_json_follows_the_requested_traffic(
    assembly: Assembly, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    args = ["infra", "cost", "--out", str(assembly.directory), "--json"]
    assert run([*args, "--requests-per-day", "0"]) == 0
    idle = json.loads(capsys.readouterr().out)
    assert run([*args, "--requests-per-day", "2000000"]) == 0
    busy = json.loads(capsys.readouterr().out)
    assert busy["estimate"]["total_usd"] > idle["estimate"]["total_usd"]
    assert idle["budget_usd"] == 10.0


def test_ledger_check_passes_on_the_committed_ledger_and_fails_on_a_stale_one(
    assembly: Assembly, tmp_path: Path
) -> None:
    common = ["infra", "ledger", "--out", str(assembly.directory), "--check"]
    assert run([*common, "--output", str(LEDGER)]) == 0
    stale = tmp_path / "ledger.md"
    stale.write_text(LEDGER.read_text("utf-8").replace("portfolio-users", "old-name"), "utf-8")
    assert run([*common, "--output", str(stale)]) == 1


def test_context_must_be_key_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["infra", "synth", "--out", "unused", "-c", "novalue"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
