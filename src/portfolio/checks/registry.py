"""Imports every check module so each check registers itself; a new module adds one line."""

from portfolio.checks import daily, monthly, weekly

__all__ = ["daily", "monthly", "weekly"]
