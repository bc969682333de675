"""The scheduled operations: what the ops task runs on its own each day, week and month."""

__all__ = ["deliver", "headline", "jobs", "summary"]
