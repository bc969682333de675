"""Imports every report source so each registers itself in ``SOURCES``.

A new source adds one import line here.
"""

from portfolio.sources import alb_logs, aws, local

__all__ = ["alb_logs", "aws", "local"]
