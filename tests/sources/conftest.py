"""A moto server for the session, seeded once with the portfolio account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sources.moto_aws import Moto, Seeded, aws_env, seed, start_moto


@pytest.fixture(scope="session")
def moto() -> Iterator[Moto]:
    aws_env()
    yield from start_moto()


@pytest.fixture(scope="session")
def seeded(moto: Moto) -> Seeded:
    return seed(moto)
