"""Imports every report source so each registers itself in ``SOURCES``.

A new source adds one import line here.
"""

from portfolio.sources import local

__all__ = ["local"]
