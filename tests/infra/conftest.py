"""The synthesized CDK app for the infra tests.

The default and the serverless synthesis are the ones the checks' tests use too
(``cached_assembly``: one synthesis per design and version of the infra code on this
machine); variants with other context are synthesized here, in-process and offline.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from portfolio.checks.template import cached_assembly
from portfolio.config import Design
from portfolio.infra.assembly import Assembly, StackTemplate, load_assembly

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "infra"))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

CERTIFICATE_ARN = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-test"
API_DOMAIN = "api.example.com"


def _synth(outdir: Path, context: dict[str, str] | None = None) -> Assembly:
    from portfolio_infra.build import build_app

    build_app(context=context, outdir=str(outdir)).synth()
    return load_assembly(outdir)


@pytest.fixture(scope="session")
def assembly() -> Assembly:
    """The default synthesis: production, no certificate, image built from the Dockerfile."""
    return cached_assembly()


@pytest.fixture(scope="session")
def https_assembly(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    return _synth(
        tmp_path_factory.mktemp("cdk.out.https"),
        {"certificate_arn": CERTIFICATE_ARN, "api_domain": API_DOMAIN},
    )


@pytest.fixture(scope="session")
def api(assembly: Assembly) -> StackTemplate:
    return next(s for s in assembly.stacks if s.name == "Portfolio-production")


@pytest.fixture(scope="session")
def web(assembly: Assembly) -> StackTemplate:
    return next(s for s in assembly.stacks if s.name == "Portfolio-production-web")


@pytest.fixture(scope="session")
def serverless_assembly() -> Assembly:
    """The serverless design (``-c design=serverless``): ``cdk.out.serverless`` when `make
    synth` made it after the last infra change, else the synthesis cached like the default's.

    Synthesizing it here in every session cost each test worker a jsii start and ~15 s.
    """
    return cached_assembly(design=Design.SERVERLESS)
