"""docs/09-management-ledger.md must describe exactly the synthesized templates."""

from __future__ import annotations

from pathlib import Path

from portfolio.infra.assembly import Assembly
from portfolio.infra.ledger import render_ledger

LEDGER = Path(__file__).resolve().parents[2] / "docs" / "09-management-ledger.md"


def test_committed_ledger_matches_the_templates(assembly: Assembly) -> None:
    expected = render_ledger(assembly)
    assert LEDGER.read_text("utf-8") == expected, (
        "docs/09-management-ledger.md is stale: run `portfolio infra ledger --synth`"
    )


def test_ledger_lists_every_resource_once(assembly: Assembly) -> None:
    text = render_ledger(assembly)
    for stack, resource in assembly.resources():
        # CDK logical ids are unique within a stack; two stacks may reuse one.
        in_stacks = sum(
            resource.logical_id in {r.logical_id for r in other.resources()}
            for other in assembly.stacks
        )
        assert text.count(f"`{resource.logical_id}`") == in_stacks, stack.name
    assert "構成管理台帳" in text
    assert "Configuration management ledger" in text
