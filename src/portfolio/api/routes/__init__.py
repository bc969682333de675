"""One router per resource."""

__all__ = ["health", "livez", "metrics", "status", "users"]
