"""The generated checklist and troubleshooting guide match the checks (drift test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.checks.docs import (
    CHECKLIST_PATH,
    TROUBLESHOOTING_PATH,
    render_checklist,
    render_troubleshooting,
)
from portfolio.checks.registry import all_checks
from portfolio.cli.main import run

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("path", "render", "command"),
    [
        (CHECKLIST_PATH, render_checklist, "checklist"),
        (TROUBLESHOOTING_PATH, render_troubleshooting, "troubleshooting"),
    ],
)
def test_committed_docs_are_regenerated_identically(
    path: str, render: object, command: str, tmp_path: Path
) -> None:
    out = tmp_path / "doc.md"
    assert run(["docs", command, "--out", str(out)]) == 0
    committed = (REPO / path).read_text("utf-8")
    assert out.read_text("utf-8") == committed, f"run `portfolio docs {command}`"
    assert render() == committed  # type: ignore[operator]


def test_every_check_is_documented_with_its_fix() -> None:
    checklist, guide = render_checklist(), render_troubleshooting()
    for c in all_checks():
        assert f"`{c.id}`" in checklist
        assert c.remediation_ja in guide
        assert c.remediation_en in guide
