"""The REST API: app factory, routes, dependencies, schemas, middleware."""

__all__ = ["app", "audit", "lambda_app"]
