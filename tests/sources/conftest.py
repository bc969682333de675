"""Generated ALB logs shared by the source tests (made once per session, small)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from bench.alb_gen import Truth, generate


@dataclass
class Generated:
    tree: Path
    plain: Path
    truth: Truth


@pytest.fixture(scope="session")
def month_logs(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """A month (2025-08) of gzipped hourly files and the same lines as one plain file."""
    root = tmp_path_factory.mktemp("alb")
    truth = generate(root / "tree", lines=30_000, seed=11, plain=root / "all.log")
    return Generated(root / "tree", root / "all.log", truth)
