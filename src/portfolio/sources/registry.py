"""Imports every report source so each registers itself in ``SOURCES``.

A new source adds one import line here.
"""

from portfolio.sources import aws, local

__all__ = ["aws", "local"]
