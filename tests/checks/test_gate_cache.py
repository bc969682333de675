"""Gate counts are kept by what the gate read, and read again only when that changed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from portfolio.checks import audits
from portfolio.errors import SourceError

# A stand-in gate: an executable that counts its own runs and prints cfn-lint's JSON
# (one error per template it was given).
_GATE = """#!/bin/sh
echo run >> "{runs}"
shift 3
printf '['
sep=''
for f in "$@"; do printf '%s{{"Level": "Error", "Filename": "%s"}}' "$sep" "$f"; sep=','; done
printf ']'
"""


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("PORTFOLIO_CACHE_DIR", str(tmp_path / "cache"))
    runs = tmp_path / "runs.txt"
    tool = tmp_path / "bin" / "cfn-lint"
    tool.parent.mkdir()
    tool.write_text(_GATE.format(runs=runs))
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool, runs


def _runs(runs: Path) -> int:
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def _templates(folder: Path, *bodies: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, body in enumerate(bodies):
        path = folder / f"Stack{i}.template.json"
        path.write_text(body)
        paths.append(path)
    return paths


def test_the_same_templates_are_scanned_once_even_in_another_folder(
    gate: tuple[Path, Path], tmp_path: Path
) -> None:
    tool, runs = gate
    first = _templates(tmp_path / "a", "{}", '{"Resources": {}}')
    assert audits.cfn_lint_scan(tool, first) == (2, 0)
    assert audits.cfn_lint_scan(tool, first) == (2, 0)
    assert _runs(runs) == 1
    again = _templates(tmp_path / "b", "{}", '{"Resources": {}}')
    assert audits.cfn_lint_scan(tool, again) == (2, 0)
    assert _runs(runs) == 1


def test_a_changed_template_or_tool_runs_the_gate_again(
    gate: tuple[Path, Path], tmp_path: Path
) -> None:
    tool, runs = gate
    templates = _templates(tmp_path / "a", "{}")
    audits.cfn_lint_scan(tool, templates)
    templates[0].write_text('{"Resources": {"Bucket": {}}}')
    audits.cfn_lint_scan(tool, templates)
    assert _runs(runs) == 2
    assert audits.cfn_lint_scan(
        tool, [*templates, *_templates(tmp_path / "c", "{}", "{}")[1:]]
    ) == (
        2,
        0,
    )
    assert _runs(runs) == 3
    later = tool.stat().st_mtime_ns + 1_000_000_000
    os.utime(tool, ns=(later, later))  # the tool upgraded in place
    audits.cfn_lint_scan(tool, templates)
    assert _runs(runs) == 4


def test_a_corrupt_entry_is_a_miss(gate: tuple[Path, Path], tmp_path: Path) -> None:
    tool, runs = gate
    templates = _templates(tmp_path / "a", "{}")
    audits.cfn_lint_scan(tool, templates)
    for entry in (tmp_path / "cache" / "portfolio" / "gates").iterdir():
        entry.write_text("{not json")
    assert audits.cfn_lint_scan(tool, templates) == (1, 0)
    assert _runs(runs) == 2


def test_a_gate_that_prints_nothing_is_an_error_and_is_not_kept(
    gate: tuple[Path, Path], tmp_path: Path
) -> None:
    tool, runs = gate
    tool.write_text(f'#!/bin/sh\necho run >> "{runs}"\necho "Traceback: boom" >&2\nexit 1\n')
    templates = _templates(tmp_path / "a", "{}")
    for _ in range(2):
        with pytest.raises(SourceError, match=r"printed no result .*boom"):
            audits.cfn_lint_scan(tool, templates)
    assert _runs(runs) == 2
