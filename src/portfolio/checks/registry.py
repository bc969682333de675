"""Imports every check module so each check registers itself; a new module adds one line."""

from portfolio.checks import daily, daily_serverless, monthly, weekly

__all__ = ["daily", "daily_serverless", "monthly", "weekly"]
