"""Session fixtures of the source tests: moto's server seeded with the portfolio account,
and a month of generated ALB logs (small, made once)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bench.alb_gen import Truth, generate

from tests.sources.moto_aws import Moto, Seeded, aws_env, seed, start_moto


@pytest.fixture(scope="session")
def moto() -> Iterator[Moto]:
    aws_env()
    yield from start_moto()


@pytest.fixture(scope="session")
def seeded(moto: Moto) -> Seeded:
    return seed(moto)


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
