"""The CDK app: `python infra/app.py` (or `portfolio infra synth`, or `cdk synth`).

Synthesizes every environment named in the ``environments`` context with cdk-nag's
AwsSolutions pack applied; an unacknowledged finding fails synthesis.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portfolio_infra.build import build_app

if __name__ == "__main__":
    build_app().synth()
