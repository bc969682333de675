"""The estimator's architecture for each deployable design.

A report prices the design it runs on: the serverless design's scheduled report priced
as two Fargate tasks behind a load balancer would be a cost figure of another system.
``infra cost --design`` and ``demo --design`` name the same two.
"""

from __future__ import annotations

from portfolio.config import Design
from portfolio.costs.estimator import Architecture

DESIGN_ARCHITECTURE: dict[Design, Architecture] = {
    Design.ORIGINAL: Architecture.FARGATE_ALB,
    Design.SERVERLESS: Architecture.LAMBDA_FUNCTION_URL,
}
