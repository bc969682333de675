"""The synthesized CDK templates, once per machine (cached by the infra code's hash)."""

from __future__ import annotations

import os

import pytest

from portfolio.checks.template import cached_assembly
from portfolio.infra.assembly import Assembly

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def assembly() -> Assembly:
    return cached_assembly()
