"""The collector is set for a one-command process only by the process entry (main)."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from portfolio.cli import lifetime
from portfolio.cli.main import run


@pytest.fixture
def thawed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(lifetime, "_armed", False)
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_commands_run_in_process_leave_the_collector_alone(thawed: None) -> None:
    assert run(["logs", "athena", "--month", "2025-08"]) == 0
    assert gc.get_freeze_count() == 0


def test_an_armed_process_freezes_its_imports_and_what_is_left_at_the_end(thawed: None) -> None:
    lifetime.arm()
    assert run(["logs", "athena", "--month", "2025-08"]) == 0  # imports the command's module
    after_imports = gc.get_freeze_count()
    assert after_imports > 0
    leftovers = [[i] for i in range(1000)]  # tracked containers made while the command ran
    lifetime.exiting()
    assert gc.get_freeze_count() >= after_imports + len(leftovers)


def test_the_process_entry_still_exits_with_the_command_s_code() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portfolio", "report", "--month", "2025-13"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "2025-13" in done.stderr
