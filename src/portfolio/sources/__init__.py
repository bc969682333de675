"""Report sources: where the figures of a report come from (local store, logs, AWS)."""

__all__ = [
    "alb_format",
    "alb_logs",
    "alb_source",
    "base",
    "cloudfront_logs",
    "local",
    "log_summary",
    "logfiles",
    "progress",
]
