"""The developer's own PORTFOLIO_* settings never reach the tests (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import tests.conftest  # what pytest imports before any test
from portfolio.config import Settings
settings = Settings()
assert settings.kpi.availability_pct == 99.9, settings.kpi.availability_pct
assert settings.task_id != "from-the-shell", settings.task_id
"""


def test_a_shell_setting_does_not_change_what_the_tests_see() -> None:
    env = {
        **os.environ,
        "PORTFOLIO_KPI__AVAILABILITY_PCT": "99.0",
        "PORTFOLIO_TASK_ID": "from-the-shell",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
