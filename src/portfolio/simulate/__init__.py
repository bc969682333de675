"""The demo's traffic model: months of traffic shaped like the original, written to a store."""

__all__ = ["alb", "demo", "scenarios"]
