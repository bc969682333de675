"""Every script of bench/ and scripts/ answers --help and refuses what it does not know.

`bench/alb_gen.py --help` once took "--help" for its output folder and wrote 443 MB
into ./--help/; these run each script for real in an empty folder and look at what
it left there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = {
    "bench/alb_gen.py": [sys.executable, str(ROOT / "bench" / "alb_gen.py")],
    "bench/run.py": [sys.executable, str(ROOT / "bench" / "run.py")],
    "bench/engine_baseline.py": [sys.executable, str(ROOT / "bench" / "engine_baseline.py")],
    "bench/transfer_bench.py": [sys.executable, str(ROOT / "bench" / "transfer_bench.py")],
    "scripts/ensure-sysdeps.sh": ["bash", str(ROOT / "scripts" / "ensure-sysdeps.sh")],
    "scripts/dynamodb-local.sh": ["bash", str(ROOT / "scripts" / "dynamodb-local.sh")],
}

POSITIONAL = {"bench/alb_gen.py": ["out"], "bench/engine_baseline.py": ["a.log"]}
"""What a script needs besides the option, so that the option is what it objects to."""


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_help_prints_usage_and_writes_nothing(name: str, tmp_path: Path) -> None:
    for flag in ("--help", "-h"):
        done = subprocess.run(
            [*SCRIPTS[name], flag], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "usage:" in done.stdout
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_unknown_option_exits_2_with_one_reason(name: str, tmp_path: Path) -> None:
    command = [*SCRIPTS[name], *POSITIONAL.get(name, []), "--no-such-option"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no-such-option" in done.stderr
    assert list(tmp_path.iterdir()) == []
